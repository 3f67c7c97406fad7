/*
 * evaluate.c — deciding expectations: probe windows (the rules are the pure
 * functions of window.c; here they are fed samples under the probes' lock
 * until they decide, the drill is interrupted or a deadline passes),
 * never: over the fault windows, load bounds over a phase, and the SLO
 * with its error budget. Process checks are in eval_process.c, the
 * writer's in eval_writes.c; this file dispatches to them.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "eval_int.h"
#include "run_int.h"
#include "../base/units.h"
#include "../io/window.h"

/* An expectation with what its metric matchers rise above (base[i] for
 * x->m[i]; NULL: 0). */
struct evx {
	const struct scen_expect *x;
	const double *base;
};

static int
sample_matches(const struct evx *v, struct sample *s)
{
	for (size_t i = 0; i < v->x->nm; i++)
		if (!match_sample_at(&v->x->m[i], s, v->base ? v->base[i] : 0))
			return 0;
	return 1;
}

/* The first failing matcher's observation, or the first one's. */
static char *
sample_observed(const struct evx *v, struct sample *s)
{
	const struct scen_expect *x = v->x;

	for (size_t i = 0; i < x->nm; i++)
		if (!match_sample_at(&x->m[i], s, v->base ? v->base[i] : 0))
			return match_observed_at(&x->m[i], s, v->base ?
			    v->base[i] : 0);
	return match_observed_at(&x->m[0], s, v->base ? v->base[0] : 0);
}

static int
match_cb(void *arg, struct sample *s)
{
	return sample_matches(arg, s);
}


enum wmode { W_NOW, W_WITHIN, W_HOLDS };

/* What a metric that must rise rises above: its value in the last answer
 * before the window (a series not there yet counts as 0). Under the lock. */
static void
rise_bases(struct run *c, const struct scen_expect *x, int64_t from,
    double *base)
{
	struct sample *sm;
	size_t n;

	sm = runctx_samples(c, x->probe, &n);
	for (size_t i = 0; i < x->nm; i++) {
		if (x->m[i].kind != M_METRIC || !x->m[i].rise)
			continue;
		for (size_t k = n; k-- > 0; )
			if (sm[k].done_ms >= 0 && sm[k].sent_ms < from - c->clock.t0 &&
			    sm[k].status >= 200 && sm[k].status <= 299) {
				base[i] = match_metric_value(&x->m[i], &sm[k]);
				break;
			}
	}
}

/* A latency bound met: by how much, the key figure of a fail-fast check
 * (for holds:, the slowest answer in the window). obs is taken. */
static char *
with_latency(struct run *c, const struct scen_expect *x, enum wmode mode,
    int64_t from, int64_t end, struct sample *sm, size_t n, size_t at,
    char *obs)
{
	int64_t lat = sm[at].done_ms - sm[at].sent_ms;
	char *o2;

	for (size_t i = 0; i < x->nm; i++) {
		if (x->m[i].kind != M_LATENCY)
			continue;
		if (mode == W_HOLDS)
			for (size_t k = 0; k < n; k++)
				if (sm[k].sent_ms >= from - c->clock.t0 && sm[k].sent_ms <=
				    end - c->clock.t0 && sm[k].done_ms >= 0 &&
				    sm[k].done_ms - sm[k].sent_ms > lat)
					lat = sm[k].done_ms - sm[k].sent_ms;
		o2 = xasprintf("%s; latency %s%lldms", obs, mode == W_HOLDS ?
		    "at most " : "", (long long)lat);
		free(obs);
		return o2;
	}
	return obs;
}

/* A key time against its fault step: when the condition was first seen,
 * if during the step; nothing to time if it held before the step began
 * (an alert that never fired "resolves" at once). Under the lock. */
