/*
 * readback.c — a result back from its result.json. A run renders its REPORT.md,
 * junit.xml and charts from the result.json it wrote, read back with this,
 * so `shakedown report` renders the same bytes from the same file. The file
 * may come from anywhere (another machine, an edited copy): every field is
 * type-checked, a missing one takes its empty value, and nothing it says can
 * make a renderer read past an array.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static char *
str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static char *
str_or(json_t *o, const char *k, const char *def)
{
	char *s = str(o, k);

	return s ? s : xstrdup(def);
}

static int64_t
integer(json_t *o, const char *k, int64_t def)
{
	json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);
		/* a double outside int64_t's range would be undefined */
		return d > 9e18 ? INT64_C(9000000000000000000) : d < -9e18 ?
		    -INT64_C(9000000000000000000) : (int64_t)d;
	}
	return def;
}

/* A time in ms: within ±10^15 (31,000 years), so that sums and
 * differences of times never overflow. */
#define MS_LIMIT INT64_C(1000000000000000)

static int64_t
clamp_ms(int64_t v)
{
	return v < -MS_LIMIT ? -MS_LIMIT : v > MS_LIMIT ? MS_LIMIT : v;
}

/* The last millisecond of 9999-12-31, UTC. */
#define WALL_MAX_MS INT64_C(253402300799999)

static int
wall_bad(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	int64_t t = integer(o, k, 0);

	return v != NULL && (!json_is_number(v) || t < 0 || t > WALL_MAX_MS);
}

static int64_t
ms(json_t *o, const char *k, int64_t def)
{
	return clamp_ms(integer(o, k, def));
}

static uint64_t
count(json_t *o, const char *k)
{
	int64_t v = integer(o, k, 0);

	return v < 0 ? 0 : (uint64_t)v;
}

static double
real(json_t *o, const char *k, double def)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : def;
}

