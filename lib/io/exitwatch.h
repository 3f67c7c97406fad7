/*
 * exitwatch.h — how a process that is not our child ended: its exit code
 * (or the signal that killed it) and when. The kernel's taskstats, over
 * generic netlink, reports every task's exit with its exit code to a
 * socket registered for the CPUs; a thread reads them and keeps those of
 * the pids it was asked to watch. Nothing is done to the process: no
 * ptrace, no signal handling changed.
 *
 * Needs CAP_NET_ADMIN and a kernel with CONFIG_TASKSTATS; exitwatch_open says
 * which is missing.
 */
#ifndef SD_EXITWATCH_H
#define SD_EXITWATCH_H

#include <stdint.h>
#include <sys/types.h>

#include "../base/util.h"

struct exitwatch;

struct exitwatch *exitwatch_open(struct sd_err *e);
/* Watch pid from now on (a few dozen at most). */
void exitwatch_watch(struct exitwatch *w, pid_t pid);
/* 1 when pid was seen to exit: *status as waitpid(2) gives it, *at_ms the
 * monotonic time it was reported; 0 not yet. */
int exitwatch_exited(struct exitwatch *w, pid_t pid, int *status, int64_t *at_ms);
void exitwatch_close(struct exitwatch *w);

#endif
