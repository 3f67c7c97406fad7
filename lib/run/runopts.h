/*
 * runopts.h — how a caller runs a drill (run_drill, runner.h): the binary
 * that "shakedown" in a command means, the interrupt flag, and where the
 * progress goes. Its own header so the runner's lower modules need not
 * include the runner's.
 */
#ifndef SD_RUNOPTS_H
#define SD_RUNOPTS_H

#include <signal.h>
#include <stddef.h>

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
	/* A `shakedown halt` pressed after this wall time stops the run (the
	 * start of the command running several drills); 0: the run's start. */
	int64_t since_wall_ms;
};

#endif
