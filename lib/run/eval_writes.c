/*
 * eval_writes.c — the writer's check: its acknowledged writes so far
 * looked up in its database (read-only), judged for lost writes, RPO and
 * RTO, and kept in the result.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "eval_int.h"
#include "../base/units.h"
#include "../io/writes.h"

/* The writer's answered samples as writes: key, when, acknowledged.
 * *k: how many. */
static struct write_rec *
collect(struct run *c, const struct scen_probe *sp, int probe, size_t *k)
{
	struct sample *sm;
	struct write_rec *w;
	size_t n;

	*k = 0;
	probes_lock(c->ps);
	sm = runctx_samples(c, probe, &n);
	w = xcalloc(n ? n : 1, sizeof *w);
	for (size_t i = 0; i < n; i++) {
		if (sm[i].done_ms < 0 || sm[i].key == NULL)
			continue;
		w[*k].key = xstrdup(sm[i].key);
		w[*k].sent_ms = sm[i].sent_ms;
		w[*k].done_ms = sm[i].done_ms;
		w[(*k)++].acked = sm[i].status >= sp->ack.lo &&
		    sm[i].status <= sp->ack.hi;
	}
	probes_unlock(c->ps);
	return w;
}

static void
free_writes(struct write_rec *w, size_t k)
{
	for (size_t i = 0; i < k; i++)
		free((char *)w[i].key);
	free(w);
}

/* The result's row for this check, with the first five lost keys. */
static struct res_writes *
record(struct run *c, const struct scen_probe *sp, int probe,
    const struct write_rec *w, size_t k, const struct writes_stats *st,
    int64_t at_ms)
{
	struct res_writes *rw;
	struct sbuf sb;

	c->r->writes = xgrow(c->r->writes, &c->r->capwrites, c->r->nwrites + 1,
	    sizeof *c->r->writes);
	rw = &c->r->writes[c->r->nwrites++];
	memset(rw, 0, sizeof *rw);
	rw->probe = xstrdup(sp->name);
	rw->key_prefix = xstrdup(c->key_prefix[probe]);
	rw->at_ms = at_ms;
	rw->acknowledged = st->acked;
	rw->failed = st->failed;
	rw->lost = st->lost;
	rw->rpo_ms = st->rpo_ms;
	rw->rpo_res_ms = st->rpo_res_ms;
	rw->rto_ms = st->rto_ms;
	rw->rto_res_ms = st->rto_res_ms;
	rw->recovered = st->recovered;
	/* when each lost write was acknowledged, for the chart */
	rw->lost_at_ms = xcalloc(st->lost ? st->lost : 1, sizeof *rw->lost_at_ms);
	for (size_t i = 0; i < k && rw->nlost_at < WRITES_LOST_MAX; i++)
		if (w[i].acked && !w[i].present)
			rw->lost_at_ms[rw->nlost_at++] = runctx_rel(c, c->clock.t0 +
			    w[i].done_ms);
	sb_init(&sb);
	for (size_t i = 0, shown = 0; i < k && shown < 5; i++)
		if (w[i].acked && !w[i].present)
			sb_addf(&sb, "%s%s", shown++ ? ", " : "", w[i].key);
	if (st->lost > 0)
		rw->lost_keys = sb_detach(&sb);
	else
		sb_free(&sb);
	return rw;
}

/* Every bound of the check met? Nothing acknowledged shows nothing; an
 * RTO of a run of failures still going on is no recovery. */
static int
met(const struct scen_expect *x, const struct writes_stats *st)
{
	int ok = st->acked > 0;

	for (size_t i = 0; i < x->nwm; i++) {
		const struct write_match *m = &x->wm[i];
		double got = m->what == WW_LOST ? (double)st->lost : m->what ==
		    WW_RPO ? (double)st->rpo_ms : m->what == WW_RTO ?
		    (double)st->rto_ms : (double)st->acked;
		ok &= cmp_bound(m->op, got, m->v);
		if (m->what == WW_RTO && !st->recovered)
			ok = 0;
	}
	return ok;
}

/* The writer's acknowledged writes against its database: lost ones, RPO,
 * RTO. Decided at the end of the drill (ev_deferred), over every write of
 * the run — the steady states' too; writes still unanswered when the
 * probes stopped are not counted. */
enum outcome
eval_writes(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	const struct scen_probe *sp = &c->s->probes[x->writes];
	const struct svc *db = &c->s->services[sp->writes_svc];
	struct write_rec *w;
	struct writes_stats st;
	struct res_writes *rw;
	struct sbuf sb;
	struct sd_err e;
	size_t k;
	int64_t now;
	char b1[32], b2[32];

	w = collect(c, sp, x->writes, &k);
	now = mono_ms() - c->clock.t0;
	rx->at_ms = runctx_rel(c, mono_ms());
	if (writes_lookup(db->url, sp->writes_query, w, k, 10000, &e) == -1) {
		runctx_set_observed(rx, xasprintf("cannot check the writes in %s: %s",
		    db->name, e.msg));
		free_writes(w, k);
		return O_ERROR;
	}
	writes_judge(w, k, now, &st);
	rw = record(c, sp, x->writes, w, k, &st, rx->at_ms);
	free_writes(w, k);

	sb_init(&sb);
	sb_addf(&sb, "%llu acknowledged, %llu failed, %llu lost",
	    (unsigned long long)st.acked, (unsigned long long)st.failed,
	    (unsigned long long)st.lost);
	if (rw->lost_keys != NULL)
		sb_addf(&sb, " (%s%s)", rw->lost_keys, st.lost > 5 ? ", ..." : "");
	sb_addf(&sb, "; RPO %s (of lost acknowledged writes); writes failed for"
	    " %s%s", units_fmt_ms(st.rpo_ms, b1, sizeof b1),
	    units_fmt_ms(st.rto_ms, b2, sizeof b2),
	    st.recovered ? "" : " and still fail");
	runctx_set_observed(rx, sb_detach(&sb));
	rw->outcome = met(x, &st) ? O_PASS : O_FAIL;
	return rw->outcome;
}
