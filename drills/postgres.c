/*
 * postgres.c — the postgres kind, through libpq, every call bounded:
 *   terminate-backends   pg_terminate_backend() for the app's sessions (all
 *                        client backends of the database but shakedown's,
 *                        or only those of user:/application:)
 *   hold-connections     open count: N connections and keep them (pool and
 *                        max_connections exhaustion) until reverted
 *   release-connections  close them (undoes hold-connections)
 *
 * Held connections carry an application_name of their own, recorded in the
 * journal: in-process they are closed with PQfinish; from the record alone
 * (the runner died, so the kernel closed them) the revert ends any backend
 * still left with that name and in_effect counts them. The DSN may carry a
 * password: it is only ever shown redacted.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "../lib/base/ping.h"
#include "../lib/base/redact.h"
#include "../lib/fault/fault.h"

struct pg_opts {
	int count;
	char *user, *app;	/* terminate-backends filters */
};

struct pg_held {
	PGconn **c;
	int n;
};

static int
pg_parse(const struct fault_parse *p, struct fault *f)
{
	struct pg_opts *o = xcalloc(1, sizeof *o);
	int hold = strcmp(f->verb->name, "hold-connections") == 0;
	int term = strcmp(f->verb->name, "terminate-backends") == 0;
	const struct ynode *n;

	f->opts = o;
	if ((n = ynode_get(p->args, "count")) != NULL && !hold)
		return yerr(p->y, n, "count: goes with hold-connections");
	if (yint(p->y, p->args, "count", 1, 10000, &o->count) == -1)
		return -1;
	if (((n = ynode_get(p->args, "user")) != NULL ||
	    (n = ynode_get(p->args, "application")) != NULL) && !term)
		return yerr(p->y, n, "%s: goes with terminate-backends",
		    n == ynode_get(p->args, "user") ? "user" : "application");
	if (ystr(p->y, p->args, "user", &o->user) == -1 ||
	    ystr(p->y, p->args, "application", &o->app) == -1)
		return -1;
	if (hold && o->count == 0)
		return err_set(p->y->e, "%s:%d:%d: hold-connections needs count: N",
		    p->y->file, f->line, f->col);
	return 0;
}

static char *
pg_describe(const struct fault *f, int revert)
{
	const struct pg_opts *o = f->opts;
	char *dsn = redact_url(f->svc->url), *s;

	if (revert)
		s = xasprintf("release-connections %s: close the %d held"
		    " connection(s)", f->svc->name, o->count);
	else if (strcmp(f->verb->name, "hold-connections") == 0)
		s = xasprintf("hold-connections %s: open and hold %d connection(s)"
		    " to %s", f->svc->name, o->count, dsn);
	else if (strcmp(f->verb->name, "release-connections") == 0)
		s = xasprintf("release-connections %s: close the held"
		    " connection(s)", f->svc->name);
	else
		s = xasprintf("terminate-backends %s: pg_terminate_backend() for"
		    " the client sessions%s%s%s%s on %s", f->svc->name,
		    o->user ? " of user " : "", o->user ? o->user : "",
		    o->app ? " of application " : "", o->app ? o->app : "", dsn);
	free(dsn);
	return s;
}

static json_t *
pg_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	char app[64];

	(void)env;
	(void)e;
	if (strcmp(f->verb->name, "hold-connections") != 0)
		return json_pack("{s:s}", "how", "none");
	snprintf(app, sizeof app, "shakedown-hold-%d-%lld", (int)getpid(),
	    (long long)(mono_ns() % 1000000000000LL));
	return json_pack("{s:s,s:s,s:s,s:s}", "how", "held", "service",
	    f->svc->name, "url", f->svc->url, "application_name", app);
}

/* One value from a one-row query with text parameters, within the step's
 * timeout. */
