/*
 * hosts.c — see hosts.h. The checker reads the same fields the connecting
 * code will: a hand-written parser once read after the first '@' while curl
 * read after the authority ("http://10.0.0.1#@127.0.0.1"), and once took
 * the last '@' of a redis URL ("redis://127.0.0.1/@10.0.0.1").
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "hosts.h"
#include "redisurl.h"

int
hosts_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char h[256];
	size_t n = strlen(host);

	/* [::1] → ::1 */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		snprintf(h, sizeof h, "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(h, sizeof h, "%s", host);
	if (strcasecmp(h, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, h, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
		/* ::ffff:127.0.0.1 */
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return 0;
}

static int
allowed(const char *host, const struct hostrule *r)
{
	if (hosts_is_loopback(host))
		return 1;
	for (size_t i = 0; r != NULL && i < r->nallow; i++)
		if (strcasecmp(r->allow[i], host) == 0)
			return 1;
	for (size_t i = 0; r != NULL && i < r->nextra; i++)
		if (strcasecmp(r->extra[i], host) == 0)
			return 1;
	return 0;
}

int
hosts_split(const char *s, char *host, size_t hostlen, int *port,
    struct sd_err *e)
{
	const char *colon, *h = s;
	size_t hl;
	char *end;
	long v;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':')
			return err_set(e, "'%s': expected HOST:PORT ([ADDRESS]:PORT for"
			    " IPv6)", s);
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL || colon == s)
			return err_set(e, "'%s': expected HOST:PORT", s);
		if (memchr(s, ':', (size_t)(colon - s)) != NULL)
			return err_set(e, "'%s': an IPv6 address goes in brackets:"
			    " [ADDRESS]:PORT", s);
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen)
		return err_set(e, "'%s': no host, or one too long", s);
	errno = 0;
	v = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 ||
	    v < 1 || v > 65535)
		return err_set(e, "'%s': a port is a number from 1 to 65535", s);
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (int)v;
	return 0;
}

int
hosts_check_hostport(const char *s, const struct hostrule *r, char *host,
    size_t hostlen, struct sd_err *e)
{
	int port;

	if (hosts_split(s, host, hostlen, &port, e) == -1)
		return -1;
	return allowed(host, r) ? 0 : 1;
}

static int
url_host(const char *url, char *host, size_t hostlen, struct sd_err *e)
{
	CURLU *h = curl_url();
	char *v = NULL;
	int rc = 0;

	if (curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK || curl_url_get(h, CURLUPART_HOST, &v, 0) != CURLUE_OK ||
	    v == NULL || *v == '\0')
		rc = err_set(e, "cannot parse the URL (or it has no host)");
	else
		snprintf(host, hostlen, "%s", v);
	curl_free(v);
	curl_url_cleanup(h);
	return rc;
}

int
hosts_check_url(const char *url, const struct hostrule *r, char *host,
    size_t hostlen, struct sd_err *e)
{
	if (strncmp(url, "redis://", 8) == 0) {
		struct rurl u;
		if (redisurl_parse(url, &u, e) == -1)
			return -1;
		snprintf(host, hostlen, "%s", u.host);
		redisurl_free(&u);
	} else if (strncmp(url, "http://", 7) == 0 ||
	    strncmp(url, "https://", 8) == 0) {
		if (url_host(url, host, hostlen, e) == -1)
			return -1;
	} else {
		return err_set(e, "not an http://, https:// or redis:// URL");
	}
	return allowed(host, r) ? 0 : 1;
}

static PQconninfoOption *
dsn_parse(const char *dsn, struct sd_err *e)
{
	PQconninfoOption *o;
	char *err = NULL;

	/* libpq's message quotes the DSN, password and all: not shown */
	if ((o = PQconninfoParse(dsn, &err)) == NULL)
		err_set(e, "libpq cannot parse it (expected postgresql://USER@HOST"
		    ":PORT/DB or \"host=H port=P dbname=D\")");
	PQfreemem(err);
	return o;
}

static const char *
opt(const PQconninfoOption *o, const char *key)
{
	for (; o->keyword != NULL; o++)
		if (strcmp(o->keyword, key) == 0)
			return o->val != NULL && *o->val != '\0' ? o->val : NULL;
	return NULL;
}

/*
 * A URI whose user name or password holds an unencoded '@', ':' or '/'
 * reads differently to each parser (libpq takes "u:p@ss@h" as password "p"
 * on host "ss@h"): refused, quoting nothing of it, since any part may be a
 * piece of the password. A host list ("h1:5432,h2:5433") is libpq's alone.
 */
