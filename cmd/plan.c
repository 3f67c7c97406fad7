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

#include "../lib/plan.h"
#include "../lib/preflight.h"
#include "cmd.h"

static enum cmd_retval
exec_plan(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "allow-host", required_argument, NULL, 'A' },
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	char *allow[CMD_MAX_ALLOW];
	size_t nallow = 0;
	struct scenario *s;
	struct sd_err e;
	int ch, raw = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'r') {
			raw = 1;
			continue;
		}
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
			return CMD_USAGE;
		}
		struct plan *p = plan_build(s);
		char *t = plan_text(p, raw);
		cmd_out("%s%s", i > optind ? "\n" : "", t);
		free(t);
		plan_free(p);
		scen_free(s);
	}
	return CMD_OK;
}

const struct cmd_entry cmd_plan = {
	.name = "plan",
	.usage = "[--raw] [--allow-host HOST]... SCENARIO...",
	.summary = "print what a run would do, with every revert",
	.help =
	    "      --raw              also the raw requests (netlink messages in hex)\n"
	    "      --allow-host HOST  allow a non-loopback host (repeatable)\n",
	.exec = exec_plan,
};
