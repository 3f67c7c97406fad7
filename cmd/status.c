/*
 * status.c — `shakedown status`: the faults the journal says are still
 * applied, with their age and whether their runner (and guardian) is still
 * alive.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check/revert.h"
#include "../lib/check/journal.h"
#include "../lib/base/redact.h"
#include "../lib/base/units.h"
#include "cmd.h"

static enum cmd_retval
exec_status(const struct cmd_entry *self, int argc, char **argv)
{
	struct sd_err e;
	struct journal_entry en;
	json_t *open;
	char *path;
	size_t i;
	int torn;

	(void)argv;
	if (argc != 1)
		return cmd_usage_error(self, "no arguments");
	if ((path = journal_path(&e)) == NULL ||
	    (open = journal_open_entries(path, NULL, &torn, &e)) == NULL) {
		cmd_error("status: cannot read the journal: %s", e.msg);
		free(path);
		return CMD_UNREADABLE;	/* unknown, which is not "applied" */
	}
	for (i = 0; journal_entry(open, i, &en); i++)
		redact_learn(json_string_value(json_object_get(en.record, "url")));
	if (!g_opts.quiet)
		cmd_out("journal %s: %zu fault(s) still applied%s\n", path,
		    json_array_size(open), torn ? " (torn lines skipped)" : "");
	if (torn)
		cmd_error("status: %d torn line(s) in the journal skipped (a crash"
		    " mid-write, or an edit); the lines after them were read", torn);
	for (i = 0; journal_entry(open, i, &en); i++) {
		char age[32];
		int alive = revert_runner_alive(&en);
		units_fmt_ms(wall_ms() - en.t_wall_ms, age, sizeof age);
		cmd_out("  %-28s %-8s runner %d %s  %s%s\n", *en.id ? en.id : "?",
		    age, (int)en.pid, alive ? "alive" : "dead ", *en.what ?
		    en.what : "?", !alive && revert_guardian_alive(&en) ?
		    " (its guardian is reverting it)" : "");
	}
	int any = json_array_size(open) > 0;
	json_decref(open);
	free(path);
	return any ? CMD_FAILED : CMD_OK;
}

const struct cmd_entry cmd_status = {
	.name = "status",
	.usage = "",
	.summary = "list faults still applied, from the journal",
	.help = "Exit 0 when none is applied, 1 when some are, 7 when the journal"
	    " cannot be read.\n",
	.exec = exec_status,
};