static int
query1(const char *dsn, int64_t timeout_ms, const char *sql, int np,
    const char *const *params, char **out, struct sd_err *e)
{
	PGconn *c = ping_pg_connect(dsn, "shakedown", timeout_ms, 0, e);
	PGresult *r;
	int rc = 0;

	if (c == NULL)
		return -1;
	r = PQexecParams(c, sql, np, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		rc = err_set(e, "%s", PQresultErrorMessage(r));
	else
		*out = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return rc;
}

static int
terminate(const struct fault *f, json_t *rec, char **note, struct sd_err *e)
{
	const struct pg_opts *o = f->opts;
	const char *params[2] = { o->user, o->app };
	char *n = NULL;

	if (query1(f->svc->url, f->timeout_ms,
	    "SELECT count(pg_terminate_backend(pid))"
	    " FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
	    " AND backend_type = 'client backend'"
	    " AND datname = current_database()"
	    " AND application_name NOT LIKE 'shakedown%'"
	    " AND ($1::text IS NULL OR usename = $1)"
	    " AND ($2::text IS NULL OR application_name = $2)",
	    2, params, &n, e) == -1)
		return err_prefix(e, "pg_terminate_backend");
	fault_note(note, "%s backend(s) terminated", n);
	json_object_set_new(rec, "terminated", json_integer(atoi(n)));
	free(n);
	return 0;
}

static int
hold(const struct fault *f, const json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const struct pg_opts *o = f->opts;
	struct pg_held *h = xcalloc(1, sizeof *h);
	const char *app = NULL;

	if (fault_rec_str(rec, "application_name", &app, e) == -1) {
		free(h);
		return -1;
	}
	h->c = xcalloc((size_t)o->count, sizeof *h->c);
	/* kept as each opens: a partial apply is reverted too */
	*state = h;
	/* every connection within the step's timeout, not each its own: N
	 * to a hung database must not take N timeouts */
	int64_t end = mono_ms() + f->timeout_ms;
	while (h->n < o->count) {
		int64_t left = end - mono_ms();
		PGconn *c = left > 0 ? ping_pg_connect(f->svc->url, app, left, 0, e) :
		    NULL;
		if (left <= 0)
			err_set(e, "the step's timeout (%lldms) passed",
			    (long long)f->timeout_ms);
		if (c == NULL) {
			fault_note(note, "held %d of %d connection(s)", h->n, o->count);
			return err_prefix(e, "connection %d of %d", h->n + 1, o->count);
		}
		h->c[h->n++] = c;
		if (env != NULL && env->stop != NULL && *env->stop)
			return err_set(e, "interrupted");
	}
	fault_note(note, "holding %d connection(s)", h->n);
	return 0;
}

static int
pg_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	if (strcmp(f->verb->name, "terminate-backends") == 0)
		return terminate(f, rec, note, e);
	if (strcmp(f->verb->name, "hold-connections") == 0)
		return hold(f, rec, state, env, note, e);
	fault_note(note, "no held connections to release");
	return 0;
}

static void
pg_free_state(void *state)
{
	struct pg_held *h = state;

	if (h == NULL)
		return;
	while (h->n > 0)
		PQfinish(h->c[--h->n]);
	free(h->c);
	free(h);
}

/* Backends still holding the recorded name; -1 when it cannot tell. */
static int
held_count(const json_t *rec, int terminate_them, struct sd_err *e)
{
	const char *url = NULL, *app = NULL, *p[1];
	char *n = NULL;
	int v;

	if (fault_rec_str(rec, "url", &url, e) == -1 ||
	    fault_rec_str(rec, "application_name", &app, e) == -1)
		return -1;
	redact_learn(url);
	p[0] = app;
	/* from a record alone (the guardian, recover): a bounded wait */
	if (query1(url, 5000, terminate_them ?
	    "SELECT count(pg_terminate_backend(pid))"
	    " FROM pg_stat_activity WHERE application_name = $1" :
	    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
	    1, p, &n, e) == -1)
		return -1;
	v = atoi(n);
	free(n);
	return v;
}

