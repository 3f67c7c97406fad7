/*
 * ping.c — see ping.h. libpq's connect_timeout is whole seconds (at least
 * 2), so a PostgreSQL check is bounded by that and by statement_timeout.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "ping.h"
#include "redisurl.h"

int
ping_redis(const char *url, int64_t timeout_ms, struct sd_err *e)
{
	redisContext *c;
	redisReply *r;
	struct rurl u;
	int ok;

	if (redisurl_parse(url, &u, e) == -1)
		return -1;
	c = redisurl_connect(&u, timeout_ms, e);
	redisurl_free(&u);
	if (c == NULL)
		return err_prefix(e, "PING");
	r = redisCommand(c, "PING");
	ok = r != NULL && r->type == REDIS_REPLY_STATUS;
	if (!ok)
		err_set(e, "PING: %s", r ? r->str : c->errstr);
	freeReplyObject(r);
	redisFree(c);
	return ok ? 0 : -1;
}

/* libpq's message on one line */
void
ping_pq_error(struct sd_err *e, const char *what, const char *msg)
{
	char *m = xstrdup(msg ? msg : "");
	size_t n;

	for (char *p = m; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	n = strlen(m);
	while (n > 0 && m[n - 1] == ' ')
		m[--n] = '\0';
	err_set(e, "%s: %s", what, m);
	free(m);
}

PGconn *
ping_pg_connect(const char *dsn, const char *app, int64_t timeout_ms,
    int read_only, struct sd_err *e)
{
	char tmo[32], opts[128];
	const char *keys[] = { "dbname", "connect_timeout", "options",
	    "application_name", NULL };
	const char *vals[] = { dsn, tmo, opts, app, NULL };
	PGconn *c;

	if (timeout_ms <= 0)
		timeout_ms = 1000;
	snprintf(tmo, sizeof tmo, "%lld", (long long)(timeout_ms < 2000 ? 2 :
	    (timeout_ms + 999) / 1000));
	snprintf(opts, sizeof opts, "-c statement_timeout=%lld%s",
	    (long long)timeout_ms, read_only ?
	    " -c default_transaction_read_only=on" : "");
	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		ping_pq_error(e, "connect", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

int
ping_pg(const char *dsn, int64_t timeout_ms, struct sd_err *e)
{
	PGconn *c = ping_pg_connect(dsn, "shakedown-ping", timeout_ms, 1, e);
	PGresult *r;
	int ok;

	if (c == NULL)
		return err_prefix(e, "SELECT 1");
	r = PQexec(c, "SELECT 1");
	ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		ping_pq_error(e, "SELECT 1", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

static size_t
discard(char *p, size_t sz, size_t n, void *u)
{
	(void)p, (void)u;
	return sz * n;
}

int
ping_http(const char *url, int64_t timeout_ms, struct sd_err *e)
{
	CURL *h = curl_easy_init();
	long code = 0;
	CURLcode rc;

	if (h == NULL)
		return err_set(e, "GET %s: cannot make a request", url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK)
		return err_set(e, "GET %s: %s", url, curl_easy_strerror(rc));
	if (code < 200 || code > 299)
		return err_set(e, "GET %s: status %ld", url, code);
	return 0;
}

int
ping_kind(const char *kind, const char *url, int64_t timeout_ms,
    struct sd_err *e)
{
	if (kind == NULL || url == NULL)
		return 0;
	if (strcmp(kind, "redis") == 0)
		return ping_redis(url, timeout_ms, e);
	if (strcmp(kind, "postgres") == 0)
		return ping_pg(url, timeout_ms, e);
	return 0;
}

int
ping_wait(const char *kind, const char *url, int64_t timeout_ms,
    volatile sig_atomic_t *stop, struct sd_err *e)
{
	int64_t end = mono_ms() + timeout_ms;
	struct sd_err last = { "" };

	for (;;) {
		int64_t left = end - mono_ms();
		if (ping_kind(kind, url, left < 1000 ? (left > 100 ? left : 100) :
		    1000, &last) == 0)
			return 0;
		if (mono_ms() >= end)
			return err_set(e, "did not answer within %lldms: %s",
			    (long long)timeout_ms, last.msg);
		if (stop != NULL && *stop)
			return err_set(e, "interrupted while waiting: %s", last.msg);
		sleep_ms(50);
	}
}
