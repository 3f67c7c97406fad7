/*
 * halt.c — `shakedown halt`, the big red button: every live run on this
 * machine (of this state dir) stops and reverts everything, now.
 *
 * It writes the halt marker (lib/check/journal.h) that every runner's guardrails
 * watch: each runner sees it within 100 ms, stops its steps, reverts its
 * faults newest first and ends ABORTED (exit 5) — its revert in the
 * journal is its acknowledgement. halt waits for that up to --wait; what a
 * dead runner left, its guardian reverts (or halt itself, when the
 * guardian is gone too); what a runner that does not answer still holds
 * after --wait, halt reverts for it from the journal. It prints each fault
 * and who reverted it. Pressing it twice, or with nothing running, is
 * harmless: a marker older than a run's start is not that run's.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/check/halt.h"
#include "../lib/check/journal.h"
#include "../lib/check/revert.h"
#include "../lib/base/units.h"
#include "cmd.h"

#define DEFAULT_WAIT_MS 3000
#define PATIENCE_MS 30000

struct watched {
	const char *id, *run, *what;
	int runner;		/* its runner was alive when halt was pressed */
	const char *by;		/* who reverted it, NULL: not yet */
};

static void
say(void *arg, const struct revert_event *ev)
{
	(void)arg;
	if (!ev->ok)
		cmd_error("halt: %s: %s (after %d attempt(s))", ev->what,
		    ev->detail, ev->attempts);
}

/* Which of the watched faults are reverted now, and by whom. */
static size_t
still_open(const char *path, struct watched *w, size_t n, const char *by)
{
	int torn;
	json_t *open = journal_open_entries(path, NULL, &torn, NULL);
	struct journal_entry en;
	size_t left = 0;

	for (size_t i = 0; i < n; i++) {
		int found = 0;
		if (w[i].by != NULL)
			continue;
		for (size_t k = 0; journal_entry(open, k, &en); k++)
			found |= strcmp(en.id, w[i].id) == 0;
		if (found)
			left++;
		else
			w[i].by = by ? by : w[i].runner ? "its runner" :
			    "its guardian";
	}
	json_decref(open);
	return left;
}

/* A run whose runner and guardian are both gone: nobody else will. */
static int
orphaned(const struct journal_entry *en)
{
	return !revert_runner_alive(en) && !revert_guardian_alive(en);
}

/* The runners revert their own (a dead one's guardian, or us when it is
 * gone too); after wait_ms, what is still applied is reverted for them. */
static void
wait_and_revert(const char *path, json_t *open, struct watched *w, size_t n,
    int64_t wait_ms, struct revert_opts *go)
{
	int64_t end = mono_ms() + wait_ms;
	struct journal_entry en;
	struct sd_err e;
	size_t left;

	while ((left = still_open(path, w, n, NULL)) > 0 && mono_ms() < end &&
	    !cmd_interrupted) {
		for (size_t k = 0; journal_entry(open, k, &en); k++)
			if (w[k].by == NULL && orphaned(&en)) {
				go->run = w[k].run;
				go->force = 1;
				revert_journal(path, go, NULL, &e);
				still_open(path, w, n, "halt (its runner and guardian"
				    " are gone)");
			}
		sleep_ms(50);
	}
	for (size_t i = 0; i < n && left > 0; i++) {
		if (w[i].by != NULL)
			continue;
		cmd_error("halt: run %s did not revert within %lldms: reverting"
		    " for it", w[i].run, (long long)wait_ms);
		go->run = w[i].run;
		go->force = 1;
		if (revert_journal(path, go, NULL, &e) == -1)
			cmd_error("halt: %s", e.msg);
		left = still_open(path, w, n, "halt (its runner did not answer)");
	}
}

static enum cmd_retval
exec_halt(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct fault_env env = { cmd_self_exe(), &cmd_interrupted };
	struct revert_opts go = { NULL, 0, PATIENCE_MS, &env, say, NULL };
	int64_t wait_ms = DEFAULT_WAIT_MS;
	struct sd_err e;
	char *path = NULL;
	json_t *open = NULL;
	struct journal_entry en;
	struct watched *w = NULL;
	size_t n = 0;
	int ch, torn, failed = 0;

	while ((ch = getopt_long(argc, argv, "w:", longopts, NULL)) != -1) {
		int64_t us;
		if (ch != 'w')
			return cmd_usage_error(self, NULL);
		if (units_duration_us(optarg, &us, &e) == -1)
			return cmd_usage_error(self, "--wait: %s", e.msg);
		wait_ms = us / 1000;
	}
	if (optind != argc)
		return cmd_usage_error(self, "no arguments");
	cmd_catch_signals(0);
	/* the marker first: a runner between two faults stops too */
	if (halt_press(&e) == -1 || (path = journal_path(&e)) == NULL ||
	    (open = journal_open_entries(path, NULL, &torn, &e)) == NULL) {
		cmd_error("halt: %s", e.msg);
		free(path);
		return CMD_FAULT;
	}
	n = json_array_size(open);
	w = xcalloc(n ? n : 1, sizeof *w);
	for (size_t k = 0; journal_entry(open, k, &en); k++) {
		w[k].id = en.id;
		w[k].run = *en.run ? en.run : "?";
		w[k].what = *en.what ? en.what : "?";
		w[k].runner = revert_runner_alive(&en);
	}
	if (n == 0 && !g_opts.quiet)
		cmd_out("halt: nothing is applied; a drill running now stops"
		    " before its next fault\n");
	wait_and_revert(path, open, w, n, wait_ms, &go);
	for (size_t i = 0; i < n; i++) {
		if (w[i].by == NULL) {
			failed = 1;
			cmd_error("halt: still applied: %s (run %s)", w[i].what,
			    w[i].run);
		} else if (!g_opts.quiet) {
			cmd_out("reverted %s (run %s, by %s)\n", w[i].what, w[i].run,
			    w[i].by);
		}
	}
	json_decref(open);
	free(w);
	free(path);
	return failed ? CMD_FAULT : CMD_OK;
}

const struct cmd_entry cmd_halt = {
	.name = "halt",
	.usage = "[--wait DURATION]",
	.summary = "stop every running drill now: revert all its faults",
	.help =
	    "  -w, --wait DURATION  how long the runners get to revert their own\n"
	    "                       before halt reverts for them (default 3s)\n"
	    "Every drill running on this machine (same state dir) stops within\n"
	    "100 ms, reverts everything and ends ABORTED (its exit code 5).\n"
	    "Exit 0 when nothing is left applied, 4 when a revert failed.\n",
	.whole_name = 1,
	.exec = exec_halt,
};
