/*
 * evaluate.c — deciding expectations: probe windows (the rules are the pure
 * functions of window.c; here they are fed samples under the probes' lock
 * until they decide, the drill is interrupted or a deadline passes),
 * process checks (alive, RSS growth, RSS trend), never: over the fault
 * windows, load bounds over a phase, and the SLO with its error budget.
 *
 * The RSS trend tells a leak from warm-up: a runtime grows its heap while
 * it warms up and then stays flat; a leak keeps growing with the traffic.
 * So it is measured over a window (over:) that the drill places after a
 * warm-up, as the least-squares slope of RSS sampled every 250 ms, and
 * judged per minute or per 1,000 requests served in the window.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/wait.h>

#include "exitwatch.h"
#include "proc.h"
#include "run_int.h"
#include "units.h"
#include "window.h"
#include "writes.h"

#define TREND_EVERY_MS 250

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

/* The probe's samples (contiguous, in send order), under the lock. */
static struct sample *
samples_of(struct run *c, int probe, size_t *n)
{
	*n = probes_count(c->ps, (size_t)probe);
	return *n ? probes_sample(c->ps, (size_t)probe, 0) : NULL;
}

enum wmode { W_NOW, W_WITHIN, W_HOLDS };

/* Wait until the window rule decides, the drill is interrupted, or a
 * deadline passes. from/end are absolute monotonic ms. */
static enum outcome
eval_window(struct run *c, const struct scen_expect *x, enum wmode mode,
    int64_t from, int64_t end, struct res_expect *rx)
{
	double *base = xcalloc(x->nm ? x->nm : 1, sizeof *base);
	struct evx ev = { x, base };
	void *xm = &ev;
	enum win_state st = WIN_PENDING;
	struct win_result wr;
	struct sample *sm;
	size_t n;

	probes_lock(c->ps);
	/* a metric that must rise: above its value in the last answer before
	 * the window (a series not there yet counts as 0) */
	sm = samples_of(c, x->probe, &n);
	for (size_t i = 0; i < x->nm; i++) {
		if (x->m[i].kind != M_METRIC || !x->m[i].rise)
			continue;
		for (size_t k = n; k-- > 0; )
			if (sm[k].done_ms >= 0 && sm[k].sent_ms < from - c->t0 &&
			    sm[k].status >= 200 && sm[k].status <= 299) {
				base[i] = match_metric_value(&x->m[i], &sm[k]);
				break;
			}
	}
	for (;;) {
		sm = samples_of(c, x->probe, &n);
		int64_t f = from - c->t0, e = end - c->t0, now = mono_ms() - c->t0;
		st = mode == W_NOW ? win_now(sm, n, f, match_cb, xm, &wr) :
		    mode == W_WITHIN ? win_within(sm, n, f, e, now, match_cb, xm,
		    &wr) : win_holds(sm, n, f, e, now, match_cb, xm, &wr);
		if (st != WIN_PENDING || rn_stopped(c))
			break;
		probes_wait(c->ps, mono_ms() + 50);
	}
	if (st == WIN_PENDING) {
		rn_set_observed(rx, xstrdup(c->intr ? "interrupted" :
		    c->step_timed_out ? "the step's timeout passed" :
		    "drill deadline (max_duration) reached"));
	} else if (wr.k != SIZE_MAX) {
		char *obs = mode == W_HOLDS && st == WIN_PASS ?
		    xasprintf("held in all %zu samples", wr.seen) :
		    sample_observed(&ev, &sm[wr.k]);
		int64_t lat = sm[wr.k].done_ms - sm[wr.k].sent_ms;
		/* a latency bound met: by how much (the key figure of a
		 * fail-fast check) */
		for (size_t i = 0; i < x->nm && st == WIN_PASS; i++) {
			if (x->m[i].kind != M_LATENCY)
				continue;
			if (mode == W_HOLDS)
				for (size_t k = 0; k < n; k++)
					if (sm[k].sent_ms >= from - c->t0 && sm[k].sent_ms <=
					    end - c->t0 && sm[k].done_ms >= 0 &&
					    sm[k].done_ms - sm[k].sent_ms > lat)
						lat = sm[k].done_ms - sm[k].sent_ms;
			char *o2 = xasprintf("%s; latency %s%lldms", obs, mode ==
			    W_HOLDS ? "at most " : "", (long long)lat);
			free(obs);
			obs = o2;
			break;
		}
		rn_set_observed(rx, obs);
		rx->at_ms = sm[wr.k].done_ms;
	} else {
		rn_set_observed(rx, xstrdup(mode == W_HOLDS ?
		    "no sample in the window" : "no sample completed"));
		rx->at_ms = rn_rel(c, mono_ms());
	}
	if (st == WIN_PASS && mode == W_WITHIN) {
		rx->elapsed_ms = wr.elapsed_ms;
		rx->resolution_ms = wr.resolution_ms;
	}
	probes_unlock(c->ps);
	free(base);
	return st == WIN_PASS ? O_PASS : st == WIN_FAIL ? O_FAIL : O_ERROR;
}

