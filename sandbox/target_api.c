/*
 * target_api.c — what each endpoint of the reference target does (see
 * target.c for the server and target_int.h for what they share). Checks
 * are made per request with the seed documents' timeouts (DB 1.5 s, Redis
 * 1 s), through deps.c which guarantees those deadlines.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/base/cgroup.h"
#include "target_int.h"

static const char *
check_status(const struct dep_check *d, int64_t slow_ms)
{
	if (!d->configured)
		return "ok";
	return !d->ok ? "down" : d->latency_ms >= (double)slow_ms ? "degraded" :
	    "ok";
}

static json_t *
check_json(const struct dep_check *d, int64_t slow_ms)
{
	json_t *j;

	if (!d->configured)
		return json_pack("{s:b,s:b,s:s}", "ok", 1, "configured", 0,
		    "status", "ok");
	j = json_pack("{s:b,s:s,s:f}", "ok", d->ok, "status",
	    check_status(d, slow_ms), "latency_ms",
	    (double)(long)(d->latency_ms * 100) / 100);
	if (!d->ok)
		json_object_set_new(j, "error", json_string(d->error));
	return j;
}

static int64_t
db_timeout(const struct srv *s)
{
	return s->o->bugs & BUG_NO_DB_TIMEOUT ? NO_TIMEOUT_MS : DB_TIMEOUT_MS;
}

/* The DB check, with the state the bugs and the logs need. */
static void
db_check(struct srv *s, struct dep_check *db)
{
	deps_db_check(s->deps, db_timeout(s), db);
	atomic_store(&s->db_checked_ms, mono_ms());
	if (!db->configured)
		return;
	int was = atomic_exchange(&s->db_up, db->ok);
	if (was != db->ok)
		target_log(s, "db %s%s%s", db->ok ? "up" : "down", db->ok ? "" : ": ",
		    db->ok ? "" : db->error);
	pthread_mutex_lock(&s->mu);
	if (!db->ok) {
		s->db_was_down = 1;
	} else if (s->db_was_down) {
		s->db_was_down = 0;
		s->db_back_ms = mono_ms();
		if (s->o->bugs & BUG_SLOW_RECOVERY) {
			char ts[40];
			/* the truth a test compares a drill's recovery time with */
			target_log(s, "slow_recovery: ready again at %s",
			    iso8601_ms(wall_ms() + SLOW_RECOVERY_MS, ts, sizeof ts));
		}
	}
	pthread_mutex_unlock(&s->mu);
	if (!db->ok && (s->o->bugs & BUG_CRASH_ON_DB_LOSS)) {
		target_log(s, "bug crash_on_db_loss: exiting");
		_exit(70);
	}
}

static void
redis_check(struct srv *s, struct dep_check *rd)
{
	deps_redis_check(s->deps, REDIS_TIMEOUT_MS, rd);
	atomic_store(&s->redis_checked_ms, mono_ms());
	if (!rd->configured)
		return;
	int was = atomic_exchange(&s->redis_up, rd->ok);
	if (was != rd->ok)
		target_log(s, "redis %s%s%s", rd->ok ? "up" : "down",
		    rd->ok ? "" : ": ", rd->ok ? "" : rd->error);
}

/*
 * Memory: of the cgroup this process is in when it has a limit (as in a
 * container), else of the machine. Degraded from 80 % (seed 004).
 */
/* The share of memory in use, of the cgroup's limit or the machine's;
 * -1 unknown. */
static double
memory_used(struct srv *s, int64_t *limit_out, const char **basis)
{
	int64_t limit = -1, usage = -1, total, avail;

	*basis = "cgroup";
	if (s->mem_root != NULL)
		cgroup_memory(s->mem_root, s->mem_rel, s->mem_v2, &limit, &usage);
	cgroup_host_memory(&total, &avail);
	if (limit <= 0 || usage < 0 || (total > 0 && limit > total)) {
		*basis = "host";
		limit = total;
		usage = total - avail;
	}
	*limit_out = limit;
	return limit > 0 ? (double)usage / (double)limit : -1;
}