static void
onset(struct run *c, const struct evx *ev, int64_t from, struct sample *sm,
    size_t n, const struct window_result *wr, struct res_expect *rx)
{
	struct window_onset on;
	char *o;

	window_onset(sm, n, wr->k, c->stack.anchor_start - c->clock.t0, from - c->clock.t0, match_cb,
	    (void *)ev, &on);
	if (on.before_step) {
		rx->no_change = 1;
		rx->elapsed_ms = rx->resolution_ms = -1;
		o = xasprintf("%s; no change to time: it held before its step"
		    " began", rx->observed ? rx->observed : "");
		runctx_set_observed(rx, o);
		return;
	}
	rx->from_start_ms = on.from_start_ms;
	rx->from_start_res_ms = on.from_start_res_ms;
	if (on.first != SIZE_MAX && sm[on.first].done_ms <= from - c->clock.t0) {
		/* already so when the step ended */
		rx->before_end_ms = from - c->clock.t0 - sm[on.first].done_ms;
		rx->elapsed_ms = 0;
		rx->resolution_ms = 0;
	} else if (on.first != SIZE_MAX) {
		/* sent during the step, answered after it */
		rx->elapsed_ms = sm[on.first].done_ms - (from - c->clock.t0);
		rx->resolution_ms = rx->from_start_res_ms;
	}
}

/* What the window showed, into rx; the outcome, which a holds: with too
 * few answers turns into a FAIL. Under the lock. */
static enum window_state
observe(struct run *c, const struct evx *ev, enum wmode mode, int64_t from,
    int64_t end, enum window_state st, const struct window_result *wr,
    struct res_expect *rx)
{
	const struct scen_expect *x = ev->x;
	int min_samples = x->min_samples ? x->min_samples : EXPECT_MIN_PROBE;
	struct sample *sm;
	size_t n;

	sm = runctx_samples(c, x->probe, &n);
	if (st == WIN_PENDING) {
		runctx_set_observed(rx, xstrdup(c->stop.intr ? "interrupted" :
		    c->stop.step_timed_out ? "the step's timeout passed" :
		    "drill deadline (max_duration) reached"));
	} else if (mode == W_HOLDS && st == WIN_PASS &&
	    wr->seen < (size_t)min_samples) {
		/* a window with too few answers shows nothing */
		runctx_set_observed(rx, xasprintf("no samples: %zu answered in the"
		    " window, at least %d needed", wr->seen, min_samples));
		st = WIN_FAIL;
	} else if (wr->k != SIZE_MAX) {
		char *obs = mode == W_HOLDS && st == WIN_PASS ?
		    xasprintf("held in all %zu samples", wr->seen) :
		    sample_observed(ev, &sm[wr->k]);
		if (st == WIN_PASS)
			obs = with_latency(c, x, mode, from, end, sm, n, wr->k, obs);
		runctx_set_observed(rx, obs);
		rx->at_ms = sm[wr->k].done_ms;
	} else {
		runctx_set_observed(rx, xstrdup(mode == W_HOLDS ?
		    "no sample in the window" : "no sample completed"));
		rx->at_ms = runctx_rel(c, mono_ms());
	}
	if (st == WIN_PASS && mode == W_WITHIN) {
		rx->elapsed_ms = wr->elapsed_ms;
		rx->resolution_ms = wr->resolution_ms;
		if (from == c->stack.anchor && rx->as != NULL)
			onset(c, ev, from, sm, n, wr, rx);
	}
	if (st == WIN_FAIL && mode == W_WITHIN && wr->late != SIZE_MAX) {
		/* what matched too late is no answer in the window */
		char *o = xasprintf("%s; it came %+lldms after the window ended",
		    rx->observed ? rx->observed : "no match in the window",
		    (long long)(sm[wr->late].done_ms - (end - c->clock.t0)));
		runctx_set_observed(rx, o);
	}
	return st;
}

/* Wait until the window rule decides, the drill is interrupted, or a
 * deadline passes. from/end are absolute monotonic ms. */
