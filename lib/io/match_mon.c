/*
 * match_mon.c — what a monitoring probe's answer says (monprobe.h): a
 * PromQL instant query's series and their values, an alert's state. An
 * answer that is an error — Prometheus's {"status":"error"} for a bad
 * query, a non-JSON or non-2xx answer — matches nothing and is shown as
 * that error; an empty result is "no series", never a zero.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "monprobe.h"

/* Why the answer is not a result, or NULL. */
static char *
api_error(struct sample *s)
{
	json_t *j = sample_json(s);
	const char *st = json_string_value(json_object_get(j, "status"));

	char *m;

	if (s->body_cut > 0)
		return xasprintf("the answer is too large: %zu bytes, more than"
		    " the %d MiB read", s->body_cut, MON_ANSWER_MAX >> 20);
	if (j != NULL && st != NULL && strcmp(st, "error") == 0) {
		/* the service's words, quoted and cut as every echo is */
		m = xasprintf("%s: '%s'", json_string_value(json_object_get(j,
		    "errorType")) ? json_string_value(json_object_get(j,
		    "errorType")) : "error", json_string_value(json_object_get(j,
		    "error")) ? json_string_value(json_object_get(j, "error")) :
		    "(no message)");
		err_shorten(m);
		return m;
	}
	if (s->status < 200 || s->status > 299)
		return xasprintf("HTTP %d", s->status);
	if (j == NULL)
		return xstrdup("the answer is not JSON");
	return NULL;
}

/* Does `have` carry every label of `want` (NULL: any)? */
static int
has_labels(json_t *have, json_t *want)
{
	const char *k;
	json_t *v;

	json_object_foreach(want, k, v) {
		const char *h = json_string_value(json_object_get(have, k));
		if (h == NULL || strcmp(h, json_string_value(v)) != 0)
			return 0;
	}
	return 1;
}

/* One series of a query's answer: its labels (borrowed from the sample's
 * JSON) and value. */
struct series1 {
	json_t *lab;
	double val;
};

/* A query's series, every one that carries the wanted labels (as many as
 * the answer holds: nothing is judged on a part of it), into *out (freed
 * by the caller); how many; -1 with *err for an answer that is no vector. */
static int
series(const struct matcher *m, struct sample *s, struct series1 **out,
    char **err)
{
	json_t *d, *r, *e;
	const char *type;
	size_t i;
	int n = 0;

	*out = NULL;
	if ((*err = api_error(s)) != NULL)
		return -1;
	d = json_object_get(sample_json(s), "data");
	type = json_string_value(json_object_get(d, "resultType"));
	r = json_object_get(d, "result");
	if (type != NULL && strcmp(type, "scalar") == 0) {
		*out = xcalloc(1, sizeof **out);
		(*out)[0].val = strtod(json_string_value(json_array_get(r, 1)) ?
		    json_string_value(json_array_get(r, 1)) : "nan", NULL);
		return 1;
	}
	if (type == NULL || strcmp(type, "vector") != 0 || !json_is_array(r)) {
		*err = xasprintf("a %s result: an instant vector or a scalar is"
		    " needed (rate(x[1m]), not x[1m])", type ? type : "malformed");
		return -1;
	}
	*out = xcalloc(json_array_size(r) + 1, sizeof **out);
	json_array_foreach(r, i, e) {
		json_t *lb = json_object_get(e, "metric");
		const char *v = json_string_value(json_array_get(json_object_get(e,
		    "value"), 1));
		if (!has_labels(lb, m->labels))
			continue;
		(*out)[n].lab = lb;
		(*out)[n].val = strtod(v ? v : "nan", NULL);
		n++;
	}
	return n;
}

static int
promql_match(const struct matcher *m, struct sample *s, double base)
{
	struct series1 *sr;
	double sum = 0;
	char *err;
	int n = series(m, s, &sr, &err), ok = 1;

	if (n < 0) {
		free(err);
		return 0;
	}
	if (m->absent || n == 0) {
		free(sr);
		return m->absent ? n == 0 : 0;
	}
	for (int i = 0; i < n; i++)
		sum += sr[i].val;
	for (int i = 0; i < n && !m->rise; i++)
		if (!cmp_bound(m->op, sr[i].val, m->value))
			ok = 0;
	free(sr);
	return m->rise ? sum > base : ok;
}

/* An alert's state in the answer: firing, pending, suppressed (silenced
 * or inhibited in Alertmanager), inactive; NULL with *err. */
