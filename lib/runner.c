/*
 * runner.c — see runner.h.
 *
 * Timing. All times are CLOCK_MONOTONIC. A `within` expectation counts from
 * its anchor: the end of the last fault step before it (the moment the fault
 * is in effect, or the dependency is back). The first sample sent after the
 * anchor that matches, k, decides; the previous sample k-1 did not match, so
 * the true change happened in (sent[k-1], done[k]]. We report
 * elapsed = done[k] - anchor with resolution = done[k] - sent[k-1] — about
 * one probe interval plus that probe's latency — and the truth lies in
 * [elapsed - resolution, elapsed]. (sent[k-1] may precede the anchor: the
 * change may have happened while the fault step itself was running.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../drills/drill.h"
#include "burst.h"
#include "journal.h"
#include "load.h"
#include "probe.h"
#include "runner.h"
#include "units.h"
#include "window.h"

struct applied {
	char id[64];		/* in the journal */
	struct fault *f;
	size_t rf;		/* index into result faults */
	int64_t on, off;	/* in effect: from the end of apply to the start of
				 * revert (abs ms; off 0: still) */
};

struct never {
	const struct scen_expect *x;
	int64_t from_abs;
	size_t rx;		/* index into result expectations */
};

/* a load expectation, decided over its phase at the end */
struct deferred {
	const struct scen_expect *x;
	size_t rx;
};

struct ctx {
	struct scenario *s;
	const struct run_opts *o;
	struct result *r;
	struct probe_set *ps;
	struct drill_env env;
	int64_t t0;		/* probes' zero (abs mono) */
	int64_t tf;		/* start of faults (abs mono) */
	int64_t anchor;		/* end of the last fault step */
	int64_t deadline;	/* max_duration */
	int64_t faults_end;	/* last revert, for never: */
	struct applied *stack;
	size_t nstack, capstack;
	struct never *nevers;
	size_t nnevers, capnevers;
	struct deferred *defer;
	size_t ndefer, capdefer;
	struct load **loads;
	int64_t *load_on, *load_off;	/* each generator's window (abs ms) */
	int64_t phase_ms[4];	/* load phases start: before, fault, after; end */
	int active;		/* reversible faults in effect */
	int64_t *rss_base_kib;	/* per service, at the start; -1 unknown */
	char *jpath, *run_id;	/* the journal */
	size_t nids;
	int guard_fd;		/* write end of the guardian's pipe, -1 */
	int64_t step_deadline;	/* the current step's timeout, 0: none */
	int step_timed_out;
	pid_t guardian;
	volatile int intr;	/* mirrors *o->interrupted for the drills */
};

static int start_loads(struct ctx *c, int step, struct sd_err *e);
static void stop_loads(struct ctx *c, int step);

static int
stopped(struct ctx *c)
{
	int64_t now = mono_ms();

	if (c->o->interrupted != NULL && *c->o->interrupted)
		c->intr = 1;
	if (c->step_deadline && now > c->step_deadline)
		c->step_timed_out = 1;
	return c->intr || now > c->deadline || c->step_timed_out;
}

/* Times are kept from t0 while running (the start of faults is not known
 * during the steady check) and shifted to the start of faults at the end. */
static int64_t
rel(struct ctx *c, int64_t abs_ms)
{
	return abs_ms - c->t0;
}

static void
shift_times(struct ctx *c)
{
	struct result *r = c->r;
	int64_t d = c->tf - c->t0;

	for (size_t i = 0; i < r->nevents; i++)
		r->events[i].t_ms -= d;
	for (size_t i = 0; i < r->nex; i++)
		r->ex[i].at_ms -= d;
	for (size_t i = 0; i < r->nfaults; i++) {
		r->faults[i].applied_ms -= d;
		r->faults[i].reverted_ms -= d;
	}
	for (size_t i = 0; i < r->nprobes; i++)
		for (size_t k = 0; k < r->probes[i].n; k++)
			r->probes[i].t_ms[k] -= d;
}

/* Sample times are relative to t0; this makes them absolute. */
static int64_t
sabs(struct ctx *c, int64_t sample_ms)
{
	return sample_ms + c->t0;
}

static int
sample_matches(const struct scen_expect *x, struct sample *s)
{
	for (size_t i = 0; i < x->nm; i++)
		if (!match_sample(&x->m[i], s))
			return 0;
	return 1;
}

/* The first failing matcher's observation, or the first one's. */
static char *
sample_observed(const struct scen_expect *x, struct sample *s)
{
	for (size_t i = 0; i < x->nm; i++)
		if (!match_sample(&x->m[i], s))
			return match_observed(&x->m[i], s);
	return match_observed(&x->m[0], s);
}

static void
set_observed(struct res_expect *rx, char *obs)
{
	free(rx->observed);
	rx->observed = obs;
}

static int
match_cb(void *arg, struct sample *s)
{
	return sample_matches(arg, s);
}

/* The probe's samples (contiguous, in send order), under the lock. */
static struct sample *
samples_of(struct ctx *c, int probe, size_t *n)
{
	*n = probes_count(c->ps, (size_t)probe);
	return *n ? probes_sample(c->ps, (size_t)probe, 0) : NULL;
}

enum wmode { W_NOW, W_WITHIN, W_HOLDS };

/*
 * Wait until the window rule (window.c) decides, the drill is interrupted,
 * or its deadline passes. from/end are absolute monotonic ms.
 */
static enum outcome
eval_window(struct ctx *c, const struct scen_expect *x, enum wmode mode,
    int64_t from, int64_t end, struct res_expect *rx)
{
	struct scen_expect *xm = (struct scen_expect *)x;
	enum win_state st = WIN_PENDING;
	struct win_result wr;
	struct sample *sm;
	size_t n;

	probes_lock(c->ps);
	for (;;) {
		sm = samples_of(c, x->probe, &n);
		int64_t f = from - c->t0, e = end - c->t0, now = mono_ms() - c->t0;
		st = mode == W_NOW ? win_now(sm, n, f, match_cb, xm, &wr) :
		    mode == W_WITHIN ? win_within(sm, n, f, e, now, match_cb, xm,
		    &wr) : win_holds(sm, n, f, e, now, match_cb, xm, &wr);
		if (st != WIN_PENDING || stopped(c))
			break;
		probes_wait(c->ps, mono_ms() + 50);
	}
	if (st == WIN_PENDING) {
		set_observed(rx, xstrdup(c->intr ? "interrupted" :
		    c->step_timed_out ? "the step's timeout passed" :
		    "drill deadline (max_duration) reached"));
	} else if (wr.k != SIZE_MAX) {
		set_observed(rx, mode == W_HOLDS && st == WIN_PASS ?
		    xasprintf("held in all %zu samples", wr.seen) :
		    sample_observed(x, &sm[wr.k]));
		rx->at_ms = rel(c, sabs(c, sm[wr.k].done_ms));
	} else {
		set_observed(rx, xstrdup(mode == W_HOLDS ?
		    "no sample in the window" : "no sample completed"));
		rx->at_ms = rel(c, mono_ms());
	}
	if (st == WIN_PASS && mode == W_WITHIN) {
		rx->elapsed_ms = wr.elapsed_ms;
		rx->resolution_ms = wr.resolution_ms;
	}
	probes_unlock(c->ps);
	return st == WIN_PASS ? O_PASS : st == WIN_FAIL ? O_FAIL : O_ERROR;
}