static int
unambiguous(const char *dsn, struct sd_err *e)
{
	const char *auth = strstr(dsn, "://");
	CURLU *h;
	int ok;

	if (auth == NULL)
		return 0;
	auth += 3;
	if (memchr(auth, ',', strcspn(auth, "/?#")) != NULL)
		return 0;
	h = curl_url();
	ok = curl_url_set(h, CURLUPART_URL, dsn, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK;
	curl_url_cleanup(h);
	if (!ok)
		return err_set(e, "the URL reads differently to different parsers"
		    " (percent-encode '@', ':' and '/' in the user name and"
		    " password: %%40, %%3A, %%2F)");
	return 0;
}

int
hosts_dsn_valid(const char *dsn, struct sd_err *e)
{
	PQconninfoOption *o;
	const char *ports;
	int rc = 0;

	if (unambiguous(dsn, e) == -1 || (o = dsn_parse(dsn, e)) == NULL)
		return -1;
	if ((ports = opt(o, "port")) != NULL) {
		const char *p = ports;
		while (rc == 0 && *p != '\0') {
			char *end;
			errno = 0;
			long v = strtol(p, &end, 10);
			if (end == p || errno || v < 1 || v > 65535 ||
			    (*end != ',' && *end != '\0'))
				rc = err_set(e, "bad port '%.*s'", (int)strcspn(p, ","),
				    p);
			p = *end == ',' ? end + 1 : end;
		}
	}
	PQconninfoFree(o);
	return rc;
}

/* Each comma-separated host of list: 0 fine, 1 not (host set). */
static int
check_list(const char *list, const struct hostrule *r, char *host,
    size_t hostlen)
{
	for (const char *p = list; p != NULL && *p != '\0'; ) {
		size_t n = strcspn(p, ",");
		snprintf(host, hostlen, "%.*s", (int)n, p);
		/* a Unix socket directory (or Linux abstract socket) is local */
		if (host[0] != '/' && host[0] != '@' && host[0] != '\0' &&
		    !allowed(host, r))
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

int
hosts_check_dsn(const char *dsn, const struct hostrule *r, char *host,
    size_t hostlen, struct sd_err *e)
{
	PQconninfoOption *o;
	char *hs, *ha;
	int svc, rc;

	if (hosts_dsn_valid(dsn, e) == -1 || (o = dsn_parse(dsn, e)) == NULL)
		return -1;
	hs = dup_or_null(opt(o, "host"));
	ha = dup_or_null(opt(o, "hostaddr"));
	svc = opt(o, "service") != NULL;
	PQconninfoFree(o);
	/* what libpq falls back to when the DSN names no host */
	if (hs == NULL && ha == NULL) {
		hs = dup_or_null(getenv("PGHOST"));
		ha = dup_or_null(getenv("PGHOSTADDR"));
		svc |= hs == NULL && ha == NULL && getenv("PGSERVICE") != NULL &&
		    *getenv("PGSERVICE") != '\0';
	}
	if (svc)
		rc = err_set(e, "a pg_service.conf entry (service=, PGSERVICE)"
		    " names a host that cannot be checked; give host= instead");
	else
		rc = check_list(hs, r, host, hostlen) || check_list(ha, r, host,
		    hostlen);
	free(hs);
	free(ha);
	return rc;
}

int
hosts_port(const char *s)
{
	PQconninfoOption *o;
	struct rurl u;
	char *err = NULL, *v = NULL;
	int port = 0;

	if (strncmp(s, "redis://", 8) == 0) {
		if (redisurl_parse(s, &u, NULL) == 0) {
			port = u.port;
			redisurl_free(&u);
		}
		return port;
	}
	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) {
		CURLU *h = curl_url();
		if (curl_url_set(h, CURLUPART_URL, s, 0) == CURLUE_OK &&
		    curl_url_get(h, CURLUPART_PORT, &v, CURLU_DEFAULT_PORT) ==
		    CURLUE_OK)
			port = atoi(v);
		curl_free(v);
		curl_url_cleanup(h);
		return port;
	}
	if ((o = PQconninfoParse(s, &err)) == NULL) {
		PQfreemem(err);
		return 0;
	}
	const char *p = opt(o, "port");
	port = p ? atoi(p) : 5432;
	const char *h = opt(o, "host");
	if (h != NULL && (h[0] == '/' || h[0] == '@'))
		port = 0;	/* a Unix socket: no TCP port to aim at */
	PQconninfoFree(o);
	return port;
}
