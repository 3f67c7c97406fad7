/*
 * guardian.c — `shakedown guardian --journal PATH RUN` (internal; started by
 * run before its first fault). Reads its stdin, a pipe from the runner. The
 * runner writes "done" once it has reverted everything; EOF without it means
 * the runner died (SIGKILL included): every open fault of RUN in the journal
 * is reverted, newest first, each verified and retried (lib/check/revert.h). Then
 * it exits; it outlives nothing.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/check/revert.h"
#include "cmd.h"

#define PATIENCE_MS 120000

static void
say(void *arg, const struct revert_event *ev)
{
	char ts[40];

	(void)arg;
	cmd_err("%s guardian: %s %s (%s%s%d attempt(s))\n", iso8601_ms(wall_ms(),
	    ts, sizeof ts), ev->ok ? "reverted:" : "revert FAILED:", ev->what,
	    ev->detail, "; ", ev->attempts);
}

static enum cmd_retval
exec_guardian(const struct cmd_entry *self, int argc, char **argv)
{
	struct fault_env env = { cmd_self_exe(), NULL };
	struct revert_opts o = { NULL, 1, PATIENCE_MS, &env, say, NULL };
	char buf[64], ts[40];
	struct sd_err e;
	int done = 0, left;
	ssize_t n;

	if (argc != 4 || strcmp(argv[1], "--journal") != 0)
		return cmd_usage_error(self, NULL);
	o.run = argv[3];
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
	cmd_err("%s guardian: run %s: runner gone without finishing;"
	    " reverting\n", iso8601_ms(wall_ms(), ts, sizeof ts), o.run);
	if ((left = revert_journal(argv[2], &o, NULL, &e)) == -1) {
		cmd_err("%s guardian: %s\n", ts, e.msg);
		return CMD_FAULT;
	}
	return left > 0 ? CMD_FAULT : CMD_OK;
}

const struct cmd_entry cmd_guardian = {
	.name = "guardian",
	.usage = "--journal PATH RUN",
	.summary = "revert a dead runner's faults (internal: run starts it)",
	.hidden = 1,
	.exec = exec_guardian,
};