static int
pg_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	struct pg_held *h = state;
	const char *how = NULL;
	int n;

	(void)env;
	if (fault_rec_str(rec, "how", &how, e) == -1)
		return FAULT_FINAL;
	if (strcmp(how, "none") == 0)
		return 0;
	if (strcmp(how, "held") != 0) {
		err_set(e, "unknown revert '%.20s'", how);
		return FAULT_FINAL;
	}
	if (h != NULL) {
		fault_note(note, "closed %d held connection(s)", h->n);
		while (h->n > 0)
			PQfinish(h->c[--h->n]);
		return 0;
	}
	/* the runner is gone, and with it its sockets: end what lingers */
	const char *u;
	if (fault_rec_str(rec, "url", &u, e) == -1 ||
	    fault_rec_str(rec, "application_name", &u, e) == -1)
		return FAULT_FINAL;
	if ((n = held_count(rec, 1, e)) == -1)
		return -1;
	fault_note(note, "%d held connection(s) were left to end", n);
	return 0;
}

static int
pg_in_effect(const json_t *rec, const struct fault_env *env)
{
	const char *how = NULL;
	struct sd_err e;
	int n;

	(void)env;
	if (fault_rec_str(rec, "how", &how, &e) == -1)
		return -1;
	if (strcmp(how, "held") != 0)
		return 0;
	n = held_count(rec, 0, &e);
	return n < 0 ? -1 : n > 0;
}

/* terminate-backends: it ended at least one of the app's backends (none:
 * nothing of the app connects to this database, or the user/application
 * name does not match it). hold-connections: they are all held, and still
 * are at the revert. */
static void
pg_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	const struct pg_held *h = state;
	const json_t *t = json_object_get(rec, "terminated");

	(void)env;
	if (t != NULL && ph == FC_APPLIED) {
		fault_proved(c, json_integer_value(t) > 0 ? FP_CONFIRMED :
		    FP_MISMATCH, "%lld backend(s) of the app terminated%s",
		    (long long)json_integer_value(t), json_integer_value(t) > 0 ? "" :
		    ": none matched (the service does not connect here?)");
		return;
	}
	if (h == NULL || ph == FC_REVERTED)
		return;
	int ok = 0;
	for (int i = 0; i < h->n; i++)
		ok += PQstatus(h->c[i]) == CONNECTION_OK;
	fault_proved(c, ok == h->n && h->n > 0 ? FP_CONFIRMED : FP_MISMATCH,
	    "%d of %d connection(s) held", ok, h->n);
}

static char *
pg_proves(const struct fault *f)
{
	if (strcmp(f->verb->name, "terminate-backends") == 0)
		return xstrdup("it terminates at least one backend of the app");
	if (strcmp(f->verb->name, "hold-connections") == 0)
		return xstrdup("every connection is held until the revert");
	return NULL;
}

static void
pg_free(void *opts)
{
	struct pg_opts *o = opts;

	free(o->user);
	free(o->app);
	free(o);
}

static const struct fault_verb verbs[] = {
	{ "terminate-backends", 0, NULL, "pg_terminate_backend() for the app's"
	    " sessions" },
	{ "hold-connections", 1, NULL, "open count: N connections and hold"
	    " them" },
	{ "release-connections", 0, "hold-connections", "close the held"
	    " connections" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "count", "user",
    "application", NULL };

const struct fault_kind fault_postgres = {
	.name = "postgres",
	.summary = "end PostgreSQL sessions or exhaust its connections, through"
	    " libpq",
	.verbs = verbs,
	.on = SVC_POSTGRES,
	.keys = keys,
	.parse = pg_parse,
	.describe = pg_describe,
	.prepare = pg_prepare,
	.apply = pg_apply,
	.revert = pg_revert,
	.in_effect = pg_in_effect,
	.free_state = pg_free_state,
	.confirm = pg_confirm,
	.proves = pg_proves,
	.free = pg_free,
};