static enum outcome
eval_window(struct run *c, const struct scen_expect *x, enum wmode mode,
    int64_t from, int64_t end, struct res_expect *rx)
{
	double *base = xcalloc(x->nm ? x->nm : 1, sizeof *base);
	struct evx ev = { x, base };
	enum window_state st = WIN_PENDING;
	struct window_result wr;
	struct sample *sm;
	size_t n;

	probes_lock(c->ps);
	rise_bases(c, x, from, base);
	for (;;) {
		sm = runctx_samples(c, x->probe, &n);
		int64_t f = from - c->clock.t0, e = end - c->clock.t0, now = mono_ms() - c->clock.t0;
		st = mode == W_NOW ? window_now(sm, n, f, match_cb, &ev, &wr) :
		    mode == W_WITHIN ? window_within(sm, n, f, e, now, match_cb, &ev,
		    &wr) : window_holds(sm, n, f, e, now, match_cb, &ev, &wr);
		if (st != WIN_PENDING || runctx_stopped(c))
			break;
		probes_wait(c->ps, mono_ms() + 50);
	}
	st = observe(c, &ev, mode, from, end, st, &wr, rx);
	probes_unlock(c->ps);
	free(base);
	return st == WIN_PASS ? O_PASS : st == WIN_FAIL ? O_FAIL : O_ERROR;
}



/* Load, writes and never: expectations are decided at the end (a writer's
 * over all its writes, the steady state after included). */
static int
defer(struct run *c, const struct scen_expect *x, size_t idx, int64_t now)
{
	if (x->load >= 0 || x->writes >= 0) {
		c->eval.defer = xgrow(c->eval.defer, &c->eval.capdefer, c->eval.ndefer + 1,
		    sizeof *c->eval.defer);
		c->eval.defer[c->eval.ndefer++] = (struct deferred){ x, idx };
	} else if (x->mode == EX_NEVER) {
		c->eval.nevers = xgrow(c->eval.nevers, &c->eval.capnevers, c->eval.nnevers + 1,
		    sizeof *c->eval.nevers);
		c->eval.nevers[c->eval.nnevers++] = (struct never){ x, now, idx };
	} else {
		return 0;
	}
	c->r->ex[idx].outcome = O_SKIPPED;	/* decided at the end */
	return 1;
}

enum outcome
eval_expect(struct run *c, const struct scen_expect *x, const char *phase,
    int64_t within_default_ms)
{
	struct res_expect *rx;
	size_t idx;
	int64_t now = mono_ms();
	enum outcome out;

	if (x->off != NULL) {
		runctx_skip(c, xstrdup(x->text), phase, x->line, x->off);
		return O_SKIPPED;
	}
	rx = res_add_expect(c->r);
	idx = c->r->nex - 1;

	rx->phase = xstrdup(phase);
	rx->text = xstrdup(x->text);
	/* a key time whose own matchers a variable switched off would time
	 * something else (a 200, not "degraded"): not measured, and said */
	rx->as = x->as && x->off_parts == NULL ? xstrdup(x->as) : NULL;
	rx->line = x->line;
	if (rx->as != NULL) {	/* what a comparison with a baseline needs */
		rx->bound_ms = x->mode == EX_WITHIN ? x->dur_ms : -1;
		rx->regress_pct = x->regress_pct;
		rx->regress_ms = x->regress_ms;
	}
	if (defer(c, x, idx, now))
		return O_PASS;
	if (x->process >= 0) {
		out = eval_process(c, x, now, rx);
	} else if (x->mode == EX_HOLDS) {
		out = eval_window(c, x, W_HOLDS, now, now + x->dur_ms, rx);
	} else if (x->mode == EX_WITHIN) {
		/* fast while it waits for the change it measures */
		timeline_fast(c, &x->probe, 1, 1);
		out = eval_window(c, x, W_WITHIN, c->stack.anchor, c->stack.anchor + x->dur_ms,
		    rx);
		timeline_fast(c, &x->probe, 1, 0);
	} else if (within_default_ms > 0) {
		out = eval_window(c, x, W_WITHIN, now, now + within_default_ms, rx);
	} else {
		out = eval_window(c, x, W_NOW, now, now, rx);
	}
	rx = &c->r->ex[idx];	/* res_add_expect may have moved it */
	rx->outcome = out;
	if (x->off_parts != NULL && x->nm > 0 && x->probe >= 0) {
		/* what of it a variable switched off: shown, not run */
		runctx_skip(c, x->as ? xasprintf("%s: the rest of the check above, and"
		    " its key time '%s' (not measured)", c->s->probes[x->probe].name,
		    x->as) : xasprintf("%s: the rest of the check above", c->s->
		    probes[x->probe].name), phase, x->line, x->off_parts);
		rx = &c->r->ex[idx];
	}
	if (rx->as != NULL && out == O_PASS && rx->no_change)
		res_event(c->r, rx->at_ms, "%s: %s: not timed, it held before its"
		    " step began", rx->as, x->text);
	else if (rx->as != NULL && out == O_PASS && rx->before_end_ms >= 0)
		res_event(c->r, rx->at_ms, "%s: %s: already so when its step ended"
		    " (first seen %lldms before it, %lldms from its start)", rx->as,
		    x->text, (long long)rx->before_end_ms,
		    (long long)rx->from_start_ms);
	else if (rx->as != NULL && out == O_PASS)
		res_event(c->r, rx->at_ms, "%s: %s after %lldms (resolution"
		    " %lldms)", rx->as, x->text, (long long)rx->elapsed_ms,
		    (long long)rx->resolution_ms);
	else
		res_event(c->r, rx->at_ms, "%s %s: %s", out == O_PASS ? "met" :
		    "FAILED", x->text, rx->observed ? rx->observed : "");
	return out;
}