static json_t *
memory_check(struct srv *s, int *degraded)
{
	int64_t limit;
	const char *basis;

	*degraded = 0;
	if (s->o->bugs & BUG_NO_MEMORY_CHECK)
		return json_pack("{s:s}", "status", "ok");
	double frac = memory_used(s, &limit, &basis);
	if (frac < 0)
		return json_pack("{s:s}", "status", "unknown");
	*degraded = frac >= MEMORY_DEGRADED;
	return json_pack("{s:s,s:i,s:i,s:I,s:s}", "status", *degraded ?
	    "degraded" : "ok", "usage", (int)(frac * 100 + 0.5), "threshold",
	    (int)(MEMORY_DEGRADED * 100), "limit_bytes", (json_int_t)limit,
	    "basis", basis);
}

enum MHD_Result
target_health(struct srv *s, struct MHD_Connection *c)
{
	struct dep_check db, rd;
	char ts[40];
	json_t *j;
	int ok;

	if (s->o->bugs & BUG_LEAK) {
		void *p = xmalloc(LEAK_BYTES);
		memset(p, 0xa5, LEAK_BYTES);	/* touch it: it must count in RSS */
		pthread_mutex_lock(&s->mu);
		s->leaked = xgrow(s->leaked, &s->capleaked, s->nleaked + 1,
		    sizeof *s->leaked);
		s->leaked[s->nleaked++] = p;
		pthread_mutex_unlock(&s->mu);
	}
	db_check(s, &db);
	redis_check(s, &rd);
	if ((s->o->bugs & BUG_HEALTH_HIDES_REDIS) && !rd.ok) {
		rd.ok = 1;
		rd.error[0] = '\0';
	}
	int mem_degraded;
	json_t *mem = memory_check(s, &mem_degraded);
	ok = strcmp(check_status(&db, DB_SLOW_MS), "ok") == 0 &&
	    strcmp(check_status(&rd, REDIS_SLOW_MS), "ok") == 0 && !mem_degraded;
	j = json_pack("{s:s,s:s,s:s,s:f,s:{s:o,s:o,s:o}}",
	    "status", ok ? "ok" : "degraded",
	    "service", "shakedown-target",
	    "timestamp", iso8601_ms(wall_ms(), ts, sizeof ts),
	    "uptime", (mono_ms() - s->start_ms) / 1000.0,
	    "checks", "db", check_json(&db, DB_SLOW_MS), "redis",
	    check_json(&rd, REDIS_SLOW_MS), "memory", mem);
	return target_reply_json(s, c, 0, 200, j, NULL, NULL);
}

enum MHD_Result
target_ready(struct srv *s, struct MHD_Connection *c)
{
	struct dep_check db, rd;
	int ready, slow = 0;
	char ts[40];
	json_t *j;

	db_check(s, &db);
	memset(&rd, 0, sizeof rd);
	if (s->o->production)
		redis_check(s, &rd);
	ready = !db.configured || db.ok;
	if (ready && (s->o->bugs & BUG_SLOW_RECOVERY)) {
		pthread_mutex_lock(&s->mu);
		slow = s->db_back_ms != 0 &&
		    mono_ms() - s->db_back_ms < SLOW_RECOVERY_MS;
		pthread_mutex_unlock(&s->mu);
		ready = !slow;
	}
	if (s->o->production && rd.configured && !rd.ok)
		ready = 0;
	if (s->o->production && !rd.configured)
		ready = 0;	/* production requires Redis */
	if (s->o->bugs & BUG_READY_IGNORES_DB)
		ready = 1;
	j = json_pack("{s:s,s:{s:o},s:s}", "status", ready ? "ready" : "not_ready",
	    "checks", "db", check_json(&db, DB_SLOW_MS),
	    "timestamp", iso8601_ms(wall_ms(), ts, sizeof ts));
	if (s->o->production)
		json_object_set_new(json_object_get(j, "checks"), "redis",
		    check_json(&rd, REDIS_SLOW_MS));
	return target_reply_json(s, c, 1, ready ? 200 : 503, j, NULL, NULL);
}

static const char *
bearer(struct MHD_Connection *c)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");

	if (a == NULL || strncasecmp(a, "Bearer ", 7) != 0 || a[7] == '\0')
		return NULL;
	return a + 7;
}

