/*
 * redis.c — the redis kind, through hiredis, every call with a timeout:
 *   pause        CLIENT PAUSE for a bounded time (for: D)
 *   resume       wait until PING answers again (the pause ends by itself)
 *   client-kill  CLIENT KILL TYPE normal (drops the app's connections)
 *
 * Redis postpones every command of a normal client while paused, CLIENT
 * UNPAUSE included (tried: it waits out the pause), so a pause cannot be
 * lifted early. It is therefore always bounded and expires by itself — it
 * cannot outlive a runner killed with -9 by more than for:. Its record
 * holds when it ends; reverting waits until then and PING answers.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "../lib/base/ping.h"
#include "../lib/base/redact.h"
#include "../lib/base/redisurl.h"
#include "../lib/base/units.h"
#include "../lib/fault/fault.h"

#define PAUSE_MAX_MS (10 * 60 * 1000)
#define AFTER_MS 5000		/* PING may take a moment after the pause */

struct rd_opts {
	int64_t for_ms;
};

static int
rd_parse(const struct fault_parse *p, struct fault *f)
{
	struct rd_opts *o = xcalloc(1, sizeof *o);
	const struct ynode *n = ynode_get(p->args, "for");

	f->opts = o;
	if (n != NULL) {
		if (strcmp(f->verb->name, "pause") != 0)
			return yerr(p->y, n, "for: goes with pause");
		if (ydur_node(p->y, n, "for", &o->for_ms, 1, PAUSE_MAX_MS) == -1)
			return -1;
	}
	if (strcmp(f->verb->name, "pause") == 0 && o->for_ms == 0)
		return err_set(p->y->e, "%s:%d:%d: pausing redis service '%s'"
		    " needs for: D (Redis cannot lift CLIENT PAUSE early, so it is"
		    " always bounded)", p->y->file, f->line, f->col, f->svc->name);
	return 0;
}

static char *
rd_describe(const struct fault *f, int revert)
{
	const struct rd_opts *o = f->opts;
	char *url = redact_url(f->svc->url), *s, buf[32];

	if (revert)
		s = xasprintf("resume %s: the pause ends by itself after %s; wait"
		    " until PING answers", f->svc->name, units_fmt_ms(o->for_ms,
		    buf, sizeof buf));
	else if (strcmp(f->verb->name, "pause") == 0)
		s = xasprintf("pause %s: CLIENT PAUSE %lld on %s", f->svc->name,
		    (long long)o->for_ms, url);
	else if (strcmp(f->verb->name, "resume") == 0)
		s = xasprintf("resume %s: wait until PING answers on %s",
		    f->svc->name, url);
	else
		s = xasprintf("client-kill %s: CLIENT KILL TYPE normal SKIPME yes"
		    " on %s", f->svc->name, url);
	free(url);
	return s;
}

static json_t *
rd_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct rd_opts *o = f->opts;

	(void)env;
	(void)e;
	if (strcmp(f->verb->name, "pause") != 0)
		return json_pack("{s:s}", "how", "none");
	/* undoing it is waiting until it ends: say when, on the wall clock,
	 * since the guardian or `recover` may read it in another process */
	return json_pack("{s:s,s:s,s:s,s:I,s:I}", "how", "wait", "service",
	    f->svc->name, "url", f->svc->url, "until_wall_ms",
	    (json_int_t)(wall_ms() + o->for_ms), "for_ms",
	    (json_int_t)o->for_ms);
}

static int
command(const char *url, const char *cmd, char **note, long long *killed,
    struct sd_err *e)
{
	redisContext *c;
	redisReply *r;
	struct rurl u;
	int rc = 0;

	if (redisurl_parse(url, &u, e) == -1)
		return -1;
	c = redisurl_connect(&u, 2000, e);
	if (c == NULL) {
		err_prefix(e, "connect %s:%d", u.host, u.port);
		redisurl_free(&u);
		return -1;
	}
	redisurl_free(&u);
	r = redisCommand(c, cmd);
	if (r == NULL)
		rc = err_set(e, "%s: %s", cmd, c->errstr);
	else if (r->type == REDIS_REPLY_ERROR)
		rc = err_set(e, "%s: %s", cmd, r->str);
	else if (r->type == REDIS_REPLY_INTEGER) {
		fault_note(note, "%lld client connection(s) killed", r->integer);
		if (killed != NULL)
			*killed = r->integer;
	}
	freeReplyObject(r);
	redisFree(c);
	return rc;
}

static int
rd_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const struct rd_opts *o = f->opts;
	char cmd[64];

	(void)rec;
	(void)state;
	if (strcmp(f->verb->name, "pause") == 0) {
		snprintf(cmd, sizeof cmd, "CLIENT PAUSE %lld", (long long)o->for_ms);
		return command(f->svc->url, cmd, NULL, NULL, e);
	}
	/* (a CLIENT PAUSE whose reply was lost may have paused Redis: -1,
	 * reverted by waiting, which is harmless when it did not) */
	if (strcmp(f->verb->name, "resume") == 0)
		return ping_wait("redis", f->svc->url, PAUSE_MAX_MS + AFTER_MS,
		    env ? env->stop : NULL, e);
	long long killed = -1;
	int rc = command(f->svc->url, "CLIENT KILL TYPE normal SKIPME yes", note,
	    &killed, e);
	if (rc == 0)
		json_object_set_new(rec, "killed", json_integer(killed));
	return rc;
}