/* never: not once while a fault was in effect (each lasting fault's
 * apply..revert), from when it was registered */
static void
eval_never(struct run *c, const struct never *nv)
{
	const struct scen_expect *x = nv->x;
	struct res_expect *rx = &c->r->ex[nv->rx];
	enum window_state st = WIN_PASS;
	struct window_result wr = { SIZE_MAX, SIZE_MAX, 0, 0, 0 };
	struct evx ev = { x, NULL };	/* never: takes no rises: */
	struct sample *sm;
	size_t n, seen = 0;

	probes_lock(c->ps);
	sm = runctx_samples(c, x->probe, &n);
	for (size_t i = 0; i < c->stack.nap && st == WIN_PASS; i++) {
		const struct applied *a = &c->stack.ap[i];
		if (!a->lasting || a->on == 0)
			continue;
		int64_t lo = a->on > nv->from_abs ? a->on : nv->from_abs;
		int64_t hi = a->off ? a->off : c->clock.faults_end;
		if (hi < lo)
			continue;
		st = window_never(sm, n, lo - c->clock.t0, hi - c->clock.t0, match_cb,
		    &ev, &wr);
		/* every attempt sent in the window is a sample: one that got
		 * no answer in it (a stopped service) did not show it either */
		for (size_t k = 0; k < n; k++)
			seen += sm[k].sent_ms >= lo - c->clock.t0 && sm[k].sent_ms <= hi -
			    c->clock.t0;
	}
	int min = x->min_samples ? x->min_samples : EXPECT_MIN_PROBE;
	if (st == WIN_FAIL) {
		char *obs = sample_observed(&ev, &sm[wr.k]);
		rx->outcome = O_FAIL;
		rx->at_ms = sm[wr.k].done_ms;
		runctx_set_observed(rx, xasprintf("seen at %+lldms: %s",
		    (long long)(rx->at_ms - (c->clock.tf - c->clock.t0)), obs));
		free(obs);
	} else if (seen < (size_t)min) {
		/* not seen in no samples says nothing */
		rx->outcome = O_FAIL;
		runctx_set_observed(rx, xasprintf("no samples: %zu sent while a fault"
		    " was in effect, at least %d needed", seen, min));
	} else {
		rx->outcome = O_PASS;
		runctx_set_observed(rx, xasprintf("not seen in %zu samples", seen));
	}
	probes_unlock(c->ps);
}

void
eval_nevers(struct run *c)
{
	for (size_t k = 0; k < c->eval.nnevers; k++)
		eval_never(c, &c->eval.nevers[k]);
}

/* How many samples a load bound is about: requests, answers (for a
 * percentile), 2xx answers (accepted_p95) or 429s (retry_after). */
static uint64_t
load_population(const struct res_load_phase *ph, enum load_what w)
{
	switch (w) {
	case LW_P50: case LW_P90: case LW_P95: case LW_P99: case LW_MAX:
		return ph->s2xx + ph->s3xx + ph->s4xx + ph->s5xx;
	case LW_ACCEPTED_P95: return ph->s2xx;
	case LW_RETRY_AFTER: return ph->s429;
	default: return ph->requests;
	}
}

