/*
 * json.c — the result as JSON: everything the other renderers show, plus the
 * raw probe series, so a result can be re-rendered or merged later.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

static json_t *
ms_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static void expectations(json_t *j, const struct result *r);
static json_t *faults(const struct result *r);
static json_t *probes(const struct result *r);
static json_t *loads(const struct result *r);
static json_t *bursts(const struct result *r);

/* What the verdict was measured against and what stopped it early: the
 * baseline's comparison (run --baseline), a guardrail's abort. */
static void
verdict_context(json_t *j, const struct result *r)
{
	/* against a baseline (run --baseline): what changed */
	if (r->cmp.set) {
		json_t *items = json_array();
		for (size_t i = 0; i < r->cmp.n; i++)
			json_array_append_new(items, json_pack("{s:s,s:s,s:b}",
			    "what", r->cmp.items[i].what, "detail",
			    r->cmp.items[i].detail, "regression",
			    r->cmp.items[i].regression));
		json_object_set_new(j, "comparison", json_pack("{s:s,s:b,s:I,s:I,"
		    "s:o}", "baseline", r->cmp.baseline, "in_baseline",
		    r->cmp.in_baseline, "regressions",
		    (json_int_t)r->cmp.regressions, "improvements",
		    (json_int_t)r->cmp.improvements, "items", items));
	}
	/* a guardrail stopped it: which, what it saw, when, how fast it undid */
	json_object_set_new(j, "abort", !r->abort.set ? json_null() :
	    json_pack("{s:s,s:s,s:s,s:i,s:I,s:I}", "by", r->abort.by,
	    "condition", r->abort.condition, "observed", r->abort.observed,
	    "line", r->abort.line, "at_ms", (json_int_t)r->abort.at_ms,
	    "reverted_in_ms", (json_int_t)r->abort.reverted_in_ms));
}

json_t *
rpt_json(const struct result *r)
{
	json_t *j, *a;
	char ts[40], ts2[40];

	j = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}",
	    "schema_version", RPT_SCHEMA_VERSION,
	    "drill", r->drill, "title", r->title, "file", r->file,
	    "target", r->target, "verdict", res_verdict_name(r->verdict),
	    "started", iso8601_ms(r->started_wall_ms, ts, sizeof ts),
	    "faults_started", iso8601_ms(r->faults_wall_ms, ts2, sizeof ts2),
	    "duration_ms", (json_int_t)r->duration_ms);
	json_object_set_new(j, "started_ms", json_integer(r->started_wall_ms));
	json_object_set_new(j, "faults_started_ms",
	    json_integer(r->faults_wall_ms));
	json_object_set_new(j, "exit_code", json_integer(res_exit_code(r)));
	json_object_set_new(j, "deadline", json_boolean(r->deadline));
	json_object_set_new(j, "reason", r->reason ? json_string(r->reason) :
	    json_null());
	json_object_set_new(j, "tls_insecure", r->tls_insecure ?
	    json_string(r->tls_insecure) : json_null());
	verdict_context(j, r);
	expectations(j, r);
	json_object_set_new(j, "faults", faults(r));
	a = json_array();
	for (size_t i = 0; i < r->nevents; i++)
		json_array_append_new(a, json_pack("{s:I,s:s}", "t_ms",
		    (json_int_t)r->events[i].t_ms, "event", r->events[i].what));
	json_object_set_new(j, "timeline", a);
	json_object_set_new(j, "probes", probes(r));
	json_object_set_new(j, "loads", loads(r));
	json_object_set_new(j, "bursts", bursts(r));
	a = json_array();
	for (size_t i = 0; i < r->nwrites; i++) {
		const struct res_writes *w = &r->writes[i];
		json_t *la = json_array();
		for (size_t k = 0; k < w->nlost_at; k++)
			json_array_append_new(la, json_integer(w->lost_at_ms[k]));
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,"
		    "s:I,s:I,s:I,s:b,s:s?,s:o}", "probe", w->probe, "key_prefix",
		    w->key_prefix, "at_ms", (json_int_t)w->at_ms,
		    "acknowledged", (json_int_t)w->acknowledged,
		    "failed", (json_int_t)w->failed, "lost", (json_int_t)w->lost,
		    "rpo_ms", (json_int_t)w->rpo_ms, "rpo_resolution_ms",
		    (json_int_t)w->rpo_res_ms, "rto_ms", (json_int_t)w->rto_ms,
		    "rto_resolution_ms", (json_int_t)w->rto_res_ms,
		    "recovered", w->recovered, "lost_keys", w->lost_keys,
		    "lost_at_ms", la));
		json_object_set_new(json_array_get(a, json_array_size(a) - 1),
		    "outcome", json_string(res_outcome_name(w->outcome)));
	}
	json_object_set_new(j, "writes", a);
	if (r->slo.set)
		json_object_set_new(j, "slo", json_pack("{s:s,s:f,s:I,s:I,s:o,s:f,"
		    "s:f,s:f,s:f}", "load", r->slo.load, "window_s", r->slo.window_s,
		    "requests", (json_int_t)r->slo.requests,
		    "errors", (json_int_t)r->slo.errors, "availability",
		    r->slo.availability >= 0 ? json_real(r->slo.availability) :
		    json_null(), "budget_requests", r->slo.budget_requests,
		    "budget_s", r->slo.budget_s, "burned_s", r->slo.burned_s,
		    "burned_pct", r->slo.burned_pct));
	if (r->slo.set && r->slo.availability >= 0) {
		json_t *slo = json_object_get(j, "slo");
		json_object_set_new(slo, "period_s", json_real(r->slo.period_s));
		json_object_set_new(slo, "period_budget_s",
		    json_real(r->slo.period_budget_s));
		json_object_set_new(slo, "period_burned_pct",
		    json_real(r->slo.period_burned_pct));
		json_object_set_new(slo, "burn_rate", json_real(r->slo.burn_rate));
	}
	return j;
}

