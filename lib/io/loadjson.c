/*
 * loadjson.c — `shakedown load --json` and the merge of several of those
 * (load generators on several machines, or the pods of a Kubernetes Indexed
 * Job). Each result carries its latency histograms bucket by bucket (every
 * generator uses the same layout, hist.h), so a merge adds buckets and reads
 * the percentiles off the sum: exactly what one generator that had sent
 * every request would have reported. Percentiles are never averaged.
 * Requests, errors, status counts and rates add up.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadjson.h"

static const char *const hist_names[] = { "corrected", "uncorrected",
    "accepted" };

/* A bound no real run reaches (a million years at a million requests a
 * second), far from where sums in uint64 and double lose their way. */
#define LJ_COUNT_MAX (1ULL << 53)

static json_t *
lat_json(const struct hist *h)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f}",
	    "p50", hist_percentile(h, 50) / 1000.0,
	    "p90", hist_percentile(h, 90) / 1000.0,
	    "p95", hist_percentile(h, 95) / 1000.0,
	    "p99", hist_percentile(h, 99) / 1000.0,
	    "p999", hist_percentile(h, 99.9) / 1000.0,
	    "max", h->max_us / 1000.0, "mean", hist_mean(h) / 1000.0);
}

static json_t *
hist_json(const struct hist *h)
{
	json_t *b = json_array();

	for (int i = 0; i < HIST_BUCKETS; i++)
		if (h->c[i] != 0)
			json_array_append_new(b, json_pack("[I,I]",
			    (json_int_t)hist_bucket_value(i), (json_int_t)h->c[i]));
	return json_pack("{s:s,s:i,s:I,s:I,s:I,s:f,s:o}", "unit", "us",
	    "sub_buckets", HIST_SUB, "count", (json_int_t)h->count,
	    "min_us", (json_int_t)(h->count ? h->min_us : 0),
	    "max_us", (json_int_t)h->max_us, "sum_us", h->sum_us, "buckets", b);
}

/* Adds a histogram written by hist_json to h. */
static int
hist_read(struct hist *h, json_t *j, struct sd_err *e)
{
	json_t *b = json_object_get(j, "buckets"), *v;
	int64_t mn = h->min_us, mx = h->max_us;
	double sum = h->sum_us;
	uint64_t n = 0;
	size_t i;

	const char *unit = json_string_value(json_object_get(j, "unit"));

	if (!json_is_array(b) || json_integer_value(json_object_get(j,
	    "sub_buckets")) != HIST_SUB)
		return err_set(e, "a histogram of another layout (sub_buckets %d"
		    " expected)", HIST_SUB);
	if (json_object_get(j, "unit") != NULL && (unit == NULL ||
	    strcmp(unit, "us") != 0))
		return err_set(e, "a histogram in unit '%s': only \"us\""
		    " (microseconds) is read", unit ? unit : "(not a string)");
	/* every count is checked before it is added: a sum that wraps would
	 * turn a merge into made-up percentiles */
	json_array_foreach(b, i, v) {
		json_int_t us = json_integer_value(json_array_get(v, 0));
		json_int_t c = json_integer_value(json_array_get(v, 1));
		uint64_t sum;
		if (!json_is_array(v) || !json_is_integer(json_array_get(v, 0)) ||
		    !json_is_integer(json_array_get(v, 1)) || us < 0 || c < 0)
			return err_set(e, "a histogram bucket is not [µs, count]");
		if (__builtin_add_overflow(n, (uint64_t)c, &sum) ||
		    __builtin_add_overflow(h->count, sum, &sum) ||
		    sum > LJ_COUNT_MAX)
			return err_set(e, "histogram counts add up past %llu: not a"
			    " real run", (unsigned long long)LJ_COUNT_MAX);
		hist_add(h, us, (uint64_t)c);
		n += (uint64_t)c;
	}
	if (n == 0)
		return 0;
	/* the exact extremes and sum as written, not the buckets' midpoints */
	json_int_t jmn = json_integer_value(json_object_get(j, "min_us"));
	json_int_t jmx = json_integer_value(json_object_get(j, "max_us"));
	h->min_us = jmn < mn ? jmn : mn;
	h->max_us = jmx > mx ? jmx : mx;
	h->sum_us = sum + json_number_value(json_object_get(j, "sum_us"));
	return 0;
}

