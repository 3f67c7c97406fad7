/*
 * status.c — `shakedown status`: the faults the journal says are still
 * applied, with their age and whether their runner (and guardian) is still
 * alive.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/guard.h"
#include "../lib/journal.h"
#include "../lib/redact.h"
#include "../lib/units.h"
#include "cmd.h"

static enum cmd_retval
exec_status(const struct cmd_entry *self, int argc, char **argv)
{
	struct sd_err e;
	json_t *open, *ent;
	char *path;
	size_t i;
	int torn;

	(void)argv;
	if (argc != 1)
		return cmd_usage_error(self, "no arguments");
	if ((path = jrnl_path(&e)) == NULL ||
	    (open = jrnl_open_entries(path, NULL, &torn, &e)) == NULL) {
		cmd_error("status: cannot read the journal: %s", e.msg);
		free(path);
		return CMD_UNREADABLE;	/* unknown, which is not "applied" */
	}
	json_array_foreach(open, i, ent)
		redact_learn(json_string_value(json_object_get(json_object_get(ent,
		    "record"), "url")));
	if (!g_opts.quiet)
		cmd_out("journal %s: %zu fault(s) still applied%s\n", path,
		    json_array_size(open), torn ? " (torn lines skipped)" : "");
	if (torn)
		cmd_error("status: %d torn line(s) in the journal skipped (a crash"
		    " mid-write, or an edit); the lines after them were read", torn);
	json_array_foreach(open, i, ent) {
		char age[32];
		const char *id = json_string_value(json_object_get(ent, "id"));
		const char *what = json_string_value(json_object_get(ent, "what"));
		int alive = grd_runner_alive(ent);
		units_fmt_ms(wall_ms() - json_integer_value(json_object_get(ent,
		    "t")), age, sizeof age);
		cmd_out("  %-28s %-8s runner %d %s  %s%s\n", id ? id : "?", age,
		    (int)json_integer_value(json_object_get(ent, "pid")),
		    alive ? "alive" : "dead ", what ? what : "?", !alive &&
		    grd_guardian_alive(ent) ? " (its guardian is reverting it)" :
		    "");
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
