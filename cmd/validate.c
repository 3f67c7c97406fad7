/*
 * validate.c — `shakedown validate SCENARIO...`: parse and check as run
 * would — hosts included — and touch nothing. Errors are
 * "file:line:col: message"; exit 2 if any file is bad.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lib/check/preflight.h"
#include "../lib/model/scenario.h"
#include "cmd.h"

static enum cmd_retval
exec_validate(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "allow-host", required_argument, NULL, 'A' },
		CMD_VAR_OPTIONS,
		CMD_ABORT_IF_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	char *allow[CMD_MAX_ALLOW];
	size_t nallow = 0, n, nbad;
	struct scenario **sc;
	enum cmd_retval rc;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (!cmd_drill_option(self, ch, optarg, allow, &nallow, &rc))
			return cmd_usage_error(self, NULL);
		if (rc != CMD_OK)
			return rc;
	}
	if (optind == argc)
		return cmd_usage_error(self, "no scenario given");
	n = (size_t)(argc - optind);
	sc = xcalloc(n, sizeof *sc);
	nbad = cmd_load_drills(argv + optind, n, allow, nallow, PRE_STATIC,
	    sc);
	for (size_t i = 0; i < n; i++)
		if (sc[i] != NULL && !g_opts.quiet)
			cmd_out("%s: ok (drill %s, %zu probe(s), %zu step(s))\n",
			    argv[optind + i], sc[i]->drill, sc[i]->nprobes,
			    sc[i]->nsteps);
	cmd_free_drills(sc, n);
	return nbad ? CMD_USAGE : CMD_OK;
}

const struct cmd_entry cmd_validate = {
	.name = "validate",
	.usage = "[--allow-host HOST]... [--vars FILE]... [--var KEY=VALUE]..."
	    " [--abort-if EXPR]... SCENARIO...",
	.summary = "check scenarios without touching anything",
	.help =
	    "      --allow-host HOST  allow a non-loopback host (repeatable)\n"
	    "      --vars FILE        a profile of KEY=VALUE lines (repeatable)\n"
	    "      --var KEY=VALUE    one variable (repeatable)\n"
	    "      --abort-if EXPR    one more abort condition (repeatable)\n"
	    "Checks what run checks before it applies anything, but what needs\n"
	    "the services running (their pids, devices): 'plan' checks those.\n",
	.exec = exec_validate,
};
