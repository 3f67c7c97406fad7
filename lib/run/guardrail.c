/*
 * guardrail.c — see guardrail.h.
 *
 * The watcher sleeps on the probes' condition variable (woken by every
 * completed sample) for at most 100 ms at a time; each wake-up it reads the
 * new answers of every probe condition in send order (one still in flight
 * holds the later ones back until it completes or times out), and every
 * 100 ms it takes the loads' running totals, the oldest fault's age and the
 * halt markers. A load's window compares the totals now with those taken
 * for: ago, kept in a ring, so a bound is always over the last for:.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail.h"
#include "../check/halt.h"
#include "../check/journal.h"
#include "../base/units.h"

#define TICK_MS 100

struct snap {
	int64_t t;
	struct load_live v;
};

struct cond {
	const struct scen_expect *x;
	int probe_kind;		/* a probe's answers (else a load's totals) */
	size_t next;		/* probe: the next sample to read */
	int64_t streak;		/* probe: sent_ms of the first answer of the
				 * run matching now, -1 */
	size_t nstreak;		/* ... how many answers it holds */
	struct snap *ring;	/* load: totals, every TICK_MS */
	size_t cap, n, head;
};

struct guardrail {
	struct run *c;
	pthread_t th;
	int started;
	atomic_int stop;
	atomic_int armed;
	atomic_int quiet;	/* a trip does not stop the run (reverting) */
	_Atomic int64_t armed_at;
	struct cond *conds;
	size_t nconds;
	char *halt_path;
	struct timespec halt_seen;
	int64_t since_wall;	/* a halt older than this is not ours */
	int64_t last_tick;

	pthread_mutex_t mu;	/* the trip */
	int tripped;
	int64_t trip_ms;
	char *by, *what, *observed;
	int line;
};

/* The first guardrail that holds wins; the run stops. Takes obs. */
static void
trip(struct guardrail *g, const char *by, const char *what, int line,
    char *obs)
{
	pthread_mutex_lock(&g->mu);
	if (g->tripped) {
		pthread_mutex_unlock(&g->mu);
		free(obs);
		return;
	}
	g->tripped = 1;
	g->trip_ms = mono_ms();
	g->by = xstrdup(by);
	g->what = xstrdup(what);
	g->observed = obs;
	g->line = line;
	pthread_mutex_unlock(&g->mu);
	if (!atomic_load(&g->quiet))
		runctx_interrupt(g->c);	/* every step and wait of the run stops */
}

static int
tripped(struct guardrail *g)
{
	int t;

	pthread_mutex_lock(&g->mu);
	t = g->tripped;
	pthread_mutex_unlock(&g->mu);
	return t;
}

/* A probe condition over its new answers; under the probes' lock. */
static void
watch_probe(struct guardrail *g, struct cond *cd)
{
	const struct scen_expect *x = cd->x;
	struct run *c = g->c;
	int64_t from = atomic_load(&g->armed_at) - c->clock.t0;
	struct sample *sm;
	size_t n;
	char b[32];

	sm = runctx_samples(c, x->probe, &n);
	while (cd->next < n && sm[cd->next].done_ms >= 0) {
		struct sample *s = &sm[cd->next++];
		int hit = 1;
		if (s->sent_ms < from)
			continue;
		if (x->no_answer)
			hit = s->status == 0;
		for (size_t i = 0; i < x->nm && hit; i++)
			hit = match_sample(&x->m[i], s);
		if (!hit) {
			cd->streak = -1;
			cd->nstreak = 0;
			continue;
		}
		if (cd->streak < 0)
			cd->streak = s->sent_ms;
		cd->nstreak++;
		if (s->done_ms - cd->streak < x->dur_ms)
			continue;
		char *seen = x->no_answer ? xasprintf("no answer (%s)", s->error ?
		    s->error : "none") : match_observed_at(&x->m[0], s, 0);
		trip(g, "abort condition", x->text, x->line, xasprintf("%s in"
		    " every answer for %s (%zu answer(s))", seen, units_fmt_ms(
		    s->done_ms - cd->streak, b, sizeof b), cd->nstreak));
		free(seen);
		return;
	}
}

/* The totals taken at least w ms before now (and after arming), or NULL:
 * the window is not full yet. */
static const struct snap *
window_start(const struct cond *cd, int64_t now, int64_t w, int64_t armed)
{
	const struct snap *best = NULL;

	for (size_t k = 0; k < cd->n; k++) {
		const struct snap *sn = &cd->ring[(cd->head + cd->cap - 1 - k) %
		    cd->cap];
		if (sn->t < armed)
			break;
		if (now - sn->t >= w) {
			best = sn;
			break;
		}
	}
	return best;
}

static void
push_snap(struct cond *cd, int64_t now, const struct load_live *v)
{
	cd->ring[cd->head].t = now;
	cd->ring[cd->head].v = *v;
	cd->head = (cd->head + 1) % cd->cap;
	if (cd->n < cd->cap)
		cd->n++;
}