/* expectations, and key_times: those that measured a time (as:) */
static void
expectations(json_t *j, const struct result *r)
{
	json_t *a = json_array(), *keys = json_array();

	for (size_t i = 0; i < r->nex; i++) {
		const struct res_expect *x = &r->ex[i];
		json_array_append_new(a, json_pack("{s:s,s:s,s:s?,s:s,s:o,s:o,"
		    "s:I,s:i,s:s?}", "phase", x->phase, "expected", x->text,
		    "observed", x->observed, "outcome", res_outcome_name(x->outcome),
		    "elapsed_ms", ms_or_null(x->elapsed_ms),
		    "resolution_ms", ms_or_null(x->elapsed_ms < 0 ? -1 :
		    x->resolution_ms), "at_ms", (json_int_t)x->at_ms,
		    "line", x->line, "as", x->as));
		if (x->as == NULL)
			continue;
		json_t *k = json_pack("{s:s,s:o,s:o,s:s,s:o}", "name", x->as,
		    "elapsed_ms", ms_or_null(x->elapsed_ms), "resolution_ms",
		    ms_or_null(x->elapsed_ms < 0 ? -1 : x->resolution_ms),
		    "outcome", res_outcome_name(x->outcome), "bound_ms",
		    ms_or_null(x->bound_ms));
		/* against its fault step: from its start, before its end, or
		 * nothing changed (schema 3) */
		json_t *e0 = json_array_get(a, json_array_size(a) - 1);
		if (x->from_start_ms >= 0) {
			json_object_set_new(k, "from_step_start_ms",
			    json_integer(x->from_start_ms));
			json_object_set_new(k, "from_step_start_resolution_ms",
			    json_integer(x->from_start_res_ms));
		}
		if (x->before_end_ms >= 0)
			json_object_set_new(k, "before_step_end_ms",
			    json_integer(x->before_end_ms));
		if (x->no_change)
			json_object_set_new(k, "no_change", json_true());
		const char *kk;
		json_t *kv;
		json_object_foreach(k, kk, kv)
			if (strcmp(kk, "from_step_start_ms") == 0 || strcmp(kk,
			    "from_step_start_resolution_ms") == 0 || strcmp(kk,
			    "before_step_end_ms") == 0 || strcmp(kk, "no_change") == 0)
				json_object_set(e0, kk, kv);
		/* how much worse than a baseline it may get (schema 2) */
		if (x->regress_pct >= 0)
			json_object_set_new(k, "regress_pct",
			    json_real(x->regress_pct * 100));
		else if (x->regress_ms >= 0)
			json_object_set_new(k, "regress_ms",
			    json_integer(x->regress_ms));
		json_array_append_new(keys, k);
		/* the same on the expectation, so a result read back keeps it */
		json_t *e = json_array_get(a, json_array_size(a) - 1);
		json_object_set(e, "bound_ms", json_object_get(k, "bound_ms"));
		if (json_object_get(k, "regress_pct"))
			json_object_set(e, "regress_pct", json_object_get(k,
			    "regress_pct"));
		if (json_object_get(k, "regress_ms"))
			json_object_set(e, "regress_ms", json_object_get(k,
			    "regress_ms"));
	}
	/* a writer's RPO and write outage are key times too */
	for (size_t w = 0; w < r->nwrites; w++) {
		struct rpt_wkey wk[2];
		size_t nk = rpt_writer_keys(r, w, wk);
		for (size_t i = 0; i < nk; i++)
			json_array_append_new(keys, json_pack("{s:s,s:I,s:I,s:s,s:s,"
			    "s:I}", "name", wk[i].name, "elapsed_ms", (json_int_t)
			    wk[i].ms, "resolution_ms", (json_int_t)wk[i].res_ms,
			    "outcome", res_outcome_name(r->writes[w].outcome), "writer",
			    r->writes[w].probe, "lost", (json_int_t)r->writes[w].lost));
	}
	json_object_set_new(j, "expectations", a);
	json_object_set_new(j, "key_times", keys);
}