json_t *
loadjson_result(const struct load_spec *sp, const struct load_stats *st,
    const struct load_second *sec, size_t nsec, double secs)
{
	json_t *j, *status = json_object(), *errs = json_object(), *series;
	char code[8];

	for (int i = 0; i < 600; i++) {
		if (st->status[i] == 0)
			continue;
		snprintf(code, sizeof code, "%d", i);
		json_object_set_new(status, code,
		    json_integer((json_int_t)st->status[i]));
	}
	for (int i = 0; i < LE_N; i++)
		json_object_set_new(errs, load_err_name((enum load_err)i),
		    json_integer((json_int_t)st->transport[i]));
	series = json_array();
	for (size_t i = 0; i < nsec; i++)
		json_array_append_new(series, json_pack("{s:I,s:I,s:I,s:f,s:f}",
		    "t_s", (json_int_t)i, "requests", (json_int_t)sec[i].requests,
		    "errors", (json_int_t)sec[i].errors,
		    "p50_ms", sec[i].p50_us / 1000.0,
		    "p99_ms", sec[i].p99_us / 1000.0));
	j = json_pack("{s:s,s:s,s:I,s:I,s:f,s:f,s:f,s:o,s:o,s:o,s:o,s:o,s:i,s:o,"
	    "s:I,s:i}",
	    "url", sp->url, "model", sp->rate > 0 ? "open" : "closed",
	    "requests", (json_int_t)st->requests,
	    "errors", (json_int_t)st->errors,
	    "error_share", st->requests ? (double)st->errors /
	    (double)st->requests : 0.0,
	    "duration_s", secs, "rps", secs > 0 ? (double)st->requests / secs :
	    0.0, "latency_ms", lat_json(&st->lat),
	    "latency_uncorrected_ms", lat_json(&st->raw),
	    "status", status, "errors_by_class", errs, "series", series,
	    "connections", sp->connections,
	    "rate_requested", sp->rate > 0 ? json_real(sp->rate) : json_null(),
	    "retry_after", (json_int_t)st->retry_after, "parts", 1);
	json_object_set_new(j, "histograms", json_pack("{s:o,s:o,s:o}",
	    hist_names[0], hist_json(&st->lat), hist_names[1],
	    hist_json(&st->raw), hist_names[2], hist_json(&st->ok)));
	if (st->tls_handshakes > 0)
		json_object_set_new(j, "tls", json_pack("{s:I,s:I,s:f}",
		    "handshakes", (json_int_t)st->tls_handshakes,
		    "resumed", (json_int_t)st->tls_resumed,
		    "handshake_ms_mean", st->tls_handshake_us / 1000.0 /
		    (double)st->tls_handshakes));
	return j;
}

static void
add_counts(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach(src, k, v) {
		json_t *d = json_object_get(dst, k);
		json_object_set_new(dst, k, json_integer(json_integer_value(d) +
		    json_integer_value(v)));
	}
}

/* A count of a part added to *sum: never negative, never past the bound. */
static int
add_count(uint64_t *sum, const json_t *p, const char *key, const char *name,
    struct sd_err *e)
{
	json_int_t v = json_integer_value(json_object_get(p, key));

	if (v < 0 || (uint64_t)v > LJ_COUNT_MAX - *sum)
		return err_set(e, "%s: %s: %lld is not a count that adds up", name,
		    key, (long long)v);
	*sum += (uint64_t)v;
	return 0;
}

/* What the parts add up to so far. */
struct merged {
	struct hist *h[3];
	json_t *status, *errs, *series;
	uint64_t requests, errors, retry, nparts, hs, resumed;
	double rps, rate, secs, hs_ms;
	long conns;
	int open, closed;
	const char *url;
};

/* Per second: counts add; a second's percentiles cannot be rebuilt from
 * the parts', so they are left out. */
static void
add_series(json_t *series, json_t *sr)
{
	json_t *v;
	size_t t;

	json_array_foreach(sr, t, v) {
		json_t *s = json_array_get(series, t);
		if (s == NULL) {
			s = json_pack("{s:I,s:I,s:I}", "t_s", (json_int_t)t,
			    "requests", (json_int_t)0, "errors", (json_int_t)0);
			json_array_append_new(series, s);
		}
		json_object_set_new(s, "requests", json_integer(
		    json_integer_value(json_object_get(s, "requests")) +
		    json_integer_value(json_object_get(v, "requests"))));
		json_object_set_new(s, "errors", json_integer(
		    json_integer_value(json_object_get(s, "errors")) +
		    json_integer_value(json_object_get(v, "errors"))));
	}
}

