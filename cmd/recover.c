/*
 * recover.c — `shakedown recover`: revert every fault the journal says is
 * still applied whose runner is gone (all of them with --force), newest
 * first, and mark them. Idempotent: a fault already gone (the service was
 * restarted by hand) is simply marked.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../drills/drill.h"
#include "../lib/journal.h"
#include "cmd.h"

int cmd_runner_alive(const json_t *ent);

static enum cmd_retval
exec_recover(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_retval rc = CMD_OK;
	int ch, force = 0, torn;
	struct sd_err e;
	json_t *open;
	char *path;

	while ((ch = getopt_long(argc, argv, "f", longopts, NULL)) != -1) {
		if (ch != 'f')
			return cmd_usage_error(self, NULL);
		force = 1;
	}
	if (optind != argc)
		return cmd_usage_error(self, "no arguments");
	if ((path = jrnl_path(&e)) == NULL ||
	    (open = jrnl_open_entries(path, NULL, &torn, &e)) == NULL) {
		cmd_error("recover: %s", e.msg);
		free(path);
		return CMD_FAILED;
	}
	if (json_array_size(open) == 0 && !g_opts.quiet)
		printf("nothing to recover\n");
	for (size_t i = json_array_size(open); i-- > 0; ) {
		json_t *ent = json_array_get(open, i);
		const char *id = json_string_value(json_object_get(ent, "id"));
		const char *what = json_string_value(json_object_get(ent, "what"));
		char *did = NULL;

		if (!force && cmd_runner_alive(ent)) {
			printf("skipped  %s: its runner (pid %d) is still running and"
			    " will revert it; --force to do it now\n", what,
			    (int)json_integer_value(json_object_get(ent, "pid")));
			continue;
		}
		if (drill_revert_spec(json_object_get(ent, "revert"), cmd_self_exe(),
		    &did, &e) == -1 || jrnl_reverted(path, id, &e) == -1) {
			cmd_error("recover: %s: %s", what, e.msg);
			rc = CMD_FAULT;
		} else if (!g_opts.quiet) {
			printf("reverted %s (%s)\n", what, did ? did : "");
		}
		free(did);
	}
	json_decref(open);
	free(path);
	return rc;
}

const struct cmd_entry cmd_recover = {
	.name = "recover",
	.usage = "[--force]",
	.summary = "revert faults a crashed run left applied",
	.help =
	    "  -f, --force   also those whose runner is still alive\n"
	    "Exit 0 when everything is reverted, 4 when a revert failed.\n",
	.exec = exec_recover,
};
