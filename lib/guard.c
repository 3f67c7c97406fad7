/*
 * guard.c — see guard.h.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "journal.h"
#include "proc.h"
#include "redact.h"

#define SETTLE_MS 300
#define WATCH_MS 1000		/* an apply that was under way: a stop
				 * command killed with its runner may have
				 * sent its signal a moment ago */
#define POLL_MS 250

static int
shakedown_alive(const json_t *ent, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(ent, key));
	char comm[64];
	struct sd_err e;

	if (v <= 1 || v > 1 << 30 || pid_check((pid_t)v, &e) == -1)
		return 0;
	return proc_alive((pid_t)v) && proc_comm((pid_t)v, comm,
	    sizeof comm) == 0 && strcmp(comm, "shakedown") == 0;
}

int
grd_runner_alive(const json_t *ent)
{
	return shakedown_alive(ent, "pid");
}

int
grd_guardian_alive(const json_t *ent)
{
	return shakedown_alive(ent, "guardian");
}

/* After a revert, is it still (or again) in effect? Polled for the settle
 * time; longer when the revert found nothing to do for an apply that was
 * under way (a stop command killed with its runner may have sent its
 * signal a moment ago). */
static int
still_in_effect(const json_t *ent, int noop, const struct fault_env *env)
{
	const json_t *rec = json_object_get(ent, "record");
	int64_t end = mono_ms() + (noop && !json_is_true(json_object_get(ent,
	    "done")) ? WATCH_MS : SETTLE_MS);

	for (;;) {
		if (fault_in_effect_record(rec, env) == 1)
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
revert_entry(const char *path, const json_t *ent, const struct grd_opts *o)
{
	const char *id = json_string_value(json_object_get(ent, "id"));
	const char *what = json_string_value(json_object_get(ent, "what"));
	const json_t *rec = json_object_get(ent, "record");
	int64_t end = mono_ms() + o->patience_ms, backoff = POLL_MS;
	struct grd_event ev = { 0, id, what ? what : "?", NULL, 0 };
	struct sd_err e;
	char *note = NULL;

	for (;;) {
		int rc;
		ev.attempts++;
		free(note);
		note = NULL;
		if ((rc = fault_revert_record(rec, o->env, &note, &e)) >= 0) {
			if (!still_in_effect(ent, rc == FAULT_NOOP, o->env))
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
	if (jrnl_reverted(path, id, &e) == -1) {
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
learn(const json_t *ent)
{
	const char *url = json_string_value(json_object_get(json_object_get(ent,
	    "record"), "url"));

	if (url != NULL)
		redact_learn(url);
}

int
grd_revert(const char *path, const struct grd_opts *o, int *skipped,
    struct sd_err *e)
{
	json_t *open;
	int torn, left = 0;

	if (skipped != NULL)
		*skipped = 0;
	if ((open = jrnl_open_entries(path, o->run, &torn, e)) == NULL)
		return -1;
	for (size_t i = json_array_size(open); i-- > 0; )
		learn(json_array_get(open, i));
	for (size_t i = json_array_size(open); i-- > 0; ) {
		const json_t *ent = json_array_get(open, i);
		/* a live runner reverts its own; a live guardian is doing it */
		if (!o->force && o->run == NULL && (grd_runner_alive(ent) ||
		    grd_guardian_alive(ent))) {
			if (skipped != NULL)
				(*skipped)++;
			continue;
		}
		if (revert_entry(path, ent, o) == -1)
			left++;
	}
	json_decref(open);
	return left;
}

json_t *
grd_orphans(const char *path, int64_t wait_ms, struct sd_err *e)
{
	int64_t end = mono_ms() + wait_ms;
	int torn;

	for (;;) {
		json_t *open = jrnl_open_entries(path, NULL, &torn, e), *out;
		int late = mono_ms() >= end;
		size_t i, working = 0;
		json_t *ent;

		if (open == NULL)
			return NULL;
		out = json_array();
		json_array_foreach(open, i, ent) {
			if (grd_runner_alive(ent))
				continue;
			/* a guardian still at work gets until wait_ms */
			if (grd_guardian_alive(ent) && !late)
				working++;
			else
				json_array_append(out, ent);
		}
		json_decref(open);
		if (working == 0)
			return out;
		json_decref(out);
		sleep_ms(200);
	}
}
