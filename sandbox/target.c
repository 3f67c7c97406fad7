/*
 * target.c — the reference target service: libmicrohttpd with a thread per
 * connection, so a request that waits (simulated AI latency, a dependency
 * timing out) never holds another request hostage. Dependency checks are
 * made per request with the timeouts of the seed documents (DB 1.5 s,
 * Redis 1 s), through deps.c which guarantees those deadlines. A check that
 * answers but slowly (seed 004: DB from 100 ms, Redis from 50 ms) is
 * "degraded", and so is /health; one that does not answer is "down".
 *
 * State shared between connection threads is small and mutex-guarded: the
 * AI guard's in-flight set, the in-memory session store, rate-limit windows
 * and metrics counters.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "../lib/base/cgroup.h"
#include "target_int.h"

static const struct {
	const char *name;
	unsigned bit;
} bugs[] = {
	{ "ready_ignores_db", BUG_READY_IGNORES_DB },
	{ "health_hides_redis", BUG_HEALTH_HIDES_REDIS },
	{ "no_guard", BUG_NO_GUARD },
	{ "slow_recovery", BUG_SLOW_RECOVERY },
	{ "leak", BUG_LEAK },
	{ "crash_on_db_loss", BUG_CRASH_ON_DB_LOSS },
	{ "no_graceful", BUG_NO_GRACEFUL },
	{ "no_db_timeout", BUG_NO_DB_TIMEOUT },
	{ "no_memory_check", BUG_NO_MEMORY_CHECK },
	{ "no_rate_limit", BUG_NO_RATE_LIMIT },
	{ "lose_writes", BUG_LOSE_WRITES },
	{ "no_breaker", BUG_NO_BREAKER },
	{ "stale_metrics", BUG_STALE_METRICS },
	{ "cascade", BUG_CASCADE },
	{ "sessions_need_redis", BUG_SESSIONS_NEED_REDIS },
};



int
target_bug_parse(const char *name, unsigned *bit)
{
	for (size_t i = 0; i < sizeof bugs / sizeof bugs[0]; i++) {
		if (strcmp(bugs[i].name, name) == 0) {
			*bit = bugs[i].bit;
			return 0;
		}
	}
	return -1;
}

const char *
target_bug_names(void)
{
	static char names[512];

	if (names[0] == '\0')
		for (size_t i = 0; i < sizeof bugs / sizeof bugs[0]; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names),
			    "%s%s", i ? ", " : "", bugs[i].name);
	return names;
}

static const char *
ai_kind(const char *url)
{
	static const char *kinds[] = { "bazi", "tarot", "iching" };
	char want[64];

	for (size_t i = 0; i < 3; i++) {
		snprintf(want, sizeof want, "/api/%s/ai-interpret", kinds[i]);
		if (strcmp(url, want) == 0)
			return kinds[i];
	}
	return NULL;
}

static enum MHD_Result
route(struct srv *s, struct MHD_Connection *c, const char *url,
    const char *method, struct req *rq)
{
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = strcmp(method, "POST") == 0;
	const char *kind;

	if (atomic_load(&s->shutting_down))
		return target_reply_json(s, c, 9, 503, json_pack("{s:s}", "error",
		    "shutting down"), NULL, NULL);
	if (rq->too_big)
		return target_reply_json(s, c, 8, 413, json_pack("{s:s}", "error",
		    "body too large"), NULL, NULL);
	if (get && strcmp(url, "/health") == 0)
		return target_health(s, c);
	if (get && strcmp(url, "/api/ready") == 0)
		return target_ready(s, c);
	if (post && (kind = ai_kind(url)) != NULL)
		return target_ai(s, c, kind);
	if (post && strcmp(url, "/api/login") == 0)
		return target_login(s, c, rq);
	if (get && strcmp(url, "/api/session") == 0)
		return target_session(s, c);
	if (get && strcmp(url, "/api/records") == 0)
		return target_records(s, c);
	if (get && strcmp(url, "/api/limited") == 0)
		return target_limited(s, c);
	if (get && strcmp(url, "/api/compute") == 0)
		return target_compute(s, c);
	if (post && strcmp(url, "/api/writes") == 0)
		return target_write(s, c, rq);
	if (get && strcmp(url, "/api/stats") == 0)
		return target_stats(s, c);
	if (get && strcmp(url, "/metrics") == 0) {
		rq->route = 7;	/* the scrapes are not the service's latency */
		return target_metrics(s, c);
	}
	return target_reply_json(s, c, 8, 404, json_pack("{s:s}", "error",
	    "not found"), NULL, NULL);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct req *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		rq = xcalloc(1, sizeof *rq);
		rq->t0_us = mono_ns() / 1000;
		rq->route = -1;
		sb_init(&rq->body);
		*con_cls = rq;
		atomic_fetch_add(&s->in_flight, 1);
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (rq->body.len + *upload_size > BODY_MAX)
			rq->too_big = 1;
		else
			sb_addn(&rq->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return route(s, c, url, method, rq);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct srv *s = cls;
	struct req *rq = *con_cls;

	(void)c;
	(void)toe;
	if (rq == NULL)
		return;
	target_observe_duration(s, rq->route, mono_ns() / 1000 - rq->t0_us);
	sb_free(&rq->body);
	free(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

static void
srv_free(struct srv *s)
{
	free(s->mem_root);
	free(s->mem_rel);
	for (size_t i = 0; i < s->nguard; i++)
		free(s->guard[i]);
	free(s->guard);
	free(s->sessions);
	free(s->limits);
	free(s->metrics);
	free(s->pending);
	for (size_t i = 0; i < s->nleaked; i++)
		free(s->leaked[i]);
	free(s->leaked);
	deps_free(s->deps);
	pthread_mutex_destroy(&s->mu);
}

/*
 * Graceful shutdown: from the first SIGTERM new requests get 503 with
 * Connection: close, requests already in flight finish, and we exit once
 * none is left or at the shutdown timeout, whichever is first.
 */
static int
drain(struct srv *s)
{
	int64_t end = mono_ms() + s->o->shutdown_timeout_ms;
	int left;

	atomic_store(&s->shutting_down, 1);
	target_log(s, "shutting down: %d request(s) in flight",
	    atomic_load(&s->in_flight));
	/* a request counts from its headers to its completion callback */
	while ((left = atomic_load(&s->in_flight)) > 0 && mono_ms() < end)
		sleep_ms(10);
	if (left > 0) {
		target_log(s, "shutdown timeout: %d request(s) still in flight", left);
		return 1;
	}
	target_log(s, "drained, exiting");
	return 0;
}

int
target_run(const struct target_opts *o, struct sd_err *e)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	struct srv s = { 0 };
	sigset_t set;
	int sig, rc;

	s.o = o;
	s.start_ms = mono_ms();
	{
		/* where its memory is accounted does not change: look once */
		char root[4096];
		struct sd_err ignore;
		if (cgroup_mount("memory", root, sizeof root, &s.mem_v2, &ignore) == 0 &&
		    (s.mem_rel = cgroup_of(getpid(), "memory", s.mem_v2)) != NULL)
			s.mem_root = xstrdup(root);
	}
	pthread_mutex_init(&s.mu, NULL);
	if (inet_pton(AF_INET, o->addr ? o->addr : "127.0.0.1",
	    &sin.sin_addr) != 1)
		return err_set(e, "bad listen address '%s'", o->addr);
	sin.sin_port = htons((uint16_t)o->port);
	if ((s.deps = deps_new(o->db_dsn, o->redis_url, e)) == NULL)
		return -1;
	/* The connection threads inherit this mask; only we take signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
	    handler, &s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, &s,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
	    MHD_OPTION_END);
	if (d == NULL) {
		srv_free(&s);
		return err_set(e, "cannot listen on %s:%d: %s",
		    o->addr ? o->addr : "127.0.0.1", o->port, strerror(errno));
	}
	if ((o->bugs & BUG_LOSE_WRITES) &&
	    pthread_create(&s.target_flusher, NULL, target_flusher, &s) == 0)
		s.has_flusher = 1;
	target_log(&s, "listening on http://%s:%d (db %s, redis %s%s)",
	    o->addr ? o->addr : "127.0.0.1", o->port,
	    o->db_dsn ? "configured" : "none", o->redis_url ? "configured" : "none",
	    o->production ? ", production" : "");
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		target_log(&s, "received %s", strsignal(sig));
		break;
	}
	if (o->bugs & BUG_NO_GRACEFUL) {
		target_log(&s, "bug no_graceful: exiting at once");
		_exit(0);
	}
	rc = drain(&s);
	MHD_stop_daemon(d);
	if (s.has_flusher) {
		atomic_store(&s.stop_flusher, 1);
		pthread_join(s.target_flusher, NULL);
	}
	srv_free(&s);
	return rc;
}
