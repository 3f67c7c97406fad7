/*
 * validate.c — `shakedown validate SCENARIO...`: parse and check, touch
 * nothing. Errors are "file:line:col: message"; exit 2 if any file is bad.
 */
#include <stdio.h>

#include "../lib/scenario.h"
#include "cmd.h"

static enum cmd_retval
exec_validate(const struct cmd_entry *self, int argc, char **argv)
{
	enum cmd_retval rc = CMD_OK;
	struct scenario *s;
	struct sd_err e;

	if (argc < 2)
		return cmd_usage_error(self, "no scenario given");
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cmd_usage_error(self, "unknown option '%s'", argv[i]);
		if ((s = scen_load(argv[i], &e)) == NULL) {
			cmd_error("%s", e.msg);
			rc = CMD_USAGE;
			continue;
		}
		if (!g_opts.quiet)
			printf("%s: ok (drill %s, %zu probe(s), %zu step(s))\n",
			    argv[i], s->drill, s->nprobes, s->nsteps);
		scen_free(s);
	}
	return rc;
}

const struct cmd_entry cmd_validate = {
	.name = "validate",
	.usage = "SCENARIO...",
	.summary = "check scenarios without touching anything",
	.exec = exec_validate,
};
