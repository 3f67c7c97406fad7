/*
 * proc.h — child processes without a shell: argv arrays, timeouts, captured
 * output, exec failures reported back through a pipe (as git does), and the
 * pid/pidfile helpers the sandbox and the service faults share.
 */
#ifndef SD_PROC_H
#define SD_PROC_H

#include <sys/types.h>

#include <stdint.h>

#include "util.h"

struct spawn_opts {
	char *const *argv;	/* argv[0] is looked up in PATH */
	const char *log_path;	/* stdout+stderr appended here; NULL: /dev/null */
	int capture;		/* 1: stdout+stderr into a pipe (proc_run) */
	int new_session;	/* setsid(): survives our terminal, own group */
	uid_t uid;		/* drop to this uid/gid when set_ids */
	gid_t gid;
	int set_ids;
	const char *cwd;
	int stdin_fd;		/* with use_stdin: the child's stdin */
	int use_stdin;
	int die_with_parent;	/* SIGKILL it if we die (PR_SET_PDEATHSIG) */
	const char *cgroup_procs;	/* join this cgroup.procs before exec */
	struct spawn_gate *gate;	/* hold the child before its exec until
					 * proc_gate_open (NULL: exec at once) */
};

/* A child held before its exec: its pid can be recorded (a pidfile) before
 * the program runs. If we die before proc_gate_open, the child sees the
 * gate close and exits without running anything — nothing is left that no
 * pidfile names. */
struct spawn_gate {
	int go;			/* write a byte: exec; close: exit */
	int err;		/* the exec's errno, or EOF once it ran */
	char what[128];		/* argv[0], for an error */
};

/* Start a child; returns its pid or -1 with e set (exec errors included;
 * with o->gate, those come from proc_gate_open). */
pid_t proc_spawn(const struct spawn_opts *o, int *capture_fd, struct sd_err *e);
/* Let a gated child exec; -1 with e (and the child reaped) if it could
 * not. */
int proc_gate_open(pid_t pid, struct spawn_gate *g, struct sd_err *e);
/* A gated child is not wanted after all: it exits unrun, and is reaped. */
void proc_gate_abort(pid_t pid, struct spawn_gate *g);

struct proc_result {
	int exited;		/* 1: exited normally; then status is the code */
	int status;		/* exit code, or the signal that ended it */
	int timed_out;		/* killed at the timeout */
	int64_t elapsed_ms;
	char *output;		/* captured stdout+stderr, at most 16 KiB */
};

/* Run argv to completion within timeout_ms (its process group is killed at
 * the timeout). -1 only if it could not be started. */
int proc_run(char *const *argv, int64_t timeout_ms, struct proc_result *r,
    struct sd_err *e);
void proc_result_free(struct proc_result *r);

/* Alive and not a zombie. */
int proc_alive(pid_t pid);
/* The state letter of /proc/PID/stat ('R', 'S', 'T', 'Z'...), 0 if gone. */
char proc_state(pid_t pid);
/* The parent's pid, or -1 when the process is gone. */
pid_t proc_ppid(pid_t pid);
/* The start time of a process (clock ticks since boot, /proc/PID/stat
 * field 22): with the pid it names one process, never a recycled pid.
 * 0 if gone. */
unsigned long long proc_starttime(pid_t pid);
/* CPU a process has used, all its threads (utime + stime, clock ticks);
 * -1 if gone. */
int64_t proc_cpu_ticks(pid_t pid);
/* Send sig, wait up to timeout_ms for it to go, then SIGKILL and wait again.
 * Reaps it if it is our child. 0 when gone. */
int proc_terminate(pid_t pid, int sig, int64_t timeout_ms);
/* Wait until pid is gone (or timeout); 0 when gone. */
int proc_wait_gone(pid_t pid, int64_t timeout_ms);
/* The executable name (/proc/PID/comm) into buf; -1 if gone. */
int proc_comm(pid_t pid, char *buf, size_t len);
/* The signals a drill sends or expects, by name ("TERM" or "SIGTERM"):
 * HUP, INT, QUIT, KILL, USR1, USR2, TERM; 0 for any other name. */
int sig_by_name(const char *name);
/* "TERM" for SIGTERM; "?" for a signal not in that list. */
const char *sig_name(int sig);
/*
 * For a child of fork that works for a fault (a memory hog, a CPU limiter or
 * burner), first thing: die with the thread that forked it (deathsig), fail
 * if that parent is gone already, and keep no descriptor of shakedown's but
 * keep_fd (-1: none), which becomes 3. Returns that fd (or -1), or -2 when
 * the parent is gone. Async-signal-safe.
 */
int proc_child_init(pid_t parent, int deathsig, int keep_fd);
/* Send sig to every process whose /proc/PID/comm is comm (never ourselves);
 * the number signalled. For fault children named after their runner. */
int proc_signal_named(const char *comm, int sig);
/* Resident set size in KiB from /proc/PID/status; -1 if unknown. */
int64_t proc_rss_kib(pid_t pid);

/*
 * A pid a fault may act on: a number in 2..pid_max (parsed as pid_t with
 * range checks: 4294967297 is not 1), and not the runner itself, the leader
 * of its process group, or one of its ancestors (the shell or CI step that
 * runs it). 0 (our own group to kill(2)), 1 (init) and negatives (groups)
 * are refused. -1 with e saying why.
 */
int pid_parse(const char *s, pid_t *pid, struct sd_err *e);
int pid_check(pid_t pid, struct sd_err *e);

/* Is pid a kernel thread (PF_KTHREAD)? pid_check refuses them. */
int proc_is_kthread(pid_t pid);

/*
 * Pidfiles: a regular file of at most PIDFILE_MAX bytes, read without
 * blocking; its first line is the pid, checked with pid_check. read
 * returns 0 if absent or garbage (e says why; it may be NULL) — for
 * shakedown's own pidfiles and for looking only. Whatever a fault acts on comes through read_checked,
 * which also refuses (as start-stop-daemon does) a pidfile that anyone
 * but root or the owner of the process it names could write, or that
 * lives in a folder they could change: 0 with e saying what is wrong.
 */
#define PIDFILE_MAX 4096
pid_t pidfile_read(const char *path, struct sd_err *e);
pid_t pidfile_read_checked(const char *path, struct sd_err *e);
/* The trust check alone, for a pid read from path. */
int pidfile_trust(const char *path, pid_t pid, struct sd_err *e);
int pidfile_write(const char *path, pid_t pid, struct sd_err *e);

/* Split a command string into words with shell-like quoting ('…', "…", \)
 * — never run by a shell. NULL-terminated; free with argv_free. */
char **argv_split(const char *s, struct sd_err *e);
char **argv_dup(char *const *argv);
void argv_free(char **argv);
/* Join for display, quoting words that need it. */
char *argv_join(char *const *argv);

#endif