/* 0: acquired; -1: that user already has one in flight. */
static int
guard_acquire(struct srv *s, const char *user)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nguard; i++) {
		if (strcmp(s->guard[i], user) == 0) {
			pthread_mutex_unlock(&s->mu);
			return -1;
		}
	}
	s->guard = xgrow(s->guard, &s->capguard, s->nguard + 1, sizeof *s->guard);
	s->guard[s->nguard++] = xstrdup(user);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static void
guard_release(struct srv *s, const char *user)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nguard; i++) {
		if (strcmp(s->guard[i], user) == 0) {
			free(s->guard[i]);
			s->guard[i] = s->guard[--s->nguard];
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
}

enum MHD_Result
target_ai(struct srv *s, struct MHD_Connection *c, const char *kind)
{
	const char *user = bearer(c);
	int guarded = !(s->o->bugs & BUG_NO_GUARD);
	json_t *j;

	if (user == NULL)
		return target_reply_json(s, c, 2, 401, json_pack("{s:s}", "error",
		    "authentication required"), NULL, NULL);
	if (guarded && guard_acquire(s, user) == -1)
		return target_reply_json(s, c, 2, 429, json_pack("{s:s}", "error",
		    GUARD_TEXT), NULL, NULL);
	atomic_fetch_add(&s->ai_in_flight, 1);
	sleep_ms(s->o->ai_latency_ms);
	atomic_fetch_sub(&s->ai_in_flight, 1);
	if (guarded)
		guard_release(s, user);
	j = json_pack("{s:s,s:s,s:s}", "kind", kind, "user", user,
	    "interpretation", "simulated AI interpretation");
	return target_reply_json(s, c, 2, 200, j, NULL, NULL);
}

enum MHD_Result
target_login(struct srv *s, struct MHD_Connection *c, struct req *rq)
{
	unsigned char raw[16];
	char token[40], key[64];
	const char *user, *store = "redis";
	json_t *in, *u;

	in = json_loads(rq->body.buf, 0, NULL);
	u = in ? json_object_get(in, "user") : NULL;
	if (!json_is_string(u) || json_string_length(u) == 0 ||
	    json_string_length(u) >= sizeof(((struct session *)0)->user)) {
		json_decref(in);
		return target_reply_json(s, c, 3, 400, json_pack("{s:s}", "error",
		    "body must be {\"user\": NAME}"), NULL, NULL);
	}
	user = json_string_value(u);
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		memset(raw, 0, sizeof raw);
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	snprintf(key, sizeof key, "session:%s", token);
	if (deps_redis_setex(s->deps, key, 3600, user, REDIS_TIMEOUT_MS) == -1) {
		if (s->o->bugs & BUG_SESSIONS_NEED_REDIS) {
			/* the bug: no fallback, the API fails with Redis */
			json_decref(in);
			return target_reply_json(s, c, 3, 500, json_pack("{s:s}", "error",
			    "session store unavailable"), NULL, NULL);
		}
		/* Redis is down (or absent): fall back to memory, keep serving */
		store = "memory";
		pthread_mutex_lock(&s->mu);
		s->sessions = xgrow(s->sessions, &s->capsessions,
		    s->nsessions + 1, sizeof *s->sessions);
		struct session *se = &s->sessions[s->nsessions++];
		snprintf(se->token, sizeof se->token, "%s", token);
		snprintf(se->user, sizeof se->user, "%s", user);
		pthread_mutex_unlock(&s->mu);
	}
	u = json_pack("{s:s,s:s,s:s}", "token", token, "user", user,
	    "store", store);
	json_decref(in);
	return target_reply_json(s, c, 3, 200, u, NULL, NULL);
}

enum MHD_Result
target_session(struct srv *s, struct MHD_Connection *c)
{
	const char *token = bearer(c), *store = NULL;
	char key[128], user[128];

	if (token == NULL || strlen(token) > 64)
		return target_reply_json(s, c, 4, 401, json_pack("{s:s}", "error",
		    "authentication required"), NULL, NULL);
	snprintf(key, sizeof key, "session:%s", token);
	if (deps_redis_get(s->deps, key, user, sizeof user, REDIS_TIMEOUT_MS) == 0)
		store = "redis";
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; store == NULL && i < s->nsessions; i++) {
		if (strcmp(s->sessions[i].token, token) == 0) {
			snprintf(user, sizeof user, "%s", s->sessions[i].user);
			store = "memory";
		}
	}
	pthread_mutex_unlock(&s->mu);
	if (store == NULL)
		return target_reply_json(s, c, 4, 401, json_pack("{s:s}", "error",
		    "no such session"), NULL, NULL);
	return target_reply_json(s, c, 4, 200, json_pack("{s:s,s:s}", "user", user,
	    "store", store), NULL, NULL);
}

