/*
 * plan.c — `shakedown plan SCENARIO`: every action a run would take, in
 * order, each with its revert; nothing is applied (same as run --dry-run).
 */
#include <stdio.h>
#include <stdlib.h>

#include "../lib/runner.h"
#include "cmd.h"

static enum cmd_retval
exec_plan(const struct cmd_entry *self, int argc, char **argv)
{
	struct scenario *s;
	struct sd_err e;

	if (argc < 2)
		return cmd_usage_error(self, "no scenario given");
	for (int i = 1; i < argc; i++) {
		if ((s = scen_load(argv[i], &e)) == NULL) {
			cmd_error("%s", e.msg);
			return CMD_USAGE;
		}
		char *p = run_plan(s);
		printf("%s%s", i > 1 ? "\n" : "", p);
		free(p);
		scen_free(s);
	}
	return CMD_OK;
}

const struct cmd_entry cmd_plan = {
	.name = "plan",
	.usage = "SCENARIO...",
	.summary = "print what a run would do, with every revert",
	.exec = exec_plan,
};
