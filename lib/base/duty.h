/*
 * duty.h — a CPU limit without cgroups, as cpulimit does it: a child of
 * shakedown stops and continues the processes (SIGSTOP/SIGCONT) so that,
 * over time, they use a share of one CPU.
 *
 * Each period (100 ms) it lets them run for a slice, then stops them for
 * the rest. The slice is not the share of the period: it is worked out from
 * the CPU time the processes really used (their process CPU clocks, in
 * nanoseconds) against what the share allows since the start, so a process
 * with several busy threads is held to the share too, and one that idles
 * earns at most two periods of credit. Over a second or more the use holds
 * within a few percent of the share; within a period the processes run at
 * full speed for the slice and not at all after it.
 *
 * The limiter dies with the thread that started it (SIGTERM as death
 * signal) and, whatever ends it short of SIGKILL, continues every process
 * before it exits. Its name (/proc/PID/comm) is the record's, so the
 * guardian and `recover` find it after a kill -9 of the runner; they kill
 * it and continue the processes themselves.
 */
#ifndef SD_DUTY_H
#define SD_DUTY_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define DUTY_MAX 256
#define DUTY_PERIOD_MS 100

struct duty_spec {
	pid_t pids[DUTY_MAX];	/* pids[0] is the top */
	size_t n;
	int children;		/* also what is forked below pids[0] later */
	double share;		/* of one CPU: 0.5 = 50 % */
	char name[16];		/* the limiter's comm */
};

/* In the child of a fork (async-signal-safe calls only): never returns.
 * Writes 'S' on fd when the first period begins. */
void duty_run(const struct duty_spec *s, pid_t parent, int fd)
    __attribute__((noreturn));

#endif