static pid_t
pid_of(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	struct sd_err e;
	pid_t pid = svc_pid(&c->s->services[x->process], &e);

	if (pid == 0)
		rn_set_observed(rx, xstrdup(e.msg));
	return pid;
}

static enum outcome
eval_rss(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	int64_t base = c->rss_base_kib[x->process], now_kib;
	pid_t pid = pid_of(c, x, rx);

	rx->at_ms = rn_rel(c, mono_ms());
	if (pid == 0)
		return O_FAIL;
	if (base < 0 || (now_kib = proc_rss_kib(pid)) < 0) {
		rn_set_observed(rx, xstrdup("RSS unknown at the start of the"
		    " drill"));
		return O_FAIL;
	}
	int64_t growth = (now_kib - base) * 1024;
	rn_set_observed(rx, xasprintf("RSS grew %.1f MiB (%.1f -> %.1f MiB)",
	    (double)growth / 1048576.0, (double)base / 1024.0,
	    (double)now_kib / 1024.0));
	if (x->rss_op == '<' ? growth >= x->rss_growth_bytes :
	    growth > x->rss_growth_bytes)
		return O_FAIL;
	return x->alive == 0 ? O_FAIL : O_PASS;
}

/* Least-squares slope of y over t (KiB per ms). */
static double
slope(const double *t, const double *y, size_t n)
{
	double st = 0, sy = 0, stt = 0, sty = 0;

	for (size_t i = 0; i < n; i++) {
		st += t[i];
		sy += y[i];
		stt += t[i] * t[i];
		sty += t[i] * y[i];
	}
	double d = (double)n * stt - st * st;
	return d != 0 ? ((double)n * sty - st * sy) / d : 0;
}

static enum outcome
eval_trend(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	size_t cap = (size_t)(x->over_ms / TREND_EVERY_MS) + 2, n = 0;
	double *t = xcalloc(cap, sizeof *t), *kib = xcalloc(cap, sizeof *kib);
	int64_t start = mono_ms(), end = start + x->over_ms, v;
	uint64_t req0 = ph_requests(c), reqs;
	enum outcome out = O_PASS;
	pid_t pid = pid_of(c, x, rx);

	while (pid != 0 && n < cap) {
		if ((v = proc_rss_kib(pid)) < 0)
			break;
		t[n] = (double)(mono_ms() - start);
		kib[n++] = (double)v;
		if (mono_ms() >= end || rn_stopped(c))
			break;
		sleep_ms(end - mono_ms() < TREND_EVERY_MS ? end - mono_ms() :
		    TREND_EVERY_MS);
	}
	rx->at_ms = rn_rel(c, mono_ms());
	reqs = ph_requests(c) - req0;
	if (pid == 0 || n < 3 || !proc_alive(pid)) {
		if (pid != 0)
			rn_set_observed(rx, xasprintf("the process ended during the"
			    " window (%zu RSS samples)", n));
		free(t);
		free(kib);
		return rn_stopped(c) ? O_ERROR : O_FAIL;
	}
	double window_s = t[n - 1] / 1000.0;
	double per_min = slope(t, kib, n) * 1024.0 * 60000.0;
	double per_1k = reqs ? per_min * window_s / 60.0 / (double)reqs * 1000 : 0;
	double got = x->trend_per == TREND_MINUTE ? per_min : per_1k;
	rn_set_observed(rx, xasprintf("RSS %.1f -> %.1f MiB over %.1fs (%zu"
	    " samples, %llu requests): trend %+.2f MiB/min, %+.3f MiB per 1000"
	    " requests", kib[0] / 1024.0, kib[n - 1] / 1024.0, window_s, n,
	    (unsigned long long)reqs, per_min / 1048576.0, per_1k / 1048576.0));
	if (x->trend_per == TREND_1K_REQUESTS && reqs == 0) {
		char *o = xasprintf("%s; no request was served in the window, so"
		    " there is no trend per request", rx->observed);
		rn_set_observed(rx, o);
		out = O_FAIL;
	} else if (x->trend_op == '<' ? got >= x->trend_bytes :
	    got > x->trend_bytes) {
		out = O_FAIL;
	}
	if (x->alive == 0)
		out = O_FAIL;
	free(t);
	free(kib);
	return out;
}