/* How long until the recorded pause ends: refused when the record claims
 * more than any pause may last (a hand-edited journal must not make
 * `recover` wait for years). */
static int
left_ms(const json_t *rec, int64_t *left, struct sd_err *e)
{
	int64_t until, for_ms;

	if (fault_rec_int(rec, "until_wall_ms", 0, INT64_MAX / 2, &until, e) == -1 ||
	    fault_rec_int(rec, "for_ms", 1, PAUSE_MAX_MS, &for_ms, e) == -1)
		return -1;
	*left = until - wall_ms();
	if (*left > for_ms + 60000)
		return err_set(e, "the record says the pause ends in %llds, longer"
		    " than it lasts (%llds): not trusted", (long long)(*left / 1000),
		    (long long)(for_ms / 1000));
	if (*left < 0)
		*left = 0;
	return 0;
}

static int
rd_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	const char *how = NULL, *url = NULL;
	int64_t left;

	(void)state;
	if (fault_rec_str(rec, "how", &how, e) == -1)
		return FAULT_FINAL;
	if (strcmp(how, "none") == 0)
		return 0;
	if (strcmp(how, "wait") != 0) {
		err_set(e, "unknown revert '%.20s'", how);
		return FAULT_FINAL;
	}
	if (fault_rec_str(rec, "url", &url, e) == -1 || left_ms(rec, &left, e) == -1)
		return FAULT_FINAL;
	redact_learn(url);
	fault_note(note, "waited until the Redis pause ended");
	return ping_wait("redis", url, left + AFTER_MS, env ? env->stop : NULL, e);
}

static int
rd_in_effect(const json_t *rec, const struct fault_env *env)
{
	const char *how = NULL, *url = NULL;
	struct sd_err e;
	int64_t left;

	(void)env;
	if (fault_rec_str(rec, "how", &how, &e) == -1)
		return -1;
	if (strcmp(how, "wait") != 0)
		return 0;
	if (fault_rec_str(rec, "url", &url, &e) == -1 || left_ms(rec, &left, &e) == -1)
		return -1;
	return left > 0 && ping_redis(url, 500, &e) == -1;
}

/* A pause: a PING of our own gets no answer while it lasts (100 ms is
 * plenty for an idle Redis). A client-kill: it killed connections — none
 * means the service does not connect to this Redis. */
static void
rd_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	const char *how = json_string_value(json_object_get(rec, "how"));
	const char *url = json_string_value(json_object_get(rec, "url"));
	const json_t *k = json_object_get(rec, "killed");
	struct sd_err e;

	(void)state;
	(void)env;
	int64_t left;
	if (how != NULL && strcmp(how, "wait") == 0 && url != NULL &&
	    ph != FC_REVERTED) {
		/* a pause ends by itself: past its end (less 50 ms) there is
		 * nothing left to see, and what was seen stands */
		if (left_ms(rec, &left, &e) == -1 || left < 50)
			return;
		redact_learn(url);
		int answered = ping_redis(url, 50, &e) == 0;
		fault_proved(c, answered ? FP_MISMATCH : FP_CONFIRMED, answered ?
		    "PING answered at once: Redis is not paused" : "PING got no"
		    " answer within 50ms: paused");
	} else if (k != NULL && ph == FC_APPLIED) {
		fault_proved(c, json_integer_value(k) > 0 ? FP_CONFIRMED : FP_MISMATCH,
		    "%lld client connection(s) killed%s", (long long)
		    json_integer_value(k), json_integer_value(k) > 0 ? "" :
		    ": nothing connects to this Redis");
	}
}

static char *
rd_proves(const struct fault *f)
{
	if (strcmp(f->verb->name, "pause") == 0)
		return xstrdup("a PING of its own gets no answer within 50ms until"
		    " the revert");
	if (strcmp(f->verb->name, "client-kill") == 0)
		return xstrdup("it kills at least one client connection");
	return NULL;
}

static void
rd_free(void *opts)
{
	free(opts);
}

static const struct fault_verb verbs[] = {
	{ "pause", 1, NULL, "CLIENT PAUSE for: D (ends by itself)" },
	{ "resume", 0, "pause", "wait until PING answers" },
	{ "client-kill", 0, NULL, "CLIENT KILL TYPE normal: drop the clients'"
	    " connections" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "for", NULL };

const struct fault_kind fault_redis = {
	.name = "redis",
	.summary = "pause Redis or drop its clients, through hiredis",
	.verbs = verbs,
	.on = SVC_REDIS,
	.keys = keys,
	.parse = rd_parse,
	.describe = rd_describe,
	.prepare = rd_prepare,
	.apply = rd_apply,
	.revert = rd_revert,
	.in_effect = rd_in_effect,
	.confirm = rd_confirm,
	.proves = rd_proves,
	.free = rd_free,
};
