/*
 * runner.h — runs one drill: steady state before, steps in order, every fault
 * still applied reverted in reverse order whatever happened, steady state
 * after. Probes sample from the first check to the end; every expectation is
 * decided from those samples on one monotonic timeline.
 */
#ifndef SD_RUNNER_H
#define SD_RUNNER_H

#include <signal.h>

#include "result.h"
#include "scenario.h"

struct run_opts {
	const char *self_exe;
	char *const *allow_hosts;	/* --allow-host */
	size_t nallow;
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

/* Refuse targets, probes and services that are not loopback or allowed.
 * -1 with e naming the first offender. Nothing is touched. */
int run_check_hosts(const struct scenario *s, const struct run_opts *o,
    struct sd_err *e);
struct result *run_drill(struct scenario *s, const struct run_opts *o);
/* Everything a run would do, in order, with each revert; applies nothing. */
char *run_plan(const struct scenario *s);

#endif
