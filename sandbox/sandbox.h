/*
 * sandbox.h — the embedded default world: a private PostgreSQL cluster, a
 * private redis-server and the reference target, on loopback ports, with
 * their state, pidfiles and logs in one directory. Every sandbox subcommand
 * finds that directory the same way (sbx_dir), so the `sandbox stop redis`
 * a drill runs reaches the sandbox that `sandbox up` started.
 *
 * The target reaches PostgreSQL and Redis through a fault proxy (`shakedown
 * proxy`, routes "postgres" on proxy_port and "redis" on proxy_port + 1,
 * control socket DIR/proxy.sock), so network faults can be added to a
 * running route with neither root nor netem. Drills and `env` get the
 * direct URLs; the routes are DIR/proxy.sock#postgres and #redis.
 */
#ifndef SD_SANDBOX_H
#define SD_SANDBOX_H

#include <sys/types.h>

#include "../lib/base/util.h"

/* in the order they start: the proxy needs nothing, the target all;
 * Alertmanager and Prometheus (which scrapes the target and sends to
 * Alertmanager) only with --monitoring */
enum sbx_part { SBX_POSTGRES, SBX_REDIS, SBX_PROXY, SBX_TARGET,
	SBX_ALERTMANAGER, SBX_PROMETHEUS, SBX_NPARTS };

struct sbx_config {
	char *dir;
	int pg_port, redis_port, target_port;
	int proxy_port;		/* postgres route; redis route on + 1 */
	char **bugs;		/* passed to the target as --bug NAME */
	size_t nbugs;
	int production;
	char *ai_latency;	/* passed through, NULL: target default */
	char *self_exe;		/* our binary, for the target */
	int64_t target_memory;	/* the target's cgroup memory limit, bytes;
				 * 0: none (its check then reads the host) */
	int monitoring;		/* Prometheus and Alertmanager too */
	int prom_port, am_port;
};

struct sbx_state {
	pid_t pid;
	int running;		/* pid alive and ours */
	int answering;		/* PING / SELECT 1 / GET /health */
	int stale;		/* pidfile names a dead process */
	char detail[256];
};

/* --dir, else $SHAKEDOWN_SANDBOX, else ./.shakedown/sandbox (absolute). */
char *sbx_dir(const char *opt);
const char *sbx_part_name(enum sbx_part p);
/* Is the part one this sandbox runs (the monitoring ones on request)? */
int sbx_part_on(const struct sbx_config *c, enum sbx_part p);
int sbx_part_parse(const char *name, enum sbx_part *p);
int sbx_part_port(const struct sbx_config *c, enum sbx_part p);

/* Load the config `up` saved in dir (ports, bugs); defaults when absent. */
int sbx_config_load(struct sbx_config *c, const char *dir, struct sd_err *e);
int sbx_config_save(const struct sbx_config *c, struct sd_err *e);
void sbx_config_free(struct sbx_config *c);

/* Start a part if not already running and wait until it answers. On failure
 * e holds the reason followed by the tail of the part's log. */
int sbx_start(const struct sbx_config *c, enum sbx_part p, struct sd_err *e);
/* Stop a part for real (the process is gone when this returns 0). */
int sbx_stop(const struct sbx_config *c, enum sbx_part p, struct sd_err *e);
/* SIGKILL a part's process group, as a crash would (gone on 0). */
int sbx_kill(const struct sbx_config *c, enum sbx_part p, struct sd_err *e);
void sbx_state(const struct sbx_config *c, enum sbx_part p,
    struct sbx_state *st);
char *sbx_log_path(const struct sbx_config *c, enum sbx_part p);
/* What `sandbox up` was asked for; NULL/0 members leave the saved ones. */
struct sbx_up_opts {
	int pg_port, redis_port, target_port, proxy_port;
	char *const *bugs;
	size_t nbugs;
	int no_bugs, production;
	const char *ai_latency;
	int64_t target_memory;	/* 0: leave; -1: none */
	int monitoring;		/* 1: on, -1: off, 0: leave */
	int prom_port, am_port;
};

/*
 * Save what o asks for in c (and dir), restart a running target whose
 * switches changed, then start every part not running and wait until each
 * answers. On failure the parts this call started are stopped again (the
 * sandbox is left as it was found). say (may be NULL) hears of each part:
 * started 1, or already running 0.
 */
int sbx_up(struct sbx_config *c, const struct sbx_up_opts *o,
    void (*say)(void *arg, enum sbx_part p, int started), void *arg,
    struct sd_err *e);

/* The target's memory cgroup (NULL when the host has no memory
 * controller or the limit is off). Caller frees. */
char *sbx_target_cgroup(const struct sbx_config *c);

/* Connection strings for drills and the target. */
char *sbx_db_url(const struct sbx_config *c);
char *sbx_redis_url(const struct sbx_config *c);
char *sbx_target_url(const struct sbx_config *c);
/* The proxy's control socket; a route is "SOCKET#postgres" / "#redis". */
char *sbx_proxy_sock(const struct sbx_config *c);
/* The monitoring stack's base URLs (with --monitoring). */
char *sbx_prometheus_url(const struct sbx_config *c);
char *sbx_alertmanager_url(const struct sbx_config *c);

#endif
