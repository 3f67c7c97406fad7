/*
 * pgrole.c — see pgrole.h. Every node is reached with the DSN's own
 * options (user, password, sslmode, dbname) and its host and port put over
 * them, so nothing but the hosts differs from what the service uses.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgrole.h"
#include "../base/ping.h"
#include "../base/proc.h"
#include "../base/sockown.h"

static char *
conninfo_value(const char *dsn, const char *key)
{
	PQconninfoOption *o = PQconninfoParse(dsn, NULL);
	char *v = NULL;

	for (PQconninfoOption *p = o; p != NULL && p->keyword != NULL; p++)
		if (strcmp(p->keyword, key) == 0 && p->val != NULL)
			v = xstrdup(p->val);
	PQconninfoFree(o);
	return v;
}

int
pgrole_is_cluster(const char *dsn)
{
	char *h = conninfo_value(dsn, "host"), *t = conninfo_value(dsn,
	    "target_session_attrs");
	int c = (h != NULL && strchr(h, ',') != NULL) || (t != NULL &&
	    (strcmp(t, "read-write") == 0 || strcmp(t, "primary") == 0));

	free(h);
	free(t);
	return c;
}

/* The i-th item of a comma list, or the last one (libpq: one port for
 * every host). */
static void
item(const char *list, int i, char *out, size_t len, const char *def)
{
	const char *p = list;

	snprintf(out, len, "%s", def);
	for (int k = 0; p != NULL && *p != '\0'; k++) {
		size_t n = strcspn(p, ",");
		if (n > 0)
			snprintf(out, len, "%.*s", (int)n, p);
		if (k == i || p[n] == '\0')
			return;
		p += n + 1;
	}
}

char *
pgrole_node_dsn(const char *dsn, const struct pg_node *n)
{
	PQconninfoOption *o = PQconninfoParse(dsn, NULL);
	struct sbuf sb;

	sb_init(&sb);
	for (PQconninfoOption *p = o; p != NULL && p->keyword != NULL; p++) {
		const char *v = p->val;
		if (strcmp(p->keyword, "host") == 0)
			v = n->host;
		else if (strcmp(p->keyword, "port") == 0)
			v = n->port;
		else if (strcmp(p->keyword, "hostaddr") == 0 ||
		    strcmp(p->keyword, "target_session_attrs") == 0)
			continue;
		if (v == NULL || *v == '\0')
			continue;
		sb_addf(&sb, "%s%s='", sb.len ? " " : "", p->keyword);
		for (const char *c = v; *c; c++)
			sb_addf(&sb, "%s%c", *c == '\'' || *c == '\\' ? "\\" : "", *c);
		sb_add(&sb, "'");
	}
	PQconninfoFree(o);
	return sb_detach(&sb);
}

const char *
pgrole_node_name(const struct pg_node *n, char *buf, size_t len)
{
	snprintf(buf, len, strchr(n->host, ':') ? "[%s]:%s" : "%s:%s", n->host,
	    n->port);
	return buf;
}

/* /proc/PID/cmdline with spaces for its NULs; -1 if gone. */
static int
cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return 0;
}

/* The manager of a node: it keeps a connection of its own to it
 * (Patroni's application_name is "Patroni"), and the postmaster it starts
 * is daemonised away from it — so it is found by that connection: the
 * local process at its other end, whose command line names it. */
static pid_t
manager_of(PGconn *c, const struct pg_node *n, const char *manager)
{
	const char *params[] = { manager };
	PGresult *r = PQexecParams(c, "SELECT client_port FROM"
	    " pg_stat_activity WHERE application_name ILIKE $1 || '%'"
	    " AND client_port > 0", 1, NULL, params, NULL, NULL, 0);
	char cmd[512];
	pid_t found = 0;

	for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK &&
	    i < PQntuples(r) && found == 0; i++) {
		pid_t p = sock_owner_tcp(atoi(PQgetvalue(r, i, 0)), atoi(n->port));
		if (p > 1 && cmdline(p, cmd, sizeof cmd) == 0 &&
		    strcasestr(cmd, manager) != NULL)
			found = p;
	}
	PQclear(r);
	return found;
}

/* Our backend's parent, when it is a postgres process on this machine:
 * the node's postmaster; and the process that manages it, when named. */
static void
local_pids(PGconn *c, struct pg_node *n, const char *manager)
{
	PGresult *r = PQexec(c, "SELECT pg_backend_pid()");
	char comm[64];

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		pid_t be = (pid_t)atoi(PQgetvalue(r, 0, 0)), pm;
		if (be > 1 && proc_comm(be, comm, sizeof comm) == 0 &&
		    strncmp(comm, "postgres", 8) == 0 && (pm = proc_ppid(be)) > 1 &&
		    proc_comm(pm, comm, sizeof comm) == 0 &&
		    strncmp(comm, "postgres", 8) == 0) {
			n->postmaster = pm;
			if (manager != NULL && *manager != '\0')
				n->manager = manager_of(c, n, manager);
		}
	}
	PQclear(r);
}

