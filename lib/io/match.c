/*
 * match.c — see match.h. A sample's body is parsed as JSON at most once.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"
#include "../base/prom.h"
#include "../base/units.h"

int
match_parse_status(const char *s, struct status_pat *p, struct sd_err *e)
{
	char *end;
	long v;

	/* no answer because nothing listens: a server that closed its
	 * listener (shutting down) refuses, it does not hang */
	if (strcmp(s, "refused") == 0) {
		p->lo = p->hi = STATUS_REFUSED;
		return 0;
	}
	if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' &&
	    (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X')) {
		p->lo = (s[0] - '0') * 100;
		p->hi = p->lo + 99;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < 100 || v > 599)
		return err_set(e, "bad status '%s' (expected e.g. 200, 5xx,"
		    " [200, 503], refused)", s);
	p->lo = p->hi = (int)v;
	return 0;
}

int
match_parse_latency(const char *s, struct matcher *m, struct sd_err *e)
{
	const char *p = s;

	while (*p == ' ')
		p++;
	if (p[0] == '<' && p[1] == '=') {
		m->op = 'L';
		p += 2;
	} else if (p[0] == '<') {
		m->op = '<';
		p++;
	} else if (p[0] == '>' && p[1] == '=') {
		m->op = 'G';
		p += 2;
	} else if (p[0] == '>') {
		m->op = '>';
		p++;
	} else {
		return err_set(e, "bad latency bound '%s' (expected e.g. \"< 500ms\")",
		    s);
	}
	while (*p == ' ')
		p++;
	if (units_duration_ms(p, &m->latency_ms, e) == -1)
		return err_prefix(e, "latency");
	return 0;
}

/* A JSON number as YAML's core schema writes a decimal one. */
static int
decimal_number(const char *v)
{
	const char *p = v;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	if (*p == '0' && isdigit((unsigned char)p[1]))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

json_t *
match_scalar_json(const char *v, int plain, struct sd_err *e)
{
	static const char *const nonfinite[] = { "nan", ".nan", "NaN", ".NaN",
	    ".NAN", "inf", ".inf", "-inf", "-.inf", "+.inf", ".Inf", "-.Inf",
	    ".INF", "-.INF", "infinity", "-infinity", "Infinity", "-Infinity",
	    NULL };
	char *end;

	if (!plain)
		return json_string(v);
	if (strcmp(v, "true") == 0)
		return json_true();
	if (strcmp(v, "false") == 0)
		return json_false();
	if (strcmp(v, "null") == 0 || strcmp(v, "~") == 0)
		return json_null();
	for (const char *const *n = nonfinite; *n; n++)
		if (strcmp(v, *n) == 0)
			return err_set(e, "'%s' is not a number JSON can hold (quote"
			    " it to mean the string)", v), NULL;
	if (decimal_number(v)) {
		errno = 0;
		long long i = strtoll(v, &end, 10);
		if (*end == '\0' && errno == 0)
			return json_integer(i);
		double d = strtod(v, &end);
		if (*end == '\0' && isfinite(d))
			return json_real(d);
		return err_set(e, "'%s' is out of range for a JSON number", v),
		    NULL;
	}
	return json_string(v);
}

json_t *
match_json_path(json_t *j, const char *path)
{
	const char *p = path;
	char key[256];

	while (j != NULL && *p != '\0') {
		if (*p == '[') {
			char *end;
			long i = strtol(p + 1, &end, 10);
			if (*end != ']' || !json_is_array(j))
				return NULL;
			j = json_array_get(j, (size_t)i);
			p = end + 1;
		} else {
			size_t n = strcspn(p, ".[");
			if (n >= sizeof key || !json_is_object(j))
				return NULL;
			memcpy(key, p, n);
			key[n] = '\0';
			j = json_object_get(j, key);
			p += n;
		}
		if (*p == '.')
			p++;
	}
	return j;
}


static size_t
each_at(json_t *j, const char *p, struct sbuf *where,
    void (*fn)(void *, const char *, json_t *), void *arg)
{
	size_t mark = where->len, n = 0, i;
	const char *k;
	json_t *v;
	char key[256];

	if (j == NULL)
		return 0;
	if (*p == '\0') {
		fn(arg, where->buf, j);
		return 1;
	}
	if (strncmp(p, "[*]", 3) == 0 || (*p == '*' && (p[1] == '\0' ||
	    p[1] == '.' || p[1] == '['))) {
		const char *rest = p + (*p == '[' ? 3 : 1);
		if (*rest == '.')
			rest++;
		if (json_is_object(j))
			json_object_foreach(j, k, v) {
				sb_addf(where, "%s%s", mark ? "." : "", k);
				n += each_at(v, rest, where, fn, arg);
				where->len = mark;
				where->buf[mark] = '\0';
			}
		else if (json_is_array(j))
			json_array_foreach(j, i, v) {
				sb_addf(where, "[%zu]", i);
				n += each_at(v, rest, where, fn, arg);
				where->len = mark;
				where->buf[mark] = '\0';
			}
		return n;
	}
	if (*p == '[') {
		char *end;
		long ix = strtol(p + 1, &end, 10);
		if (*end != ']' || !json_is_array(j) || ix < 0)
			return 0;
		sb_addf(where, "[%ld]", ix);
		n = each_at(json_array_get(j, (size_t)ix), *(end + 1) == '.' ? end +
		    2 : end + 1, where, fn, arg);
	} else {
		size_t len = strcspn(p, ".[");
		if (len >= sizeof key || !json_is_object(j))
			return 0;
		memcpy(key, p, len);
		key[len] = '\0';
		sb_addf(where, "%s%s", mark ? "." : "", key);
		n = each_at(json_object_get(j, key), p[len] == '.' ? p + len + 1 :
		    p + len, where, fn, arg);
	}
	where->len = mark;
	where->buf[mark] = '\0';
	return n;
}

size_t
match_json_each(json_t *j, const char *path,
    void (*fn)(void *arg, const char *where, json_t *v), void *arg)
{
	struct sbuf where;
	size_t n;

	sb_init(&where);
	n = each_at(j, path, &where, fn, arg);
	sb_free(&where);
	return n;
}

int
match_parse_status_list(const char *s, struct status_pat **pats, size_t *n,
    struct sd_err *e)
{
	char *copy = xstrdup(s), *tok, *save = NULL;

	*pats = NULL;
	*n = 0;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		*pats = xrealloc(*pats, (*n + 1) * sizeof **pats);
		if (match_parse_status(tok, &(*pats)[*n], e) == -1) {
			free(copy);
			free(*pats);
			*pats = NULL;
			*n = 0;
			return -1;
		}
		(*n)++;
	}
	free(copy);
	if (*n == 0)
		return err_set(e, "empty status (expected e.g. 200, 5xx, 500,503)");
	return 0;
}

