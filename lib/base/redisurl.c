/*
 * redisurl.c — see redisurl.h. A NULL reply from hiredis means the context
 * is dead and cannot be reused: it is freed here, never handed back.
 */
#define _GNU_SOURCE
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "redisurl.h"

static char *
part(CURLU *h, CURLUPart what, unsigned flags)
{
	char *v = NULL, *copy;

	if (curl_url_get(h, what, &v, flags) != CURLUE_OK || v == NULL)
		return NULL;
	copy = xstrdup(v);
	curl_free(v);
	return copy;
}

static int
bad(struct rurl *u, CURLU *h, struct sd_err *e, const char *why)
{
	redisurl_free(u);
	curl_url_cleanup(h);
	return err_set(e, "bad redis url: %s (expected"
	    " redis://[:PASSWORD@]HOST[:PORT][/DB])", why);
}

int
redisurl_parse(const char *url, struct rurl *u, struct sd_err *e)
{
	CURLU *h = curl_url();
	char *s, *end;
	long v;

	memset(u, 0, sizeof *u);
	u->port = 6379;
	if (strncmp(url, "rediss://", 9) == 0) {
		curl_url_cleanup(h);
		memset(u, 0, sizeof *u);
		return err_set(e, "rediss:// (Redis over TLS) is not supported:"
		    " Debian 12's hiredis has no TLS; reach Redis through a TLS"
		    " tunnel (stunnel, spiped) on loopback and give its redis://"
		    " URL");
	}
	if (strncmp(url, "redis://", 8) != 0)
		return bad(u, h, e, "it must start with redis://");
	if (curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK)
		return bad(u, h, e, "cannot parse it");
	if ((s = part(h, CURLUPART_HOST, 0)) == NULL || *s == '\0') {
		free(s);
		return bad(u, h, e, "no host");
	}
	/* [::1] → ::1 for hiredis */
	size_t n = strlen(s);
	int br = s[0] == '[' && n > 2 && s[n - 1] == ']';
	if (n - 2 * br >= sizeof u->host) {
		free(s);
		return bad(u, h, e, "host too long");
	}
	snprintf(u->host, sizeof u->host, "%.*s", (int)(n - 2 * br), s + br);
	free(s);
	if ((s = part(h, CURLUPART_PORT, 0)) != NULL) {
		errno = 0;
		v = strtol(s, &end, 10);
		int ok = *end == '\0' && errno == 0 && v >= 1 && v <= 65535;
		free(s);
		if (!ok)
			return bad(u, h, e, "bad port");
		u->port = (int)v;
	}
	if ((s = part(h, CURLUPART_QUERY, 0)) != NULL ||
	    (s = part(h, CURLUPART_FRAGMENT, 0)) != NULL) {
		free(s);
		return bad(u, h, e, "a query or fragment is not supported");
	}
	if ((s = part(h, CURLUPART_PATH, 0)) != NULL && strcmp(s, "/") != 0 &&
	    *s != '\0') {
		errno = 0;
		v = strtol(s + 1, &end, 10);
		if (s[0] != '/' || end == s + 1 || *end != '\0' || errno ||
		    v < 0 || v > 65535) {
			free(s);
			return bad(u, h, e, "the path must be a database number");
		}
		u->db = (int)v;
	}
	free(s);
	u->pass = part(h, CURLUPART_PASSWORD, CURLU_URLDECODE);
	u->user = part(h, CURLUPART_USER, CURLU_URLDECODE);
	/* redis://:@host and redis://@host carry nothing */
	if (u->user != NULL && *u->user == '\0') {
		free(u->user);
		u->user = NULL;
	}
	if (u->pass != NULL && *u->pass == '\0') {
		free(u->pass);
		u->pass = NULL;
	}
	curl_url_cleanup(h);
	return 0;
}

void
redisurl_free(struct rurl *u)
{
	free(u->pass);
	free(u->user);
	u->pass = u->user = NULL;
}

static int
ok_reply(redisContext *c, redisReply *r, const char *what, struct sd_err *e)
{
	int ok = r != NULL && r->type != REDIS_REPLY_ERROR;

	if (!ok)
		err_set(e, "%s: %s", what, r ? r->str : c->errstr);
	freeReplyObject(r);
	return ok;
}

redisContext *
redisurl_connect(const struct rurl *u, int64_t timeout_ms, struct sd_err *e)
{
	struct timeval tv;
	redisContext *c;
	int ok = 1;

	if (timeout_ms < 1)
		timeout_ms = 1;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	c = redisConnectWithTimeout(u->host, u->port, tv);
	if (c == NULL || c->err) {
		err_set(e, "%s", c ? c->errstr : "out of memory");
		redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	if (u->pass != NULL && u->user != NULL)
		ok = ok_reply(c, redisCommand(c, "AUTH %s %s", u->user, u->pass),
		    "AUTH", e);
	else if (u->pass != NULL)
		ok = ok_reply(c, redisCommand(c, "AUTH %s", u->pass), "AUTH", e);
	if (ok && u->db != 0)
		ok = ok_reply(c, redisCommand(c, "SELECT %d", u->db), "SELECT", e);
	if (!ok) {
		redisFree(c);
		return NULL;
	}
	return c;
}