/* One bound over a window's requests; *text what it saw. */
static int
bound_holds(const struct load_match *m, const struct snap *a,
    const struct load_live *b, int64_t w_ms, char *text, size_t len)
{
	uint64_t req = b->requests - a->v.requests, err = b->errors -
	    a->v.errors;
	double got;
	char u[32];

	switch (m->what) {
	case LW_ERRORS:
		got = (double)err / (double)req;
		snprintf(text, len, "error share %.1f%% (%llu of %llu)", got * 100,
		    (unsigned long long)err, (unsigned long long)req);
		break;
	case LW_RPS:
		got = (double)req * 1000.0 / (double)w_ms;
		snprintf(text, len, "%.1f requests/s", got);
		break;
	default: {
		double p = m->what == LW_P50 ? 50 : m->what == LW_P90 ? 90 :
		    m->what == LW_P95 ? 95 : m->what == LW_P99 ? 99 : 100;
		got = (double)load_live_percentile(&a->v, b, p) / 1000.0;
		snprintf(text, len, "%s %s", expect_load_what_name(m->what),
		    units_fmt_ms((int64_t)got, u, sizeof u));
		break;
	}
	}
	return cmp_bound(m->op, got, m->v);
}

/* A load (or SLO burn rate) condition over the last for:. */
static void
watch_load(struct guardrail *g, struct cond *cd, int64_t now)
{
	const struct scen_expect *x = cd->x;
	struct run *c = g->c;
	int li = x->slo_burn ? c->s->slo.load : x->load;
	struct load *l = li >= 0 && c->phases.loads != NULL ? c->phases.loads[li] : NULL;
	struct load_live v;
	const struct snap *a;
	char text[160] = "", b[32];
	int holds = 1;

	if (l == NULL)
		return;
	load_live(l, &v);
	push_snap(cd, now, &v);
	if ((a = window_start(cd, now, x->dur_ms, atomic_load(&g->armed_at))) ==
	    NULL)
		return;
	uint64_t req = v.requests - a->v.requests;
	if (req < EXPECT_MIN_LOAD)
		return;		/* too few to say anything */
	if (x->slo_burn) {
		double share = (double)(v.errors - a->v.errors) / (double)req;
		double burn = share / (1 - c->s->slo.availability);
		holds = cmp_bound(x->burn_op, burn, x->burn_v);
		snprintf(text, sizeof text, "burn rate %.1f (error share %.2f%%)",
		    burn, share * 100);
	}
	for (size_t i = 0; i < x->nlm && holds; i++) {
		char one[96];
		holds = bound_holds(&x->lm[i], a, &v, now - a->t, one, sizeof one);
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
		    i ? ", " : "", one);
	}
	if (holds)
		trip(g, "abort condition", x->text, x->line, xasprintf("%s over"
		    " the last %s", text, units_fmt_ms(now - a->t, b, sizeof b)));
}

/* shakedown halt (newer than this run) or the drill's halt_file. */
static void
watch_halts(struct guardrail *g)
{
	const char *hf = g->c->s->halt_file;
	struct stat st;

	if (hf != NULL && stat(hf, &st) == 0) {
		trip(g, "halt_file", hf, 0, xasprintf("%s appeared", hf));
		return;
	}
	if (g->halt_path == NULL || stat(g->halt_path, &st) == -1 ||
	    (st.st_mtim.tv_sec == g->halt_seen.tv_sec &&
	    st.st_mtim.tv_nsec == g->halt_seen.tv_nsec))
		return;
	g->halt_seen = st.st_mtim;
	struct halt_marker m;
	if (halt_read(g->halt_path, &m) == 0 && m.at_wall_ms >= g->since_wall)
		trip(g, "shakedown halt", "shakedown halt", 0, xasprintf("halt"
		    " pressed (pid %d)", (int)m.pid));
}

static void
watch_faults(struct guardrail *g, int64_t now)
{
	int64_t max = g->c->s->max_fault_ms, on = atomic_load(&g->c->stack.oldest_on);
	char b1[32], b2[32], what[64];

	if (max <= 0 || on <= 0 || now - on <= max)
		return;
	snprintf(what, sizeof what, "max_fault_time %s", units_fmt_ms(max, b1,
	    sizeof b1));
	trip(g, "max_fault_time", what, 0, xasprintf("a fault in effect for %s",
	    units_fmt_ms(now - on, b2, sizeof b2)));
}

static void *
loop(void *arg)
{
	struct guardrail *g = arg;
	struct run *c = g->c;

	while (!atomic_load(&g->stop)) {
		int64_t now = mono_ms();
		int armed = atomic_load(&g->armed);
		if (c->ps != NULL) {
			probes_lock(c->ps);
			for (size_t i = 0; i < g->nconds && armed && !tripped(g); i++)
				if (g->conds[i].probe_kind)
					watch_probe(g, &g->conds[i]);
			if (!atomic_load(&g->stop))
				probes_wait(c->ps, now + TICK_MS);
			probes_unlock(c->ps);
		} else {
			sleep_ms(TICK_MS);
		}
		if (tripped(g)) {
			if (c->ps != NULL)
				probes_kick(c->ps);	/* the runner's waits */
			break;
		}
		now = mono_ms();
		if (now - g->last_tick < TICK_MS)
			continue;
		g->last_tick = now;
		watch_halts(g);
		for (size_t i = 0; i < g->nconds && armed && !tripped(g); i++)
			if (!g->conds[i].probe_kind)
				watch_load(g, &g->conds[i], now);
		if (armed && !tripped(g))
			watch_faults(g, now);
	}
	if (tripped(g) && c->ps != NULL)
		probes_kick(c->ps);
	return NULL;
}