enum MHD_Result
target_records(struct srv *s, struct MHD_Connection *c)
{
	char err[256], *rows;
	struct dep_check db = { 0 };

	rows = deps_db_records(s->deps, db_timeout(s), err, sizeof err);
	db.configured = 1;
	db.ok = rows != NULL;
	snprintf(db.error, sizeof db.error, "%s", err);
	if (rows == NULL) {
		/* a clean error, never a crash (unless that is the bug) */
		if (s->o->bugs & BUG_CRASH_ON_DB_LOSS) {
			target_log(s, "bug crash_on_db_loss: exiting");
			_exit(70);
		}
		return target_reply_json(s, c, 5, 503, json_pack("{s:s}", "error",
		    "database unavailable"), NULL, NULL);
	}
	char *body = xasprintf("{\"records\":%s}", rows);
	free(rows);
	return target_reply(s, c, 5, 200, "application/json", body, NULL, NULL);
}

static void
client_key(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(buf, len, "unknown");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    buf, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    buf, (socklen_t)len);
}

/* A fixed window per client: 0 when this request fits, else the ms until
 * the window turns; *left: what the client may still send in it, *reset_ms:
 * when it turns (both may be NULL). */
static int64_t
limit_take2(struct srv *s, const char *key, int max, int64_t window_ms,
    int *left, int64_t *reset_ms)
{
	int64_t now = mono_ms(), retry_ms = 0;
	struct limit *l = NULL;

	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nlimits && l == NULL; i++)
		if (strcmp(s->limits[i].client, key) == 0)
			l = &s->limits[i];
	if (l == NULL) {
		s->limits = xgrow(s->limits, &s->caplimits, s->nlimits + 1,
		    sizeof *s->limits);
		l = &s->limits[s->nlimits++];
		snprintf(l->client, sizeof l->client, "%s", key);
		l->window_start_ms = now;
		l->count = 0;
	}
	if (now - l->window_start_ms >= window_ms) {
		l->window_start_ms = now;
		l->count = 0;
	}
	if (++l->count > max)
		retry_ms = window_ms - (now - l->window_start_ms);
	if (left != NULL)
		*left = l->count >= max ? 0 : max - l->count;
	if (reset_ms != NULL)
		*reset_ms = window_ms - (now - l->window_start_ms);
	pthread_mutex_unlock(&s->mu);
	return retry_ms;
}

static int64_t
limit_take(struct srv *s, const char *key, int max, int64_t window_ms)
{
	return limit_take2(s, key, max, window_ms, NULL, NULL);
}

/* X-Client-Id lets several "clients" share one loopback address. */
static void
limit_key(struct MHD_Connection *c, const char *prefix, char *key, size_t len)
{
	const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Client-Id");
	char addr[48];

	if (id != NULL) {
		snprintf(key, len, "%sid:%.40s", prefix, id);
		return;
	}
	client_key(c, addr, sizeof addr);
	snprintf(key, len, "%s%s", prefix, addr);
}

static enum MHD_Result
too_many(struct srv *s, struct MHD_Connection *c, int route, int64_t retry_ms,
    json_t *j)
{
	char ra[16];

	snprintf(ra, sizeof ra, "%lld", (long long)((retry_ms + 999) / 1000));
	return target_reply_json(s, c, route, 429, j, "Retry-After", ra);
}

