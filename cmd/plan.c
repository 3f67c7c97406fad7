/*
 * plan.c — `shakedown plan SCENARIO...`: every action a run would take, in
 * order, each with its revert, from the same plan the runner executes;
 * nothing is applied (the same as run --dry-run); --raw adds the netlink
 * messages a network fault sends, in hex. Hosts are checked as run
 * checks them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lib/model/plan.h"
#include "../lib/check/preflight.h"
#include "cmd.h"

static enum cmd_retval
exec_plan(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "allow-host", required_argument, NULL, 'A' },
		CMD_VAR_OPTIONS,
		CMD_ABORT_IF_OPTION,
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	char *allow[CMD_MAX_ALLOW];
	size_t nallow = 0, n;
	struct scenario **sc;
	enum cmd_retval rc;
	int ch, raw = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'r') {
			raw = 1;
			continue;
		}
		if (!cmd_drill_option(self, ch, optarg, allow, &nallow, &rc))
			return cmd_usage_error(self, NULL);
		if (rc != CMD_OK)
			return rc;
	}
	if (optind == argc)
		return cmd_usage_error(self, "no scenario given");
	n = (size_t)(argc - optind);
	sc = xcalloc(n, sizeof *sc);
	/* every file checked as run checks it; a plan only when all are fine */
	size_t nbad = cmd_load_drills(argv + optind, n, allow, nallow,
	    PRE_LIVE, sc);
	for (size_t i = 0; i < n && nbad == 0; i++) {
		struct plan *p = plan_build(sc[i]);
		char *t = plan_text(p, raw);
		cmd_out("%s%s", i ? "\n" : "", t);
		free(t);
		plan_free(p);
	}
	cmd_free_drills(sc, n);
	return nbad ? CMD_USAGE : CMD_OK;
}

const struct cmd_entry cmd_plan = {
	.name = "plan",
	.usage = "[--raw] [--allow-host HOST]... [--vars FILE]... [--var KEY=VALUE]..."
	    " [--abort-if EXPR]... SCENARIO...",
	.summary = "print what a run would do, with every revert",
	.help =
	    "      --raw              also the raw requests (netlink messages in hex)\n"
	    "      --allow-host HOST  allow a non-loopback host (repeatable)\n"
	    "      --vars FILE        a profile of KEY=VALUE lines (repeatable)\n"
	    "      --var KEY=VALUE    one variable (repeatable)\n"
	    "      --abort-if EXPR    one more abort condition (repeatable)\n",
	.exec = exec_plan,
};