static void
ask(const char *dsn, struct pg_node *n, const char *manager,
    int64_t timeout_ms)
{
	char *one = pgrole_node_dsn(dsn, n);
	struct sd_err e;
	PGconn *c = ping_pg_connect(one, "shakedown-role", timeout_ms, 1, &e);
	PGresult *r;

	free(one);
	if (c == NULL)
		return;
	r = PQexec(c, "SELECT NOT pg_is_in_recovery(),"
	    " (SELECT timeline_id FROM pg_control_checkpoint()),"
	    " pg_postmaster_start_time()::text");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		n->up = 1;
		n->primary = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		n->timeline = atoll(PQgetvalue(r, 0, 1));
		snprintf(n->started, sizeof n->started, "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	if (n->up)
		local_pids(c, n, manager);
	PQfinish(c);
}

int
pgrole_survey(const char *dsn, const char *manager, int64_t timeout_ms,
    struct pg_cluster *c, struct sd_err *e)
{
	char *hosts = conninfo_value(dsn, "host"), *ports = conninfo_value(dsn,
	    "port");
	int n = 1;

	memset(c, 0, sizeof *c);
	c->primary = -1;
	PQconninfoOption *o = PQconninfoParse(dsn, NULL);
	if (o == NULL) {
		free(hosts);
		free(ports);
		return err_set(e, "not a PostgreSQL connection string");
	}
	PQconninfoFree(o);
	for (const char *p = hosts; p != NULL && *p; p++)
		n += *p == ',';
	if (n > PG_MAX_NODES)
		n = PG_MAX_NODES;
	for (int i = 0; i < n; i++) {
		struct pg_node *nd = &c->node[c->n++];
		item(hosts, i, nd->host, sizeof nd->host, "localhost");
		item(ports, i, nd->port, sizeof nd->port, "5432");
		ask(dsn, nd, manager, timeout_ms);
		if (nd->primary && c->primary < 0)
			c->primary = i;
	}
	free(hosts);
	free(ports);
	return 0;
}

char *
pgrole_lag(const char *dsn, const struct pg_cluster *c, int64_t timeout_ms)
{
	struct sbuf sb;
	struct sd_err e;
	PGconn *conn;
	PGresult *r;
	char *one;

	if (c->primary < 0)
		return NULL;
	one = pgrole_node_dsn(dsn, &c->node[c->primary]);
	conn = ping_pg_connect(one, "shakedown-role", timeout_ms, 1, &e);
	free(one);
	if (conn == NULL)
		return NULL;
	r = PQexec(conn, "SELECT coalesce(application_name, ''),"
	    " coalesce(client_addr::text, 'local'), state,"
	    " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), -1),"
	    " coalesce((extract(epoch FROM replay_lag) * 1000)::bigint, -1),"
	    " sync_state FROM pg_stat_replication ORDER BY 1");
	sb_init(&sb);
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		for (int i = 0; i < PQntuples(r); i++) {
			long long bytes = atoll(PQgetvalue(r, i, 3));
			long long ms = atoll(PQgetvalue(r, i, 4));
			sb_addf(&sb, "%s%s (%s, %s, %s): ", i ? "; " : "",
			    *PQgetvalue(r, i, 0) ? PQgetvalue(r, i, 0) : "replica",
			    PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
			    PQgetvalue(r, i, 5));
			if (bytes >= 0)
				sb_addf(&sb, "%lld bytes of WAL behind", bytes);
			else
				sb_add(&sb, "nothing replayed yet");
			if (ms >= 0)
				sb_addf(&sb, ", replay lag %lldms", ms);
		}
		if (PQntuples(r) == 0)
			sb_add(&sb, "no replica connected to the primary");
	}
	PQclear(r);
	PQfinish(conn);
	if (sb.len == 0) {
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

int
pgrole_accepts_write(const char *dsn, int64_t timeout_ms, struct sd_err *e)
{
	PGconn *c = ping_pg_connect(dsn, "shakedown-ping", timeout_ms, 0, e);
	PGresult *r;
	int ok;

	if (c == NULL)
		return err_prefix(e, "a write");
	/* a transaction id is what a standby cannot give: a write it takes,
	 * and nothing is left behind */
	r = PQexec(c, "SELECT txid_current()");
	ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		ping_pq_error(e, "a write (SELECT txid_current())", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

int
pgrole_primary_writes(const char *dsn, int64_t timeout_ms, struct sd_err *e)
{
	struct pg_cluster c;
	char *one;
	int rc;

	if (pgrole_survey(dsn, NULL, timeout_ms, &c, e) == -1)
		return -1;
	if (c.primary < 0)
		return err_set(e, "no node answers as a primary (%d asked)", c.n);
	one = pgrole_node_dsn(dsn, &c.node[c.primary]);
	rc = pgrole_accepts_write(one, timeout_ms, e);
	free(one);
	return rc;
}