static const char *
population_name(enum load_what w)
{
	switch (w) {
	case LW_P50: case LW_P90: case LW_P95: case LW_P99: case LW_MAX:
		return "answers";
	case LW_ACCEPTED_P95: return "accepted (2xx) answers";
	case LW_RETRY_AFTER: return "429 answers";
	default: return "requests";
	}
}

static double
load_value(const struct res_load_phase *ph, enum load_what w)
{
	switch (w) {
	case LW_ERRORS:
		return ph->requests ? (double)ph->errors / (double)ph->requests : 0;
	case LW_P50: return ph->p50;
	case LW_P90: return ph->p90;
	case LW_P95: return ph->p95;
	case LW_P99: return ph->p99;
	case LW_MAX: return ph->max;
	case LW_RPS: return ph->rps;
	case LW_REJECTED:
		return ph->requests ? (double)ph->s429 / (double)ph->requests : 0;
	case LW_ACCEPTED_P95: return ph->ok_p95;
	case LW_DROPPED:
		/* connected, then no whole answer: reset, timed out, cut */
		return (double)(ph->transport[LE_TIMEOUT] + ph->transport[LE_RESET] +
		    ph->transport[LE_OTHER]);
	case LW_RETRY_AFTER:
		/* of the 429s; none: nothing to hold against it */
		return ph->s429 ? (double)ph->retry_after / (double)ph->s429 : 1;
	default: return (double)ph->requests;
	}
}

/* The writers' checks, once the probes have stopped: every write in. */
void
eval_writes_check(struct run *c)
{
	for (size_t k = 0; k < c->eval.ndefer; k++) {
		const struct scen_expect *x = c->eval.defer[k].x;
		struct res_expect *rx = &c->r->ex[c->eval.defer[k].rx];
		if (x->writes < 0)
			continue;
		rx->outcome = eval_writes(c, x, rx);
		if (rx->outcome == O_FAIL && c->r->verdict == V_PASS)
			c->r->verdict = V_FAIL;
		if (rx->outcome == O_ERROR && c->r->verdict == V_PASS)
			runctx_fail(c, xasprintf("line %d: the writes could not be checked",
			    x->line));
	}
}

void
eval_loads(struct run *c)
{
	for (size_t k = 0; k < c->eval.ndefer; k++) {
		const struct scen_expect *x = c->eval.defer[k].x;
		struct res_expect *rx = &c->r->ex[c->eval.defer[k].rx];
		if (x->load < 0)
			continue;
		const struct res_load_phase *ph = &c->r->loads[x->load].ph[x->phase];
		int min = x->min_samples ? x->min_samples : EXPECT_MIN_LOAD;
		const char *few = NULL;
		uint64_t have = 0;
		struct sbuf sb;
		int ok = 1;

		sb_init(&sb);
		sb_addf(&sb, "%llu requests", (unsigned long long)ph->requests);
		for (size_t i = 0; i < x->nlm; i++) {
			const struct load_match *m = &x->lm[i];
			double got = load_value(ph, m->what);
			uint64_t pop = load_population(ph, m->what);
			if (pop < (uint64_t)min && few == NULL) {
				few = population_name(m->what);
				have = pop;
			}
			ok &= pop >= (uint64_t)min && cmp_bound(m->op, got, m->v);
			if (m->what == LW_ERRORS)
				sb_addf(&sb, ", errors %.2f%%", got * 100);
			else if (m->what == LW_REJECTED)
				sb_addf(&sb, ", 429 %.1f%% (%llu)", got * 100,
				    (unsigned long long)ph->s429);
			else if (m->what == LW_RETRY_AFTER)
				sb_addf(&sb, ", Retry-After on %llu of %llu 429s",
				    (unsigned long long)ph->retry_after,
				    (unsigned long long)ph->s429);
			else if (expect_load_what_unit(m->what) == 'd')
				sb_addf(&sb, ", %s %.2fms", expect_load_what_name(m->what),
				    got);
			else if (m->what == LW_DROPPED)
				sb_addf(&sb, ", dropped %.0f (timeout %llu, reset %llu,"
				    " cut %llu; refused %llu)", got,
				    (unsigned long long)ph->transport[LE_TIMEOUT],
				    (unsigned long long)ph->transport[LE_RESET],
				    (unsigned long long)ph->transport[LE_OTHER],
				    (unsigned long long)ph->transport[LE_CONNECT]);
			else if (m->what == LW_RPS)
				sb_addf(&sb, ", %.1f/s", got);
		}
		if (few != NULL)
			sb_addf(&sb, "; no samples: %llu %s in that phase, at least %d"
			    " needed", (unsigned long long)have, few, min);
		runctx_set_observed(rx, sb_detach(&sb));
		rx->outcome = ok ? O_PASS : O_FAIL;
		rx->at_ms = runctx_rel(c, mono_ms());
		if (!ok && c->r->verdict == V_PASS)
			c->r->verdict = V_FAIL;
		if (x->off_parts != NULL)
			runctx_skip(c, xasprintf("load %s: the rest of the check above",
			    c->s->loads[x->load].name), rx->phase, x->line,
			    x->off_parts);
	}
}