enum MHD_Result
target_limited(struct srv *s, struct MHD_Connection *c)
{
	char key[64];
	int64_t retry_ms;

	limit_key(c, "", key, sizeof key);
	if ((retry_ms = limit_take(s, key, LIMIT_MAX, LIMIT_WINDOW_MS)) > 0)
		return too_many(s, c, 6, retry_ms, json_pack("{s:s}", "error",
		    "Too many requests"));
	return target_reply_json(s, c, 6, 200, json_pack("{s:b}", "ok", 1), NULL, NULL);
}

/*
 * CPU work behind seed 001's rate limiter: RATE_POINTS requests per client
 * a window are served (COMPUTE_MS of CPU each); the rest get 429 with
 * Retry-After at once, costing next to nothing — so a throttled CPU still
 * serves what it accepts in time.
 */
enum MHD_Result
target_compute(struct srv *s, struct MHD_Connection *c)
{
	struct timespec t0, t;
	uint32_t x = 1;
	char key[64], rl[64], ra[16];
	int64_t retry_ms, reset_ms;
	int left;
	/* draft-7's RateLimit fields, as express-rate-limit sends them */
	const char *hdrs[] = { "RateLimit-Policy", RATE_POLICY, "RateLimit", rl,
	    NULL, ra, NULL };

	if (!(s->o->bugs & BUG_NO_RATE_LIMIT)) {
		limit_key(c, "compute:", key, sizeof key);
		retry_ms = limit_take2(s, key, RATE_POINTS, RATE_WINDOW_MS, &left,
		    &reset_ms);
		snprintf(rl, sizeof rl, "limit=%d, remaining=%d, reset=%lld",
		    RATE_POINTS, left, (long long)((reset_ms + 999) / 1000));
		if (retry_ms > 0) {
			snprintf(ra, sizeof ra, "%lld", (long long)((retry_ms + 999) /
			    1000));
			hdrs[4] = "Retry-After";
			return target_reply_json_h(s, c, 10, 429, json_pack("{s:s,s:s}",
			    "code", "TOO_MANY_REQUESTS", "message",
			    "Too many requests, please try again later"), hdrs);
		}
	} else {
		hdrs[0] = NULL;
	}
	if (s->o->bugs & BUG_CASCADE) {
		/* a bystander that should need nothing calls Redis, and fails
		 * with it: what a guardrail on a bystander is for */
		struct dep_check rd;
		redis_check(s, &rd);
		if (rd.configured && !rd.ok)
			return target_reply_json(s, c, 10, 500, json_pack("{s:s}", "error",
			    "cache unavailable"), NULL, NULL);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 10000; i++)
			x = x * 1103515245u + 12345u;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000LL + (t.tv_nsec - t0.tv_nsec) <
	    COMPUTE_MS * 1000000LL);
	return target_reply_json_h(s, c, 10, 200, json_pack("{s:I}", "result",
	    (json_int_t)x), hdrs);
}

const double target_lat_le[NLAT] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
    0.5, 1, 2.5, 5, 10 };

void
target_observe_duration(struct srv *s, int route, int64_t us)
{
	double sec = (double)us / 1e6;

	if (route == 7)
		return;
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < NLAT; i++)
		if (sec <= target_lat_le[i])
			s->lat_b[i]++;
	s->lat_count++;
	s->lat_sum += sec;
	pthread_mutex_unlock(&s->mu);
}

/* The request-duration histogram, and memory, as prom-client's default
 * metrics and an http duration histogram would give them. */
static void
metrics_more(struct srv *s, struct sbuf *sb)
{
	int64_t limit;
	const char *basis;
	double used = memory_used(s, &limit, &basis);

	sb_add(sb, "# HELP shakedown_target_request_duration_seconds Request"
	    " durations.\n# TYPE shakedown_target_request_duration_seconds"
	    " histogram\n");
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < NLAT; i++)
		sb_addf(sb, "shakedown_target_request_duration_seconds_bucket"
		    "{le=\"%g\"} %lu\n", target_lat_le[i], s->lat_b[i]);
	sb_addf(sb, "shakedown_target_request_duration_seconds_bucket"
	    "{le=\"+Inf\"} %lu\nshakedown_target_request_duration_seconds_sum"
	    " %.6f\nshakedown_target_request_duration_seconds_count %lu\n",
	    s->lat_count, s->lat_sum, s->lat_count);
	pthread_mutex_unlock(&s->mu);
	if (used >= 0)
		sb_addf(sb, "# HELP shakedown_target_memory_usage_ratio Memory in"
		    " use, of the %s's.\n# TYPE shakedown_target_memory_usage_ratio"
		    " gauge\nshakedown_target_memory_usage_ratio %.4f\n", basis,
		    used);
}

