/*
 * monprobe.c — see monprobe.h. The request is built here, once: the
 * query URL-encoded into /api/v1/query, the alert name and labels into
 * Alertmanager's filter (matched again on the answer, so Prometheus's
 * /api/v1/alerts, which has no filter, reads the same way).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "monprobe.h"
#include "../base/redact.h"
#include "../base/tls.h"
#include "../base/util.h"

const char *const mon_keys[] = { "promql", "prometheus", "alert",
    "alertmanager", "labels", "headers", "tls", NULL };

int
mon_is(const struct ynode *n)
{
	return n->type == Y_MAP && (ynode_get(n, "promql") != NULL ||
	    ynode_get(n, "alert") != NULL);
}

const char *
mon_kind_name(enum mon_kind k)
{
	return k == MON_PROMQL ? "promql" : k == MON_ALERT_AM ?
	    "alert (Alertmanager)" : k == MON_ALERT_PROM ? "alert (Prometheus)" :
	    "http";
}

static char *
esc(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *r;

	r = xstrdup(e ? e : "");
	curl_free(e);
	return r;
}

/* The base URL without a trailing slash; NULL (yerr) when it is none (an
 * empty one stands for "no monitoring here" when the probe is off). */
static char *
base_url(const struct yctx *y, const struct ynode *v, const char *what,
    int off)
{
	char *b;
	size_t n;

	if (ywant(y, v, Y_SCALAR, what) == -1)
		return NULL;
	if (off && v->value[0] == '\0')
		return xstrdup("http://127.0.0.1:1");	/* never asked */
	/* its password is a secret whatever the scheme says, before any
	 * message can quote it */
	redact_learn(v->value);
	if (strncasecmp(v->value, "http://", 7) != 0 &&
	    strncasecmp(v->value, "https://", 8) != 0) {
		/* only the scheme is quoted: whatever follows may hold a
		 * password in a shape no parser recognises */
		size_t sl = strcspn(v->value, ":/@");
		yerr(y, v, "%s: the base URL of its HTTP API (http://host:port)"
		    " is needed; this one's scheme is %s%.*s%s%s", what, sl ? "'" :
		    "", sl > 16 ? 16 : (int)sl, v->value, sl > 16 ? "..." : "",
		    sl ? "'" : "missing");
		return NULL;
	}
	b = xstrdup(v->value);
	/* the scheme is case-insensitive (RFC 3986): written as we compare */
	for (char *p = b; *p != ':'; p++)
		*p = (char)tolower((unsigned char)*p);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	return b;
}

static int
parse_labels(const struct yctx *y, const struct ynode *l, struct mon_probe *m)
{
	if (ywant(y, l, Y_MAP, "labels") == -1)
		return -1;
	m->labels = json_object();
	for (size_t i = 0; i < l->n; i++) {
		if (ywant(y, l->items[i], Y_SCALAR, "a label's value") == -1)
			return -1;
		json_object_set_new(m->labels, l->keys[i]->value,
		    json_string(l->items[i]->value));
	}
	return 0;
}

static char *
alert_url(const char *base, const struct mon_probe *m)
{
	struct sbuf sb;
	const char *k;
	json_t *v;
	char *f, *e;

	if (m->kind == MON_ALERT_PROM)
		return xasprintf("%s/api/v1/alerts", base);
	sb_init(&sb);
	sb_addf(&sb, "%s/api/v2/alerts?active=true", base);
	f = xasprintf("alertname=\"%s\"", m->alert);
	e = esc(f);
	sb_addf(&sb, "&filter=%s", e);
	free(e);
	free(f);
	json_object_foreach(m->labels, k, v) {
		f = xasprintf("%s=\"%s\"", k, json_string_value(v));
		e = esc(f);
		sb_addf(&sb, "&filter=%s", e);
		free(e);
		free(f);
	}
	return sb_detach(&sb);
}

