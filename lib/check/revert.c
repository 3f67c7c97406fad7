/*
 * revert.c — see revert.h.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "revert.h"
#include "journal.h"
#include "../base/proc.h"
#include "../base/redact.h"
#include "../base/selfexec.h"

#define SETTLE_MS 300
#define WATCH_MS 1000		/* an apply that was under way: a stop
				 * command killed with its runner may have
				 * sent its signal a moment ago */
#define POLL_MS 250

static int
shakedown_alive(pid_t pid)
{
	char comm[64];
	struct sd_err e;

	if (pid <= 1 || pid_check(pid, &e) == -1)
		return 0;
	return proc_alive(pid) && proc_comm(pid, comm, sizeof comm) == 0 &&
	    strcmp(comm, SELFEXEC_COMM) == 0;
}

int
revert_runner_alive(const struct journal_entry *en)
{
	return shakedown_alive(en->pid);
}

int
revert_guardian_alive(const struct journal_entry *en)
{
	return shakedown_alive(en->guardian);
}

/* After a revert, is it still (or again) in effect? Polled for the settle
 * time; longer when the revert found nothing to do for an apply that was
 * under way (a stop command killed with its runner may have sent its
 * signal a moment ago). */
static int
still_in_effect(const struct journal_entry *en, int noop,
    const struct fault_env *env)
{
	const json_t *rec = en->record;
	int64_t end = mono_ms() + (noop && !en->done ? WATCH_MS : SETTLE_MS);

	for (;;) {
		if (dispatch_in_effect_record(rec, env) == 1)
			return 1;
		if (mono_ms() >= end)
			return 0;
		if (env != NULL && env->stop != NULL && *env->stop)
			return 0;
		sleep_ms(POLL_MS);
	}
}

/* Revert one entry until it holds; 0 reverted, -1 not. */
static int
revert_entry(const char *path, const struct journal_entry *en,
    const struct revert_opts *o)
{
	int64_t end = mono_ms() + o->patience_ms, backoff = POLL_MS;
	struct revert_event ev = { 0, en->id, *en->what ? en->what : "?", NULL,
	    0 };
	struct sd_err e;
	char *note = NULL;

	for (;;) {
		int rc;
		ev.attempts++;
		free(note);
		note = NULL;
		if ((rc = dispatch_revert_record(en->record, o->env, &note, &e)) >= 0) {
			if (!still_in_effect(en, rc == FAULT_NOOP, o->env))
				break;
			err_set(&e, "still in effect after the revert");
		}
		/* a record that can never be reverted is not retried */
		if (rc == FAULT_FINAL || mono_ms() >= end ||
		    (o->env && o->env->stop && *o->env->stop)) {
			ev.detail = e.msg;
			if (o->say)
				o->say(o->arg, &ev);
			free(note);
			return -1;
		}
		sleep_ms(backoff);
		backoff = backoff < 2000 ? backoff * 2 : 2000;
	}
	if (journal_reverted(path, en->id, &e) == -1) {
		ev.detail = e.msg;
		if (o->say)
			o->say(o->arg, &ev);
		free(note);
		return -1;
	}
	ev.ok = 1;
	ev.detail = note ? note : "nothing left to undo";
	if (o->say)
		o->say(o->arg, &ev);
	free(note);
	return 0;
}

/* The journal may hold credentials: learn them before anything prints. */
static void
learn(const struct journal_entry *en)
{
	const char *url = json_string_value(json_object_get(en->record, "url"));

	if (url != NULL)
		redact_learn(url);
}

int
revert_journal(const char *path, const struct revert_opts *o, int *skipped,
    struct sd_err *e)
{
	struct journal_entry en;
	json_t *open;
	int torn, left = 0;

	if (skipped != NULL)
		*skipped = 0;
	if ((open = journal_open_entries(path, o->run, &torn, e)) == NULL)
		return -1;
	for (size_t i = 0; journal_entry(open, i, &en); i++)
		learn(&en);
	/* newest first */
	for (size_t i = json_array_size(open); i-- > 0; ) {
		journal_entry(open, i, &en);
		/* a live runner reverts its own; a live guardian is doing it */
		if (!o->force && o->run == NULL && (revert_runner_alive(&en) ||
		    revert_guardian_alive(&en))) {
			if (skipped != NULL)
				(*skipped)++;
			continue;
		}
		if (revert_entry(path, &en, o) == -1)
			left++;
	}
	json_decref(open);
	return left;
}

json_t *
revert_orphans(const char *path, int64_t wait_ms, struct sd_err *e)
{
	int64_t end = mono_ms() + wait_ms;
	int torn;

	for (;;) {
		json_t *open = journal_open_entries(path, NULL, &torn, e), *out;
		int late = mono_ms() >= end;
		size_t working = 0;
		struct journal_entry en;

		if (open == NULL)
			return NULL;
		out = json_array();
		for (size_t i = 0; journal_entry(open, i, &en); i++) {
			if (revert_runner_alive(&en))
				continue;
			/* a guardian still at work gets until wait_ms */
			if (revert_guardian_alive(&en) && !late)
				working++;
			else
				json_array_append(out, (json_t *)en.line);
		}
		json_decref(open);
		if (working == 0)
			return out;
		json_decref(out);
		sleep_ms(200);
	}
}
