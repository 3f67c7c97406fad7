/*
 * postgres.c — PostgreSQL faults through libpq, every call bounded:
 *   terminate-backends  pg_terminate_backend() for the app's sessions
 *                       (all client backends of the database but ours, or
 *                       only those of user:/application:)
 *   hold-connections    open count: N connections and keep them until the
 *                       fault is reverted (pool / max_connections exhaustion)
 * The DSN carries a password at times: it is only ever shown redacted.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "../lib/scenario.h"
#include "../lib/ynode.h"
#include "drill.h"

struct pg_state {
	PGconn **held;
	int nheld;
	char *user, *app;
};

static int
pg_parse(struct fault *f, const struct ynode *args, const char *file,
    struct sd_err *e)
{
	static const char *const keys[] = { "service", "count", "user",
	    "application", "timeout", NULL };
	struct pg_state *st = xcalloc(1, sizeof *st);
	const struct ynode *n;
	char *end;

	f->priv = st;
	if (args != NULL && scen_check_keys(file, args, keys,
	    drill_action_name(f->action), e) == -1)
		return -1;
	if ((n = ynode_get(args, "count")) != NULL) {
		if (f->action != FA_HOLD)
			return scen_error(e, file, n, "count: goes with"
			    " hold-connections");
		f->count = (int)strtol(n->value, &end, 10);
		if (n->type != Y_SCALAR || *end != '\0' || f->count < 1 ||
		    f->count > 10000)
			return scen_error(e, file, n, "count: a number from 1 to"
			    " 10000");
	}
	if ((n = ynode_get(args, "user")) != NULL && n->type == Y_SCALAR)
		st->user = xstrdup(n->value);
	if ((n = ynode_get(args, "application")) != NULL && n->type == Y_SCALAR)
		st->app = xstrdup(n->value);
	if (f->action == FA_HOLD && f->count == 0)
		return err_set(e, "%s:%d:%d: hold-connections needs count: N",
		    file, f->line, f->col);
	return 0;
}

static PGconn *
pg_connect(const char *dsn, const char *appname, struct sd_err *e)
{
	const char *keys[] = { "dbname", "connect_timeout", "application_name",
	    "options", NULL };
	const char *vals[] = { dsn, "5", appname, "-c statement_timeout=5000",
	    NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(c) != CONNECTION_OK) {
		char *m = xstrdup(PQerrorMessage(c));
		for (char *p = m; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		err_set(e, "connect: %s", m);
		free(m);
		PQfinish(c);
		return NULL;
	}
	return c;
}

static int
terminate(struct fault *f, struct sd_err *e)
{
	struct pg_state *st = f->priv;
	const char *params[2] = { st->user, st->app };
	PGconn *c = pg_connect(f->svc->url, "shakedown", e);
	PGresult *r;
	int rc = 0;

	if (c == NULL)
		return -1;
	r = PQexecParams(c, "SELECT count(pg_terminate_backend(pid))"
	    " FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
	    " AND backend_type = 'client backend'"
	    " AND datname = current_database()"
	    " AND application_name <> 'shakedown'"
	    " AND ($1::text IS NULL OR usename = $1)"
	    " AND ($2::text IS NULL OR application_name = $2)",
	    2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = err_set(e, "pg_terminate_backend: %s", PQresultErrorMessage(r));
	} else {
		free(f->note);
		f->note = xasprintf("%s backend(s) terminated", PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

static int
hold(struct fault *f, struct sd_err *e)
{
	struct pg_state *st = f->priv;

	st->held = xcalloc((size_t)f->count, sizeof *st->held);
	/* record each connection as it opens: a partial apply reverts too */
	while (st->nheld < f->count) {
		PGconn *c = pg_connect(f->svc->url, "shakedown", e);
		if (c == NULL) {
			free(f->note);
			f->note = xasprintf("held %d of %d connection(s)", st->nheld,
			    f->count);
			return err_prefix(e, "connection %d of %d", st->nheld + 1,
			    f->count);
		}
		st->held[st->nheld++] = c;
		if (f->env && f->env->interrupted && *f->env->interrupted)
			return err_set(e, "interrupted");
	}
	free(f->note);
	f->note = xasprintf("holding %d connection(s)", st->nheld);
	return 0;
}

static int
pg_apply(struct fault *f, struct sd_err *e)
{
	return f->action == FA_TERMINATE ? terminate(f, e) : hold(f, e);
}

static int
pg_revert(struct fault *f, struct sd_err *e)
{
	struct pg_state *st = f->priv;

	(void)e;
	if (f->action != FA_HOLD || st == NULL)
		return 0;
	while (st->nheld > 0)
		PQfinish(st->held[--st->nheld]);
	return 0;
}

static char *
pg_describe(const struct fault *f, int revert)
{
	char *dsn = redact_secret(f->svc->url), *s;

	if (revert)
		s = f->action == FA_HOLD ? xasprintf("release the %d connection(s)"
		    " held on %s", f->count, f->svc->name) :
		    xstrdup("nothing to revert");
	else if (f->action == FA_HOLD)
		s = xasprintf("hold-connections %s: open and hold %d connection(s)"
		    " to %s", f->svc->name, f->count, dsn);
	else
		s = xasprintf("terminate-backends %s: pg_terminate_backend() for"
		    " the client sessions on %s", f->svc->name, dsn);
	free(dsn);
	return s;
}

static json_t *
pg_journal(struct fault *f)
{
	/* held connections belong to the runner: they close when it exits */
	return json_pack("{s:s,s:s}", "how", "none", "note", f->action == FA_HOLD ?
	    "held connections close when the runner exits" : "one-shot");
}

static void
pg_free(struct fault *f)
{
	struct pg_state *st = f->priv;

	if (st == NULL)
		return;
	pg_revert(f, NULL);
	free(st->held);
	free(st->user);
	free(st->app);
	free(st);
	f->priv = NULL;
}

const struct drill_kind drill_postgres = {
	.name = "postgres",
	.parse = pg_parse,
	.apply = pg_apply,
	.revert = pg_revert,
	.describe = pg_describe,
	.journal = pg_journal,
	.free = pg_free,
};
