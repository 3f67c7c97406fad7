/*
 * target.h — the reference service of DESIGN §1, the thing the shipped drills
 * are proven against. Each --bug switch breaks exactly one behaviour so tests
 * can show a drill FAILS on a broken service, not only passes on a good one.
 */
#ifndef SD_TARGET_H
#define SD_TARGET_H

#include <stdint.h>

#include "../lib/base/util.h"

enum target_bug {
	BUG_READY_IGNORES_DB = 1 << 0,
	BUG_HEALTH_HIDES_REDIS = 1 << 1,
	BUG_NO_GUARD = 1 << 2,
	BUG_SLOW_RECOVERY = 1 << 3,
	BUG_LEAK = 1 << 4,
	BUG_CRASH_ON_DB_LOSS = 1 << 5,
	BUG_NO_GRACEFUL = 1 << 6,
	BUG_NO_DB_TIMEOUT = 1 << 7,
	BUG_NO_MEMORY_CHECK = 1 << 8,
	BUG_NO_RATE_LIMIT = 1 << 9,
	BUG_LOSE_WRITES = 1 << 10,
	BUG_NO_BREAKER = 1 << 11,
	BUG_STALE_METRICS = 1 << 12,
	BUG_CASCADE = 1 << 13,
	BUG_SESSIONS_NEED_REDIS = 1 << 14,
};

struct target_opts {
	const char *addr;		/* listen address, default 127.0.0.1 */
	int port;
	const char *db_dsn;		/* NULL: no database */
	const char *redis_url;		/* NULL: no redis (allowed, not prod) */
	int production;			/* Redis required for readiness */
	int64_t ai_latency_ms;
	int64_t shutdown_timeout_ms;
	int64_t breaker_open_ms;	/* how long the breaker stays open */
	int log_writes;			/* a log line per acknowledged write */
	unsigned bugs;
	/* Where log lines go (the caller prints); may be NULL. */
	void (*log)(const char *line);
};

/* NAME → bit; -1 if unknown. */
int target_bug_parse(const char *name, unsigned *bit);
/* The list of bug names, comma-separated, for usage messages. */
const char *target_bug_names(void);
/* Serve until SIGTERM/SIGINT; returns the exit code (0 on a clean drain). */
int target_run(const struct target_opts *o, struct sd_err *e);

#endif
