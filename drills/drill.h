/*
 * drill.h — fault kinds, in the spirit of tc's qdisc_util: each kind is one
 * file exporting a `struct drill_kind` with parse (no side effects), apply,
 * revert and describe. apply records exactly what it changed in the fault so
 * revert restores that — idempotently, and also after a partial apply.
 */
#ifndef SD_DRILL_H
#define SD_DRILL_H

#include <sys/types.h>

#include <stdint.h>

#include <jansson.h>

#include "../lib/proc.h"
#include "../lib/util.h"

struct scen_service;
struct ynode;

enum fault_action {
	FA_STOP, FA_START, FA_KILL, FA_RESTART, FA_PAUSE, FA_RESUME, FA_SIGNAL,
	FA_CLIENT_KILL, FA_TERMINATE, FA_HOLD, FA_NACTIONS
};

/* What every apply/revert may need from the runner. */
struct drill_env {
	const char *self_exe;		/* "shakedown" in a command means us */
	volatile int *interrupted;	/* set by the signal handler */
};

struct fault {
	const struct drill_kind *kind;
	enum fault_action action;
	struct scen_service *svc;	/* borrowed from the scenario */
	const struct drill_env *env;
	int64_t for_ms;			/* pause length (redis), 0: until revert */
	int count;			/* hold-connections */
	int sig;			/* signal */
	int64_t timeout_ms;		/* this step's command timeout */
	/* state: what apply changed, for revert */
	int applied, reverted;
	pid_t pid;			/* the process stopped/paused/signalled */
	void *priv;			/* kind-specific (held connections) */
	char *note;			/* what happened, for the report */
	int line, col;
};

struct drill_kind {
	const char *name;
	/* Args beyond the service name; no side effects. */
	int (*parse)(struct fault *f, const struct ynode *args, const char *file,
	    struct sd_err *e);
	int (*apply)(struct fault *f, struct sd_err *e);
	/* NULL: nothing to undo (a one-shot action). */
	int (*revert)(struct fault *f, struct sd_err *e);
	/* What apply (revert: what revert) will do, for plan and reports. */
	char *(*describe)(const struct fault *f, int revert);
	/* Called just before apply: a self-contained spec of how to undo it,
	 * for the journal (so the guardian or `recover` can, without the
	 * scenario). May resolve what apply will act on (the pid). */
	json_t *(*journal)(struct fault *f);
	void (*free)(struct fault *f);
};

extern const struct drill_kind drill_service;
extern const struct drill_kind drill_redis;
extern const struct drill_kind drill_postgres;

const char *drill_action_name(enum fault_action a);
int drill_action_parse(const char *name, enum fault_action *a);
/* The kind that performs action on this service, or NULL with e set. */
const struct drill_kind *drill_kind_for(enum fault_action a,
    const struct scen_service *svc, struct sd_err *e);
/* Does this action leave something to revert? */
int drill_action_reversible(enum fault_action a);
/* The action that reverts a (stop→start, pause→resume), or -1. */
int drill_action_undo(enum fault_action a);
void fault_free(struct fault *f);

/* Run a service command (argv[0] "shakedown" → env->self_exe) within the
 * timeout; non-zero exit or timeout is an error naming the command and its
 * output. */
int drill_run_cmd(struct fault *f, char **argv, int64_t timeout_ms,
    struct sd_err *e);
/* The pid from svc->pid or its pidfile; 0 with e set if none/dead. */
pid_t drill_service_pid(const struct scen_service *svc, struct sd_err *e);
/* Wait until a redis/postgres service answers PING / SELECT 1. */
int drill_wait_ready(const struct scen_service *svc, int64_t timeout_ms,
    volatile int *interrupted, struct sd_err *e);
int drill_redis_ping(const char *url, int64_t timeout_ms, struct sd_err *e);
/* The same wait, from a kind ("redis", "postgres", else nothing) and URL. */
int drill_wait_url(const char *kind, const char *url, int64_t timeout_ms,
    volatile int *interrupted, struct sd_err *e);
/* Undo what a journal spec describes; idempotent, and fine when the fault
 * is already gone (the service restarted by hand). *what says what it did. */
int drill_revert_spec(const json_t *spec, const char *self_exe, char **what,
    struct sd_err *e);
/* The start spec shared by stop and kill: run argv, then wait for it. */
json_t *drill_start_spec(const struct fault *f);
int drill_pg_select1(const char *dsn, int64_t timeout_ms, struct sd_err *e);

#endif