static int
process_alive(struct ctx *c, const struct scen_service *sv)
{
	struct sd_err e;

	(void)c;
	return drill_service_pid(sv, &e) != 0;
}

static enum outcome
eval_rss(struct ctx *c, const struct scen_expect *x, struct res_expect *rx)
{
	const struct scen_service *sv = &c->s->services[x->process];
	int64_t base = c->rss_base_kib[x->process], now_kib;
	struct sd_err e;
	pid_t pid = drill_service_pid(sv, &e);

	rx->at_ms = rel(c, mono_ms());
	if (pid == 0 || base < 0 || (now_kib = proc_rss_kib(pid)) < 0) {
		set_observed(rx, xstrdup(pid == 0 ? e.msg : "RSS unknown at the"
		    " start of the drill"));
		return O_FAIL;
	}
	int64_t growth = (now_kib - base) * 1024;
	set_observed(rx, xasprintf("RSS grew %.1f MiB (%.1f -> %.1f MiB)",
	    (double)growth / 1048576.0, (double)base / 1024.0,
	    (double)now_kib / 1024.0));
	if (x->rss_op == '<' ? growth >= x->rss_growth_bytes :
	    growth > x->rss_growth_bytes)
		return O_FAIL;
	return x->alive == 0 ? O_FAIL : O_PASS;
}

static enum outcome
eval_process(struct ctx *c, const struct scen_expect *x, int64_t from,
    struct res_expect *rx)
{
	const struct scen_service *sv = &c->s->services[x->process];
	int64_t end = from + x->dur_ms;
	int alive;

	if (x->rss_growth_bytes >= 0)
		return eval_rss(c, x, rx);
	for (;;) {
		alive = process_alive(c, sv);
		int ok = alive == x->alive;
		set_observed(rx, xstrdup(alive ? "alive" : "not running"));
		rx->at_ms = rel(c, mono_ms());
		if (x->mode == EX_NOW)
			return ok ? O_PASS : O_FAIL;
		if (x->mode == EX_HOLDS && !ok)
			return O_FAIL;
		if (x->mode == EX_WITHIN && ok) {
			rx->elapsed_ms = mono_ms() - from;
			rx->resolution_ms = 20;
			return O_PASS;
		}
		if (mono_ms() > end)
			return x->mode == EX_HOLDS ? O_PASS : O_FAIL;
		if (stopped(c)) {
			set_observed(rx, xstrdup("interrupted"));
			return O_ERROR;
		}
		sleep_ms(20);
	}
}

static enum outcome
evaluate(struct ctx *c, const struct scen_expect *x, const char *phase,
    int64_t within_default_ms)
{
	struct res_expect *rx = res_add_expect(c->r);
	size_t idx = c->r->nex - 1;
	int64_t now = mono_ms();
	enum outcome out;

	rx->phase = xstrdup(phase);
	rx->text = xstrdup(x->text);
	rx->as = x->as ? xstrdup(x->as) : NULL;
	rx->line = x->line;
	if (x->load >= 0) {
		c->defer = xgrow(c->defer, &c->capdefer, c->ndefer + 1,
		    sizeof *c->defer);
		c->defer[c->ndefer++] = (struct deferred){ x, idx };
		rx->outcome = O_SKIPPED;	/* decided at the end */
		return O_PASS;
	}
	if (x->mode == EX_NEVER) {
		c->nevers = xgrow(c->nevers, &c->capnevers, c->nnevers + 1,
		    sizeof *c->nevers);
		c->nevers[c->nnevers++] = (struct never){ x, now, idx };
		rx->outcome = O_SKIPPED;	/* decided at the end */
		return O_PASS;
	}
	if (x->process >= 0)
		out = eval_process(c, x, now, rx);
	else if (x->mode == EX_HOLDS)
		out = eval_window(c, x, W_HOLDS, now, now + x->dur_ms, rx);
	else if (x->mode == EX_WITHIN)
		out = eval_window(c, x, W_WITHIN, c->anchor, c->anchor + x->dur_ms,
		    rx);
	else if (within_default_ms > 0)
		out = eval_window(c, x, W_WITHIN, now, now + within_default_ms, rx);
	else
		out = eval_window(c, x, W_NOW, now, now, rx);
	rx = &c->r->ex[idx];	/* res_add_expect may have moved it */
	rx->outcome = out;
	if (rx->as != NULL && out == O_PASS)
		res_event(c->r, rx->at_ms, "%s: %s after %lldms (resolution"
		    " %lldms)", rx->as, x->text, (long long)rx->elapsed_ms,
		    (long long)rx->resolution_ms);
	else
		res_event(c->r, rx->at_ms, "%s %s: %s", out == O_PASS ? "met" :
		    "FAILED", x->text, rx->observed ? rx->observed : "");
	return out;
}

/* never: not once in [registered, last revert] */
static void
eval_nevers(struct ctx *c)
{
	for (size_t k = 0; k < c->nnevers; k++) {
		struct never *nv = &c->nevers[k];
		const struct scen_expect *x = nv->x;
		struct res_expect *rx = &c->r->ex[nv->rx];
		struct win_result wr;
		struct sample *sm;
		size_t n;

		enum win_state st = WIN_PASS;
		size_t seen = 0;

		probes_lock(c->ps);
		sm = samples_of(c, x->probe, &n);
		/* only while a fault is active: each fault's apply..revert */
		for (size_t i = 0; i < c->nstack && st == WIN_PASS; i++) {
			const struct applied *a = &c->stack[i];
			int64_t lo = a->on > nv->from_abs ? a->on : nv->from_abs;
			int64_t hi = a->off ? a->off : c->faults_end;
			if (hi < lo)
				continue;
			st = win_never(sm, n, lo - c->t0, hi - c->t0, match_cb,
			    (void *)x, &wr);
			seen += wr.seen;
		}
		wr.seen = seen;
		if (st == WIN_FAIL) {
			char *obs = sample_observed(x, &sm[wr.k]);
			rx->outcome = O_FAIL;
			rx->at_ms = rel(c, sabs(c, sm[wr.k].done_ms));
			set_observed(rx, xasprintf("seen at %+lldms: %s",
			    (long long)(rx->at_ms - (c->tf - c->t0)), obs));
			free(obs);
		} else {
			rx->outcome = O_PASS;
			set_observed(rx, xasprintf("not seen in %zu samples", wr.seen));
		}
		probes_unlock(c->ps);
	}
}