int
mon_parse(const struct yctx *y, const struct ynode *key,
    const struct ynode *n, int off, struct request *rq, struct mon_probe *m)
{
	const struct ynode *q = ynode_get(n, "promql"), *a = ynode_get(n, "alert");
	const struct ynode *p = ynode_get(n, "prometheus");
	const struct ynode *am = ynode_get(n, "alertmanager");
	const struct ynode *l = ynode_get(n, "labels"), *h;
	struct sd_err e;
	char *base = NULL;

	memset(m, 0, sizeof *m);
	for (const char *const *r = request_keys; *r; r++)
		if (ynode_get(n, *r) != NULL && strcmp(*r, "headers") != 0 &&
		    strcmp(*r, "tls") != 0)
			return yerr(y, ynode_get(n, *r), "%s: a probe asks either the"
			    " service (get: ...) or the monitoring (promql: or alert:),"
			    " not both", *r);
	if (q != NULL && a != NULL)
		return yerr(y, a, "a probe is promql: or alert:, not both");
	/* its query or alert name a variable set empty: the probe is off */
	const struct ynode *what = q ? q : a;
	if (what != NULL && what->type == Y_SCALAR && what->value[0] == '\0' &&
	    what->vars != NULL) {
		rq->off = xasprintf("%.*s is set empty", (int)strcspn(what->vars,
		    " "), what->vars);
		off = 1;
	}
	if (q != NULL) {
		if (ywant(y, q, Y_SCALAR, "promql") == -1)
			return -1;
		if (am != NULL || l != NULL)
			return yerr(y, am ? am : l, "%s: goes with alert:, not promql:",
			    am ? "alertmanager" : "labels");
		if (p == NULL)
			return yerr(y, q, "promql: needs prometheus: (the base URL of"
			    " its HTTP API)");
		if ((base = base_url(y, p, "prometheus", off)) == NULL)
			return -1;
		m->kind = MON_PROMQL;
		m->query = xstrdup(q->value);
		char *qe = esc(q->value);
		rq->url = xasprintf("%s/api/v1/query?query=%s", base, qe);
		free(qe);
	} else {
		if (ywant(y, a, Y_SCALAR, "alert") == -1)
			return -1;
		if ((p != NULL) == (am != NULL))
			return yerr(y, a, "alert: needs alertmanager: or prometheus:"
			    " (the base URL of the API to ask), one of them");
		if ((base = base_url(y, am ? am : p, am ? "alertmanager" :
		    "prometheus", off)) == NULL)
			return -1;
		m->kind = am ? MON_ALERT_AM : MON_ALERT_PROM;
		m->alert = xstrdup(a->value);
		if (l != NULL && parse_labels(y, l, m) == -1) {
			free(base);
			return -1;
		}
		rq->url = alert_url(base, m);
	}
	free(base);
	rq->method = xstrdup("GET");
	redact_learn(rq->url);
	if (request_check_url(rq->url, &e) == -1)
		return yerr(y, key, "probe '%s': url %s", key->value, e.msg);
	if ((h = ynode_get(n, "headers")) != NULL &&
	    request_parse_headers(y, h, rq) == -1)
		return -1;
	if ((h = ynode_get(n, "tls")) != NULL) {
		rq->tls = xcalloc(1, sizeof *rq->tls);
		if (tls_parse(y, h, rq->tls) == -1)
			return -1;
	}
	return 0;
}

void
mon_free(struct mon_probe *m)
{
	free(m->query);
	free(m->alert);
	json_decref(m->labels);
	memset(m, 0, sizeof *m);
}

/* The answer, bounded: past MON_ANSWER_MAX the transfer stops (curl's
 * write error), and the caller says "too large". */
static size_t
keep(char *p, size_t sz, size_t n, void *arg)
{
	struct sbuf *sb = arg;

	if (sb->len + sz * n > MON_ANSWER_MAX)
		return 0;
	sb_addn(sb, p, sz * n);
	return sz * n;
}

int
mon_check(const struct mon_probe *m, const struct request *rq,
    int64_t timeout_ms, struct sd_err *e)
{
	const char *api = m->kind == MON_ALERT_AM ? "Alertmanager" :
	    "Prometheus";
	struct curl_slist *hl = NULL;
	CURL *h = curl_easy_init();
	char *url = redact_url(rq->url);
	struct sbuf body;

	/* the API's address: the query is in the drill at the line given,
	 * and echoed whole it would bury the reason */
	url[strcspn(url, "?")] = '\0';
	long code = 0;
	CURLcode rc;
	int ret = 0;

	sb_init(&body);
	for (char **hd = rq->headers; hd != NULL && *hd != NULL; hd++)
		hl = curl_slist_append(hl, *hd);
	struct curl_slist *ct;
	tls_curl(h, rq->tls);
	tls_curl_url(h, rq->url, rq->tls, &ct);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_WRITE_ERROR) {
		ret = err_set(e, "%s at %s answers more than %d MiB: too large"
		    " (a query or an alert list that big cannot be judged)", api, url,
		    MON_ANSWER_MAX >> 20);
	} else if (rc != CURLE_OK) {
		ret = err_set(e, "%s at %s does not answer: %s", api, url,
		    curl_easy_strerror(rc));
	} else {
		json_t *j = json_loadb(body.buf ? body.buf : "", body.len, 0,
		    NULL);
		const char *st = json_string_value(json_object_get(j, "status"));
		if (st != NULL && strcmp(st, "error") == 0)
			ret = err_set(e, "%s at %s: %s: '%s'", api, url,
			    m->kind == MON_PROMQL ? "the query is bad" : "it refuses",
			    json_string_value(json_object_get(j, "error")) ?
			    json_string_value(json_object_get(j, "error")) : "error");
		else if (code < 200 || code > 299)
			ret = err_set(e, "%s at %s answers HTTP %ld", api, url, code);
		else if (j == NULL)
			ret = err_set(e, "%s at %s answers something that is not"
			    " JSON: is it the %s API?", api, url, api);
		json_decref(j);
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	curl_slist_free_all(ct);
	sb_free(&body);
	free(url);
	return ret;
}