static int
flag(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static size_t
len(json_t *a)
{
	return json_is_array(a) ? json_array_size(a) : 0;
}

static int
named(const char *s, const char *const *names, int n, int def)
{
	for (int i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return def;
}

static void
expectations(struct result *r, json_t *a)
{
	static const char *const on[] = { "pass", "fail", "error", "skipped" };

	for (size_t i = 0; i < len(a); i++) {
		json_t *x = json_array_get(a, i);
		struct res_expect *rx = res_add_expect(r);
		const char *o = json_string_value(json_object_get(x, "outcome"));

		rx->phase = str_or(x, "phase", "");
		rx->text = str_or(x, "expected", "");
		rx->observed = str(x, "observed");
		rx->outcome = (enum outcome)named(o, on, 4, O_ERROR);
		rx->as = str(x, "as");
		rx->elapsed_ms = ms(x, "elapsed_ms", -1);
		rx->resolution_ms = ms(x, "resolution_ms", -1);
		rx->at_ms = ms(x, "at_ms", 0);
		rx->line = (int)integer(x, "line", 0);
		rx->bound_ms = integer(x, "bound_ms", -1) < 0 ? -1 :
		    ms(x, "bound_ms", -1);
		double pct = real(x, "regress_pct", -1);
		rx->regress_pct = pct >= 0 && pct <= 10000 ? pct / 100 : -1;
		rx->regress_ms = integer(x, "regress_ms", -1) < 0 ? -1 :
		    ms(x, "regress_ms", -1);
		rx->from_start_ms = integer(x, "from_step_start_ms", -1) < 0 ? -1 :
		    ms(x, "from_step_start_ms", -1);
		rx->from_start_res_ms = integer(x, "from_step_start_resolution_ms",
		    -1) < 0 ? -1 : ms(x, "from_step_start_resolution_ms", -1);
		rx->before_end_ms = integer(x, "before_step_end_ms", -1) < 0 ? -1 :
		    ms(x, "before_step_end_ms", -1);
		rx->no_change = flag(x, "no_change");
	}
}

static void
faults(struct result *r, json_t *a)
{
	for (size_t i = 0; i < len(a); i++) {
		json_t *x = json_array_get(a, i);
		struct res_fault *f = res_add_fault(r);

		f->what = str_or(x, "action", "");
		f->revert = str(x, "revert");
		f->applied = flag(x, "applied");
		f->reverted = flag(x, "reverted");
		f->applied_ms = ms(x, "applied_ms", 0);
		f->reverted_ms = ms(x, "reverted_ms", 0);
		f->error = str(x, "error");
		f->note = str(x, "note");
		f->line = (int)integer(x, "line", 0);
		f->proof = str(x, "proof");
		f->proof_figure = str(x, "proof_figure");
	}
}

static void
probes(struct result *r, json_t *a)
{
	r->nprobes = len(a);
	r->probes = xcalloc(r->nprobes + 1, sizeof *r->probes);
	for (size_t i = 0; i < r->nprobes; i++) {
		json_t *x = json_array_get(a, i), *s = json_object_get(x, "series");
		json_t *t = json_object_get(s, "t_ms"), *st = json_object_get(s,
		    "status"), *lat = json_object_get(s, "latency_ms");
		struct res_probe *p = &r->probes[i];

		p->name = str_or(x, "name", "");
		p->url = str_or(x, "url", "");
		if (json_is_string(json_object_get(x, "off")))
			p->off = str_or(x, "off", "");
		p->every_ms = ms(x, "every_ms", 0);
		p->samples = count(x, "samples");
		p->errors = count(x, "errors");
		p->p50_ms = real(x, "p50_ms", 0);
		p->p95_ms = real(x, "p95_ms", 0);
		p->max_ms = real(x, "max_ms", 0);
		/* the three series as long as the shortest of them */
		p->n = len(t);
		if (len(st) < p->n)
			p->n = len(st);
		if (len(lat) < p->n)
			p->n = len(lat);
		p->t_ms = xcalloc(p->n + 1, sizeof *p->t_ms);
		p->status = xcalloc(p->n + 1, sizeof *p->status);
		p->lat_ms = xcalloc(p->n + 1, sizeof *p->lat_ms);
		for (size_t k = 0; k < p->n; k++) {
			p->t_ms[k] = clamp_ms(json_integer_value(json_array_get(t, k)));
			p->status[k] = (int)json_integer_value(json_array_get(st, k));
			p->lat_ms[k] = clamp_ms(json_integer_value(json_array_get(lat,
			    k)));
		}
	}
}

static void
phase(struct res_load_phase *ph, json_t *x)
{
	static const char *const tn[] = { "connect", "timeout", "reset", "dns",
	    "other", "tls" };
	json_t *lat = json_object_get(x, "latency_ms"), *st = json_object_get(x,
	    "status"), *tr = json_object_get(x, "transport");

	ph->requests = count(x, "requests");
	ph->errors = count(x, "errors");
	ph->seconds = real(x, "seconds", 0);
	ph->rps = real(x, "rps", 0);
	ph->retry_after = count(x, "retry_after");
	ph->p50 = real(lat, "p50", 0);
	ph->p90 = real(lat, "p90", 0);
	ph->p95 = real(lat, "p95", 0);
	ph->p99 = real(lat, "p99", 0);
	ph->p999 = real(lat, "p999", 0);
	ph->max = real(lat, "max", 0);
	ph->ok_p95 = real(lat, "accepted_p95", 0);
	ph->s2xx = count(st, "2xx");
	ph->s3xx = count(st, "3xx");
	ph->s4xx = count(st, "4xx");
	ph->s5xx = count(st, "5xx");
	ph->s429 = count(st, "429");
	for (int i = 0; i < 6; i++)
		ph->transport[i] = count(tr, tn[i]);
}

static void
loads(struct result *r, json_t *a)
{
	static const char *const pn[] = { "before", "fault", "after", "all" };

	r->nloads = len(a);
	r->loads = xcalloc(r->nloads + 1, sizeof *r->loads);
	for (size_t i = 0; i < r->nloads; i++) {
		json_t *x = json_array_get(a, i), *sec = json_object_get(x, "series");
		struct res_load *l = &r->loads[i];

		l->name = str_or(x, "name", "");
		l->url = str_or(x, "url", "");
		if (json_is_string(json_object_get(x, "off")))
			l->off = str_or(x, "off", "");
		l->rate = real(x, "rate", 0);
		l->connections = (int)integer(x, "connections", 0);
		l->start_ms = ms(x, "start_ms", 0);
		for (int p = 0; p < 4; p++)
			phase(&l->ph[p], json_object_get(json_object_get(x, "phases"),
			    pn[p]));
		l->nsec = len(sec);
		l->sec_requests = xcalloc(l->nsec + 1, sizeof *l->sec_requests);
		l->sec_errors = xcalloc(l->nsec + 1, sizeof *l->sec_errors);
		l->sec_p50 = xcalloc(l->nsec + 1, sizeof *l->sec_p50);
		l->sec_p99 = xcalloc(l->nsec + 1, sizeof *l->sec_p99);
		for (size_t k = 0; k < l->nsec; k++) {
			json_t *s = json_array_get(sec, k);
			l->sec_requests[k] = (uint32_t)count(s, "requests");
			l->sec_errors[k] = (uint32_t)count(s, "errors");
			l->sec_p50[k] = real(s, "p50_ms", 0);
			l->sec_p99[k] = real(s, "p99_ms", 0);
		}
	}
}

static void
bursts(struct result *r, json_t *a)
{
	r->nbursts = r->capbursts = len(a);
	r->bursts = xcalloc(r->nbursts + 1, sizeof *r->bursts);
	for (size_t i = 0; i < r->nbursts; i++) {
		json_t *x = json_array_get(a, i), *u = json_object_get(x,
		    "per_user_results");
		struct res_burst *b = &r->bursts[i];
		size_t n = len(u);

		b->label = str_or(x, "request", "");
		b->why = str(x, "why");
		b->per_user = (int)integer(x, "per_user", 0);
		b->concurrent = flag(x, "concurrent");
		b->release_us = integer(x, "release_us", 0);
		/* one row per entry there is, whatever "users" claims */
		b->users = n > 100000 ? 100000 : (int)n;
		b->accepted = xcalloc((size_t)b->users + 1, sizeof *b->accepted);
		b->rejected = xcalloc((size_t)b->users + 1, sizeof *b->rejected);
		b->other = xcalloc((size_t)b->users + 1, sizeof *b->other);
		for (int k = 0; k < b->users; k++) {
			json_t *e = json_array_get(u, (size_t)k);
			b->accepted[k] = (int)integer(e, "accepted", 0);
			b->rejected[k] = (int)integer(e, "rejected", 0);
			b->other[k] = (int)integer(e, "other", 0);
		}
	}
}

static void
writes(struct result *r, json_t *a)
{
	r->nwrites = r->capwrites = len(a);
	r->writes = xcalloc(r->nwrites + 1, sizeof *r->writes);
	for (size_t i = 0; i < r->nwrites; i++) {
		json_t *x = json_array_get(a, i);
		struct res_writes *w = &r->writes[i];

		w->probe = str_or(x, "probe", "");
		w->key_prefix = str_or(x, "key_prefix", "");
		w->at_ms = ms(x, "at_ms", 0);
		w->acknowledged = count(x, "acknowledged");
		w->failed = count(x, "failed");
		w->lost = count(x, "lost");
		w->rpo_ms = ms(x, "rpo_ms", 0);
		w->rto_ms = ms(x, "rto_ms", 0);
		w->rpo_res_ms = ms(x, "rpo_resolution_ms", 0);
		w->rto_res_ms = ms(x, "rto_resolution_ms", 0);
		w->recovered = flag(x, "recovered");
		w->lost_keys = str(x, "lost_keys");
		w->outcome = (enum outcome)named(json_string_value(json_object_get(x,
		    "outcome")), (const char *const []){ "pass", "fail", "error",
		    "skipped" }, 4, O_PASS);
		json_t *la = json_object_get(x, "lost_at_ms");
		size_t nl = len(la) < WRITES_LOST_MAX ? len(la) : WRITES_LOST_MAX;
		w->lost_at_ms = xcalloc(nl + 1, sizeof *w->lost_at_ms);
		for (size_t k = 0; k < nl; k++)
			if (json_is_integer(json_array_get(la, k)))
				w->lost_at_ms[w->nlost_at++] = clamp_ms(
				    json_integer_value(json_array_get(la, k)));
	}
}

static void
slo(struct result *r, json_t *x)
{
	if (!json_is_object(x))
		return;
	r->slo.set = 1;
	r->slo.load = str_or(x, "load", "");
	r->slo.window_s = real(x, "window_s", 0);
	r->slo.requests = count(x, "requests");
	r->slo.errors = count(x, "errors");
	r->slo.availability = real(x, "availability", -1);
	r->slo.budget_requests = real(x, "budget_requests", 0);
	r->slo.budget_s = real(x, "budget_s", 0);
	r->slo.burned_s = real(x, "burned_s", 0);
	r->slo.burned_pct = real(x, "burned_pct", 0);
	r->slo.period_s = real(x, "period_s", 0);
	r->slo.period_budget_s = real(x, "period_budget_s", 0);
	r->slo.period_burned_pct = real(x, "period_burned_pct", 0);
	r->slo.burn_rate = real(x, "burn_rate", 0);
}

/* A comparison with a baseline, as the run wrote it. */
static void
comparison_of(struct result *r, json_t *x)
{
	json_t *a = json_object_get(x, "items");

	if (!json_is_object(x))
		return;
	r->cmp.set = 1;
	r->cmp.baseline = str_or(x, "baseline", "");
	r->cmp.in_baseline = flag(x, "in_baseline");
	for (size_t i = 0; i < len(a) && i < 10000; i++) {
		json_t *it = json_array_get(a, i);
		r->cmp.items = xgrow(r->cmp.items, &r->cmp.cap, r->cmp.n + 1,
		    sizeof *r->cmp.items);
		struct res_cmp_item *c = &r->cmp.items[r->cmp.n++];
		c->what = str_or(it, "what", "");
		c->detail = str_or(it, "detail", "");
		c->regression = flag(it, "regression");
		r->cmp.regressions += (size_t)c->regression;
	}
	r->cmp.improvements = count(x, "improvements");
}

/* A guardrail's trip: only on an ABORTED result, and whole. */
static void
abort_of(struct result *r, json_t *x)
{
	if (!json_is_object(x) || r->verdict != V_ABORTED)
		return;
	r->abort.set = 1;
	r->abort.by = str_or(x, "by", "guardrail");
	r->abort.condition = str_or(x, "condition", "");
	r->abort.observed = str_or(x, "observed", "");
	r->abort.line = (int)integer(x, "line", 0);
	if (r->abort.line < 0 || r->abort.line > 1000000)
		r->abort.line = 0;
	r->abort.at_ms = ms(x, "at_ms", 0);
	r->abort.reverted_in_ms = integer(x, "reverted_in_ms", -1) < 0 ? -1 :
	    ms(x, "reverted_in_ms", -1);
}

struct result *
rpt_from_json(json_t *j, struct sd_err *e)
{
	static const char *const vn[] = { "PASS", "FAIL", "ERROR", "ABORTED",
	    "INVALID" };
	struct result *r;
	json_t *a;
	const char *v;
	int verdict;

	if (!json_is_object(j))
		return err_set(e, "not a shakedown result (no JSON object)"), NULL;
	/* 1 had no bound_ms nor regress: read as none */
	if (integer(j, "schema_version", 0) < 1 ||
	    integer(j, "schema_version", 0) > RPT_SCHEMA_VERSION)
		return err_set(e, "not a shakedown result of schema_version 1 to"
		    " %d", RPT_SCHEMA_VERSION), NULL;
	v = json_string_value(json_object_get(j, "verdict"));
	if ((verdict = named(v, vn, 5, -1)) < 0 ||
	    !json_is_string(json_object_get(j, "drill")))
		return err_set(e, "a result needs a drill and a verdict"), NULL;
	/* a date is a date: from 1970 to the end of 9999, else the file was
	 * made by hand or damaged — refused, never drawn as year -29719 */
	if (wall_bad(j, "started_ms") || wall_bad(j, "faults_started_ms"))
		return err_set(e, "%s is not a date from 1970 to 9999",
		    wall_bad(j, "started_ms") ? "started_ms" : "faults_started_ms"),
		    NULL;
	r = res_new();
	r->drill = str(j, "drill");
	r->title = str_or(j, "title", "");
	r->file = str_or(j, "file", "");
	r->target = str_or(j, "target", "");
	r->verdict = (enum verdict)verdict;
	r->reason = str(j, "reason");
	r->deadline = flag(j, "deadline");
	abort_of(r, json_object_get(j, "abort"));
	r->tls_insecure = str(j, "tls_insecure");
	comparison_of(r, json_object_get(j, "comparison"));
	r->started_wall_ms = ms(j, "started_ms", 0);
	r->faults_wall_ms = ms(j, "faults_started_ms", 0);
	r->duration_ms = ms(j, "duration_ms", 0);
	expectations(r, json_object_get(j, "expectations"));
	faults(r, json_object_get(j, "faults"));
	a = json_object_get(j, "timeline");
	for (size_t i = 0; i < len(a); i++) {
		json_t *x = json_array_get(a, i);
		res_event(r, ms(x, "t_ms", 0), "%s", json_is_string(
		    json_object_get(x, "event")) ? json_string_value(
		    json_object_get(x, "event")) : "");
	}
	probes(r, json_object_get(j, "probes"));
	loads(r, json_object_get(j, "loads"));
	bursts(r, json_object_get(j, "bursts"));
	writes(r, json_object_get(j, "writes"));
	slo(r, json_object_get(j, "slo"));
	return r;
}

struct result *
rpt_load_file(const char *path, char **text, struct sd_err *e)
{
	json_error_t je;
	struct result *r;
	size_t n;
	/* a regular file of bounded size, never a FIFO that would hang us */
	char *buf = read_input_max(path, RPT_FILE_MAX, &n, e), jt[JSON_ERROR_TEXT_LENGTH];
	json_t *j;

	if (buf == NULL)
		return NULL;
	if ((j = json_loadb(buf, n, 0, &je)) == NULL) {
		err_set(e, "%s:%d:%d: %s", path, je.line, je.column,
		    json_error_text(je.text, jt, sizeof jt));
		free(buf);
		return NULL;
	}
	if ((r = rpt_from_json(j, e)) == NULL)
		err_prefix(e, "%s", path);
	json_decref(j);
	if (r != NULL && text != NULL)
		*text = buf;
	else
		free(buf);
	return r;
}
