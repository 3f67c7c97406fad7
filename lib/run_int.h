/*
 * run_int.h — the state of one run, shared by the runner's modules, which
 * call only down: runctx.c (the state's own helpers), then timeline.c and
 * phases.c, then faults.c and evaluate.c, then runner.c on top. Everything a run
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

#include "dispatch.h"
#include "load.h"
#include "probe.h"
#include "plan.h"
#include "result.h"
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

struct run {
	const struct plan *p;
	const struct scenario *s;
	const struct run_opts *o;
	struct result *r;
	struct probe_set *ps;
	struct fault_env env;
	int64_t t0;		/* probes' zero */
	int64_t tf;		/* start of faults */
	int64_t anchor;		/* end of the last fault step */
	int64_t anchor_start;	/* ... and its start */
	int64_t deadline;	/* max_duration */
	int64_t faults_end;	/* last revert, for never: */
	struct applied *ap;	/* in order of application */
	size_t nap, capap;
	size_t *ap_of_step;	/* plan step → index into ap, or SIZE_MAX */
	struct never *nevers;
	size_t nnevers, capnevers;
	struct deferred *defer;
	size_t ndefer, capdefer;
	struct load *_Atomic *loads;	/* atomic: the guardrails read them */
	int64_t *load_on, *load_off;	/* each generator's window */
	int64_t phase_ms[4];	/* load phases start: before, fault, after */
	int active;		/* lasting faults in effect */
	int64_t *rss_base_kib;	/* per service, at the start; -1 unknown */
	struct exitwatch *xw;	/* exit reports, when an exits: asks */
	char *xw_error;		/* why there are none, or NULL */
	pid_t *watched;		/* per service: the pid last watched, 0 */
	char *jpath, *run_id;	/* the journal */
	char **key_prefix;	/* per probe: a writer's key prefix, or NULL */
	size_t nids;
	int guard_fd;		/* write end of the guardian's pipe, -1 */
	pid_t guardian;
	int64_t step_deadline;	/* the current step's timeout, 0: none */
	int step_timed_out;
	volatile sig_atomic_t intr;	/* mirrors *o->interrupted; set by a
					 * guardrail's trip too */
	struct guardrail *gr;	/* the guardrails' watcher, NULL */
	int64_t abort_reverted_ms;	/* a trip .. every fault reverted, -1 */
	_Atomic int64_t oldest_on;	/* since when the oldest lasting fault
					 * still applied is in effect; 0 */
};

/* runctx.c: the run's state, below all the others */
int rn_stopped(struct run *c);
int64_t rn_rel(const struct run *c, int64_t abs_ms);
void rn_set_observed(struct res_expect *rx, char *obs);
void rn_progress(struct run *c, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The run cannot go on: ERROR, with this reason (taken over). */
void rn_fail(struct run *c, char *reason);
/* the probe's samples (contiguous, in send order); under the probes' lock */
struct sample *rn_samples(struct run *c, int probe, size_t *n);
/* A check that is off: a skipped row with its reason (text taken over). */
void rn_skip(struct run *c, char *text, const char *phase, int line,
    const char *why);

/* faults.c: the fault stack, journal and guardian */
int fs_apply(struct run *c, size_t step);
int fs_revert_step(struct run *c, size_t step);
void fs_revert_all(struct run *c);
void fs_stop_guardian(struct run *c);
void fs_free(struct run *c);

/* evaluate.c */
void ev_watch_exits(struct run *c);
enum outcome ev_expect(struct run *c, const struct scen_expect *x,
    const char *phase, int64_t within_default_ms);
void ev_nevers(struct run *c);
void ev_loads(struct run *c);
void ev_writes(struct run *c);
void ev_slo(struct run *c);

/* phases.c: load generators and bursts */
int ph_start_loads(struct run *c, int step, struct sd_err *e);
void ph_stop_loads(struct run *c, int step);
void ph_set_phase(struct run *c, enum load_phase p);
void ph_collect_loads(struct run *c);
uint64_t ph_requests(struct run *c);
enum outcome ph_burst(struct run *c, const struct scen_burst *b,
    const char *phase, int line);
void ph_free(struct run *c);

/* timeline.c */
struct probe_set *tl_start_probes(struct run *c, struct sd_err *e);
void tl_fast(struct run *c, const int *probes, size_t n, int on);
void tl_transitions(struct run *c);
void tl_probe_stats(struct run *c);
void tl_shift(struct run *c);

#endif
