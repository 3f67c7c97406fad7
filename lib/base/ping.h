/*
 * ping.h — is a dependency answering? One helper each for Redis (PING) and
 * PostgreSQL (SELECT 1), every call bounded by a timeout, and a wait until
 * one answers. The fault kinds, the guardian, `recover` and the sandbox all
 * ask the same way. Errors never carry the password of the URL.
 */
#ifndef SD_PING_H
#define SD_PING_H

#include <signal.h>
#include <stdint.h>

#include "util.h"

#include <libpq-fe.h>

/* "what: msg" into e, libpq's message on one line (it ends in newlines). */
void ping_pq_error(struct sd_err *e, const char *what, const char *msg);
int ping_redis(const char *url, int64_t timeout_ms, struct sd_err *e);
int ping_pg(const char *dsn, int64_t timeout_ms, struct sd_err *e);
/* The one way shakedown connects to PostgreSQL: connect_timeout and
 * statement_timeout from timeout_ms (libpq's connect_timeout is whole
 * seconds, at least 2), application_name app, and with read_only every
 * transaction READ ONLY (default_transaction_read_only): a query a drill
 * wrote can then read, never write. NULL with e. */
PGconn *ping_pg_connect(const char *dsn, const char *app, int64_t timeout_ms,
    int read_only, struct sd_err *e);
/* GET url answers 2xx within timeout_ms (no proxy): 0, else -1 and e. */
int ping_http(const char *url, int64_t timeout_ms, struct sd_err *e);
/* By kind name: "redis", "postgres"; anything else answers (0). */
int ping_kind(const char *kind, const char *url, int64_t timeout_ms,
    struct sd_err *e);
/* Poll every 50 ms until it answers, timeout_ms passes (-1) or *stop is
 * set (-1, "interrupted"). stop may be NULL. */
int ping_wait(const char *kind, const char *url, int64_t timeout_ms,
    volatile sig_atomic_t *stop, struct sd_err *e);

#endif
