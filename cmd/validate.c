/*
 * validate.c — `shakedown validate SCENARIO...`: parse and check as run
 * would — hosts included — and touch nothing. Errors are
 * "file:line:col: message"; exit 2 if any file is bad.
 */
#include <getopt.h>
#include <stdio.h>

#include "../lib/preflight.h"
#include "../lib/scenario.h"
#include "cmd.h"

static enum cmd_retval
exec_validate(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "allow-host", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_retval rc = CMD_OK;
	char *allow[CMD_MAX_ALLOW];
	size_t nallow = 0;
	struct scenario *s;
	struct sd_err e;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'A')
			return cmd_usage_error(self, NULL);
		if (cmd_allow_host(optarg, allow, &nallow, &e) == -1)
			return cmd_usage_error(self, "%s", e.msg);
	}
	if (optind == argc)
		return cmd_usage_error(self, "no scenario given");
	for (int i = optind; i < argc; i++) {
		if ((s = scen_load(argv[i], &e)) == NULL ||
		    pre_hosts(s, allow, nallow, &e) == -1) {
			cmd_error("%s", e.msg);
			scen_free(s);
			rc = CMD_USAGE;
			continue;
		}
		if (!g_opts.quiet)
			cmd_out("%s: ok (drill %s, %zu probe(s), %zu step(s))\n",
			    argv[i], s->drill, s->nprobes, s->nsteps);
		scen_free(s);
	}
	return rc;
}

const struct cmd_entry cmd_validate = {
	.name = "validate",
	.usage = "[--allow-host HOST]... SCENARIO...",
	.summary = "check scenarios without touching anything",
	.help =
	    "      --allow-host HOST  allow a non-loopback host (repeatable)\n"
	    "Checks what run checks before it applies anything, but whether the\n"
	    "processes a drill watches are running now.\n",
	.exec = exec_validate,
};
