/*
 * run_int.h — the state of one run, shared by the runner's modules, which
 * call only down: runctx.c (the state's own helpers), then timeline.c and
 * phases.c, then stack.c and evaluate.c, then runner.c on top. Everything a run
 * learns lives here and in the result, never in the scenario or the plan.
 *
 * Times: every *_abs / on / off is absolute CLOCK_MONOTONIC ms; samples are
 * relative to t0 (the probes' zero); the result's times are relative to t0
 * while running and shifted to the start of faults (tf) at the end.
 */
#ifndef SD_RUN_INT_H
#define SD_RUN_INT_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "../dispatch/dispatch.h"
#include "../io/load.h"
#include "../io/probe.h"
#include "../model/plan.h"
#include "../base/result.h"
#include "runopts.h"

/* A fault this run applied (or tried to): what undoing it needs. */
struct applied {
	char id[64];		/* in the journal */
	const struct fault *f;
	json_t *rec;		/* the kind's record */
	void *state;		/* the kind's in-process state */
	size_t rf;		/* index into the result's faults */
	int64_t on, off;	/* in effect: end of apply .. start of revert;
				 * off 0: still */
	int lasting, reverted;
	struct fault_check chk;	/* what it measured of its own effect */
};

/* never: decided at the end over the fault windows */
struct never {
	const struct scen_expect *x;
	int64_t from_abs;
	size_t rx;		/* index into the result's expectations */
};

/* a load expectation, decided over its phase at the end */
struct deferred {
	const struct scen_expect *x;
	size_t rx;
};

/*
 * The run's state in parts, each written by one module (through its own
 * functions; the others only read it), so that who changed a field is
 * never a search:
 */

/* runner.c: the run's clock */
struct run_clock {
	int64_t t0;		/* probes' zero */
	int64_t tf;		/* start of faults */
	int64_t deadline;	/* max_duration */
	int64_t step_deadline;	/* the current step's timeout, 0: none */
	int64_t faults_end;	/* last revert, for never: */
	int64_t abort_reverted_ms;	/* a trip .. every fault reverted, -1 */
};

/* runctx.c: whether the run goes on (runctx_stopped, runctx_interrupt) */
struct run_stop {
	volatile sig_atomic_t intr;	/* mirrors *o->interrupted; set by a
					 * guardrail's trip too */
	int step_timed_out;
};

/* stack.c: the faults applied, the journal and the guardian */
struct run_stack {
	struct applied *ap;	/* in order of application */
	size_t nap, capap;
	size_t *ap_of_step;	/* plan step → index into ap, or SIZE_MAX */
	char *jpath, *run_id;	/* the journal */
	size_t nids;
	int guard_fd;		/* write end of the guardian's pipe, -1 */
	pid_t guardian;
	int active;		/* lasting faults in effect */
	_Atomic int64_t oldest_on;	/* since when the oldest lasting fault
					 * still applied is in effect; 0 */
	int64_t anchor;		/* end of the last fault step */
	int64_t anchor_start;	/* ... and its start */
};

/* phases.c: the load generators and their phases */
struct run_phases {
	struct load *_Atomic *loads;	/* atomic: the guardrails read them */
	int64_t *load_on, *load_off;	/* each generator's window */
	int64_t phase_ms[4];	/* load phases start: before, fault, after */
};

/* evaluate.c and eval_process.c: what is decided later, and against what */
struct run_eval {
	struct never *nevers;
	size_t nnevers, capnevers;
	struct deferred *defer;
	size_t ndefer, capdefer;
	int64_t *rss_base_kib;	/* per service, at the start; -1 unknown */
	struct exitwatch *xw;	/* exit reports, when an exits: asks */
	char *xw_error;		/* why there are none, or NULL */
	pid_t *watched;		/* per service: the pid last watched, 0 */
};

struct run {
	/* set once by run_drill, before anything runs */
	const struct plan *p;
	const struct scenario *s;
	const struct run_opts *o;
	struct result *r;	/* filled by each part's module */
	struct fault_env env;
	struct probe_set *ps;	/* timeline_start_probes' */
	char **key_prefix;	/* timeline.c: per probe, a writer's key
				 * prefix, or NULL */
	struct guardrail *gr;	/* guardrail.c: its watcher, NULL */
	struct run_clock clock;
	struct run_stop stop;
	struct run_stack stack;
	struct run_phases phases;
	struct run_eval eval;
};

/* runctx.c: the run's state, below all the others */
int runctx_stopped(struct run *c);
int64_t runctx_rel(const struct run *c, int64_t abs_ms);
void runctx_set_observed(struct res_expect *rx, char *obs);
void runctx_progress(struct run *c, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The run cannot go on: ERROR, with this reason (taken over). */
void runctx_fail(struct run *c, char *reason);
/* the probe's samples (contiguous, in send order); under the probes' lock */
struct sample *runctx_samples(struct run *c, int probe, size_t *n);
/* A check that is off: a skipped row with its reason (text taken over). */
void runctx_skip(struct run *c, char *text, const char *phase, int line,
    const char *why);

/* The run stops now (a guardrail's trip, a halt); resume: a trip's
 * reverts may wait again. */
void runctx_interrupt(struct run *c);
void runctx_resume(struct run *c);

/* stack.c: the fault stack, journal and guardian */
/* The journal's path, a run id, no fault applied; -1 with e. */
int stack_init(struct run *c, struct sd_err *e);
/* Key times count from here (the start of faults). */
void stack_anchor(struct run *c, int64_t at);
int stack_apply(struct run *c, size_t step);
int stack_revert_step(struct run *c, size_t step);
void stack_revert_all(struct run *c);
void stack_stop_guardian(struct run *c);
void stack_free(struct run *c);

/* eval_process.c: each service's memory at the start, and an exit
 * watch when an exits: expectation asks */
void eval_baseline(struct run *c);
void eval_watch_exits(struct run *c);
enum outcome eval_expect(struct run *c, const struct scen_expect *x,
    const char *phase, int64_t within_default_ms);
void eval_nevers(struct run *c);
void eval_loads(struct run *c);
void eval_writes_check(struct run *c);
void eval_slo(struct run *c);
void eval_free(struct run *c);

/* phases.c: load generators and bursts */
int phases_start_loads(struct run *c, int step, struct sd_err *e);
void phases_stop_loads(struct run *c, int step);
void phases_set_phase(struct run *c, enum load_phase p);
/* The first fault took effect at `at` / the last was reverted at `at`. */
void phases_faults_on(struct run *c, int64_t at);
void phases_faults_off(struct run *c, int64_t at);
void phases_collect_loads(struct run *c);
uint64_t phases_requests(struct run *c);
enum outcome phases_burst(struct run *c, const struct scen_burst *b,
    const char *phase, int line);
void phases_free(struct run *c);

/* timeline.c */
struct probe_set *timeline_start_probes(struct run *c, struct sd_err *e);
void timeline_fast(struct run *c, const int *probes, size_t n, int on);
void timeline_transitions(struct run *c);
void timeline_probe_stats(struct run *c);
void timeline_shift(struct run *c);

#endif
