/*
 * timeline.c — the probes of a run and what the result keeps of them:
 * starting them (with the scenario's proxy, or none), sampling a probe fast
 * while a key time is measured, every state change as a timeline event,
 * per-probe latency figures and series, and shifting every time to the
 * start of faults at the end.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

struct probe_set *
timeline_start_probes(struct run *c, struct sd_err *e)
{
	size_t n = c->s->nprobes;
	struct probe_def *defs = xcalloc(n ? n : 1, sizeof *defs);
	struct probe_set *ps;

	for (size_t i = 0; i < n; i++) {
		const struct scen_probe *p = &c->s->probes[i];
		defs[i] = (struct probe_def){ p->name, p->rq.method, p->rq.url,
		    p->rq.headers, p->rq.body, p->every_ms, p->timeout_ms,
		    p->fast_ms, c->s->proxy, NULL, p->off != NULL, p->rq.tls,
		    p->mon.kind != MON_NONE ? MON_ANSWER_MAX : 0 };
		/* a writer's keys: unique to this run and this probe */
		if (p->writes_svc >= 0) {
			if (c->key_prefix == NULL)
				c->key_prefix = xcalloc(n, sizeof *c->key_prefix);
			c->key_prefix[i] = xasprintf("sd-%s-%zu", c->stack.run_id, i + 1);
			defs[i].key_prefix = c->key_prefix[i];
		}
	}
	ps = probes_new(defs, n, c->clock.t0, e);
	if (ps != NULL && probes_start(ps, e) == -1) {
		probes_free(ps);
		ps = NULL;
	}
	free(defs);
	return ps;
}

void
timeline_fast(struct run *c, const int *probes, size_t n, int on)
{
	for (size_t i = 0; c->ps != NULL && i < n; i++)
		probes_fast(c->ps, (size_t)probes[i], on);
}

static void
state_key(struct sample *sm, char *key, size_t len)
{
	json_t *st;

	if (sm->status == 0) {
		snprintf(key, len, "no answer (%s)", sm->error);
		return;
	}
	st = match_json_path(sample_json(sm), "status");
	snprintf(key, len, "%d%s%s", sm->status, json_is_string(st) ? " " : "",
	    json_is_string(st) ? json_string_value(st) : "");
}

/* Probe state changes ("200 ok" → "200 degraded") for the timeline. */
void
timeline_transitions(struct run *c)
{
	probes_lock(c->ps);
	for (size_t p = 0; p < c->s->nprobes; p++) {
		char prev[128] = "", key[128];
		size_t n = probes_count(c->ps, p);
		struct res_probe *rp = &c->r->probes[p];

		rp->t_ms = xcalloc(n ? n : 1, sizeof *rp->t_ms);
		rp->status = xcalloc(n ? n : 1, sizeof *rp->status);
		rp->lat_ms = xcalloc(n ? n : 1, sizeof *rp->lat_ms);
		for (size_t i = 0; i < n; i++) {
			struct sample *sm = probes_sample(c->ps, p, i);
			if (sm->done_ms < 0)
				continue;
			rp->t_ms[rp->n] = sm->sent_ms;
			rp->status[rp->n] = sm->status;
			rp->lat_ms[rp->n++] = sm->done_ms - sm->sent_ms;
			rp->samples++;
			rp->errors += sm->status == 0;
			state_key(sm, key, sizeof key);
			if (strcmp(key, prev) != 0) {
				res_event(c->r, sm->done_ms, "probe %s: %s%s%s",
				    c->s->probes[p].name, prev, *prev ? " -> " : "", key);
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

void
timeline_probe_stats(struct run *c)
{
	for (size_t p = 0; p < c->s->nprobes; p++) {
		struct res_probe *rp = &c->r->probes[p];
		int64_t *l = xcalloc(rp->n ? rp->n : 1, sizeof *l);
		size_t k = 0;

		for (size_t i = 0; i < rp->n; i++)
			if (rp->status[i] != 0)
				l[k++] = rp->lat_ms[i];
		if (k > 1)
			qsort(l, k, sizeof *l, cmp_i64);
		if (k > 0) {
			rp->p50_ms = (double)l[(k - 1) / 2];
			rp->p95_ms = (double)l[(size_t)((double)(k - 1) * 0.95)];
			rp->max_ms = (double)l[k - 1];
		}
		free(l);
	}
}

/* Times are kept from t0 while running (the start of faults is not known
 * during the steady check) and shifted to the start of faults here. */
void
timeline_shift(struct run *c)
{
	struct result *r = c->r;
	int64_t d = c->clock.tf - c->clock.t0;

	for (size_t i = 0; i < r->nevents; i++)
		r->events[i].t_ms -= d;
	for (size_t i = 0; i < r->nex; i++)
		r->ex[i].at_ms -= d;
	for (size_t i = 0; i < r->nwrites; i++)
		r->writes[i].at_ms -= d;
	if (r->abort.set)
		r->abort.at_ms -= d;
	for (size_t i = 0; i < r->nfaults; i++) {
		r->faults[i].applied_ms -= d;
		r->faults[i].reverted_ms -= d;
	}
	for (size_t i = 0; i < r->nprobes; i++)
		for (size_t k = 0; k < r->probes[i].n; k++)
			r->probes[i].t_ms[k] -= d;
}