/* Before each step: the live pid of each service an exits: names is
 * watched, so an exit a step causes is reported, code and all. */
void
ev_watch_exits(struct run *c)
{
	struct sd_err e;

	for (size_t i = 0; i < c->s->nsteps; i++) {
		const struct scen_expect *x = &c->s->steps[i].expect;
		if (c->s->steps[i].kind != ST_EXPECT || !x->exits)
			continue;
		pid_t pid = svc_pid(&c->s->services[x->process], &e);
		if (pid != 0 && proc_alive(pid) && pid != c->watched[x->process]) {
			c->watched[x->process] = pid;
			if (c->xw != NULL)
				xw_watch(c->xw, pid);
		}
	}
}

static char *
status_text(int st)
{
	if (WIFEXITED(st))
		return xasprintf("exited with code %d", WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		return xasprintf("killed by signal %d (%s)", WTERMSIG(st),
		    strsignal(WTERMSIG(st)));
	return xasprintf("ended (status %#x)", st);
}

/* exits: the watched process ends within dur_ms of the end of the last
 * fault step, with the code (or by the signal) asked. */
static enum outcome
eval_exits(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	pid_t pid = c->watched[x->process];
	int64_t from = c->anchor, end = from + x->dur_ms, at;
	char b[32];
	int st;

	if (pid == 0) {
		rn_set_observed(rx, xstrdup("no process was running to watch"));
		return O_FAIL;
	}
	for (;;) {
		if (c->xw != NULL && xw_exited(c->xw, pid, &st, &at)) {
			char *what = status_text(st);
			int ok = x->exit_code >= 0 ? WIFEXITED(st) &&
			    WEXITSTATUS(st) == x->exit_code : x->exit_signal > 0 ?
			    WIFSIGNALED(st) && WTERMSIG(st) == x->exit_signal : 1;
			ok &= at <= end;
			rn_set_observed(rx, xasprintf("pid %d %s, %s after the"
			    " last fault step", (int)pid, what, units_fmt_ms(at -
			    from, b, sizeof b)));
			free(what);
			rx->at_ms = rn_rel(c, at);
			rx->elapsed_ms = at - from;
			rx->resolution_ms = 20;
			return ok ? O_PASS : O_FAIL;
		}
		if (!proc_alive(pid) && (c->xw == NULL || mono_ms() > end)) {
			/* gone, and no report of how */
			rn_set_observed(rx, xasprintf("pid %d ended, how is unknown:"
			    " %s", (int)pid, c->xw_error ? c->xw_error :
			    "no exit report came"));
			rx->at_ms = rn_rel(c, mono_ms());
			return x->exit_code >= 0 || x->exit_signal > 0 ? O_ERROR :
			    O_PASS;
		}
		if (mono_ms() > end + 200) {
			rn_set_observed(rx, xasprintf("pid %d still running after"
			    " %s", (int)pid, units_fmt_ms(x->dur_ms, b, sizeof b)));
			rx->at_ms = rn_rel(c, mono_ms());
			return O_FAIL;
		}
		if (rn_stopped(c)) {
			rn_set_observed(rx, xstrdup("interrupted"));
			return O_ERROR;
		}
		sleep_ms(20);
	}
}

static enum outcome
eval_process(struct run *c, const struct scen_expect *x, int64_t from,
    struct res_expect *rx)
{
	const struct svc *sv = &c->s->services[x->process];
	int64_t end = from + x->dur_ms;
	struct sd_err e;

	if (x->exits)
		return eval_exits(c, x, rx);
	if (x->trend_bytes >= 0)
		return eval_trend(c, x, rx);
	if (x->rss_growth_bytes >= 0)
		return eval_rss(c, x, rx);
	for (;;) {
		int alive = svc_pid(sv, &e) != 0;
		int ok = alive == x->alive;
		rn_set_observed(rx, xstrdup(alive ? "alive" : e.msg));
		rx->at_ms = rn_rel(c, mono_ms());
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
		if (rn_stopped(c)) {
			rn_set_observed(rx, xstrdup("interrupted"));
			return O_ERROR;
		}
		sleep_ms(20);
	}
}

/* The writer's acknowledged writes so far against its database: lost ones,
 * RPO, RTO. Writes still in flight are not counted yet. */
static enum outcome
eval_writes(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	const struct scen_probe *sp = &c->s->probes[x->writes];
	const struct svc *db = &c->s->services[sp->writes_svc];
	struct write_rec *w;
	struct writes_stats st;
	struct res_writes *rw;
	struct sample *sm;
	struct sbuf sb;
	struct sd_err e;
	size_t n, k = 0;
	int64_t now;
	char b1[32], b2[32];
	int ok = 1;

	probes_lock(c->ps);
	sm = samples_of(c, x->writes, &n);
	w = xcalloc(n ? n : 1, sizeof *w);
	for (size_t i = 0; i < n; i++) {
		if (sm[i].done_ms < 0 || sm[i].key == NULL)
			continue;
		w[k].key = xstrdup(sm[i].key);
		w[k].sent_ms = sm[i].sent_ms;
		w[k].done_ms = sm[i].done_ms;
		w[k++].acked = sm[i].status >= sp->ack.lo &&
		    sm[i].status <= sp->ack.hi;
	}
	probes_unlock(c->ps);
	now = mono_ms() - c->t0;
	rx->at_ms = rn_rel(c, mono_ms());
	if (writes_lookup(db->url, sp->writes_query, w, k, 10000, &e) == -1) {
		rn_set_observed(rx, xasprintf("cannot check the writes in %s: %s",
		    db->name, e.msg));
		for (size_t i = 0; i < k; i++)
			free((char *)w[i].key);
		free(w);
		return O_ERROR;
	}
	writes_judge(w, k, now, &st);
	c->r->writes = xgrow(c->r->writes, &c->r->capwrites, c->r->nwrites + 1,
	    sizeof *c->r->writes);
	rw = &c->r->writes[c->r->nwrites++];
	memset(rw, 0, sizeof *rw);
	rw->probe = xstrdup(sp->name);
	rw->key_prefix = xstrdup(c->key_prefix[x->writes]);
	rw->at_ms = rx->at_ms;
	rw->acknowledged = st.acked;
	rw->failed = st.failed;
	rw->lost = st.lost;
	rw->rpo_ms = st.rpo_ms;
	rw->rto_ms = st.rto_ms;
	rw->recovered = st.recovered;
	sb_init(&sb);
	for (size_t i = 0, shown = 0; i < k && shown < 5; i++)
		if (w[i].acked && !w[i].present)
			sb_addf(&sb, "%s%s", shown++ ? ", " : "", w[i].key);
	if (st.lost > 0)
		rw->lost_keys = sb_detach(&sb);
	else
		sb_free(&sb);
	for (size_t i = 0; i < k; i++)
		free((char *)w[i].key);
	free(w);

	for (size_t i = 0; i < x->nwm; i++) {
		const struct write_match *m = &x->wm[i];
		double got = m->what == WW_LOST ? (double)st.lost : m->what ==
		    WW_RPO ? (double)st.rpo_ms : m->what == WW_RTO ?
		    (double)st.rto_ms : (double)st.acked;
		ok &= cmp_bound(m->op, got, m->v);
		/* an RTO of a run of failures still going on is no recovery */
		if (m->what == WW_RTO && !st.recovered)
			ok = 0;
	}
	if (st.acked == 0)
		ok = 0;		/* nothing written: nothing shown */
	sb_init(&sb);
	sb_addf(&sb, "%llu acknowledged, %llu failed, %llu lost",
	    (unsigned long long)st.acked, (unsigned long long)st.failed,
	    (unsigned long long)st.lost);
	if (rw->lost_keys != NULL)
		sb_addf(&sb, " (%s%s)", rw->lost_keys, st.lost > 5 ? ", ..." : "");
	sb_addf(&sb, "; RPO %s; writes failed for %s%s",
	    units_fmt_ms(st.rpo_ms, b1, sizeof b1),
	    units_fmt_ms(st.rto_ms, b2, sizeof b2),
	    st.recovered ? "" : " and still fail");
	rn_set_observed(rx, sb_detach(&sb));
	return ok ? O_PASS : O_FAIL;
}

/* Load and never: expectations are decided at the end. */
static int
defer(struct run *c, const struct scen_expect *x, size_t idx, int64_t now)
{
	if (x->load >= 0) {
		c->defer = xgrow(c->defer, &c->capdefer, c->ndefer + 1,
		    sizeof *c->defer);
		c->defer[c->ndefer++] = (struct deferred){ x, idx };
	} else if (x->mode == EX_NEVER) {
		c->nevers = xgrow(c->nevers, &c->capnevers, c->nnevers + 1,
		    sizeof *c->nevers);
		c->nevers[c->nnevers++] = (struct never){ x, now, idx };
	} else {
		return 0;
	}
	c->r->ex[idx].outcome = O_SKIPPED;	/* decided at the end */
	return 1;
}

enum outcome
ev_expect(struct run *c, const struct scen_expect *x, const char *phase,
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
	if (defer(c, x, idx, now))
		return O_PASS;
	if (x->writes >= 0) {
		out = eval_writes(c, x, rx);
	} else if (x->process >= 0) {
		out = eval_process(c, x, now, rx);
	} else if (x->mode == EX_HOLDS) {
		out = eval_window(c, x, W_HOLDS, now, now + x->dur_ms, rx);
	} else if (x->mode == EX_WITHIN) {
		/* fast while it waits for the change it measures */
		tl_fast(c, &x->probe, 1, 1);
		out = eval_window(c, x, W_WITHIN, c->anchor, c->anchor + x->dur_ms,
		    rx);
		tl_fast(c, &x->probe, 1, 0);
	} else if (within_default_ms > 0) {
		out = eval_window(c, x, W_WITHIN, now, now + within_default_ms, rx);
	} else {
		out = eval_window(c, x, W_NOW, now, now, rx);
	}
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

/* never: not once while a fault was in effect (each lasting fault's
 * apply..revert), from when it was registered */
static void
eval_never(struct run *c, const struct never *nv)
{
	const struct scen_expect *x = nv->x;
	struct res_expect *rx = &c->r->ex[nv->rx];
	enum win_state st = WIN_PASS;
	struct win_result wr = { SIZE_MAX, 0, 0, 0 };
	struct evx ev = { x, NULL };	/* never: takes no rises: */
	struct sample *sm;
	size_t n, seen = 0;

	probes_lock(c->ps);
	sm = samples_of(c, x->probe, &n);
	for (size_t i = 0; i < c->nap && st == WIN_PASS; i++) {
		const struct applied *a = &c->ap[i];
		if (!a->lasting || a->on == 0)
			continue;
		int64_t lo = a->on > nv->from_abs ? a->on : nv->from_abs;
		int64_t hi = a->off ? a->off : c->faults_end;
		if (hi < lo)
			continue;
		st = win_never(sm, n, lo - c->t0, hi - c->t0, match_cb,
		    &ev, &wr);
		seen += wr.seen;
	}
	if (st == WIN_FAIL) {
		char *obs = sample_observed(&ev, &sm[wr.k]);
		rx->outcome = O_FAIL;
		rx->at_ms = sm[wr.k].done_ms;
		rn_set_observed(rx, xasprintf("seen at %+lldms: %s",
		    (long long)(rx->at_ms - (c->tf - c->t0)), obs));
		free(obs);
	} else {
		rx->outcome = O_PASS;
		rn_set_observed(rx, xasprintf("not seen in %zu samples", seen));
	}
	probes_unlock(c->ps);
}

void
ev_nevers(struct run *c)
{
	for (size_t k = 0; k < c->nnevers; k++)
		eval_never(c, &c->nevers[k]);
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

void
ev_loads(struct run *c)
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
			double got = load_value(ph, m->what);
			ok &= cmp_bound(m->op, got, m->v);
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
		if (ph->requests == 0)
			sb_add(&sb, " (no request completed in that phase)");
		rn_set_observed(rx, sb_detach(&sb));
		rx->outcome = ok ? O_PASS : O_FAIL;
		rx->at_ms = rn_rel(c, mono_ms());
		if (!ok && c->r->verdict == V_PASS)
			c->r->verdict = V_FAIL;
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
	rx->at_ms = rn_rel(c, mono_ms());
	if (!ok && c->r->verdict == V_PASS)
		c->r->verdict = V_FAIL;
}

/* The SLO over the drill's own traffic, and the error budget it burned. */
void
ev_slo(struct run *c)
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
		rs->period_s = (double)slo->period_ms / 1000.0;
		rs->period_budget_s = (1 - slo->availability) * rs->period_s;
		rs->period_burned_pct = rs->period_budget_s > 0 ? 100.0 *
		    rs->burned_s / rs->period_budget_s : 0;
		rs->burn_rate = share / (1 - slo->availability);
		slo_row(c, xasprintf("availability >= %g%%", slo->availability * 100),
		    xasprintf("%.3f%%; error budget burned %.1f%%", 100 * (1 - share),
		    rs->burned_pct), all->requests > 0 &&
		    1 - share >= slo->availability);
	}
}