/* Numbers compare by value (1 == 1.0); everything else structurally. */
static int
json_same(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal(a, b);
}

struct jtally {
	json_t *want;
	size_t n, same;
};

static void
tally(void *arg, const char *where, json_t *v)
{
	struct jtally *t = arg;

	(void)where;
	t->n++;
	t->same += json_same(v, t->want);
}

/* What a path with * found: {"where": value, ...}, the values that are
 * not want first. */
static void
collect(void *arg, const char *where, json_t *v)
{
	json_object_set((json_t *)arg, where[0] ? where : "$", v);
}

/* The value of header name in a raw header block, or NULL. */
static char *
header_value(const char *block, const char *name)
{
	size_t n = strlen(name);
	const char *p = block;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *end;
			while (*v == ' ' || *v == '\t')
				v++;
			end = strpbrk(v, "\r\n");
			return xstrndup(v, end ? (size_t)(end - v) : strlen(v));
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

double
match_metric_value(const struct matcher *m, struct sample *s)
{
	double v = 0;

	if (m->kind == M_PROMQL)
		return match_mon_value(m, s);
	if (s->status != 0 && s->body != NULL)
		prom_value(s->body, m->sel, &v);
	return v;
}

int
match_sample(const struct matcher *m, struct sample *s)
{
	return match_sample_at(m, s, 0);
}

int
match_sample_at(const struct matcher *m, struct sample *s, double base)
{
	char *v;
	int ok;
	double x;

	switch (m->kind) {
	case M_PROMQL:
	case M_ALERT:
		return match_mon_match(m, s, base);
	case M_METRIC:
		if (s->status < 200 || s->status > 299 || s->body == NULL)
			return 0;
		if (m->rise)
			return match_metric_value(m, s) > base;
		return prom_value(s->body, m->sel, &x) > 0 &&
		    cmp_bound(m->op, x, m->value);
	case M_STATUS:
		for (size_t i = 0; i < m->npats; i++) {
			if (m->pats[i].lo == STATUS_REFUSED) {
				if (s->status == 0 && s->error != NULL &&
				    strcmp(s->error, ERR_REFUSED) == 0)
					return 1;
			} else if (s->status >= m->pats[i].lo &&
			    s->status <= m->pats[i].hi) {
				return 1;
			}
		}
		return 0;
	case M_JSON: {
		struct jtally t = { m->want, 0, 0 };
		match_json_each(sample_json(s), m->path, tally, &t);
		/* every value found is want; negated: some value is not */
		return t.n > 0 && (m->negate ? t.same < t.n : t.same == t.n);
	}
	case M_BODY:
		return s->body != NULL && strstr(s->body, m->text) != NULL;
	case M_HEADER:
		if ((v = header_value(s->headers ? s->headers : "", m->text)) == NULL)
			return 0;
		ok = m->hval == NULL || strcmp(v, m->hval) == 0;
		free(v);
		return ok;
	case M_LATENCY: {
		int64_t lat = s->done_ms - s->sent_ms;
		/* no answer is never fast; past a "slower than" bound it is
		 * slow (a timeout after 2s is slower than 1s) */
		if (s->status == 0 && (m->op == '<' || m->op == 'L'))
			return 0;
		return cmp_bound(m->op, (double)lat, (double)m->latency_ms);
	}
	}
	return 0;
}

char *
match_observed(const struct matcher *m, struct sample *s)
{
	return match_observed_at(m, s, 0);
}

char *
match_observed_at(const struct matcher *m, struct sample *s, double base)
{
	json_t *got;
	char *v, *r;
	double x;

	if (s->status == 0 && m->kind != M_LATENCY)
		return xasprintf("no answer (%s)", s->error ? s->error : "error");
	switch (m->kind) {
	case M_PROMQL:
	case M_ALERT:
		return match_mon_observed(m, s, base);
	case M_METRIC:
		v = prom_sel_text(m->sel);
		if (s->status < 200 || s->status > 299)
			r = xasprintf("HTTP %d", s->status);
		else if (s->body == NULL || prom_value(s->body, m->sel, &x) == 0)
			r = m->rise ? xasprintf("%s absent (0, was %g)", v, base) :
			    xasprintf("%s absent", v);
		else
			r = m->rise ? xasprintf("%s = %g (was %g)", v, x, base) :
			    xasprintf("%s = %g", v, x);
		free(v);
		return r;
	case M_STATUS:
		return xasprintf("HTTP %d", s->status);
	case M_JSON:
		if (sample_json(s) == NULL)
			return xstrdup("body is not JSON");
		if (strchr(m->path, '*') != NULL) {
			json_t *all = json_object();
			match_json_each(s->json, m->path, collect, all);
			if (json_object_size(all) == 0) {
				json_decref(all);
				return xasprintf("$.%s: nothing there", m->path);
			}
			v = json_dumps(all, JSON_COMPACT);
			json_decref(all);
			r = xasprintf("$.%s: %s", m->path, v);
			free(v);
			return r;
		}
		got = match_json_path(s->json, m->path);
		if (got == NULL)
			return xasprintf("$.%s absent", m->path);
		v = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
		r = xasprintf("$.%s = %s", m->path, v);
		free(v);
		return r;
	case M_BODY:
		return xasprintf("body %s '%s'", s->body && strstr(s->body,
		    m->text) ? "contains" : "lacks", m->text);
	case M_HEADER:
		v = header_value(s->headers ? s->headers : "", m->text);
		r = v ? xasprintf("%s: %s", m->text, v) :
		    xasprintf("no %s header", m->text);
		free(v);
		return r;
	case M_LATENCY:
		if (s->status == 0)
			return xasprintf("no answer (%s)", s->error ? s->error : "error");
		return xasprintf("latency %lldms", (long long)(s->done_ms - s->sent_ms));
	}
	return xstrdup("?");
}

char *
match_describe(const struct matcher *m)
{
	struct sbuf sb;
	char *v;

	sb_init(&sb);
	switch (m->kind) {
	case M_PROMQL:
	case M_ALERT:
		sb_free(&sb);
		return match_mon_describe(m);
	case M_STATUS:
		sb_add(&sb, "HTTP ");
		for (size_t i = 0; i < m->npats; i++) {
			if (i)
				sb_add(&sb, "|");
			if (m->pats[i].lo == STATUS_REFUSED)
				sb_add(&sb, "refused");
			else if (m->pats[i].hi - m->pats[i].lo == 99)
				sb_addf(&sb, "%dxx", m->pats[i].lo / 100);
			else
				sb_addf(&sb, "%d", m->pats[i].lo);
		}
		break;
	case M_JSON:
		v = json_dumps(m->want, JSON_ENCODE_ANY | JSON_COMPACT);
		if (strchr(m->path, '*') != NULL)
			sb_addf(&sb, m->negate ? "$.%s: some value != %s" :
			    "$.%s: every value = %s", m->path, v);
		else
			sb_addf(&sb, "$.%s %s %s", m->path, m->negate ? "!=" : "=", v);
		free(v);
		break;
	case M_BODY:
		sb_addf(&sb, "body contains '%s'", m->text);
		break;
	case M_HEADER:
		if (m->hval)
			sb_addf(&sb, "header %s: %s", m->text, m->hval);
		else
			sb_addf(&sb, "header %s present", m->text);
		break;
	case M_LATENCY:
		sb_addf(&sb, "latency %s %lldms", m->op == '<' ? "<" : m->op == 'L' ?
		    "<=" : m->op == '>' ? ">" : ">=", (long long)m->latency_ms);
		break;
	case M_METRIC: {
		char *t = prom_sel_text(m->sel);
		if (m->rise)
			sb_addf(&sb, "metric %s rises", t);
		else
			sb_addf(&sb, "metric %s %s %g", t, m->op == '<' ? "<" : m->op ==
			    'L' ? "<=" : m->op == '>' ? ">" : ">=", m->value);
		free(t);
		break;
	}
	}
	return sb_detach(&sb);
}

void
match_free(struct matcher *m)
{
	free(m->pats);
	free(m->path);
	json_decref(m->want);
	free(m->text);
	free(m->hval);
	json_decref(m->labels);
	if (m->sel != NULL) {
		prom_sel_free(m->sel);
		free(m->sel);
	}
}