static const char *
alert_state(const struct matcher *m, struct sample *s, const char **since,
    char **err)
{
	json_t *j, *a, *e;
	size_t i;
	int firing = 0, pending = 0, suppressed = 0;

	*since = NULL;
	if ((*err = api_error(s)) != NULL)
		return NULL;
	j = sample_json(s);
	a = m->src == MON_ALERT_AM ? j : json_object_get(json_object_get(j,
	    "data"), "alerts");
	if (!json_is_array(a)) {
		*err = xstrdup("the answer is not a list of alerts");
		return NULL;
	}
	json_array_foreach(a, i, e) {
		json_t *lb = json_object_get(e, "labels");
		const char *name = json_string_value(json_object_get(lb,
		    "alertname")), *st;
		if (name == NULL || strcmp(name, m->path) != 0 ||
		    !has_labels(lb, m->labels))
			continue;
		if (m->src == MON_ALERT_AM) {
			st = json_string_value(json_object_get(json_object_get(e,
			    "status"), "state"));
			if (st != NULL && strcmp(st, "suppressed") == 0) {
				suppressed = 1;
				continue;
			}
			firing = 1;
			*since = json_string_value(json_object_get(e, "startsAt"));
		} else {
			st = json_string_value(json_object_get(e, "state"));
			if (st != NULL && strcmp(st, "firing") == 0) {
				firing = 1;
				*since = json_string_value(json_object_get(e,
				    "activeAt"));
			} else if (st != NULL && strcmp(st, "pending") == 0) {
				pending = 1;
			}
		}
	}
	return firing ? "firing" : pending ? "pending" : suppressed ?
	    "suppressed" : "inactive";
}

int
match_mon_match(const struct matcher *m, struct sample *s, double base)
{
	const char *st, *since;
	char *err;

	if (s->status == 0)
		return 0;
	if (m->kind == M_PROMQL)
		return promql_match(m, s, base);
	if ((st = alert_state(m, s, &since, &err)) == NULL) {
		free(err);
		return 0;
	}
	return strcmp(st, m->text) == 0;
}

double
match_mon_value(const struct matcher *m, struct sample *s)
{
	struct series1 *sr = NULL;
	double sum = 0;
	char *err;
	int n = s->status == 0 ? 0 : series(m, s, &sr, &err);

	if (n < 0)
		free(err);
	for (int i = 0; i < n; i++)
		sum += sr[i].val;
	free(sr);
	return sum;
}

static void
labels_text(struct sbuf *sb, json_t *lb)
{
	const char *k;
	json_t *v;
	int first = 1;

	sb_add(sb, "{");
	json_object_foreach(lb, k, v) {
		if (strcmp(k, "__name__") == 0)
			continue;
		sb_addf(sb, "%s%s=\"%s\"", first ? "" : ",", k,
		    json_string_value(v) ? json_string_value(v) : "");
		first = 0;
	}
	sb_add(sb, "}");
}

char *
match_mon_observed(const struct matcher *m, struct sample *s, double base)
{
	struct series1 *sr;
	const char *st, *since;
	struct sbuf sb;
	char *err;
	int n, bad = 0;

	if (m->kind == M_ALERT) {
		if ((st = alert_state(m, s, &since, &err)) == NULL) {
			char *r = xasprintf("%s error: %s", m->src == MON_ALERT_AM ?
			    "Alertmanager" : "Prometheus", err);
			free(err);
			return r;
		}
		return since ? xasprintf("%s %s (since %s)", m->path, st, since) :
		    xasprintf("%s %s", m->path, st);
	}
	if ((n = series(m, s, &sr, &err)) < 0) {
		char *r = xasprintf("Prometheus error: %s", err);
		free(err);
		return r;
	}
	if (n == 0) {
		free(sr);
		return xstrdup("no series (an empty result)");
	}
	sb_init(&sb);
	/* the series that break the bound first: those are the story */
	for (int i = 0; i < n && !m->rise && !m->absent; i++)
		bad += !cmp_bound(m->op, sr[i].val, m->value);
	for (int i = 0, shown = 0; i < n && shown < 3; i++) {
		if (bad > 0 && cmp_bound(m->op, sr[i].val, m->value))
			continue;
		if (shown++)
			sb_add(&sb, ", ");
		if (sr[i].lab != NULL && json_object_size(sr[i].lab) > 0) {
			labels_text(&sb, sr[i].lab);
			sb_add(&sb, " ");
		}
		sb_addf(&sb, "= %g", sr[i].val);
	}
	if (bad > 0 && n > 1)
		sb_addf(&sb, " (%d of %d series out of bounds)", bad, n);
	else if (n > 3)
		sb_addf(&sb, " (%d series)", n);
	free(sr);
	if (m->rise)
		sb_addf(&sb, " (was %g)", base);
	return sb_detach(&sb);
}

char *
match_mon_describe(const struct matcher *m)
{
	struct sbuf sb;
	const char *k;
	json_t *v;

	sb_init(&sb);
	if (m->kind == M_ALERT) {
		sb_addf(&sb, "alert %s", m->path);
		json_object_foreach(m->labels, k, v)
			sb_addf(&sb, " %s=%s", k, json_string_value(v));
		sb_addf(&sb, " %s", m->text);
		return sb_detach(&sb);
	}
	sb_add(&sb, "value");
	if (m->labels != NULL && json_object_size(m->labels) > 0) {
		sb_add(&sb, " of ");
		labels_text(&sb, m->labels);
	}
	if (m->absent)
		sb_add(&sb, " absent");
	else if (m->rise)
		sb_add(&sb, " rises");
	else
		sb_addf(&sb, " %s %g", m->op == '<' ? "<" : m->op == 'L' ? "<=" :
		    m->op == '>' ? ">" : ">=", m->value);
	return sb_detach(&sb);
}
