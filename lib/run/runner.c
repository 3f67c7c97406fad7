/*
 * runner.c — see runner.h. This file sequences a run: set up, steady
 * before, the plan's steps, reverting, steady after, and assembling the
 * result; the work of each step is in stack.c, evaluate.c and phases.c.
 *
 * Timing. All times are CLOCK_MONOTONIC. A `within` expectation counts from
 * its anchor: the end of the last fault step before it (the moment the fault
 * is in effect, or the dependency is back). The first sample sent after the
 * anchor that matches, k, decides; the previous sample k-1 did not match, so
 * the true change happened in (sent[k-1], done[k]]. We report
 * elapsed = done[k] - anchor with resolution = done[k] - sent[k-1] — one
 * probe interval plus that probe's latency; probes a key time waits on are
 * sampled fast (plan.h) from the fault step on, so that is a few ms — and
 * the truth lies in [elapsed - resolution, elapsed].
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/exitwatch.h"
#include "guardrail.h"
#include "../check/journal.h"
#include "../base/proc.h"
#include "../base/procmem.h"
#include "../base/redact.h"
#include "run_int.h"
#include "../base/tls.h"
#include "../base/units.h"
#include "../io/writes.h"

/* The steady state: every check within steady_timeout of the phase's
 * start — one deadline for all, so a service that is down costs the
 * timeout once, not once per check (each still gets STEADY_FLOOR_MS to
 * see an answer of its own). */
#define STEADY_FLOOR_MS 1000

static int
steady(struct run *c, const char *phase)
{
	int64_t end = mono_ms() + c->s->steady_timeout_ms;
	int ok = 1;

	for (size_t i = 0; i < c->s->nsteady; i++) {
		int64_t left = end - mono_ms();
		enum outcome o = eval_expect(c, &c->s->steady[i], phase,
		    left > STEADY_FLOOR_MS ? left : STEADY_FLOOR_MS);
		if (o == O_FAIL || o == O_ERROR)
			ok = 0;
	}
	return ok;
}

/* Each writer's lookup runs (READ ONLY, with no keys) before anything is
 * applied: a query that cannot run, or would write, stops the drill here
 * rather than after the fault. */
static int
writers_ready(struct run *c, struct sd_err *e)
{
	struct sd_err we;

	for (size_t i = 0; i < c->s->nprobes; i++) {
		const struct scen_probe *sp = &c->s->probes[i];
		if (sp->writes_svc < 0)
			continue;
		if (writes_lookup(c->s->services[sp->writes_svc].url,
		    sp->writes_query, NULL, 0, 10000, &we) == -1)
			return err_set(e, "writer probe '%s' (line %d): its query"
			    " cannot run before the fault: %s: nothing was applied",
			    sp->name, sp->line, we.msg);
	}
	return 0;
}

/* One step of the plan; -1 ends the run (its reason is set). */
static int
do_step(struct run *c, size_t i)
{
	const struct plan_step *ps = &c->p->steps[i];
	const struct scen_step *st = ps->st;
	char phase[32], b[32];

	snprintf(phase, sizeof phase, "step %zu", i + 1);
	switch (ps->op) {
	case PO_SKIP:
		/* off by its variable: shown, never silently dropped */
		res_event(c->r, runctx_rel(c, mono_ms()), "step %zu (line %d) skipped:"
		    " %s", i + 1, st->line, ps->skip);
		if (st->kind == ST_BURST)
			runctx_skip(c, xasprintf("burst %d users x %d", st->burst.users,
			    st->burst.per_user), phase, st->line, ps->skip);
		break;
	case PO_APPLY:
	case PO_REVERT:
		runctx_progress(c, i + 1, "%s%s %s", st->kind == ST_REVERT ?
		    "revert " : "", ps->fault->verb->name, ps->fault->target);
		timeline_fast(c, ps->fast, ps->nfast, 1);
		if ((ps->op == PO_APPLY ? stack_apply(c, i) :
		    stack_revert_step(c, ps->undoes)) == -1) {
			runctx_fail(c, xasprintf("step %zu (line %d): the fault could not"
			    " be %s", i + 1, st->line, ps->op == PO_APPLY ? "applied" :
			    "reverted"));
			return -1;
		}
		break;
	case PO_WAIT: {
		runctx_progress(c, i + 1, "wait %s", units_fmt_ms(st->wait_ms, b,
		    sizeof b));
		int64_t end = mono_ms() + st->wait_ms;
		while (mono_ms() < end && !runctx_stopped(c))
			sleep_ms(end - mono_ms() < 50 ? end - mono_ms() : 50);
		break;
	}
	case PO_EXPECT:
		runctx_progress(c, i + 1, "expect %s", st->expect.text);
		if (st->off != NULL) {
			runctx_skip(c, xstrdup(st->expect.text), phase, st->line, st->off);
			break;
		}
		if (eval_expect(c, &st->expect, phase, 0) == O_FAIL &&
		    c->r->verdict == V_PASS)
			c->r->verdict = V_FAIL;
		break;
	case PO_BURST:
		runctx_progress(c, i + 1, "burst %d users x %d", st->burst.users,
		    st->burst.per_user);
		if (phases_burst(c, &st->burst, phase, st->line) != O_PASS &&
		    c->r->verdict == V_PASS)
			c->r->verdict = V_FAIL;
		break;
	}
	return 0;
}