static void
set_phase(struct ctx *c, enum load_phase p)
{
	for (size_t i = 0; i < c->s->nloads; i++)
		load_set_phase(c->loads[i], p);
}

static struct applied *
find_open(struct ctx *c, const struct fault *f)
{
	for (size_t i = c->nstack; i-- > 0; ) {
		struct applied *a = &c->stack[i];
		if (a->f->svc == f->svc && !a->f->reverted &&
		    drill_action_undo(a->f->action) == (int)f->action)
			return a;
	}
	return NULL;
}

static int
revert_one(struct ctx *c, struct applied *a)
{
	struct res_fault *rf = &c->r->faults[a->rf];
	struct sd_err e;

	if (a->f->reverted)
		return 0;
	/* the fault stops being in effect as its revert begins */
	int64_t begin = mono_ms();
	if (c->o->reverting != NULL)
		snprintf(c->o->reverting, c->o->reverting_len, "still undoing: %s\n",
		    rf->revert ? rf->revert : rf->what);
	int rc = a->f->kind->revert != NULL ? a->f->kind->revert(a->f, &e) : 0;
	if (a->f->note != NULL) {	/* the revert's command, too */
		free(rf->note);
		rf->note = xstrdup(a->f->note);
	}
	if (rc == -1) {
		free(rf->error);
		rf->error = xasprintf("revert: %s", e.msg);
		res_event(c->r, rel(c, mono_ms()), "revert FAILED: %s", e.msg);
		return -1;
	}
	if (c->o->reverting != NULL)
		c->o->reverting[0] = '\0';
	a->f->reverted = 1;
	a->off = begin;
	if (jrnl_reverted(c->jpath, a->id, &e) == -1)
		res_event(c->r, rel(c, mono_ms()), "journal: %s", e.msg);
	if (--c->active <= 0) {
		c->active = 0;
		c->phase_ms[2] = a->off;
		set_phase(c, LP_AFTER);
	}
	rf->reverted = 1;
	rf->reverted_ms = rel(c, mono_ms());
	res_event(c->r, rf->reverted_ms, "reverted: %s", rf->revert);
	return 0;
}

/*
 * The guardian: a process of its own (`shakedown guardian`) reading a pipe
 * from us. If we die, even by SIGKILL, the kernel closes our end; it sees
 * EOF without "done", reverts every open fault of this run from the journal
 * and exits. It runs in its own session so a Ctrl-C at the terminal, which
 * we handle, does not reach it.
 */
static int
start_guardian(struct ctx *c, struct sd_err *e)
{
	struct spawn_opts so = { 0 };
	int p[2];
	char *log, *dir;

	if (c->guardian > 0)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1)
		return err_set(e, "guardian: pipe: %s", strerror(errno));
	dir = xstrdup(c->jpath);
	*strrchr(dir, '/') = '\0';
	log = xasprintf("%s/guardian.log", dir);
	free(dir);
	char *argv[] = { (char *)c->o->self_exe, "guardian", "--journal",
	    c->jpath, c->run_id, NULL };
	so.argv = argv;
	so.log_path = log;
	so.new_session = 1;
	so.use_stdin = 1;
	so.stdin_fd = p[0];
	c->guardian = proc_spawn(&so, NULL, e);
	free(log);
	close(p[0]);
	if (c->guardian == -1) {
		c->guardian = 0;
		close(p[1]);
		return err_prefix(e, "guardian");
	}
	c->guard_fd = p[1];
	return 0;
}

static void
stop_guardian(struct ctx *c)
{
	if (c->guardian <= 0)
		return;
	/* everything is reverted: tell it so, then let it go */
	if (write(c->guard_fd, "done\n", 5) != 5)
		res_event(c->r, rel(c, mono_ms()), "guardian: cannot say done");
	close(c->guard_fd);
	c->guard_fd = -1;
	proc_wait_gone(c->guardian, 5000);
	c->guardian = 0;
}

static int
journal_apply(struct ctx *c, struct fault *f, const char *id,
    const char *what, struct sd_err *e)
{
	json_t *spec = f->kind->journal ? f->kind->journal(f) :
	    json_pack("{s:s}", "how", "none");

	/* jrnl_apply takes spec over */
	return jrnl_apply(c->jpath, c->run_id, id, what, spec, e);
}

static int
do_fault(struct ctx *c, struct fault *f)
{
	struct applied *open = find_open(c, f);
	struct res_fault *rf;
	struct sd_err e;
	int rc;

	f->env = &c->env;
	if (open != NULL) {
		/* start after stop, resume after pause: that fault's revert */
		rc = revert_one(c, open);
		c->anchor = mono_ms();
		return rc;
	}
	rf = res_add_fault(c->r);
	rf->what = f->kind->describe(f, 0);
	rf->revert = drill_action_reversible(f->action) ?
	    f->kind->describe(f, 1) : NULL;
	rf->line = f->line;
	/* journal first (with a guardian watching), then touch anything */
	char id[64];
	snprintf(id, sizeof id, "%s-%zu", c->run_id, ++c->nids);
	if (start_guardian(c, &e) == -1 || journal_apply(c, f, id, rf->what,
	    &e) == -1) {
		rf = &c->r->faults[c->r->nfaults - 1];
		rf->error = xasprintf("not applied: %s", e.msg);
		res_event(c->r, rel(c, mono_ms()), "apply REFUSED: %s", e.msg);
		return -1;
	}
	int64_t on = mono_ms();
	rf->applied_ms = rel(c, on);
	res_event(c->r, rf->applied_ms, "apply: %s", rf->what);
	rc = f->kind->apply(f, &e);
	/* even a failed apply may have changed something: keep it to revert */
	f->applied = 1;
	if (drill_action_reversible(f->action)) {
		c->stack = xgrow(c->stack, &c->capstack, c->nstack + 1,
		    sizeof *c->stack);
		struct applied *a = &c->stack[c->nstack++];
		*a = (struct applied){ "", f, c->r->nfaults - 1,
		    rc == 0 ? mono_ms() : on, 0 };
		snprintf(a->id, sizeof a->id, "%s", id);
	} else {
		f->reverted = 1;
		/* a one-shot leaves nothing to undo */
		struct sd_err je;
		jrnl_reverted(c->jpath, id, &je);
	}
	rf = &c->r->faults[c->r->nfaults - 1];
	if (f->note != NULL)
		rf->note = xstrdup(f->note);
	if (rc == -1) {
		rf->error = xstrdup(e.msg);
		res_event(c->r, rel(c, mono_ms()), "apply FAILED: %s", e.msg);
		return -1;
	}
	rf->applied = 1;
	c->anchor = mono_ms();
	if (c->phase_ms[1] == 0)
		c->phase_ms[1] = c->anchor;
	set_phase(c, LP_FAULT);
	if (drill_action_reversible(f->action))
		c->active++;
	res_event(c->r, rel(c, c->anchor), "in effect: %s",
	    drill_action_name(f->action));
	return 0;
}