static json_t *
faults(const struct result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nfaults; i++) {
		const struct res_fault *f = &r->faults[i];
		json_array_append_new(a, json_pack("{s:s,s:s?,s:b,s:b,s:I,s:o,"
		    "s:s?,s:s?,s:i,s:s?,s:s?}", "action", f->what, "revert",
		    f->revert, "applied", f->applied, "reverted", f->reverted,
		    "applied_ms", (json_int_t)f->applied_ms,
		    "reverted_ms", f->reverted ? json_integer(f->reverted_ms) :
		    json_null(), "error", f->error, "note", f->note,
		    "line", f->line, "proof", f->proof, "proof_figure",
		    f->proof_figure));
	}
	return a;
}

static json_t *
probes(const struct result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nprobes; i++) {
		const struct res_probe *p = &r->probes[i];
		json_t *t = json_array(), *st = json_array(), *lat = json_array();
		for (size_t k = 0; k < p->n; k++) {
			json_array_append_new(t, json_integer(p->t_ms[k]));
			json_array_append_new(st, json_integer(p->status[k]));
			json_array_append_new(lat, json_integer(p->lat_ms[k]));
		}
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:I,s:I,s:f,s:f,"
		    "s:f,s:{s:o,s:o,s:o}}", "name", p->name, "url", p->url,
		    "every_ms", (json_int_t)p->every_ms,
		    "samples", (json_int_t)p->samples,
		    "errors", (json_int_t)p->errors, "p50_ms", p->p50_ms,
		    "p95_ms", p->p95_ms, "max_ms", p->max_ms, "series",
		    "t_ms", t, "status", st, "latency_ms", lat));
		if (p->off != NULL)
			json_object_set_new(json_array_get(a, i), "off",
			    json_string(p->off));
	}
	return a;
}

static json_t *
loads(const struct result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nloads; i++) {
		static const char *pn[] = { "before", "fault", "after", "all" };
		const struct res_load *l = &r->loads[i];
		json_t *phases = json_object(), *sec = json_array();
		for (int p = 0; p < 4; p++) {
			const struct res_load_phase *ph = &l->ph[p];
			json_object_set_new(phases, pn[p], json_pack("{s:I,s:I,s:f,s:f,"
			    "s:{s:f,s:f,s:f,s:f,s:f,s:f},s:{s:I,s:I,s:I,s:I},"
			    "s:{s:I,s:I,s:I,s:I,s:I,s:I}}",
			    "requests", (json_int_t)ph->requests,
			    "errors", (json_int_t)ph->errors, "seconds", ph->seconds,
			    "rps", ph->rps, "latency_ms", "p50", ph->p50, "p90", ph->p90,
			    "p95", ph->p95, "p99", ph->p99, "p999", ph->p999,
			    "max", ph->max, "status", "2xx", (json_int_t)ph->s2xx,
			    "3xx", (json_int_t)ph->s3xx, "4xx", (json_int_t)ph->s4xx,
			    "5xx", (json_int_t)ph->s5xx, "transport",
			    "connect", (json_int_t)ph->transport[0],
			    "timeout", (json_int_t)ph->transport[1],
			    "reset", (json_int_t)ph->transport[2],
			    "dns", (json_int_t)ph->transport[3],
			    "other", (json_int_t)ph->transport[4],
			    "tls", (json_int_t)ph->transport[5]));
			json_t *one = json_object_get(phases, pn[p]);
			json_object_set_new(json_object_get(one, "status"), "429",
			    json_integer((json_int_t)ph->s429));
			json_object_set_new(one, "retry_after",
			    json_integer((json_int_t)ph->retry_after));
			json_object_set_new(json_object_get(one, "latency_ms"),
			    "accepted_p95", json_real(ph->ok_p95));
		}
		for (size_t k = 0; k < l->nsec; k++)
			json_array_append_new(sec, json_pack("{s:I,s:i,s:i,s:f,s:f}",
			    "t_s", (json_int_t)k, "requests", (int)l->sec_requests[k],
			    "errors", (int)l->sec_errors[k], "p50_ms", l->sec_p50[k],
			    "p99_ms", l->sec_p99[k]));
		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:i,s:I,s:o,s:o}",
		    "name", l->name, "url", l->url, "rate", l->rate > 0 ?
		    json_real(l->rate) : json_null(), "connections", l->connections,
		    "start_ms", (json_int_t)l->start_ms, "phases", phases,
		    "series", sec));
		if (l->off != NULL)
			json_object_set_new(json_array_get(a, i), "off",
			    json_string(l->off));
	}
	return a;
}

static json_t *
bursts(const struct result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nbursts; i++) {
		const struct res_burst *b = &r->bursts[i];
		json_t *users = json_array();
		for (int u = 0; u < b->users; u++)
			json_array_append_new(users, json_pack("{s:i,s:i,s:i,s:i,s:i}",
			    "user", u + 1, "sent", b->per_user, "accepted",
			    b->accepted[u], "rejected", b->rejected[u], "other",
			    b->other[u]));
		json_array_append_new(a, json_pack("{s:s,s:i,s:i,s:b,s:I,s:s?,s:o}",
		    "request", b->label, "users", b->users, "per_user", b->per_user,
		    "concurrent", b->concurrent, "release_us",
		    (json_int_t)b->release_us, "why", b->why, "per_user_results",
		    users));
	}
	return a;
}