int
guardrail_start(struct run *c, struct sd_err *e)
{
	struct guardrail *g = xcalloc(1, sizeof *g);
	const struct scenario *s = c->s;

	g->c = c;
	g->since_wall = c->o->since_wall_ms ? c->o->since_wall_ms :
	    c->r->started_wall_ms;
	pthread_mutex_init(&g->mu, NULL);
	g->conds = xcalloc(s->naborts ? s->naborts : 1, sizeof *g->conds);
	for (size_t i = 0; i < s->naborts; i++) {
		const struct scen_expect *x = &s->aborts[i];
		if (x->off != NULL) {
			/* off by its variable: shown, never silently dropped */
			runctx_skip(c, xasprintf("abort if %s", x->text), "abort", x->line,
			    x->off);
			continue;
		}
		struct cond *cd = &g->conds[g->nconds++];
		cd->x = x;
		cd->probe_kind = x->probe >= 0;
		cd->streak = -1;
		if (!cd->probe_kind) {
			cd->cap = (size_t)(x->dur_ms / TICK_MS) + 4;
			cd->ring = xcalloc(cd->cap, sizeof *cd->ring);
		}
	}
	/* a halt pressed before we started is not for us: its mtime is
	 * remembered, and its time is older than since_wall anyway */
	struct stat st;
	if ((g->halt_path = journal_halt_path(e)) == NULL)
		goto fail;
	if (stat(g->halt_path, &st) == 0 && c->o->since_wall_ms == 0)
		g->halt_seen = st.st_mtim;
	/* a halt already pressed, a halt_file already there: before anything
	 * is applied */
	watch_halts(g);
	if (pthread_create(&g->th, NULL, loop, g) != 0) {
		err_set(e, "guardrails: cannot start their thread");
		goto fail;
	}
	g->started = 1;
	c->gr = g;
	return 0;
fail:
	for (size_t i = 0; i < g->nconds; i++)
		free(g->conds[i].ring);
	free(g->conds);
	free(g->halt_path);
	pthread_mutex_destroy(&g->mu);
	free(g);
	return -1;
}

void
guardrail_arm(struct run *c)
{
	if (c->gr == NULL)
		return;
	atomic_store(&c->gr->armed_at, mono_ms());
	atomic_store(&c->gr->armed, 1);
}

void
guardrail_disarm(struct run *c)
{
	if (c->gr == NULL)
		return;
	atomic_store(&c->gr->quiet, 1);
	atomic_store(&c->gr->armed, 0);
}

void
guardrail_rearm_halts(struct run *c)
{
	if (c->gr == NULL)
		return;
	atomic_store(&c->gr->quiet, 0);
	if (guardrail_tripped(c, NULL))
		runctx_interrupt(c);
}

char *
guardrail_reason(struct run *c)
{
	struct guardrail *g = c->gr;
	char *r = NULL;

	if (g == NULL)
		return NULL;
	pthread_mutex_lock(&g->mu);
	if (g->tripped)
		r = strcmp(g->by, "abort condition") != 0 ? xasprintf("stopped"
		    " by %s: %s", g->by, g->observed) : g->line > 0 ?
		    xasprintf("abort condition held: %s (line %d): %s", g->what,
		    g->line, g->observed) : xasprintf("abort condition held: %s"
		    " (--abort-if): %s", g->what, g->observed);
	pthread_mutex_unlock(&g->mu);
	return r;
}

int
guardrail_tripped(struct run *c, int64_t *at_ms)
{
	int t;

	if (c->gr == NULL)
		return 0;
	pthread_mutex_lock(&c->gr->mu);
	t = c->gr->tripped;
	if (t && at_ms != NULL)
		*at_ms = c->gr->trip_ms;
	pthread_mutex_unlock(&c->gr->mu);
	return t;
}

void
guardrail_stop(struct run *c)
{
	struct guardrail *g = c->gr;
	struct res_abort *ra = &c->r->abort;

	if (g == NULL)
		return;
	atomic_store(&g->stop, 1);
	if (c->ps != NULL)
		probes_kick(c->ps);
	if (g->started)
		pthread_join(g->th, NULL);
	if (g->tripped) {
		ra->set = 1;
		ra->by = g->by;
		ra->condition = g->what;
		ra->observed = g->observed;
		ra->line = g->line;
		ra->at_ms = runctx_rel(c, g->trip_ms);
		ra->reverted_in_ms = -1;
	}
	for (size_t i = 0; i < g->nconds; i++)
		free(g->conds[i].ring);
	free(g->conds);
	free(g->halt_path);
	pthread_mutex_destroy(&g->mu);
	free(g);
	c->gr = NULL;
}
