/*
 * halt.c — `shakedown halt`, the big red button: every live run on this
 * machine (of this state dir) stops and reverts everything, now.
 *
 * It writes the halt marker (lib/journal.h) that every runner's guardrails
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

#include "../lib/guard.h"
#include "../lib/journal.h"
#include "../lib/units.h"
#include "cmd.h"

#define DEFAULT_WAIT_MS 3000
#define PATIENCE_MS 30000

struct watched {
	const char *id, *run, *what;
	int runner;		/* its runner was alive when halt was pressed */
	const char *by;		/* who reverted it, NULL: not yet */
};

static void
say(void *arg, const struct grd_event *ev)
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
	json_t *open = jrnl_open_entries(path, NULL, &torn, NULL);
	size_t left = 0;

	for (size_t i = 0; i < n; i++) {
		int found = 0;
		json_t *ent;
		size_t k;
		if (w[i].by != NULL)
			continue;
		json_array_foreach(open, k, ent)
			found |= strcmp(json_string_value(json_object_get(ent,
			    "id")) ? json_string_value(json_object_get(ent, "id")) :
			    "", w[i].id) == 0;
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
orphaned(const json_t *ent)
{
	return !grd_runner_alive(ent) && !grd_guardian_alive(ent);
}

/* The runners revert their own (a dead one's guardian, or us when it is
 * gone too); after wait_ms, what is still applied is reverted for them. */
static void
wait_and_revert(const char *path, json_t *open, struct watched *w, size_t n,
    int64_t wait_ms, struct grd_opts *go)
{
	int64_t end = mono_ms() + wait_ms;
	struct sd_err e;
	size_t k, left;
	json_t *ent;

	while ((left = still_open(path, w, n, NULL)) > 0 && mono_ms() < end &&
	    !cmd_interrupted) {
		json_array_foreach(open, k, ent)
			if (w[k].by == NULL && orphaned(ent)) {
				go->run = w[k].run;
				go->force = 1;
				grd_revert(path, go, NULL, &e);
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
		if (grd_revert(path, go, NULL, &e) == -1)
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
	struct grd_opts go = { NULL, 0, PATIENCE_MS, &env, say, NULL };
	int64_t wait_ms = DEFAULT_WAIT_MS;
	struct sd_err e;
	char *path = NULL, *marker = NULL, *text;
	json_t *open = NULL, *ent;
	struct watched *w = NULL;
	size_t n = 0, k;
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
	text = xasprintf("{\"at_wall_ms\": %lld, \"pid\": %d}\n",
	    (long long)wall_ms(), (int)getpid());
	if ((marker = jrnl_halt_path(&e)) == NULL ||
	    write_file_atomic(marker, text, strlen(text), &e) == -1 ||
	    (path = jrnl_path(&e)) == NULL ||
	    (open = jrnl_open_entries(path, NULL, &torn, &e)) == NULL) {
		cmd_error("halt: %s", e.msg);
		free(text);
		free(marker);
		free(path);
		return CMD_FAULT;
	}
	free(text);
	n = json_array_size(open);
	w = xcalloc(n ? n : 1, sizeof *w);
	json_array_foreach(open, k, ent) {
		w[k].id = json_string_value(json_object_get(ent, "id"));
		w[k].run = json_string_value(json_object_get(ent, "run"));
		w[k].what = json_string_value(json_object_get(ent, "what"));
		w[k].id = w[k].id ? w[k].id : "";
		w[k].run = w[k].run ? w[k].run : "?";
		w[k].what = w[k].what ? w[k].what : "?";
		w[k].runner = grd_runner_alive(ent);
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
	free(marker);
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
