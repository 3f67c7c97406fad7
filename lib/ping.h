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

/* "what: msg" into e, libpq's message on one line (it ends in newlines). */
void pq_error(struct sd_err *e, const char *what, const char *msg);
int ping_redis(const char *url, int64_t timeout_ms, struct sd_err *e);
int ping_pg(const char *dsn, int64_t timeout_ms, struct sd_err *e);
/* By kind name: "redis", "postgres"; anything else answers (0). */
int ping_kind(const char *kind, const char *url, int64_t timeout_ms,
    struct sd_err *e);
/* Poll every 50 ms until it answers, timeout_ms passes (-1) or *stop is
 * set (-1, "interrupted"). stop may be NULL. */
int ping_wait(const char *kind, const char *url, int64_t timeout_ms,
    volatile sig_atomic_t *stop, struct sd_err *e);

#endif
