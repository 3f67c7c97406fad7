/*
 * runner.h — runs one drill from its plan: steady state before, the steps
 * in order, every fault still applied reverted in reverse order whatever
 * happened, steady state after. Probes sample from the first check to the
 * end; every expectation is decided from those samples on one monotonic
 * timeline.
 *
 * The runner is split along its seams: runner.c sequences, faults.c keeps
 * the fault stack with its journal and guardian, evaluate.c decides
 * expectations, phases.c runs load generators and bursts, timeline.c turns
 * samples into the result's series and events. They share run_int.h.
 */
#ifndef SD_RUNNER_H
#define SD_RUNNER_H

#include <signal.h>

#include "plan.h"
#include "result.h"

struct run_opts {
	const char *self_exe;
	volatile sig_atomic_t *interrupted;
	/* Called as each step starts; the caller may print. May be NULL. */
	void (*progress)(void *arg, size_t step, size_t nsteps,
	    const char *what);
	void *progress_arg;
	/* What is being reverted right now, for a second Ctrl-C to print
	 * (a signal handler can write(2) it). May be NULL. */
	char *reverting;
	size_t reverting_len;
};

struct result *run_drill(const struct plan *p, const struct run_opts *o);

#endif