/* One part into m; -1 and e if it is not a load's JSON with histograms. */
static int
add_part(struct merged *m, json_t *p, const char *name, struct sd_err *e)
{
	json_t *hs = json_object_get(p, "histograms");
	const char *u;

	if (!json_is_object(p) || !json_is_integer(json_object_get(p,
	    "requests"))) {
		err_set(e, "%s: not the JSON of 'shakedown load --json'", name);
		return -1;
	}
	if (!json_is_object(hs)) {
		err_set(e, "%s: no histograms in it (written by a shakedown"
		    " older than --merge?): percentiles cannot be merged"
		    " without them", name);
		return -1;
	}
	for (int k = 0; k < 3; k++)
		if (hist_read(m->h[k], json_object_get(hs, hist_names[k]), e) ==
		    -1) {
			err_prefix(e, "%s: %s", name, hist_names[k]);
			return -1;
		}
	if (add_count(&m->requests, p, "requests", name, e) == -1 ||
	    add_count(&m->errors, p, "errors", name, e) == -1 ||
	    add_count(&m->retry, p, "retry_after", name, e) == -1)
		return -1;
	m->nparts += json_is_integer(json_object_get(p, "parts")) ?
	    (uint64_t)json_integer_value(json_object_get(p, "parts")) : 1;
	m->rps += json_number_value(json_object_get(p, "rps"));
	if (json_number_value(json_object_get(p, "duration_s")) > m->secs)
		m->secs = json_number_value(json_object_get(p, "duration_s"));
	m->conns += (long)json_integer_value(json_object_get(p, "connections"));
	if (json_is_number(json_object_get(p, "rate_requested"))) {
		m->rate += json_number_value(json_object_get(p,
		    "rate_requested"));
		m->open = 1;
	} else {
		m->closed = 1;
	}
	u = json_string_value(json_object_get(p, "url"));
	if (m->url == NULL)
		m->url = u ? u : "";
	else if (u == NULL || strcmp(m->url, u) != 0)
		m->url = "(several)";
	json_t *t = json_object_get(p, "tls");
	if (json_is_object(t)) {
		uint64_t h = m->hs;
		if (add_count(&m->hs, t, "handshakes", name, e) == -1 ||
		    add_count(&m->resumed, t, "resumed", name, e) == -1)
			return -1;
		m->hs_ms += (double)(m->hs - h) * json_number_value(
		    json_object_get(t, "handshake_ms_mean"));
	}
	add_counts(m->status, json_object_get(p, "status"));
	add_counts(m->errs, json_object_get(p, "errors_by_class"));
	add_series(m->series, json_object_get(p, "series"));
	return 0;
}

json_t *
loadjson_merge(json_t *const *parts, const char *const *names, size_t n,
    struct sd_err *e)
{
	struct merged m = { .status = json_object(), .errs = json_object(),
	    .series = json_array() };
	json_t *j = NULL;

	for (int k = 0; k < 3; k++)
		m.h[k] = hist_new();
	for (size_t i = 0; i < n; i++)
		if (add_part(&m, parts[i], names[i], e) == -1)
			goto out;
	j = json_pack("{s:s,s:s,s:I,s:I,s:f,s:f,s:f,s:o,s:o,s:O,s:O,s:O,s:I,"
	    "s:o,s:I,s:I}", "url", m.url ? m.url : "",
	    "model", m.open && m.closed ? "mixed" : m.open ? "open" : "closed",
	    "requests", (json_int_t)m.requests, "errors", (json_int_t)m.errors,
	    "error_share", m.requests ? (double)m.errors / (double)m.requests :
	    0.0, "duration_s", m.secs, "rps", m.rps, "latency_ms",
	    lat_json(m.h[0]), "latency_uncorrected_ms", lat_json(m.h[1]),
	    "status", m.status, "errors_by_class", m.errs, "series", m.series,
	    "connections", (json_int_t)m.conns,
	    "rate_requested", m.open && !m.closed ? json_real(m.rate) :
	    json_null(), "retry_after", (json_int_t)m.retry,
	    "parts", (json_int_t)m.nparts);
	json_object_set_new(j, "histograms", json_pack("{s:o,s:o,s:o}",
	    hist_names[0], hist_json(m.h[0]), hist_names[1], hist_json(m.h[1]),
	    hist_names[2], hist_json(m.h[2])));
	if (m.hs > 0)
		json_object_set_new(j, "tls", json_pack("{s:I,s:I,s:f}",
		    "handshakes", (json_int_t)m.hs, "resumed",
		    (json_int_t)m.resumed, "handshake_ms_mean", m.hs_ms /
		    (double)m.hs));
out:
	json_decref(m.status);
	json_decref(m.errs);
	json_decref(m.series);
	for (int k = 0; k < 3; k++)
		hist_free(m.h[k]);
	return j;
}

json_t *
loadjson_load_file(const char *path, struct sd_err *e)
{
	json_error_t je;
	size_t n;
	char *buf = read_input_max(path, LJ_FILE_MAX, &n, e), jt[JSON_ERROR_TEXT_LENGTH];
	json_t *j;

	if (buf == NULL)
		return NULL;
	if ((j = json_loadb(buf, n, 0, &je)) == NULL)
		err_set(e, "%s:%d:%d: %s", path, je.line, je.column,
		    json_error_text(je.text, jt, sizeof jt));
	free(buf);
	return j;
}
