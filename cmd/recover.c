/*
 * recover.c — `shakedown recover`: revert every fault the journal says is
 * still applied whose runner is gone (all of them with --force), newest
 * first, each verified (lib/check/revert.h), and mark them. Idempotent: a fault
 * already gone (the service was restarted by hand) is simply marked.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check/revert.h"
#include "../lib/check/journal.h"
#include "cmd.h"

#define PATIENCE_MS 30000

static void
say(void *arg, const struct revert_event *ev)
{
	(void)arg;
	if (ev->ok && !g_opts.quiet)
		cmd_out("reverted %s (%s)\n", ev->what, ev->detail);
	else if (!ev->ok)
		cmd_error("recover: %s: %s (after %d attempt(s))", ev->what,
		    ev->detail, ev->attempts);
}

static enum cmd_retval
exec_recover(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct fault_env env = { cmd_self_exe(), &cmd_interrupted };
	struct revert_opts o = { NULL, 0, PATIENCE_MS, &env, say, NULL };
	struct sd_err e;
	int ch, left, skipped, torn;
	json_t *open;
	char *path;

	while ((ch = getopt_long(argc, argv, "f", longopts, NULL)) != -1) {
		if (ch != 'f')
			return cmd_usage_error(self, NULL);
		o.force = 1;
	}
	if (optind != argc)
		return cmd_usage_error(self, "no arguments");
	cmd_catch_signals(0);
	if ((path = journal_path(&e)) == NULL ||
	    (open = journal_open_entries(path, NULL, &torn, &e)) == NULL) {
		cmd_error("recover: %s", e.msg);
		free(path);
		return CMD_FAILED;
	}
	if (torn)
		cmd_error("recover: %d unreadable line(s) in %s skipped (a crash"
		    " mid-write, or an edit)", torn, path);
	if (json_array_size(open) == 0 && !g_opts.quiet)
		cmd_out("nothing to recover\n");
	json_decref(open);
	if ((left = revert_journal(path, &o, &skipped, &e)) == -1) {
		cmd_error("recover: %s", e.msg);
		free(path);
		return CMD_FAILED;
	}
	if (skipped > 0 && !g_opts.quiet)
		cmd_out("skipped %d fault(s) whose runner or guardian is still"
		    " running and will revert them; --force to do it now\n",
		    skipped);
	free(path);
	return left > 0 ? CMD_FAULT : CMD_OK;
}

const struct cmd_entry cmd_recover = {
	.name = "recover",
	.usage = "[--force]",
	.summary = "revert faults a crashed run left applied",
	.help =
	    "  -f, --force   also those whose runner is still alive\n"
	    "Exit 0 when everything is reverted, 4 when a revert failed.\n",
	.whole_name = 1,
	.exec = exec_recover,
};
