/*
 * redisurl.c — see redisurl.h. A NULL reply from hiredis means the context
 * is dead and cannot be reused: it is freed here, never handed back.
 */
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redisurl.h"

int
rurl_parse(const char *url, struct rurl *u, struct sd_err *e)
{
	const char *p, *at, *colon, *slash;
	char *end;

	memset(u, 0, sizeof *u);
	u->port = 6379;
	if (strncmp(url, "redis://", 8) != 0)
		return err_set(e, "bad redis url '%s' (expected redis://HOST:PORT)",
		    url);
	p = url + 8;
	if ((at = strrchr(p, '@')) != NULL) {
		const char *pc = memchr(p, ':', (size_t)(at - p));
		if (pc != NULL && pc + 1 < at)
			u->pass = xstrndup(pc + 1, (size_t)(at - pc - 1));
		p = at + 1;
	}
	slash = strchr(p, '/');
	size_t hl = strcspn(p, ":/");
	if (hl == 0 || hl >= sizeof u->host) {
		rurl_free(u);
		return err_set(e, "bad redis url '%s': no host", url);
	}
	snprintf(u->host, sizeof u->host, "%.*s", (int)hl, p);
	if ((colon = strchr(p, ':')) != NULL && (slash == NULL || colon < slash)) {
		long v = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || v <= 0 || v > 65535) {
			rurl_free(u);
			return err_set(e, "bad redis url '%s': bad port", url);
		}
		u->port = (int)v;
	}
	if (slash != NULL && slash[1] != '\0')
		u->db = atoi(slash + 1);
	return 0;
}

void
rurl_free(struct rurl *u)
{
	free(u->pass);
	u->pass = NULL;
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
rurl_connect(const struct rurl *u, int64_t timeout_ms, struct sd_err *e)
{
	struct timeval tv;
	redisContext *c;

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
	if ((u->pass != NULL && !ok_reply(c, redisCommand(c, "AUTH %s", u->pass),
	    "AUTH", e)) || (u->db != 0 && !ok_reply(c, redisCommand(c,
	    "SELECT %d", u->db), "SELECT", e))) {
		redisFree(c);
		return NULL;
	}
	return c;
}
