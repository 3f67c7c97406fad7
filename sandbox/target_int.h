/*
 * target_int.h — what the reference target's parts share, each calling
 * only down: target.c (the server: routes, start, drain), target_api.c
 * (what each endpoint does: health and readiness with their dependency
 * checks, the AI guard, sessions, data, rate limits, metrics, writes, the
 * circuit breaker), target_reply.c (replies and the log).
 */
#ifndef SD_TARGET_INT_H
#define SD_TARGET_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "deps.h"
#include "target.h"

#define DB_TIMEOUT_MS 1500
#define REDIS_TIMEOUT_MS 1000
#define DB_SLOW_MS 100
#define REDIS_SLOW_MS 50
#define NO_TIMEOUT_MS (10 * 60 * 1000)	/* --bug no_db_timeout: "none" */
#define BODY_MAX (64 * 1024)
#define SLOW_RECOVERY_MS 8000
#define LIMIT_WINDOW_MS 10000
#define LIMIT_MAX 20
#define RATE_POINTS 100	/* seed 001's limiter: per client per window */
#define RATE_WINDOW_MS 10000	/* a window wide enough that a burst of 3 x
				 * 110 requests fits in one on a busy
				 * machine (3 s did not: all 110 were
				 * accepted once); the seed's own is 60 s */
#define RATE_POLICY "100;w=10"
#define COMPUTE_MS 2
#define LEAK_BYTES (64 * 1024)
#define MEMORY_DEGRADED 0.80	/* seed 004: memory < 80 % is healthy */
#define GUARD_TEXT "AI request already in progress. Please wait."


struct session {
	char token[40];
	char user[128];
};

struct limit {
	char client[64];
	int64_t window_start_ms;
	int count;
};

/* the request-duration histogram's upper bounds, seconds */
#define NLAT 11
extern const double target_lat_le[NLAT];

#define NROUTES 13
extern const char *const target_routes[NROUTES];

#define KEY_MAX 64
#define BREAKER_THRESHOLD 5	/* seed 001 §4.1: failures that open it */
#define BREAKER_SUCCESSES 2	/* half-open successes that close it */
#define BREAKER_TEXT "Circuit breaker is OPEN"
#define FLUSH_MS 100		/* --bug lose_writes: the buffer's period */

enum breaker_state { BR_CLOSED, BR_OPEN, BR_HALF_OPEN };
extern const char *const target_breaker_names[];

struct metric {
	int route;
	unsigned status;
	unsigned long count;
};

struct srv {
	const struct target_opts *o;
	struct deps *deps;
	int64_t start_ms;
	char *mem_root, *mem_rel;	/* its memory cgroup, found once; NULL */
	int mem_v2;
	atomic_int shutting_down;
	atomic_int in_flight;
	atomic_int ai_in_flight;
	atomic_int db_up, redis_up;

	pthread_mutex_t mu;		/* everything below */
	char **guard;			/* users with an AI request in flight */
	size_t nguard, capguard;
	struct session *sessions;
	size_t nsessions, capsessions;
	struct limit *limits;
	size_t nlimits, caplimits;
	struct metric *metrics;
	size_t nmetrics, capmetrics;
	int db_was_down;
	int64_t db_back_ms;		/* when the DB answered after an outage */
	void **leaked;
	size_t nleaked, capleaked;
	enum breaker_state br;		/* /api/stats's circuit breaker */
	int br_failures, br_successes;
	int64_t br_opened_ms;
	char (*pending)[KEY_MAX + 1];	/* --bug lose_writes: acknowledged,
					 * not yet written */
	size_t npending, cappending;
	pthread_t target_flusher;
	int has_flusher;
	atomic_int stop_flusher;
	unsigned long lat_b[NLAT];	/* request durations (not /metrics') */
	unsigned long lat_count;
	double lat_sum;
	_Atomic int64_t db_checked_ms, redis_checked_ms;	/* last check */
};

struct req {
	struct sbuf body;
	int too_big;
	int route;
	int64_t t0_us;		/* when it came in */
};


/* target_api.c: the endpoints, and --bug lose_writes's flusher thread */
enum MHD_Result target_ai(struct srv *s, struct MHD_Connection *c,
    const char *kind);
enum MHD_Result target_compute(struct srv *s, struct MHD_Connection *c);
enum MHD_Result target_health(struct srv *s, struct MHD_Connection *c);
enum MHD_Result target_limited(struct srv *s, struct MHD_Connection *c);
enum MHD_Result target_login(struct srv *s, struct MHD_Connection *c,
    struct req *rq);
enum MHD_Result target_metrics(struct srv *s, struct MHD_Connection *c);
enum MHD_Result target_ready(struct srv *s, struct MHD_Connection *c);
enum MHD_Result target_records(struct srv *s, struct MHD_Connection *c);
enum MHD_Result target_session(struct srv *s, struct MHD_Connection *c);
enum MHD_Result target_stats(struct srv *s, struct MHD_Connection *c);
enum MHD_Result target_write(struct srv *s, struct MHD_Connection *c,
    struct req *rq);
void *target_flusher(void *arg);
/* A request is over: its duration into the histogram. */
void target_observe_duration(struct srv *s, int route, int64_t us);
/* target_reply.c: replies (each counted in the metrics), the log */
enum MHD_Result target_reply(struct srv *s, struct MHD_Connection *c, int route,
    unsigned status, const char *ctype, char *body, const char *hname,
    const char *hval);
enum MHD_Result target_reply_json(struct srv *s, struct MHD_Connection *c, int route,
    unsigned status, json_t *j, const char *hname, const char *hval);
enum MHD_Result target_reply_json_h(struct srv *s, struct MHD_Connection *c, int route,
    unsigned status, json_t *j, const char *const *hdrs);
void target_log(struct srv *s, const char *fmt, ...);

#endif