enum MHD_Result
target_metrics(struct srv *s, struct MHD_Connection *c)
{
	struct dep_check dc;
	struct sbuf sb;

	/* the dependency gauges as of the last second, as a real service's
	 * health check timer keeps them: a scrape alone sees them move */
	if (mono_ms() - atomic_load(&s->db_checked_ms) > 1000)
		db_check(s, &dc);
	if (mono_ms() - atomic_load(&s->redis_checked_ms) > 1000)
		redis_check(s, &dc);
	sb_init(&sb);
	sb_add(&sb, "# HELP shakedown_target_requests_total Requests by route"
	    " and status.\n# TYPE shakedown_target_requests_total counter\n");
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nmetrics; i++)
		sb_addf(&sb, "shakedown_target_requests_total{route=\"%s\","
		    "status=\"%u\"} %lu\n", target_routes[s->metrics[i].route],
		    s->metrics[i].status, s->metrics[i].count);
	pthread_mutex_unlock(&s->mu);
	sb_addf(&sb, "# TYPE shakedown_target_ai_in_flight gauge\n"
	    "shakedown_target_ai_in_flight %d\n"
	    "# TYPE shakedown_target_db_up gauge\nshakedown_target_db_up %d\n"
	    "# TYPE shakedown_target_redis_up gauge\n"
	    "shakedown_target_redis_up %d\n"
	    "# TYPE shakedown_target_uptime_seconds gauge\n"
	    "shakedown_target_uptime_seconds %.3f\n",
	    atomic_load(&s->ai_in_flight), (s->o->bugs & BUG_STALE_METRICS) ? 1 :
	    atomic_load(&s->db_up), atomic_load(&s->redis_up), (mono_ms() - s->start_ms) / 1000.0);
	metrics_more(s, &sb);
	return target_reply(s, c, 7, 200, "text/plain; version=0.0.4",
	    sb_detach(&sb), NULL, NULL);
}

/* {"key":"..."}: letters, digits, - and _, at most KEY_MAX. */
static int
write_key(struct req *rq, char *key)
{
	json_t *in = json_loadb(rq->body.buf ? rq->body.buf : "", rq->body.len,
	    0, NULL);
	const char *k = json_string_value(json_object_get(in, "key"));
	int ok = k != NULL && *k != '\0' && strlen(k) <= KEY_MAX;

	for (const char *p = k; ok && *p; p++)
		ok = *p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
	if (ok)
		snprintf(key, KEY_MAX + 1, "%s", k);
	json_decref(in);
	return ok ? 0 : -1;
}

/*
 * POST /api/writes {"key":K}: 201 once the row is committed, 503 when the
 * database does not take it in time (the client may retry: the key makes
 * it idempotent). --bug lose_writes acknowledges at once and writes later
 * from a buffer that a failed flush drops — what a drill must catch.
 */
enum MHD_Result
target_write(struct srv *s, struct MHD_Connection *c, struct req *rq)
{
	char key[KEY_MAX + 1], err[256];

	if (write_key(rq, key) == -1)
		return target_reply_json(s, c, 11, 400, json_pack("{s:s}", "error",
		    "body must be {\"key\": letters, digits, - or _}"), NULL, NULL);
	if (s->o->bugs & BUG_LOSE_WRITES) {
		pthread_mutex_lock(&s->mu);
		s->pending = xgrow(s->pending, &s->cappending, s->npending + 1,
		    sizeof *s->pending);
		memcpy(s->pending[s->npending++], key, sizeof key);
		pthread_mutex_unlock(&s->mu);
		return target_reply_json(s, c, 11, 201, json_pack("{s:s,s:b}", "key", key,
		    "stored", 1), NULL, NULL);
	}
	if (deps_db_write(s->deps, key, db_timeout(s), err, sizeof err) == -1)
		return target_reply_json(s, c, 11, 503, json_pack("{s:s}", "error",
		    "database unavailable"), NULL, NULL);
	/* the service's own record of what it acknowledged: what a drill's
	 * count of lost writes and its RPO are checked against */
	if (s->o->log_writes)
		target_log(s, "write %s acknowledged", key);
	return target_reply_json(s, c, 11, 201, json_pack("{s:s,s:b}", "key", key,
	    "stored", 1), NULL, NULL);
}

