/*
 * scenario.h — a drill as data: services to break, probes that watch, load
 * generators, the steady state, and the steps (faults, waits, expectations,
 * bursts). scen_load parses and checks everything — names resolve, values
 * convert, every fault can be reverted — before anything is applied; a bad
 * file is one clear "file:line:col: message" and nothing else happens.
 *
 * A scenario is immutable once loaded: what a run does is planned from it
 * (plan.h) and what a run learns lives in the run, never here.
 */
#ifndef SD_SCENARIO_H
#define SD_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "expect.h"
#include "../io/monprobe.h"
#include "pairing.h"
#include "../base/request.h"
#include "../fault/svc.h"
#include "../base/util.h"

struct fault;
struct fault_kind;

struct scen_probe {
	char *name;
	struct request rq;
	struct mon_probe mon;		/* promql:/alert:, kind MON_NONE: the
					 * service's own endpoint */
	int64_t every_ms, timeout_ms;
	int64_t fast_ms;		/* the interval while a within: on it
					 * waits for a change; 0: every_ms */
	/* A writer (writes:): each request carries a key of its own ({key}
	 * in its path or body); writes_svc is the postgres service where the
	 * acknowledged ones must be, found by writes_query ($1: an array of
	 * keys; the keys present come back in the first column). */
	int writes_svc;			/* -1: not a writer */
	char *writes_query;
	struct status_pat ack;		/* what acknowledges a write: 2xx */
	char *off;			/* when: off — why; NULL: on */
	int line, col;
};

/* A load generator: the whole drill, or steps from_step..to_step. */
struct scen_load {
	char *name;
	struct request rq;
	int users, connections, threads;
	double rate;			/* 0: closed model */
	int64_t timeout_ms;
	int from_step, to_step;		/* 1-based window; 0: whole drill */
	char *off;			/* when: off — why; NULL: on */
	int line, col;
};

/* slo: objectives judged on a load generator's traffic over the drill. */
struct scen_slo {
	int load;			/* index into loads, -1: no slo */
	double p95_ms;			/* < 0: not set */
	double errors;			/* share, < 0: not set */
	double availability;		/* share, < 0: not set */
	int64_t period_ms;		/* the budget's window (default 30 days) */
	int line, col;
};

struct scen_burst {
	struct request rq;
	int users, per_user;
	int64_t timeout_ms;
	int accepted_per_user;		/* -1: not checked */
	int rej_status;			/* 0: any non-2xx */
	char *rej_body;			/* NULL: not checked */
	int rej_retry_after;		/* each rejection has Retry-After */
	/* a rejection check set empty by its variable: not run, shown as
	 * skipped with this reason; NULL: on (or not asked) */
	char *rej_status_off, *rej_body_off, *rej_retry_off, *acc_off;
	char *from;			/* source address template, or NULL */
	int concurrent;			/* 0: need not be in flight together */
};

/* Exactly the member of its kind is set: fault (ST_FAULT), wait_ms
 * (ST_WAIT), expect (ST_EXPECT), burst (ST_BURST), revert (ST_REVERT: the
 * name of a service, a fault's target or a fault kind; the plan pairs it
 * with the newest lasting fault still applied that matches). */
enum step_kind { ST_FAULT, ST_WAIT, ST_EXPECT, ST_BURST, ST_REVERT };

struct scen_step {
	enum step_kind kind;
	int64_t wait_ms;
	int64_t timeout_ms;		/* 0: none beyond the drill's */
	struct scen_expect expect;
	struct scen_burst burst;
	const struct fault *fault;	/* parsed once, never changed */
	char *revert;
	int revert_line, revert_col;	/* of its value */
	char *off;			/* when: off (or what it reverts is) —
					 * why; NULL: on */
	int line, col;
};

struct scenario {
	char *file;
	char *drill, *title, *description;
	char *target;			/* base URL, may be NULL */
	char *proxy;			/* HTTP proxy the drill asks for, or NULL:
					 * proxy variables are ignored */
	int target_line, target_col, proxy_line, proxy_col;
	struct svc *services;
	size_t nservices;
	struct scen_probe *probes;
	size_t nprobes;
	struct scen_load *loads;
	size_t nloads;
	struct scen_expect *steady;
	size_t nsteady;
	struct scen_step *steps;
	size_t nsteps;
	char **allow;
	size_t nallow;
	int64_t steady_timeout_ms;
	int64_t max_duration_ms;
	int64_t fast_ms;		/* fast_sampling: a probe's interval while
					 * a key time is measured; 0: off */
	struct scen_slo slo;
	/* guardrails: watched from the first fault to the last revert; one
	 * holding reverts everything at once and ends the drill ABORTED */
	struct scen_expect *aborts;	/* abort: (and --abort-if) */
	size_t naborts;
	int64_t max_fault_ms;		/* max_fault_time:, 0: none */
	char *halt_file;		/* halt_file:, NULL: none */
	struct tls_opts *tls;		/* the drill's tls:, NULL: none (each
					 * request has its own copy) */
	struct strmap probe_ix, load_ix, service_ix;	/* name → index */
};

/* One more abort condition, from text in the abort: grammar (a YAML flow
 * mapping; `origin` names it in errors: "--abort-if:1:9: ..."), before the
 * scenario is planned. -1 with e. */
int scen_add_abort(struct scenario *s, const char *origin, const char *text,
    struct sd_err *e);

/* Parse and check a scenario file. NULL with e = "file:line:col: message". */
struct scenario *scen_load(const char *path, struct sd_err *e);
struct scenario *scen_parse(const char *name, const char *text, size_t len,
    struct sd_err *e);
/* The same with the fault kinds a step's verb is looked up in (NULL: the
 * shipped ones; a test passes a fake kind here). */
struct scenario *scen_parse_with(const char *name, const char *text,
    size_t len, const struct fault_kind *const *kinds, struct sd_err *e);
/* The same from a tree already built (name is what errors call it). */
struct scenario *scen_from_tree(const char *name, const struct ynode *root,
    const struct fault_kind *const *kinds, struct sd_err *e);
void scen_free(struct scenario *s);

int scen_find_probe(const struct scenario *s, const char *name);
int scen_find_load(const struct scenario *s, const char *name);
int scen_find_service(const struct scenario *s, const char *name);
/* A step as pairing.h sees it (which step reverts which). */
struct pair_step scen_pair_step(const struct scen_step *st);
/* The service named name, for dispatch_parse_step; arg is the scenario. */
const struct svc *scen_service_named(const void *arg, const char *name);

#endif
