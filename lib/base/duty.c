/*
 * duty.c — see duty.h. Everything here runs in the child of a fork of a
 * threaded runner: no malloc, no stdio, only system calls and code of our
 * own, with its state in static storage (the child's copy).
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/resource.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "duty.h"
#include "proc.h"
#include "util.h"

#define PERIOD_NS ((int64_t)DUTY_PERIOD_MS * 1000000)
#define RESCAN_EVERY 10		/* periods */
#define SCAN_MAX 32768

static volatile sig_atomic_t quit;

static struct {
	pid_t pid;
	unsigned long long start;
	clockid_t clock;
	int64_t last;		/* CPU ns at the last look */
} procs[DUTY_MAX];
static size_t nprocs;
static pid_t scan_pid[SCAN_MAX], scan_ppid[SCAN_MAX];

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* The process's CPU time in ns, -1 when it is gone. */
static int64_t
cpu_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) == -1)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Fields 4 (ppid) and 22 (start time) of /proc/PID/stat; -1 if gone. */
static int
stat_of(pid_t pid, pid_t *ppid, unsigned long long *start, char *state)
{
	char path[32] = "/proc/", digits[12], buf[640];
	int nd = 0, fd, field = 3;
	size_t at = 6;
	ssize_t n;
	char *p;

	for (unsigned v = (unsigned)pid; nd == 0 || v > 0; v /= 10)
		digits[nd++] = (char)('0' + v % 10);
	while (nd > 0)
		path[at++] = digits[--nd];
	memcpy(path + at, "/stat", 6);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf + n; p > buf && p[-1] != ')'; p--)
		;
	if (p == buf || *p != ' ')
		return -1;
	p++;
	if (state != NULL)
		*state = *p;
	for (; *p != '\0' && field <= 22; field++) {
		unsigned long long v = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (unsigned long long)(*p - '0');
		if (field == 4 && ppid != NULL)
			*ppid = (pid_t)v;
		if (field == 22 && start != NULL)
			*start = v;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p == ' ')
			p++;
	}
	return field > 22 ? 0 : -1;
}

static int
known(pid_t pid)
{
	for (size_t i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return 1;
	return 0;
}

static void
add(pid_t pid)
{
	unsigned long long start;
	int64_t ns;

	if (nprocs >= DUTY_MAX || known(pid) ||
	    stat_of(pid, NULL, &start, NULL) == -1 ||
	    clock_getcpuclockid(pid, &procs[nprocs].clock) != 0 ||
	    (ns = cpu_ns(procs[nprocs].clock)) < 0)
		return;
	procs[nprocs].pid = pid;
	procs[nprocs].start = start;
	procs[nprocs].last = ns;
	nprocs++;
}

static void
signal_all(int sig)
{
	for (size_t i = 0; i < nprocs; i++)
		kill(procs[i].pid, sig);
}

/* Drop what is gone or is another process now; with children, take in
 * what was forked below the first meanwhile (never us, nor our parent). */
static void
rescan(int children, pid_t parent)
{
	char buf[8192];
	size_t ns = 0, i;
	int fd;

	for (i = 0; i < nprocs; ) {
		unsigned long long start;
		if (stat_of(procs[i].pid, NULL, &start, NULL) == -1 ||
		    start != procs[i].start) {
			procs[i] = procs[--nprocs];
			continue;
		}
		i++;
	}
	if (!children || nprocs == 0 ||
	    (fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	for (;;) {
		ssize_t n = getdents64(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (ssize_t off = 0; off < n; ) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);
			pid_t p = 0, pp;
			off += de->d_reclen;
			for (const char *c = de->d_name; *c >= '0' && *c <= '9'; c++)
				p = p * 10 + (*c - '0');
			if (p <= 1 || p == getpid() || p == parent || ns >= SCAN_MAX ||
			    stat_of(p, &pp, NULL, NULL) == -1)
				continue;
			scan_pid[ns] = p;
			scan_ppid[ns++] = pp;
		}
	}
	close(fd);
	/* until nothing new: a child listed before its parent comes in on
	 * the next pass */
	for (int grew = 1; grew && nprocs < DUTY_MAX; ) {
		grew = 0;
		for (i = 0; i < ns && nprocs < DUTY_MAX; i++)
			if (!known(scan_pid[i]) && known(scan_ppid[i])) {
				size_t before = nprocs;
				add(scan_pid[i]);
				grew |= nprocs > before;
			}
	}
}

static void
sleep_until(int64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000), (long)(t % 1000000000) };

	while (!quit && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
	    NULL) == EINTR)
		;
}

void
duty_run(const struct duty_spec *s, pid_t parent, int fd)
{
	struct sigaction sa;
	const int64_t per = (int64_t)(s->share * (double)PERIOD_NS);
	int64_t allow = per, next, run;
	double rate = 1.0;	/* CPU ns used per ns of run, all together */
	unsigned period = 0;

	fd = proc_child_init(parent, SIGTERM, fd);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (fd == -2)
		_exit(1);
	prctl(PR_SET_NAME, s->name);
	/* its timing is the limit's precision: ahead of what it limits */
	setpriority(PRIO_PROCESS, 0, -10);
	for (size_t i = 0; i < s->n; i++)
		add(s->pids[i]);
	if (fd >= 0) {
		char c = nprocs > 0 ? 'S' : 'G';
		while (write(fd, &c, 1) == -1 && errno == EINTR)
			;
		close(fd);
	}
	next = mono_ns();
	while (!quit && nprocs > 0 && getppid() == parent) {
		if (++period % RESCAN_EVERY == 0)
			rescan(s->children, parent);
		run = (int64_t)((double)allow / rate);
		if (run < 0)
			run = 0;
		if (run > PERIOD_NS)
			run = PERIOD_NS;
		if (run >= 1000000) {
			signal_all(SIGCONT);
			sleep_until(next + run);
		}
		if (run < PERIOD_NS && !quit) {
			signal_all(SIGSTOP);
			sleep_until(next + PERIOD_NS);
		}
		next += PERIOD_NS;
		int64_t used = 0;
		for (size_t i = 0; i < nprocs; ) {
			int64_t c = cpu_ns(procs[i].clock);
			if (c < 0) {
				procs[i] = procs[--nprocs];
				continue;
			}
			used += c - procs[i].last;
			procs[i++].last = c;
		}
		if (run >= 5000000) {
			double r = (double)used / (double)run;
			rate = 0.7 * rate + 0.3 * (r < 0.02 ? 0.02 : r);
		}
		allow += per - used;
		if (allow > 2 * per)
			allow = 2 * per;
		if (allow < -4 * PERIOD_NS)
			allow = -4 * PERIOD_NS;
		/* fell behind (the machine stalled us): start afresh */
		if (mono_ns() > next + PERIOD_NS)
			next = mono_ns();
	}
	signal_all(SIGCONT);
	_exit(0);
}