/* --bug lose_writes: write the buffer every FLUSH_MS; a batch the database
 * does not take is dropped, though every write in it was acknowledged. */
void *
target_flusher(void *arg)
{
	struct srv *s = arg;
	char err[256];

	while (!atomic_load(&s->stop_flusher)) {
		char (*batch)[KEY_MAX + 1];
		size_t n, done = 0;

		sleep_ms(FLUSH_MS);
		pthread_mutex_lock(&s->mu);
		batch = s->pending;
		n = s->npending;
		s->pending = NULL;
		s->npending = s->cappending = 0;
		pthread_mutex_unlock(&s->mu);
		while (done < n && deps_db_write(s->deps, batch[done], DB_TIMEOUT_MS,
		    err, sizeof err) == 0)
			done++;
		if (done < n)
			target_log(s, "bug lose_writes: dropped %zu acknowledged write(s):"
			    " %s", n - done, err);
		free(batch);
	}
	return NULL;
}

/*
 * GET /api/stats: a count from the database behind a circuit breaker (seed
 * 001 §4.1): BREAKER_THRESHOLD failures in a row open it; while open, calls
 * fail at once with 503 "Circuit breaker is OPEN"; after breaker_open_ms
 * calls go through again (half-open), and BREAKER_SUCCESSES
 * successes close it, a failure opens it again.
 */
enum MHD_Result
target_stats(struct srv *s, struct MHD_Connection *c)
{
	int breaker = !(s->o->bugs & BUG_NO_BREAKER), ok;
	enum breaker_state st;
	char err[256];
	long n = 0;

	pthread_mutex_lock(&s->mu);
	if (breaker && s->br == BR_OPEN) {
		if (mono_ms() - s->br_opened_ms < s->o->breaker_open_ms) {
			pthread_mutex_unlock(&s->mu);
			return target_reply_json(s, c, 12, 503, json_pack("{s:s,s:s}",
			    "error", BREAKER_TEXT, "breaker", "open"), NULL, NULL);
		}
		s->br = BR_HALF_OPEN;
		s->br_successes = 0;
		target_log(s, "circuit breaker half-open");
	}
	pthread_mutex_unlock(&s->mu);
	ok = deps_db_count(s->deps, db_timeout(s), &n, err, sizeof err) == 0;
	pthread_mutex_lock(&s->mu);
	if (ok) {
		s->br_failures = 0;
		if (s->br == BR_HALF_OPEN && ++s->br_successes >= BREAKER_SUCCESSES) {
			s->br = BR_CLOSED;
			target_log(s, "circuit breaker closed");
		}
	} else if (breaker && (s->br == BR_HALF_OPEN ||
	    ++s->br_failures >= BREAKER_THRESHOLD)) {
		if (s->br != BR_OPEN)
			target_log(s, "circuit breaker open after %d failure(s)",
			    s->br == BR_HALF_OPEN ? 1 : s->br_failures);
		s->br = BR_OPEN;
		s->br_opened_ms = mono_ms();
	}
	st = s->br;
	pthread_mutex_unlock(&s->mu);
	if (!ok)
		return target_reply_json(s, c, 12, 503, json_pack("{s:s,s:s}", "error",
		    "database unavailable", "breaker", target_breaker_names[st]), NULL,
		    NULL);
	return target_reply_json(s, c, 12, 200, json_pack("{s:I,s:s}", "records",
	    (json_int_t)n, "breaker", target_breaker_names[st]), NULL, NULL);
}