static void
revert_all(struct ctx *c)
{
	for (size_t i = c->nstack; i-- > 0; )
		if (!c->stack[i].f->reverted)
			revert_one(c, &c->stack[i]);
}

static int
steady(struct ctx *c, const char *phase)
{
	int ok = 1;

	for (size_t i = 0; i < c->s->nsteady; i++)
		if (evaluate(c, &c->s->steady[i], phase,
		    c->s->steady_timeout_ms) != O_PASS)
			ok = 0;
	return ok;
}

/* Probe state changes ("200 ok" → "200 degraded") for the timeline. */
static void
transitions(struct ctx *c)
{
	probes_lock(c->ps);
	for (size_t p = 0; p < c->s->nprobes; p++) {
		char prev[128] = "";
		size_t n = probes_count(c->ps, p);
		struct res_probe *rp = &c->r->probes[p];

		rp->t_ms = xcalloc(n ? n : 1, sizeof *rp->t_ms);
		rp->status = xcalloc(n ? n : 1, sizeof *rp->status);
		rp->lat_ms = xcalloc(n ? n : 1, sizeof *rp->lat_ms);
		for (size_t i = 0; i < n; i++) {
			struct sample *sm = probes_sample(c->ps, p, i);
			char key[128];
			json_t *st;

			if (sm->done_ms < 0)
				continue;
			rp->t_ms[rp->n] = rel(c, sabs(c, sm->sent_ms));
			rp->status[rp->n] = sm->status;
			rp->lat_ms[rp->n++] = sm->done_ms - sm->sent_ms;
			rp->samples++;
			if (sm->status == 0) {
				rp->errors++;
				snprintf(key, sizeof key, "no answer (%s)", sm->error);
			} else {
				st = match_json_path(sample_json(sm), "status");
				snprintf(key, sizeof key, "%d%s%s", sm->status,
				    json_is_string(st) ? " " : "",
				    json_is_string(st) ? json_string_value(st) : "");
			}
			if (strcmp(key, prev) != 0) {
				res_event(c->r, rel(c, sabs(c, sm->done_ms)),
				    "probe %s: %s%s%s", c->s->probes[p].name, prev,
				    *prev ? " -> " : "", key);
				snprintf(prev, sizeof prev, "%s", key);
			}
		}
	}
	probes_unlock(c->ps);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
probe_stats(struct ctx *c)
{
	for (size_t p = 0; p < c->s->nprobes; p++) {
		struct res_probe *rp = &c->r->probes[p];
		int64_t *l = xcalloc(rp->n ? rp->n : 1, sizeof *l);
		size_t k = 0;

		for (size_t i = 0; i < rp->n; i++)
			if (rp->status[i] != 0)
				l[k++] = rp->lat_ms[i];
		qsort(l, k, sizeof *l, cmp_i64);
		if (k > 0) {
			rp->p50_ms = (double)l[(k - 1) / 2];
			rp->p95_ms = (double)l[(size_t)((double)(k - 1) * 0.95)];
			rp->max_ms = (double)l[k - 1];
		}
		free(l);
	}
}

static struct probe_set *
start_probes(struct ctx *c, struct sd_err *e)
{
	size_t n = c->s->nprobes;
	struct probe_def *defs = xcalloc(n ? n : 1, sizeof *defs);
	struct probe_set *ps;

	for (size_t i = 0; i < n; i++) {
		const struct scen_probe *p = &c->s->probes[i];
		defs[i] = (struct probe_def){ p->name, p->method, p->url, NULL,
		    p->body, p->every_ms, p->timeout_ms };
		if (p->nheaders > 0) {
			defs[i].headers = xcalloc(p->nheaders + 1, sizeof(char *));
			for (size_t h = 0; h < p->nheaders; h++)
				defs[i].headers[h] = xasprintf("%s: %s",
				    p->headers[h].name, p->headers[h].value);
		}
	}
	ps = probes_new(defs, n, c->t0, e);
	if (ps != NULL && probes_start(ps, e) == -1) {
		probes_free(ps);
		ps = NULL;
	}
	/* curl copied the header list; the strings are ours */
	for (size_t i = 0; i < n; i++)
		argv_free(defs[i].headers);
	free(defs);
	return ps;
}

static void
progress(struct ctx *c, size_t i, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (c->o->progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	c->o->progress(c->o->progress_arg, i, c->s->nsteps, buf);
}

static void
burst_row(struct ctx *c, const char *phase, int line, char *text, char *obs,
    enum outcome o)
{
	struct res_expect *rx = res_add_expect(c->r);

	rx->phase = xstrdup(phase);
	rx->text = text;
	rx->observed = obs;
	rx->outcome = o;
	rx->line = line;
	rx->at_ms = rel(c, mono_ms());
	res_event(c->r, rx->at_ms, "%s %s: %s", o == O_PASS ? "met" : "FAILED",
	    text, obs);
}

/*
 * K users x M requests at once; then: were they really together, did each
 * user get exactly accepted_per_user, were the others rejected as expected,
 * and did no user's rejections cost another user its acceptance.
 */
static enum outcome
do_burst(struct ctx *c, const struct scen_burst *b, const char *phase,
    int line)
{
	struct burst_spec sp = { b->method, b->url, b->headers, b->body,
	    b->users, b->per_user, b->timeout_ms };
	struct burst_result br;
	struct res_burst *rb;
	struct sd_err e;
	enum outcome worst = O_PASS;
	char *path;

	if (burst_run(&sp, &br, &e) == -1) {
		burst_row(c, phase, line, xasprintf("burst %d users x %d",
		    b->users, b->per_user), xstrdup(e.msg), O_ERROR);
		return O_ERROR;
	}
	c->r->bursts = xgrow(c->r->bursts, &c->r->capbursts, c->r->nbursts + 1,
	    sizeof *c->r->bursts);
	rb = &c->r->bursts[c->r->nbursts++];
	memset(rb, 0, sizeof *rb);
	path = redact_secret(b->url);
	rb->label = xasprintf("%s %s", b->method, path);
	free(path);
	rb->users = b->users;
	rb->per_user = b->per_user;
	rb->concurrent = br.concurrent;
	rb->release_us = br.release_us;
	rb->why = br.concurrent ? NULL : xstrdup(br.why);
	rb->accepted = xcalloc((size_t)b->users, sizeof(int));
	rb->rejected = xcalloc((size_t)b->users, sizeof(int));
	rb->other = xcalloc((size_t)b->users, sizeof(int));
	size_t badrej = 0, nrej = 0;
	int first_bad = -1;
	for (size_t i = 0; i < br.n; i++) {
		const struct burst_req *q = &br.req[i];
		int u = q->user - 1;
		if (q->status >= 200 && q->status < 300) {
			rb->accepted[u]++;
			continue;
		}
		int as_expected = q->status != 0 &&
		    (b->rej_status == 0 || q->status == b->rej_status) &&
		    (b->rej_body == NULL || (q->body && strstr(q->body, b->rej_body)));
		if (as_expected) {
			rb->rejected[u]++;
		} else {
			rb->other[u]++;
			if (first_bad < 0)
				first_bad = (int)i;
			badrej++;
		}
		nrej++;
	}
	burst_row(c, phase, line, xasprintf("burst %d users x %d: every user's"
	    " requests in flight together", b->users, b->per_user),
	    br.concurrent ? xasprintf("released in %lldus, none answered early",
	    (long long)br.release_us) : xstrdup(br.why),
	    br.concurrent ? O_PASS : O_ERROR);
	if (!br.concurrent)
		worst = O_ERROR;
	if (b->accepted_per_user >= 0) {
		int wrong = 0, lo = 1 << 30, hi = -1;
		for (int u = 0; u < b->users; u++) {
			wrong += rb->accepted[u] != b->accepted_per_user;
			lo = rb->accepted[u] < lo ? rb->accepted[u] : lo;
			hi = rb->accepted[u] > hi ? rb->accepted[u] : hi;
		}
		burst_row(c, phase, line, xasprintf("accepted per user = %d",
		    b->accepted_per_user), wrong ? xasprintf("%d of %d users"
		    " differ (accepted %d..%d per user)", wrong, b->users, lo, hi) :
		    xasprintf("%d for each of %d users", b->accepted_per_user,
		    b->users), wrong ? O_FAIL : O_PASS);
		if (wrong && worst == O_PASS)
			worst = O_FAIL;
		/* isolation: nobody went without because of someone else */
		int starved = 0;
		for (int u = 0; u < b->users; u++)
			starved += b->accepted_per_user > 0 && rb->accepted[u] == 0;
		burst_row(c, phase, line, xstrdup("isolation: no user lost its"
		    " acceptance to another's requests"), starved ?
		    xasprintf("%d user(s) got no acceptance", starved) :
		    xstrdup("every user was served"), starved ? O_FAIL : O_PASS);
		if (starved && worst == O_PASS)
			worst = O_FAIL;
	}
	if (b->rej_status != 0 || b->rej_body != NULL) {
		char *want = xasprintf("rejected with%s%.0d%s%s%s", b->rej_status ?
		    " status " : "", b->rej_status, b->rej_body ? " and body"
		    " containing '" : "", b->rej_body ? b->rej_body : "",
		    b->rej_body ? "'" : "");
		char *obs = badrej == 0 ? xasprintf("all %zu rejections as"
		    " expected", nrej) : xasprintf("%zu of %zu not: e.g. status"
		    " %d, %s", badrej, nrej, br.req[first_bad].status,
		    br.req[first_bad].body ? br.req[first_bad].body :
		    br.req[first_bad].error);
		burst_row(c, phase, line, want, obs, badrej ? O_FAIL : O_PASS);
		if (badrej && worst == O_PASS)
			worst = O_FAIL;
	}
	burst_result_free(&br);
	return worst;
}

static void
run_steps(struct ctx *c)
{
	char phase[32];

	for (size_t i = 0; i < c->s->nsteps; i++) {
		struct scen_step *st = &c->s->steps[i];
		if (stopped(c))
			return;
		snprintf(phase, sizeof phase, "step %zu", i + 1);
		struct sd_err le;
		if (start_loads(c, (int)i + 1, &le) == -1) {
			c->r->verdict = V_ERROR;
			free(c->r->reason);
			c->r->reason = xstrdup(le.msg);
			return;
		}
		/* a fault step's timeout bounds its command; any other's the step */
		c->step_deadline = st->timeout_ms > 0 && st->kind != ST_FAULT ?
		    mono_ms() + st->timeout_ms : 0;
		switch (st->kind) {
		case ST_FAULT:
			progress(c, i + 1, "%s %s", drill_action_name(st->fault->action),
			    st->fault->svc->name);
			if (do_fault(c, st->fault) == -1) {
				c->r->verdict = V_ERROR;
				free(c->r->reason);
				c->r->reason = xasprintf("step %zu (line %d): the fault"
				    " could not be applied or reverted", i + 1, st->line);
				return;
			}
			break;
		case ST_WAIT: {
			char b[32];
			progress(c, i + 1, "wait %s", units_fmt_ms(st->wait_ms, b,
			    sizeof b));
			int64_t end = mono_ms() + st->wait_ms;
			while (mono_ms() < end && !stopped(c))
				sleep_ms(end - mono_ms() < 50 ? end - mono_ms() : 50);
			break;
		}
		case ST_EXPECT:
			progress(c, i + 1, "expect %s", st->expect.text);
			if (evaluate(c, &st->expect, phase, 0) == O_FAIL &&
			    c->r->verdict == V_PASS)
				c->r->verdict = V_FAIL;
			break;
		case ST_BURST:
			progress(c, i + 1, "burst %d users x %d", st->burst.users,
			    st->burst.per_user);
			if (do_burst(c, &st->burst, phase, st->line) != O_PASS &&
			    c->r->verdict == V_PASS)
				c->r->verdict = V_FAIL;
			break;
		}
		stop_loads(c, (int)i + 1);
		if (c->step_timed_out) {
			c->r->verdict = V_ERROR;
			c->r->deadline = 1;
			free(c->r->reason);
			c->r->reason = xasprintf("step %zu (line %d) passed its"
			    " timeout: faults reverted", i + 1, st->line);
			c->step_deadline = 0;
			return;
		}
		c->step_deadline = 0;
	}
}

/* Start the generators whose window opens at `step` (0: the drill's start). */
static int
start_loads(struct ctx *c, int step, struct sd_err *e)
{
	if (c->loads == NULL) {
		size_t n = c->s->nloads ? c->s->nloads : 1;
		c->loads = xcalloc(n, sizeof *c->loads);
		c->load_on = xcalloc(n, sizeof *c->load_on);
		c->load_off = xcalloc(n, sizeof *c->load_off);
	}
	for (size_t i = 0; i < c->s->nloads; i++) {
		const struct scen_load *sl = &c->s->loads[i];
		struct load_spec sp = { sl->name, sl->method, sl->url, sl->headers,
		    sl->body, sl->users, sl->connections, sl->rate, sl->threads, 0,
		    sl->timeout_ms };
		if (sl->from_step != step || c->loads[i] != NULL)
			continue;
		if ((c->loads[i] = load_start(&sp, e)) == NULL)
			return err_prefix(e, "load '%s'", sl->name);
		c->load_on[i] = mono_ms();
		load_set_phase(c->loads[i], c->active > 0 ? LP_FAULT :
		    c->phase_ms[1] ? LP_AFTER : LP_BEFORE);
	}
	if (step == 0)
		c->phase_ms[0] = mono_ms();
	return 0;
}

/* Stop the generators whose window closes after `step`. */
static void
stop_loads(struct ctx *c, int step)
{
	for (size_t i = 0; i < c->s->nloads; i++)
		if (c->s->loads[i].to_step == step && c->loads[i] != NULL &&
		    c->load_off[i] == 0) {
			load_stop(c->loads[i]);
			c->load_off[i] = mono_ms();
		}
}

static void
fill_phase(struct res_load_phase *ph, const struct load_stats *st,
    double seconds)
{
	ph->requests = st->requests;
	ph->errors = st->errors;
	for (int i = 0; i < LE_N && i < 5; i++)
		ph->transport[i] = st->transport[i];
	for (int i = 200; i < 600; i++) {
		uint64_t *b = i < 300 ? &ph->s2xx : i < 400 ? &ph->s3xx :
		    i < 500 ? &ph->s4xx : &ph->s5xx;
		*b += st->status[i];
	}
	ph->seconds = seconds;
	ph->rps = seconds > 0 ? (double)st->requests / seconds : 0;
	ph->p50 = hist_percentile(&st->lat, 50) / 1000.0;
	ph->p90 = hist_percentile(&st->lat, 90) / 1000.0;
	ph->p95 = hist_percentile(&st->lat, 95) / 1000.0;
	ph->p99 = hist_percentile(&st->lat, 99) / 1000.0;
	ph->p999 = hist_percentile(&st->lat, 99.9) / 1000.0;
	ph->max = st->lat.max_us / 1000.0;
}

/* Stop the generators and keep their numbers per phase. */
static void
collect_loads(struct ctx *c)
{
	int64_t end = mono_ms();

	if (c->loads == NULL)
		return;		/* the drill never got going */
	c->r->nloads = c->s->nloads;
	c->r->loads = xcalloc(c->s->nloads ? c->s->nloads : 1,
	    sizeof *c->r->loads);
	/* phases that never began last no time */
	int64_t t1 = c->phase_ms[1] ? c->phase_ms[1] : end;
	int64_t t2 = c->phase_ms[2] ? c->phase_ms[2] : end;
	int64_t lo[4] = { c->phase_ms[0], t1, t2, c->phase_ms[0] };
	int64_t hi[4] = { t1, t2, end, end };
	for (size_t i = 0; i < c->s->nloads; i++) {
		/* each phase, as long as this generator ran in it */
		int64_t on = c->load_on[i], off = c->load_off[i] ? c->load_off[i] : end;
		double secs[4];
		for (int p = 0; p < 4; p++) {
			int64_t a = lo[p] > on ? lo[p] : on, b = hi[p] < off ? hi[p] : off;
			secs[p] = b > a ? (b - a) / 1000.0 : 0;
		}
		struct res_load *rl = &c->r->loads[i];
		struct load_second *sec;
		rl->name = xstrdup(c->s->loads[i].name);
		rl->url = redact_secret(c->s->loads[i].url);
		if (c->loads[i] == NULL)
			continue;	/* its window never opened */
		load_stop(c->loads[i]);
		rl->rate = c->s->loads[i].rate;
		rl->connections = c->s->loads[i].connections;
		for (int p = 0; p < 4; p++) {
			struct load_stats *st = load_stats(c->loads[i],
			    (enum load_phase)p);
			fill_phase(&rl->ph[p], st, secs[p]);
			free(st);
		}
		sec = load_series(c->loads[i], &rl->nsec);
		rl->sec_requests = xcalloc(rl->nsec + 1, sizeof *rl->sec_requests);
		rl->sec_errors = xcalloc(rl->nsec + 1, sizeof *rl->sec_errors);
		rl->sec_p99 = xcalloc(rl->nsec + 1, sizeof *rl->sec_p99);
		for (size_t k = 0; k < rl->nsec; k++) {
			rl->sec_requests[k] = sec[k].requests;
			rl->sec_errors[k] = sec[k].errors;
			rl->sec_p99[k] = sec[k].p99_us / 1000.0;
		}
		free(sec);
		load_free(c->loads[i]);
		c->loads[i] = NULL;
	}
}

static int
cmp_ok(int op, double got, double want)
{
	switch (op) {
	case '<': return got < want;
	case 'L': return got <= want;
	case '>': return got > want;
	default: return got >= want;
	}
}

static void
eval_loads(struct ctx *c)
{
	for (size_t k = 0; k < c->ndefer; k++) {
		const struct scen_expect *x = c->defer[k].x;
		struct res_expect *rx = &c->r->ex[c->defer[k].rx];
		const struct res_load_phase *ph = &c->r->loads[x->load].ph[x->phase];
		struct sbuf sb;
		int ok = ph->requests > 0;

		sb_init(&sb);
		sb_addf(&sb, "%llu requests", (unsigned long long)ph->requests);
		for (size_t i = 0; i < x->nlm; i++) {
			const struct load_match *m = &x->lm[i];
			double got = m->what == LW_ERRORS ? (ph->requests ?
			    (double)ph->errors / (double)ph->requests : 0) :
			    m->what == LW_P50 ? ph->p50 : m->what == LW_P90 ? ph->p90 :
			    m->what == LW_P95 ? ph->p95 : m->what == LW_P99 ? ph->p99 :
			    m->what == LW_MAX ? ph->max : m->what == LW_RPS ? ph->rps :
			    (double)ph->requests;
			ok &= cmp_ok(m->op, got, m->v);
			if (m->what == LW_ERRORS)
				sb_addf(&sb, ", errors %.2f%%", got * 100);
			else if (m->what <= LW_MAX)
				sb_addf(&sb, ", %s %.2fms", scen_load_what_name(m->what), got);
			else if (m->what == LW_RPS)
				sb_addf(&sb, ", %.1f/s", got);
		}
		if (ph->requests == 0)
			sb_add(&sb, " (no request completed in that phase)");
		set_observed(rx, sb_detach(&sb));
		rx->outcome = ok ? O_PASS : O_FAIL;
		rx->at_ms = rel(c, mono_ms());
		if (!ok && c->r->verdict == V_PASS)
			c->r->verdict = V_FAIL;
	}
}

static void
slo_row(struct ctx *c, char *text, char *obs, int ok)
{
	struct res_expect *rx = res_add_expect(c->r);

	rx->phase = xstrdup("slo");
	rx->text = text;
	rx->observed = obs;
	rx->outcome = ok ? O_PASS : O_FAIL;
	rx->line = c->s->slo.line;
	rx->at_ms = rel(c, mono_ms());
	if (!ok && c->r->verdict == V_PASS)
		c->r->verdict = V_FAIL;
}

/* The SLO over the drill's own traffic, and the error budget it burned. */
static void
eval_slo(struct ctx *c)
{
	const struct scen_slo *slo = &c->s->slo;
	struct res_slo *rs = &c->r->slo;
	const struct res_load_phase *all;
	double share;

	if (slo->load < 0 || c->r->nloads == 0)
		return;
	all = &c->r->loads[slo->load].ph[3];
	share = all->requests ? (double)all->errors / (double)all->requests : 0;
	rs->set = 1;
	rs->load = xstrdup(c->s->loads[slo->load].name);
	rs->window_s = all->seconds;
	rs->requests = all->requests;
	rs->errors = all->errors;
	rs->availability = slo->availability;
	rs->burned_s = share * all->seconds;
	if (slo->p95_ms >= 0)
		slo_row(c, xasprintf("p95 < %gms", slo->p95_ms), xasprintf("p95"
		    " %.2fms", all->p95), all->requests > 0 && all->p95 < slo->p95_ms);
	if (slo->errors >= 0)
		slo_row(c, xasprintf("errors < %g%%", slo->errors * 100),
		    xasprintf("%.3f%% (%llu of %llu)", share * 100,
		    (unsigned long long)all->errors, (unsigned long long)all->requests),
		    all->requests > 0 && share < slo->errors);
	if (slo->availability >= 0) {
		rs->budget_requests = (1 - slo->availability) * (double)all->requests;
		rs->budget_s = (1 - slo->availability) * all->seconds;
		rs->burned_pct = rs->budget_requests > 0 ? 100.0 *
		    (double)all->errors / rs->budget_requests : (all->errors ? 100 : 0);
		slo_row(c, xasprintf("availability >= %g%%", slo->availability * 100),
		    xasprintf("%.3f%%; error budget burned %.1f%%", 100 * (1 - share),
		    rs->burned_pct), all->requests > 0 &&
		    1 - share >= slo->availability);
	}
}

struct result *
run_drill(struct scenario *s, const struct run_opts *o)
{
	struct result *r = res_new();
	struct ctx c = { .s = s, .o = o, .r = r };
	struct sd_err e;

	r->drill = xstrdup(s->drill);
	r->title = xstrdup(s->title ? s->title : s->drill);
	r->file = xstrdup(s->file);
	r->target = s->target ? redact_secret(s->target) : xstrdup("");
	r->started_wall_ms = wall_ms();
	r->nprobes = s->nprobes;
	r->probes = xcalloc(s->nprobes ? s->nprobes : 1, sizeof *r->probes);
	for (size_t i = 0; i < s->nprobes; i++) {
		r->probes[i].name = xstrdup(s->probes[i].name);
		r->probes[i].url = redact_secret(s->probes[i].url);
		r->probes[i].every_ms = s->probes[i].every_ms;
	}
	c.env.self_exe = o->self_exe;
	c.env.interrupted = &c.intr;
	c.guard_fd = -1;
	c.run_id = jrnl_run_id();
	if ((c.jpath = jrnl_path(&e)) == NULL) {
		r->verdict = V_ERROR;
		r->reason = xasprintf("journal: %s", e.msg);
		free(c.run_id);
		return r;
	}
	c.t0 = c.tf = c.anchor = mono_ms();
	c.deadline = c.t0 + s->max_duration_ms;
	/* the baseline RSS of every process, before any load */
	c.rss_base_kib = xcalloc(s->nservices ? s->nservices : 1,
	    sizeof *c.rss_base_kib);
	for (size_t i = 0; i < s->nservices; i++) {
		pid_t pid = drill_service_pid(&s->services[i], &e);
		c.rss_base_kib[i] = pid ? proc_rss_kib(pid) : -1;
	}
	if ((c.ps = start_probes(&c, &e)) == NULL || start_loads(&c, 0, &e) == -1) {
		r->verdict = V_ERROR;
		r->reason = xstrdup(e.msg);
		goto out;
	}
	progress(&c, 0, "steady state before");
	if (!steady(&c, "steady before")) {
		r->verdict = stopped(&c) ? V_ABORTED : V_ERROR;
		r->reason = xstrdup(c.intr ? "interrupted" :
		    "not steady before the fault: nothing was applied");
		goto out;
	}
	c.tf = c.anchor = mono_ms();
	r->faults_wall_ms = wall_ms();
	res_event(r, rel(&c, c.tf), "start of faults");
	run_steps(&c);
	/* whatever happened: every fault still applied, in reverse order */
	progress(&c, s->nsteps, "reverting");
	revert_all(&c);
	stop_guardian(&c);
	c.faults_end = mono_ms();
	for (size_t i = 0; i < r->nfaults; i++)
		if (r->faults[i].error != NULL) {
			r->verdict = V_ERROR;
			if (r->reason == NULL)
				r->reason = xasprintf("fault %zu could not be %s", i + 1,
				    strncmp(r->faults[i].error, "revert", 6) == 0 ?
				    "reverted" : "applied");
		}
	if (c.intr) {
		r->verdict = V_ABORTED;
		free(r->reason);
		r->reason = xstrdup("interrupted by a signal: faults reverted,"
		    " steady state after not checked");
		goto out;
	}
	if (c.step_timed_out)
		goto out;	/* reason set by run_steps */
	if (mono_ms() > c.deadline) {
		r->verdict = V_ERROR;
		r->deadline = 1;
		free(r->reason);
		r->reason = xstrdup("max_duration reached: faults reverted");
		goto out;
	}
	progress(&c, s->nsteps, "steady state after");
	if (!steady(&c, "steady after") && r->verdict == V_PASS)
		r->verdict = V_FAIL;
out:
	if (c.faults_end == 0)
		c.faults_end = mono_ms();
	if (c.ps != NULL)
		probes_stop(c.ps);
	collect_loads(&c);
	eval_loads(&c);
	eval_slo(&c);
	if (c.ps != NULL)
		eval_nevers(&c);
	for (size_t i = 0; i < c.nnevers; i++)
		if (r->ex[c.nevers[i].rx].outcome == O_FAIL && r->verdict == V_PASS)
			r->verdict = V_FAIL;
	if (r->faults_wall_ms == 0)
		r->faults_wall_ms = r->started_wall_ms + (c.tf - c.t0);
	if (c.ps != NULL) {
		transitions(&c);
		probe_stats(&c);
	}
	shift_times(&c);
	res_sort_events(r);
	r->duration_ms = mono_ms() - c.t0;
	probes_free(c.ps);
	for (size_t i = 0; i < s->nloads && c.loads != NULL; i++)
		load_free(c.loads[i]);
	free(c.loads);
	free(c.load_on);
	free(c.load_off);
	free(c.stack);
	free(c.nevers);
	free(c.defer);
	free(c.rss_base_kib);
	stop_guardian(&c);
	free(c.jpath);
	free(c.run_id);
	return r;
}

int
run_check_hosts(const struct scenario *s, const struct run_opts *o,
    struct sd_err *e)
{
	char host[256];

	if (s->target != NULL && !scen_host_allowed(s, s->target,
	    o->allow_hosts, o->nallow, host, sizeof host))
		return err_set(e, "%s: target host '%s' is not loopback; add it to"
		    " allow: or pass --allow-host %s", s->file, host, host);
	for (size_t i = 0; i < s->nprobes; i++)
		if (!scen_host_allowed(s, s->probes[i].url, o->allow_hosts,
		    o->nallow, host, sizeof host))
			return err_set(e, "%s:%d:%d: probe '%s' goes to '%s', which"
			    " is not loopback; add it to allow: or pass"
			    " --allow-host %s", s->file, s->probes[i].line,
			    s->probes[i].col, s->probes[i].name, host, host);
	for (size_t i = 0; i < s->nloads; i++)
		if (!scen_host_allowed(s, s->loads[i].url, o->allow_hosts, o->nallow,
		    host, sizeof host))
			return err_set(e, "%s:%d:%d: load '%s' goes to '%s', which is"
			    " not loopback; add it to allow: or pass --allow-host %s",
			    s->file, s->loads[i].line, s->loads[i].col,
			    s->loads[i].name, host, host);
	for (size_t i = 0; i < s->nsteps; i++)
		if (s->steps[i].kind == ST_BURST && !scen_host_allowed(s,
		    s->steps[i].burst.url, o->allow_hosts, o->nallow, host,
		    sizeof host))
			return err_set(e, "%s:%d:%d: burst goes to '%s', which is not"
			    " loopback; add it to allow: or pass --allow-host %s",
			    s->file, s->steps[i].line, s->steps[i].col, host, host);
	for (size_t i = 0; i < s->nservices; i++) {
		const struct scen_service *sv = &s->services[i];
		if (sv->url == NULL || strstr(sv->url, "://") == NULL)
			continue;
		if (!scen_host_allowed(s, sv->url, o->allow_hosts, o->nallow,
		    host, sizeof host))
			return err_set(e, "%s:%d:%d: service '%s' is on '%s', which"
			    " is not loopback; add it to allow: or pass"
			    " --allow-host %s", s->file, sv->line, sv->col,
			    sv->name, host, host);
	}
	return 0;
}

char *
run_plan(const struct scenario *s)
{
	struct sbuf sb;
	char b[32];
	size_t nrev = 0;
	const struct fault **rev = xcalloc(s->nsteps + 1, sizeof *rev);

	sb_init(&sb);
	sb_addf(&sb, "drill %s: %s\n", s->drill, s->title ? s->title : "");
	if (s->target != NULL) {
		char *t = redact_secret(s->target);
		sb_addf(&sb, "target %s\n", t);
		free(t);
	}
	for (size_t i = 0; i < s->nprobes; i++) {
		char *u = redact_secret(s->probes[i].url);
		sb_addf(&sb, "probe %s: %s %s every %s, timeout %s\n",
		    s->probes[i].name, s->probes[i].method, u,
		    units_fmt_ms(s->probes[i].every_ms, b, sizeof b),
		    units_fmt_ms(s->probes[i].timeout_ms, b + 16, 16));
		free(u);
	}
	for (size_t i = 0; i < s->nsteady; i++)
		sb_addf(&sb, "steady before: %s (within %s)\n", s->steady[i].text,
		    units_fmt_ms(s->steady_timeout_ms, b, sizeof b));
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct scen_step *st = &s->steps[i];
		sb_addf(&sb, "step %zu (line %d): ", i + 1, st->line);
		if (st->kind == ST_WAIT) {
			sb_addf(&sb, "wait %s\n", units_fmt_ms(st->wait_ms, b,
			    sizeof b));
		} else if (st->kind == ST_EXPECT) {
			sb_addf(&sb, "expect %s\n", st->expect.text);
		} else {
			const struct fault *f = st->fault, *open = NULL;
			size_t k;
			for (k = nrev; k-- > 0; )
				if (rev[k] && rev[k]->svc == f->svc &&
				    drill_action_undo(rev[k]->action) == (int)f->action) {
					open = rev[k];
					break;
				}
			char *d = open ? open->kind->describe(open, 1) :
			    f->kind->describe(f, 0);
			sb_addf(&sb, "%s%s\n", open ? "revert: " : "", d);
			free(d);
			if (open) {
				rev[k] = NULL;
			} else if (drill_action_reversible(f->action)) {
				rev[nrev++] = f;
				d = f->kind->describe(f, 1);
				sb_addf(&sb, "    revert: %s\n", d);
				free(d);
			}
		}
	}
	for (size_t k = nrev; k-- > 0; ) {
		if (rev[k] == NULL)
			continue;
		char *d = rev[k]->kind->describe(rev[k], 1);
		sb_addf(&sb, "at the end (still applied): %s\n", d);
		free(d);
	}
	for (size_t i = 0; i < s->nsteady; i++)
		sb_addf(&sb, "steady after: %s (within %s)\n", s->steady[i].text,
		    units_fmt_ms(s->steady_timeout_ms, b, sizeof b));
	free(rev);
	return sb_detach(&sb);
}
