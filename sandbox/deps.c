/*
 * deps.c — see deps.h. libpq is driven asynchronously (PQconnectStart /
 * PQsendQuery + poll) because its blocking calls have no deadline once a
 * server stops answering mid-conversation; hiredis gets a connect timeout
 * and a socket timeout, and a context that failed is never reused (hiredis
 * leaves it unusable), it is freed and the next caller reconnects.
 */
#define _GNU_SOURCE
#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "../lib/base/redisurl.h"
#include "deps.h"

#define POOL_MAX 16

/* A pool of opaque connections; NULL slots mean "caller must connect". */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void *idle[POOL_MAX];
	int nidle;
	int total;		/* idle + handed out */
};

struct deps {
	char *dsn;
	int has_redis;
	struct rurl redis;
	struct pool db, rd;
	pthread_mutex_t schema_mu;
	atomic_int schema_ready;	/* read without the lock once set */
};

static void
pool_init(struct pool *p)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	p->nidle = p->total = 0;
}

/* 0 and *conn (possibly NULL: connect yourself) or -1 at the deadline. */
static int
pool_get(struct pool *p, int64_t deadline_ms, void **conn)
{
	struct timespec ts;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	while (p->nidle == 0 && p->total >= POOL_MAX) {
		ts.tv_sec = deadline_ms / 1000;
		ts.tv_nsec = (deadline_ms % 1000) * 1000000;
		if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) == ETIMEDOUT) {
			rc = -1;
			break;
		}
	}
	if (rc == 0) {
		if (p->nidle > 0) {
			*conn = p->idle[--p->nidle];
		} else {
			*conn = NULL;
			p->total++;
		}
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* conn NULL: the connection was broken and has been freed. */
static void
pool_put(struct pool *p, void *conn)
{
	pthread_mutex_lock(&p->mu);
	if (conn != NULL)
		p->idle[p->nidle++] = conn;
	else
		p->total--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static int
wait_fd(int fd, short ev, int64_t deadline_ms)
{
	for (;;) {
		int64_t left = deadline_ms - mono_ms();
		struct pollfd pfd = { fd, ev, 0 };
		int n;

		if (left <= 0)
			return -1;
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

/* One line for a JSON reply: libpq's messages carry "\n\t" and trailing "\n". */
static void
set_err(char *err, size_t len, const char *msg)
{
	size_t n = 0;
	int space = 0;

	for (const char *p = msg; *p && n + 1 < len; p++) {
		if (*p == '\n' || *p == '\t' || *p == ' ') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < len)
			err[n++] = ' ';
		space = 0;
		err[n++] = *p;
	}
	err[n] = '\0';
}

static PGconn *
db_connect(struct deps *d, int64_t deadline_ms, char *err, size_t len)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	PGconn *c = PQconnectStart(d->dsn);

	if (c == NULL) {
		set_err(err, len, "out of memory");
		return NULL;
	}
	while (PQstatus(c) != CONNECTION_BAD) {
		if (st == PGRES_POLLING_OK)
			return c;
		if (st == PGRES_POLLING_FAILED)
			break;
		if (wait_fd(PQsocket(c), st == PGRES_POLLING_READING ?
		    POLLIN : POLLOUT, deadline_ms) == -1) {
			set_err(err, len, "connect timed out");
			PQfinish(c);
			return NULL;
		}
		st = PQconnectPoll(c);
	}
	set_err(err, len, PQerrorMessage(c));
	PQfinish(c);
	return NULL;
}

/* Send q and collect its last result before the deadline; NULL on failure. */
static PGresult *
db_exec(PGconn *c, const char *q, int64_t deadline_ms, char *err, size_t len)
{
	PGresult *res, *last = NULL;

	if (!PQsendQuery(c, q)) {
		set_err(err, len, PQerrorMessage(c));
		return NULL;
	}
	while (PQflush(c) == 1)
		if (wait_fd(PQsocket(c), POLLOUT, deadline_ms) == -1)
			goto timeout;
	for (;;) {
		while (PQisBusy(c)) {
			if (wait_fd(PQsocket(c), POLLIN, deadline_ms) == -1)
				goto timeout;
			if (!PQconsumeInput(c)) {
				set_err(err, len, PQerrorMessage(c));
				PQclear(last);
				return NULL;
			}
		}
		if ((res = PQgetResult(c)) == NULL)
			break;
		PQclear(last);
		last = res;
	}
	if (last == NULL || (PQresultStatus(last) != PGRES_TUPLES_OK &&
	    PQresultStatus(last) != PGRES_COMMAND_OK)) {
		set_err(err, len, last ? PQresultErrorMessage(last) :
		    PQerrorMessage(c));
		PQclear(last);
		return NULL;
	}
	return last;
timeout:
	set_err(err, len, "query timed out");
	PQclear(last);
	return NULL;
}

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS shakedown_records ("
    " id serial PRIMARY KEY, name text NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now());"
    "INSERT INTO shakedown_records (name)"
    " SELECT 'record-' || g FROM generate_series(1, 5) g"
    " WHERE NOT EXISTS (SELECT 1 FROM shakedown_records);"
    "CREATE TABLE IF NOT EXISTS shakedown_writes ("
    " key text PRIMARY KEY,"
    " written_at timestamptz NOT NULL DEFAULT now());";

/*
 * Run q on a pooled connection. A reused connection may have died while the
 * server was away; that failure is retried once on a fresh connection, as a
 * pool in a real service would, so recovery is not delayed by stale sockets.
 */
static PGresult *
db_query(struct deps *d, const char *q, int64_t timeout_ms, char *err,
    size_t len)
{
	int64_t deadline = mono_ms() + timeout_ms;
	PGresult *res = NULL;
	void *slot;
	PGconn *c;

	if (pool_get(&d->db, deadline, &slot) == -1) {
		set_err(err, len, "no free database connection in time");
		return NULL;
	}
	for (int attempt = 0; attempt < 2 && res == NULL; attempt++) {
		int reused = slot != NULL;
		c = slot ? slot : db_connect(d, deadline, err, len);
		slot = NULL;
		if (c == NULL)
			break;
		/* once the table exists, no query takes this lock again */
		if (!atomic_load(&d->schema_ready)) {
			pthread_mutex_lock(&d->schema_mu);
			if (!atomic_load(&d->schema_ready)) {
				PGresult *r = db_exec(c, schema_sql, deadline, err, len);
				atomic_store(&d->schema_ready, r != NULL);
				PQclear(r);
			}
			pthread_mutex_unlock(&d->schema_mu);
		}
		res = db_exec(c, q, deadline, err, len);
		if (res != NULL) {
			slot = c;
			break;
		}
		PQfinish(c);
		if (!reused || mono_ms() >= deadline)
			break;
	}
	pool_put(&d->db, slot);
	return res;
}

void
deps_db_check(struct deps *d, int64_t timeout_ms, struct dep_check *out)
{
	int64_t t0 = mono_ns();
	PGresult *r;

	memset(out, 0, sizeof *out);
	out->configured = d->dsn != NULL;
	if (!out->configured)
		return;
	r = db_query(d, "SELECT 1", timeout_ms, out->error, sizeof out->error);
	out->ok = r != NULL;
	PQclear(r);
	out->latency_ms = (mono_ns() - t0) / 1e6;
}

char *
deps_db_records(struct deps *d, int64_t timeout_ms, char *err, size_t len)
{
	struct sbuf sb;
	PGresult *r;

	if (d->dsn == NULL) {
		set_err(err, len, "no database configured");
		return NULL;
	}
	r = db_query(d, "SELECT id, name FROM shakedown_records ORDER BY id"
	    " LIMIT 20", timeout_ms, err, len);
	if (r == NULL)
		return NULL;
	sb_init(&sb);
	sb_add(&sb, "[");
	for (int i = 0; i < PQntuples(r); i++) {
		/* names are ours ("record-N"): no escaping needed */
		sb_addf(&sb, "%s{\"id\":%s,\"name\":\"%s\"}", i ? "," : "",
		    PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	}
	sb_add(&sb, "]");
	PQclear(r);
	return sb_detach(&sb);
}

int
deps_db_count(struct deps *d, int64_t timeout_ms, long *n, char *err,
    size_t len)
{
	PGresult *r;

	if (d->dsn == NULL) {
		set_err(err, len, "no database configured");
		return -1;
	}
	if ((r = db_query(d, "SELECT count(*) FROM shakedown_records",
	    timeout_ms, err, len)) == NULL)
		return -1;
	*n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

int
deps_db_write(struct deps *d, const char *key, int64_t timeout_ms, char *err,
    size_t len)
{
	PGresult *r;
	char *q;

	if (d->dsn == NULL) {
		set_err(err, len, "no database configured");
		return -1;
	}
	for (const char *p = key; *p; p++)
		if (!(*p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
			set_err(err, len, "bad key");
			return -1;
		}
	/* the key is checked above, so it can stand in the text; a retry on
	 * a fresh connection after a commit whose answer was lost is a no-op */
	q = xasprintf("INSERT INTO shakedown_writes (key) VALUES ('%s')"
	    " ON CONFLICT (key) DO NOTHING", key);
	r = db_query(d, q, timeout_ms, err, len);
	free(q);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

static redisContext *
rd_connect(struct deps *d, int64_t deadline_ms, char *err, size_t len)
{
	int64_t left = deadline_ms - mono_ms();
	redisContext *c;
	struct sd_err e;

	if (left <= 0) {
		set_err(err, len, "connect timed out");
		return NULL;
	}
	if ((c = redisurl_connect(&d->redis, left, &e)) == NULL)
		set_err(err, len, e.msg);
	return c;
}

/*
 * Run one command within the deadline. A NULL reply means the context is
 * dead (hiredis sets err and it cannot be reused): free it. A reused context
 * that fails is retried once on a fresh one, like the database pool.
 */
static redisReply *
rd_command(struct deps *d, int64_t timeout_ms, char *err, size_t len,
    int argc, const char **argv)
{
	int64_t deadline = mono_ms() + timeout_ms;
	redisReply *r = NULL;
	redisContext *c;
	void *slot;

	if (!d->has_redis) {
		set_err(err, len, "no redis configured");
		return NULL;
	}
	if (pool_get(&d->rd, deadline, &slot) == -1) {
		set_err(err, len, "no free redis connection in time");
		return NULL;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		int reused = slot != NULL;
		int64_t left;
		struct timeval tv;

		c = slot ? slot : rd_connect(d, deadline, err, len);
		slot = NULL;
		if (c == NULL)
			break;
		left = deadline - mono_ms();
		if (left <= 0)
			left = 1;
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
		redisSetTimeout(c, tv);
		r = redisCommandArgv(c, argc, argv, NULL);
		if (r != NULL && r->type == REDIS_REPLY_ERROR) {
			/* the server answered: the connection is fine */
			set_err(err, len, r->str);
			freeReplyObject(r);
			r = NULL;
			slot = c;
			break;
		}
		if (r != NULL) {
			slot = c;
			break;
		}
		set_err(err, len, c->err == REDIS_ERR_IO && (errno == EAGAIN ||
		    errno == EWOULDBLOCK) ? "timed out" : c->errstr);
		redisFree(c);
		if (!reused || mono_ms() >= deadline)
			break;
	}
	pool_put(&d->rd, slot);
	return r;
}

void
deps_redis_check(struct deps *d, int64_t timeout_ms, struct dep_check *out)
{
	const char *argv[] = { "PING" };
	int64_t t0 = mono_ns();
	redisReply *r;

	memset(out, 0, sizeof *out);
	out->configured = d->has_redis;
	if (!out->configured)
		return;
	r = rd_command(d, timeout_ms, out->error, sizeof out->error, 1, argv);
	out->ok = r != NULL;
	freeReplyObject(r);
	out->latency_ms = (mono_ns() - t0) / 1e6;
}

int
deps_redis_setex(struct deps *d, const char *key, int ttl_s, const char *val,
    int64_t timeout_ms)
{
	char ttl[16], err[256];
	const char *argv[4] = { "SETEX", key, ttl, val };
	redisReply *r;

	snprintf(ttl, sizeof ttl, "%d", ttl_s);
	r = rd_command(d, timeout_ms, err, sizeof err, 4, argv);
	freeReplyObject(r);
	return r ? 0 : -1;
}

int
deps_redis_get(struct deps *d, const char *key, char *val, size_t len,
    int64_t timeout_ms)
{
	const char *argv[2] = { "GET", key };
	char err[256];
	redisReply *r;
	int rc;

	r = rd_command(d, timeout_ms, err, sizeof err, 2, argv);
	if (r == NULL)
		return -1;
	rc = r->type == REDIS_REPLY_STRING ? 0 : 1;
	if (rc == 0)
		snprintf(val, len, "%s", r->str);
	freeReplyObject(r);
	return rc;
}

struct deps *
deps_new(const char *db_dsn, const char *redis_url, struct sd_err *e)
{
	struct deps *d = xcalloc(1, sizeof *d);

	pool_init(&d->db);
	pool_init(&d->rd);
	pthread_mutex_init(&d->schema_mu, NULL);
	if (db_dsn != NULL && *db_dsn != '\0')
		d->dsn = xstrdup(db_dsn);
	if (redis_url != NULL && *redis_url != '\0') {
		if (redisurl_parse(redis_url, &d->redis, e) == -1) {
			deps_free(d);
			return NULL;
		}
		d->has_redis = 1;
	}
	return d;
}

void
deps_free(struct deps *d)
{
	if (d == NULL)
		return;
	for (int i = 0; i < d->db.nidle; i++)
		PQfinish(d->db.idle[i]);
	for (int i = 0; i < d->rd.nidle; i++)
		redisFree(d->rd.idle[i]);
	free(d->dsn);
	redisurl_free(&d->redis);
	free(d);
}
