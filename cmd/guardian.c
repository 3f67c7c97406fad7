/*
 * guardian.c — `shakedown guardian --journal PATH RUN` (internal; started by
 * run before the first fault). Reads its stdin, a pipe from the runner. The
 * runner writes "done" once it has reverted everything; EOF without it means
 * the runner died (SIGKILL included): every open fault of RUN in the journal
 * is reverted, newest first, and marked. Then it exits; it outlives nothing.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../drills/drill.h"
#include "../lib/journal.h"
#include "cmd.h"

static void
say(const char *fmt, const char *a, const char *b)
{
	char ts[40];

	fprintf(stderr, "%s guardian: ", iso8601_ms(wall_ms(), ts, sizeof ts));
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
}

static enum cmd_retval
exec_guardian(const struct cmd_entry *self, int argc, char **argv)
{
	const char *path, *run;
	char buf[64];
	int done = 0, torn, failed = 0;
	ssize_t n;
	struct sd_err e;
	json_t *open, *ent;

	if (argc != 4 || strcmp(argv[1], "--journal") != 0)
		return cmd_usage_error(self, NULL);
	path = argv[2];
	run = argv[3];
	/* the terminal's Ctrl-C is the runner's to handle, not ours */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	while ((n = read(STDIN_FILENO, buf, sizeof buf - 1)) != 0) {
		if (n < 0)
			continue;	/* EINTR */
		buf[n] = '\0';
		if (strstr(buf, "done") != NULL)
			done = 1;
	}
	if (done)
		return CMD_OK;
	say("run %s: runner gone without finishing; reverting%s", run, "");
	if ((open = jrnl_open_entries(path, run, &torn, &e)) == NULL) {
		say("%s%s", e.msg, "");
		return CMD_FAULT;
	}
	for (size_t i = json_array_size(open); i-- > 0; ) {
		const char *id, *what;
		char *did = NULL;
		ent = json_array_get(open, i);
		id = json_string_value(json_object_get(ent, "id"));
		what = json_string_value(json_object_get(ent, "what"));
		if (drill_revert_spec(json_object_get(ent, "revert"), cmd_self_exe(),
		    &did, &e) == -1) {
			say("revert FAILED: %s: %s", what, e.msg);
			failed = 1;
		} else if (jrnl_reverted(path, id, &e) == -1) {
			say("%s%s", e.msg, "");
			failed = 1;
		} else {
			say("reverted: %s (%s)", what, did ? did : "");
		}
		free(did);
	}
	json_decref(open);
	return failed ? CMD_FAULT : CMD_OK;
}

const struct cmd_entry cmd_guardian = {
	.name = "guardian",
	.usage = "--journal PATH RUN",
	.summary = "revert a dead runner's faults (internal: run starts it)",
	.hidden = 1,
	.exec = exec_guardian,
};
