/*
 * status.c — `shakedown status`: the faults the journal says are still
 * applied, with their age and whether their runner is still alive.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/journal.h"
#include "../lib/proc.h"
#include "../lib/units.h"
#include "cmd.h"

int
cmd_runner_alive(const json_t *ent)
{
	pid_t pid = (pid_t)json_integer_value(json_object_get(ent, "pid"));
	char comm[64];

	return pid > 0 && proc_alive(pid) && proc_comm(pid, comm, sizeof comm) == 0 &&
	    strcmp(comm, "shakedown") == 0;
}

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
		cmd_error("status: %s", e.msg);
		free(path);
		return CMD_FAILED;
	}
	if (!g_opts.quiet)
		printf("journal %s: %zu fault(s) still applied%s\n", path,
		    json_array_size(open), torn ? " (torn lines skipped)" : "");
	json_array_foreach(open, i, ent) {
		char age[32];
		units_fmt_ms(wall_ms() - json_integer_value(json_object_get(ent,
		    "t")), age, sizeof age);
		printf("  %-28s %-8s runner %d %s  %s\n",
		    json_string_value(json_object_get(ent, "id")), age,
		    (int)json_integer_value(json_object_get(ent, "pid")),
		    cmd_runner_alive(ent) ? "alive" : "dead ",
		    json_string_value(json_object_get(ent, "what")));
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
	.help = "Exit 0 when none is applied, 1 when some are.\n",
	.exec = exec_status,
};