static void
slo_row(struct run *c, char *text, char *obs, int ok)
{
	struct res_expect *rx = res_add_expect(c->r);

	rx->phase = xstrdup("slo");
	rx->text = text;
	rx->observed = obs;
	rx->outcome = ok ? O_PASS : O_FAIL;
	rx->line = c->s->slo.line;
	rx->at_ms = runctx_rel(c, mono_ms());
	if (!ok && c->r->verdict == V_PASS)
		c->r->verdict = V_FAIL;
}

/* The SLO over the drill's own traffic, and the error budget it burned. */
void
eval_slo(struct run *c)
{
	const struct scen_slo *slo = &c->s->slo;
	struct res_slo *rs = &c->r->slo;
	const struct res_load_phase *all;
	double share;

	if (slo->load < 0 || c->r->nloads == 0)
		return;
	if (c->s->loads[slo->load].off != NULL) {
		runctx_skip(c, xasprintf("the SLO on load '%s'", c->s->loads[slo->load].
		    name), "slo", slo->line, c->s->loads[slo->load].off);
		return;
	}
	all = &c->r->loads[slo->load].ph[3];
	share = all->requests ? (double)all->errors / (double)all->requests : 0;
	/* an objective judged on no traffic is met by nothing */
	int enough = all->requests >= EXPECT_MIN_LOAD;
	rs->set = 1;
	rs->load = xstrdup(c->s->loads[slo->load].name);
	rs->window_s = all->seconds;
	rs->requests = all->requests;
	rs->errors = all->errors;
	rs->availability = slo->availability;
	rs->burned_s = share * all->seconds;
	if (slo->p95_ms >= 0)
		slo_row(c, xasprintf("p95 < %gms", slo->p95_ms), xasprintf("p95"
		    " %.2fms%s", all->p95, enough ? "" : "; no samples"), enough &&
		    all->p95 < slo->p95_ms);
	if (slo->errors >= 0)
		slo_row(c, xasprintf("errors < %g%%", slo->errors * 100),
		    xasprintf("%.3f%% (%llu of %llu)", share * 100,
		    (unsigned long long)all->errors, (unsigned long long)all->requests),
		    enough && share < slo->errors);
	if (slo->availability >= 0) {
		rs->budget_requests = (1 - slo->availability) * (double)all->requests;
		rs->budget_s = (1 - slo->availability) * all->seconds;
		rs->burned_pct = rs->budget_requests > 0 ? 100.0 *
		    (double)all->errors / rs->budget_requests : (all->errors ? 100 : 0);
		rs->period_s = (double)slo->period_ms / 1000.0;
		rs->period_budget_s = (1 - slo->availability) * rs->period_s;
		rs->period_burned_pct = rs->period_budget_s > 0 ? 100.0 *
		    rs->burned_s / rs->period_budget_s : 0;
		rs->burn_rate = share / (1 - slo->availability);
		slo_row(c, xasprintf("availability >= %g%%", slo->availability * 100),
		    xasprintf("%.3f%%; error budget burned %.1f%%", 100 * (1 - share),
		    rs->burned_pct), enough && 1 - share >= slo->availability);
	}
}
