/*
 * redis.c — Redis faults through hiredis, every call with a timeout:
 *   pause        CLIENT PAUSE for a bounded time (for: D)
 *   client-kill  CLIENT KILL TYPE normal (drops the app's connections)
 *
 * Redis postpones every command of a normal client while paused, CLIENT
 * UNPAUSE included (tried: it waits out the pause), so a pause cannot be
 * lifted early. It is therefore always bounded and expires by itself —
 * which also means it cannot outlive a runner killed with -9 by more than
 * for:. Reverting waits until PING answers again.
 */
#define _GNU_SOURCE
#include <sys/time.h>

#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "../lib/redisurl.h"
#include "../lib/scenario.h"
#include "../lib/units.h"
#include "../lib/ynode.h"
#include "drill.h"

#define PAUSE_MAX_MS (10 * 60 * 1000)

static int
rd_parse(struct fault *f, const struct ynode *args, const char *file,
    struct sd_err *e)
{
	static const char *const keys[] = { "service", "for", "timeout", NULL };
	const struct ynode *n;
	struct sd_err ue;

	if (args != NULL && scen_check_keys(file, args, keys,
	    drill_action_name(f->action), e) == -1)
		return -1;
	if ((n = ynode_get(args, "for")) != NULL) {
		if (f->action != FA_PAUSE)
			return scen_error(e, file, n, "for: goes with pause");
		if (n->type != Y_SCALAR ||
		    units_duration_ms(n->value, &f->for_ms, &ue) == -1)
			return scen_error(e, file, n, "for: %s", n->type ==
			    Y_SCALAR ? ue.msg : "must be a duration");
		if (f->for_ms > PAUSE_MAX_MS)
			return scen_error(e, file, n, "for: at most 10m");
	}
	if (f->action == FA_PAUSE && f->for_ms == 0)
		return err_set(e, "%s:%d:%d: pausing redis service '%s' needs"
		    " for: D (Redis cannot lift CLIENT PAUSE early, so it is"
		    " always bounded)", file, f->line, f->col, f->svc->name);
	return 0;
}

static redisContext *
rd_connect(const char *url, struct sd_err *e)
{
	redisContext *c;
	struct rurl u;

	if (rurl_parse(url, &u, e) == -1)
		return NULL;
	if ((c = rurl_connect(&u, 2000, e)) == NULL)
		err_prefix(e, "connect %s:%d", u.host, u.port);
	rurl_free(&u);
	return c;
}

static int
rd_command(const char *url, const char *cmd, char *note, size_t len,
    struct sd_err *e)
{
	redisContext *c = rd_connect(url, e);
	redisReply *r;
	int rc = 0;

	if (c == NULL)
		return -1;
	r = redisCommand(c, cmd);
	if (r == NULL)
		rc = err_set(e, "%s: %s", cmd, c->errstr);
	else if (r->type == REDIS_REPLY_ERROR)
		rc = err_set(e, "%s: %s", cmd, r->str);
	else if (r->type == REDIS_REPLY_INTEGER)
		snprintf(note, len, "%lld", r->integer);
	else if (r->type == REDIS_REPLY_STATUS)
		snprintf(note, len, "%s", r->str);
	freeReplyObject(r);
	redisFree(c);
	return rc;
}

static int
rd_apply(struct fault *f, struct sd_err *e)
{
	char cmd[64], note[64] = "";

	switch (f->action) {
	case FA_PAUSE:
		snprintf(cmd, sizeof cmd, "CLIENT PAUSE %lld", (long long)f->for_ms);
		if (rd_command(f->svc->url, cmd, note, sizeof note, e) == -1)
			return -1;
		/* remember when it ends: revert waits for exactly that */
		f->count = 0;
		f->pid = 0;
		f->priv = xmalloc(sizeof(int64_t));
		*(int64_t *)f->priv = mono_ms() + f->for_ms;
		return 0;
	case FA_RESUME:
		/* an unpaired resume: wait until PING answers */
		return drill_wait_ready(f->svc, PAUSE_MAX_MS, f->env ?
		    f->env->interrupted : NULL, e);
	case FA_CLIENT_KILL:
		if (rd_command(f->svc->url, "CLIENT KILL TYPE normal SKIPME yes",
		    note, sizeof note, e) == -1)
			return -1;
		free(f->note);
		f->note = xasprintf("%s client connection(s) killed", note);
		return 0;
	default:
		return err_set(e, "redis: cannot %s", drill_action_name(f->action));
	}
}

static int
rd_revert(struct fault *f, struct sd_err *e)
{
	int64_t left;

	if (f->action != FA_PAUSE || f->priv == NULL)
		return 0;
	left = *(int64_t *)f->priv - mono_ms();
	return drill_wait_ready(f->svc, (left > 0 ? left : 0) + 5000,
	    f->env ? f->env->interrupted : NULL, e);
}

static char *
rd_describe(const struct fault *f, int revert)
{
	char *url = redact_secret(f->svc->url), *s, buf[32];

	if (revert)
		s = f->action == FA_PAUSE ? xasprintf("resume %s: the pause ends"
		    " by itself after %s; wait until PING answers", f->svc->name,
		    units_fmt_ms(f->for_ms, buf, sizeof buf)) :
		    xstrdup("nothing to revert");
	else if (f->action == FA_PAUSE)
		s = xasprintf("pause %s: CLIENT PAUSE %lld on %s", f->svc->name,
		    (long long)f->for_ms, url);
	else if (f->action == FA_RESUME)
		s = xasprintf("resume %s: wait until PING answers on %s",
		    f->svc->name, url);
	else
		s = xasprintf("client-kill %s: CLIENT KILL TYPE normal on %s",
		    f->svc->name, url);
	free(url);
	return s;
}

static json_t *
rd_journal(struct fault *f)
{
	if (f->action != FA_PAUSE)
		return json_pack("{s:s}", "how", "none");
	/* the pause ends by itself: undoing it is waiting that long */
	return json_pack("{s:s,s:s,s:s,s:I}", "how", "wait_redis", "service",
	    f->svc->name, "url", f->svc->url, "until",
	    (json_int_t)(wall_ms() + f->for_ms));
}

static void
rd_free(struct fault *f)
{
	free(f->priv);
	f->priv = NULL;
}

const struct drill_kind drill_redis = {
	.name = "redis",
	.parse = rd_parse,
	.apply = rd_apply,
	.revert = rd_revert,
	.describe = rd_describe,
	.journal = rd_journal,
	.free = rd_free,
};