static void
run_steps(struct run *c)
{
	struct sd_err e;

	for (size_t i = 0; i < c->p->n; i++) {
		const struct plan_step *ps = &c->p->steps[i];
		if (runctx_stopped(c))
			return;
		if (phases_start_loads(c, (int)i + 1, &e) == -1) {
			runctx_fail(c, xstrdup(e.msg));
			return;
		}
		eval_watch_exits(c);	/* the process a signal may end now */
		/* a fault step's timeout bounds its commands; any other's the step */
		c->clock.step_deadline = ps->st->timeout_ms > 0 && ps->op != PO_APPLY &&
		    ps->op != PO_REVERT ? mono_ms() + ps->st->timeout_ms : 0;
		if (do_step(c, i) == -1)
			return;
		phases_stop_loads(c, (int)i + 1);
		if (c->stop.step_timed_out) {
			c->r->deadline = 1;
			runctx_fail(c, xasprintf("step %zu (line %d) passed its timeout:"
			    " faults reverted", i + 1, ps->st->line));
			c->clock.step_deadline = 0;
			return;
		}
		c->clock.step_deadline = 0;
	}
}

/* What speaks https without verifying the server: said in every report. */
static char *
insecure_list(const struct scenario *s)
{
	struct sbuf sb;

	sb_init(&sb);
	for (size_t i = 0; i < s->nprobes; i++)
		if (s->probes[i].rq.tls != NULL && s->probes[i].rq.tls->insecure)
			sb_addf(&sb, "%sprobe %s", sb.len ? ", " : "",
			    s->probes[i].name);
	for (size_t i = 0; i < s->nloads; i++)
		if (s->loads[i].rq.tls != NULL && s->loads[i].rq.tls->insecure)
			sb_addf(&sb, "%sload %s", sb.len ? ", " : "", s->loads[i].name);
	for (size_t i = 0; i < s->nsteps; i++)
		if (s->steps[i].kind == ST_BURST && s->steps[i].burst.rq.tls !=
		    NULL && s->steps[i].burst.rq.tls->insecure)
			sb_addf(&sb, "%sthe burst of step %zu", sb.len ? ", " : "",
			    i + 1);
	if (sb.len == 0) {
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

static struct result *
new_result(const struct scenario *s)
{
	struct result *r = res_new();

	r->drill = xstrdup(s->drill);
	r->title = xstrdup(s->title ? s->title : s->drill);
	r->file = xstrdup(s->file);
	r->target = s->target ? redact_url(s->target) : xstrdup("");
	r->started_wall_ms = wall_ms();
	r->tls_insecure = insecure_list(s);
	r->nprobes = s->nprobes;
	r->probes = xcalloc(s->nprobes ? s->nprobes : 1, sizeof *r->probes);
	for (size_t i = 0; i < s->nprobes; i++) {
		r->probes[i].name = xstrdup(s->probes[i].name);
		r->probes[i].url = redact_url(s->probes[i].rq.url);
		r->probes[i].every_ms = s->probes[i].every_ms;
		if (s->probes[i].off != NULL)
			r->probes[i].off = xstrdup(s->probes[i].off);
	}
	return r;
}

/* A guardrail stopped the run: ABORTED, with what tripped it. */
static void
aborted(struct run *c)
{
	char *why = guardrail_reason(c);

	c->r->verdict = V_ABORTED;
	free(c->r->reason);
	c->r->reason = why;
}

/* Every fault still applied, newest first. After a guardrail's trip they
 * are reverted to the end (the stop flag it set would cut the kinds'
 * waits short), and how long that took from the trip is kept. */
static void
revert_everything(struct run *c)
{
	int64_t trip_at = 0;
	size_t open = 0;

	guardrail_disarm(c);
	for (size_t i = 0; i < c->stack.nap; i++)
		open += !c->stack.ap[i].reverted;
	if (guardrail_tripped(c, &trip_at) && !(c->o->interrupted != NULL &&
	    *c->o->interrupted))
		runctx_resume(c);
	stack_revert_all(c);
	if (trip_at > 0) {
		char *why = guardrail_reason(c);
		res_event(c->r, runctx_rel(c, trip_at), "ABORTED: %s", why);
		free(why);
		c->clock.abort_reverted_ms = open > 0 ? mono_ms() - trip_at : -1;
	}
	guardrail_rearm_halts(c);
}

/* After the steps: why it ended, when nothing else said so. */
static int
judge_end(struct run *c)
{
	struct result *r = c->r;

	for (size_t i = 0; i < r->nfaults; i++)
		if (r->faults[i].error != NULL) {
			r->verdict = V_ERROR;
			if (r->reason == NULL)
				r->reason = xasprintf("fault %zu could not be %s", i + 1,
				    strncmp(r->faults[i].error, "revert", 6) == 0 ?
				    "reverted" : "applied");
		}
	if (guardrail_tripped(c, NULL)) {
		aborted(c);
		return -1;
	}
	if (c->stop.intr) {
		r->verdict = V_ABORTED;
		free(r->reason);
		r->reason = xstrdup("interrupted by a signal: faults reverted,"
		    " steady state after not checked");
		return -1;
	}
	if (c->stop.step_timed_out)
		return -1;	/* reason set by run_steps */
	if (mono_ms() > c->clock.deadline) {
		r->deadline = 1;
		runctx_fail(c, xstrdup("max_duration reached: faults reverted"));
		return -1;
	}
	return 0;
}

/* A fault that did not land — its own measurement did not confirm it —
 * makes the drill INVALID: what the probes saw says nothing of how the
 * service takes that fault. Never a PASS, never a FAIL. */
static void
landed(struct run *c)
{
	struct result *r = c->r;

	if (r->verdict != V_PASS && r->verdict != V_FAIL)
		return;
	for (size_t i = 0; i < c->stack.nap; i++) {
		const struct applied *a = &c->stack.ap[i];
		const struct res_fault *rf = &r->faults[a->rf];
		enum fault_proof p = a->chk.proof;
		if (!rf->applied || p == FP_CONFIRMED ||
		    (p == FP_NONE && !a->lasting))
			continue;
		r->verdict = V_INVALID;
		free(r->reason);
		r->reason = xasprintf("fault %zu (line %d) did not land — %s: %s;"
		    " what the probes saw says nothing of the service", a->rf + 1,
		    rf->line, fault_proof_name(p), p == FP_NONE ? "its effect was"
		    " not measured" : a->chk.figure);
		return;
	}
}

/* A drill whose every check was off checked nothing: an error, not a
 * PASS. */
static void
all_off(struct run *c)
{
	size_t off = 0;

	size_t checks = 0;

	/* a guardrail switched off is no check of the claim */
	for (size_t i = 0; i < c->r->nex; i++) {
		if (strcmp(c->r->ex[i].phase, "abort") == 0)
			continue;
		checks++;
		off += c->r->ex[i].outcome == O_SKIPPED;
	}
	if (checks > 0 && off == checks && c->r->verdict == V_PASS)
		runctx_fail(c, xasprintf("every check is off (%zu skipped): nothing"
		    " was checked", off));
}

static void
finish(struct run *c)
{
	struct result *r = c->r;

	if (c->clock.faults_end == 0)
		c->clock.faults_end = mono_ms();
	/* before the loads it reads are freed */
	guardrail_stop(c);
	if (r->abort.set)
		r->abort.reverted_in_ms = c->clock.abort_reverted_ms;
	if (c->ps != NULL)
		probes_stop(c->ps);
	phases_collect_loads(c);
	eval_loads(c);
	eval_slo(c);
	if (c->ps != NULL) {
		eval_nevers(c);
		eval_writes_check(c);
	}
	for (size_t i = 0; i < c->eval.nnevers; i++)
		if (r->ex[c->eval.nevers[i].rx].outcome == O_FAIL && r->verdict == V_PASS)
			r->verdict = V_FAIL;
	landed(c);
	all_off(c);
	if (r->faults_wall_ms == 0)
		r->faults_wall_ms = r->started_wall_ms + (c->clock.tf - c->clock.t0);
	if (c->ps != NULL) {
		timeline_transitions(c);
		timeline_probe_stats(c);
	}
	timeline_shift(c);
	res_sort_events(r);
	r->duration_ms = mono_ms() - c->clock.t0;
	probes_free(c->ps);
	phases_free(c);
	stack_stop_guardian(c);
	stack_free(c);
	eval_free(c);
	for (size_t i = 0; c->key_prefix != NULL && i < c->s->nprobes; i++)
		free(c->key_prefix[i]);
	free(c->key_prefix);
}

struct result *
run_drill(const struct plan *p, const struct run_opts *o)
{
	const struct scenario *s = p->s;
	struct run c = { .p = p, .s = s, .o = o, .r = new_result(s) };
	struct result *r = c.r;
	struct sd_err e;

	c.env.self_exe = o->self_exe;
	c.env.stop = &c.stop.intr;
	c.clock.abort_reverted_ms = -1;
	c.clock.t0 = c.clock.tf = mono_ms();
	c.clock.deadline = c.clock.t0 + s->max_duration_ms;
	int ready = stack_init(&c, &e);
	eval_baseline(&c);
	if (ready == -1 ||
	    (c.ps = timeline_start_probes(&c, &e)) == NULL ||
	    phases_start_loads(&c, 0, &e) == -1 || guardrail_start(&c, &e) == -1) {
		runctx_fail(&c, xstrdup(e.msg));
		finish(&c);
		return r;
	}
	runctx_progress(&c, 0, "steady state before");
	if (!steady(&c, "steady before") || guardrail_tripped(&c, NULL)) {
		char *why = guardrail_reason(&c);
		r->verdict = runctx_stopped(&c) ? V_ABORTED : V_ERROR;
		r->reason = why ? xasprintf("%s: nothing was applied", why) :
		    xstrdup(c.stop.intr ? "interrupted" :
		    "not steady before the fault: nothing was applied");
		free(why);
		finish(&c);
		return r;
	}
	/* after the steady state: a service may make its table on its first
	 * write, which the steady state has seen by now */
	if (writers_ready(&c, &e) == -1) {
		runctx_fail(&c, xstrdup(e.msg));
		finish(&c);
		return r;
	}
	c.clock.tf = mono_ms();
	stack_anchor(&c, c.clock.tf);
	r->faults_wall_ms = wall_ms();
	res_event(r, runctx_rel(&c, c.clock.tf), "start of faults");
	guardrail_arm(&c);
	run_steps(&c);
	/* whatever happened: every fault still applied, in reverse order */
	runctx_progress(&c, p->n, "reverting");
	revert_everything(&c);
	stack_stop_guardian(&c);
	c.clock.faults_end = mono_ms();
	if (judge_end(&c) == 0) {
		runctx_progress(&c, p->n, "steady state after");
		if (!steady(&c, "steady after") && r->verdict == V_PASS)
			r->verdict = V_FAIL;
		if (guardrail_tripped(&c, NULL))
			aborted(&c);	/* a halt during the steady state after */
	}
	finish(&c);
	return r;
}
