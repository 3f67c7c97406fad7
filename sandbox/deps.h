/*
 * deps.h — the reference target's view of PostgreSQL and Redis: small pools
 * of connections where every call has a hard deadline. A hung dependency
 * (Redis under CLIENT PAUSE, Postgres under SIGSTOP) costs a caller at most
 * its timeout, never more, and a broken connection is dropped and replaced,
 * so the target reconnects by itself when the dependency comes back.
 */
#ifndef SD_DEPS_H
#define SD_DEPS_H

#include <stdint.h>

#include "../lib/base/util.h"

struct deps;

struct dep_check {
	int configured;
	int ok;
	double latency_ms;
	char error[256];
};

struct deps *deps_new(const char *db_dsn, const char *redis_url,
    struct sd_err *e);
void deps_free(struct deps *d);

/* SELECT 1 within timeout_ms. */
void deps_db_check(struct deps *d, int64_t timeout_ms, struct dep_check *out);
/* PING within timeout_ms. */
void deps_redis_check(struct deps *d, int64_t timeout_ms, struct dep_check *out);

/* Rows of the records table as a JSON array string (caller frees); NULL
 * with err set when the database does not answer within timeout_ms. */
char *deps_db_records(struct deps *d, int64_t timeout_ms, char *err,
    size_t errlen);

/* SELECT count(*) of the records table into *n; 0, or -1 with err. */
int deps_db_count(struct deps *d, int64_t timeout_ms, long *n, char *err,
    size_t len);
/* INSERT key (letters, digits, - and _ only) into shakedown_writes, committed
 * when this returns 0; a key already there is fine. -1 with err. */
int deps_db_write(struct deps *d, const char *key, int64_t timeout_ms,
    char *err, size_t len);

/* SETEX key ttl value / GET key. 0 ok, -1 Redis failed; get: 1 = not found. */
int deps_redis_setex(struct deps *d, const char *key, int ttl_s,
    const char *val, int64_t timeout_ms);
int deps_redis_get(struct deps *d, const char *key, char *val, size_t len,
    int64_t timeout_ms);

#endif
