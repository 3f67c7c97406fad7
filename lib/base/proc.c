/*
 * proc.c — see proc.h. After fork the child only makes async-signal-safe
 * calls; an exec failure travels to the parent through a CLOEXEC pipe, so
 * "no such command" is an error at spawn time, not a silent exit 127.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

#define CAPTURE_MAX (16 * 1024)

/* In the child after fork: only async-signal-safe calls. An exec failure
 * travels to the parent through errfd. Never returns. */
static void
child(const struct spawn_opts *o, int out, int errfd, pid_t parent,
    const int *gate)
{
	int devnull, child_errno;
	sigset_t all;
	ssize_t n;
	char go;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* a fault command must not outlive a runner killed with -9: the
	 * guardian reverts, and must not race a late stop */
	if (o->die_with_parent && (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
	    getppid() != parent))
		_exit(127);
	signal(SIGPIPE, SIG_DFL);
	if (o->new_session)
		setsid();
	else
		setpgid(0, 0);
	devnull = o->use_stdin ? o->stdin_fd : open("/dev/null", O_RDONLY);
	if (devnull != -1)
		dup2(devnull, 0);
	dup2(out, 1);
	dup2(out, 2);
	if (o->cwd != NULL && chdir(o->cwd) == -1)
		goto fail;
	if (o->cgroup_procs != NULL) {
		int cg = open(o->cgroup_procs, O_WRONLY | O_CLOEXEC);
		if (cg == -1 || write(cg, "0", 1) != 1)
			goto fail;
		close(cg);
	}
	if (o->set_ids && (setgroups(0, NULL) == -1 || setgid(o->gid) == -1 ||
	    setuid(o->uid) == -1))
		goto fail;
	if (gate != NULL) {
		/* only our parent holds the write end: its death closes it */
		close(gate[1]);
		do
			n = read(gate[0], &go, 1);
		while (n == -1 && errno == EINTR);
		if (n != 1)
			_exit(127);
	}
	execvp(o->argv[0], o->argv);
fail:
	child_errno = errno;
	n = write(errfd, &child_errno, sizeof child_errno);
	(void)n;
	_exit(127);
}

/* The exec's verdict through errfd: 0 when it ran, else -1 with e. */
static int
exec_verdict(int errfd, pid_t pid, const char *what, struct sd_err *e)
{
	int child_errno = 0;
	ssize_t n;

	do
		n = read(errfd, &child_errno, sizeof child_errno);
	while (n == -1 && errno == EINTR);
	close(errfd);
	if (n == (ssize_t)sizeof child_errno) {
		waitpid(pid, NULL, 0);
		return err_set(e, "cannot run '%s': %s", what,
		    strerror(child_errno));
	}
	return 0;
}

pid_t
proc_spawn(const struct spawn_opts *o, int *capture_fd, struct sd_err *e)
{
	int errpipe[2], cap[2] = { -1, -1 }, gate[2] = { -1, -1 }, fd;
	pid_t pid;

	if (pipe2(errpipe, O_CLOEXEC) == -1)
		return err_set(e, "pipe: %s", strerror(errno));
	if ((o->capture && pipe2(cap, O_CLOEXEC) == -1) ||
	    (o->gate != NULL && pipe2(gate, O_CLOEXEC) == -1)) {
		err_set(e, "pipe: %s", strerror(errno));
		fd = -1;
		goto fail;
	}
	/* Open the log before fork: open() with O_CREAT is fine either way,
	 * but an error is easier to report from here. */
	fd = -1;
	if (!o->capture) {
		fd = o->log_path ? open_append(o->log_path, 0644, e) :
		    open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd == -1) {
			if (o->log_path == NULL)
				err_set(e, "cannot open '/dev/null': %s", strerror(errno));
			goto fail;
		}
		if (o->set_ids && fchown(fd, o->uid, o->gid) == -1) {
			/* not fatal: the child only needs the inherited fd */
		}
	}
	pid_t parent = getpid();
	pid = fork();
	if (pid == -1) {
		err_set(e, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child(o, o->capture ? cap[1] : fd, errpipe[1], parent,
		    o->gate != NULL ? gate : NULL);
	close(errpipe[1]);
	if (fd != -1)
		close(fd);
	if (cap[1] != -1)
		close(cap[1]);
	if (o->gate != NULL) {
		close(gate[0]);
		o->gate->go = gate[1];
		o->gate->err = errpipe[0];
		snprintf(o->gate->what, sizeof o->gate->what, "%s", o->argv[0]);
	} else if (exec_verdict(errpipe[0], pid, o->argv[0], e) == -1) {
		if (cap[0] != -1)
			close(cap[0]);
		return -1;
	}
	if (capture_fd != NULL)
		*capture_fd = cap[0];
	else if (cap[0] != -1)
		close(cap[0]);
	return pid;
fail:
	for (int i = 0; i < 2; i++) {
		close(errpipe[i]);
		if (cap[i] != -1)
			close(cap[i]);
		if (gate[i] != -1)
			close(gate[i]);
	}
	if (fd != -1)
		close(fd);
	return -1;
}

int
proc_gate_open(pid_t pid, struct spawn_gate *g, struct sd_err *e)
{
	char go = 1;
	ssize_t n;

	do
		n = write(g->go, &go, 1);
	while (n == -1 && errno == EINTR);
	close(g->go);
	g->go = -1;
	if (n != 1) {
		close(g->err);
		waitpid(pid, NULL, 0);
		return err_set(e, "cannot start '%s': %s", g->what,
		    strerror(errno));
	}
	return exec_verdict(g->err, pid, g->what, e);
}

void
proc_gate_abort(pid_t pid, struct spawn_gate *g)
{
	close(g->go);
	close(g->err);
	g->go = g->err = -1;
	waitpid(pid, NULL, 0);
}

int
proc_run(char *const *argv, int64_t timeout_ms, struct proc_result *r,
    struct sd_err *e)
{
	struct spawn_opts o = { .argv = argv, .capture = 1, .die_with_parent = 1 };
	int64_t start = mono_ms(), left;
	struct sbuf out;
	int fd = -1, status = 0, done = 0, eof = 0;
	char buf[4096];
	pid_t pid;

	memset(r, 0, sizeof *r);
	if ((pid = proc_spawn(&o, &fd, e)) == -1)
		return -1;
	sb_init(&out);
	while (!done) {
		left = timeout_ms - (mono_ms() - start);
		if (left <= 0 && !r->timed_out) {
			/* the whole group: a stop script's own children too */
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			r->timed_out = 1;
		}
		if (!eof) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			int t = left > 100 ? 100 : (left > 0 ? (int)left : 10);
			if (poll(&pfd, 1, t) > 0) {
				ssize_t n = read(fd, buf, sizeof buf);
				if (n > 0 && out.len < CAPTURE_MAX)
					sb_addn(&out, buf, (size_t)n);
				else if (n == 0 || (n == -1 && errno != EINTR))
					eof = 1;
			}
		} else {
			sleep_ms(5);
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			done = 1;
	}
	/* drain what is left without blocking on grandchildren holding it */
	if (!eof) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		ssize_t n;
		while ((n = read(fd, buf, sizeof buf)) > 0 && out.len < CAPTURE_MAX)
			sb_addn(&out, buf, (size_t)n);
	}
	close(fd);
	r->elapsed_ms = mono_ms() - start;
	if (WIFEXITED(status)) {
		r->exited = 1;
		r->status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->status = WTERMSIG(status);
	}
	r->output = sb_detach(&out);
	sb_free(&out);
	return 0;
}

void
proc_result_free(struct proc_result *r)
{
	free(r->output);
	r->output = NULL;
}

/*
 * The fields of /proc/PID/stat after comm (field 3, the state, first) into
 * buf; NULL when the process is gone. comm may hold spaces and parens: the
 * fields follow its last ')'.
 */
static char *
stat_fields(pid_t pid, char *buf, size_t len)
{
	char path[64], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (pid <= 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
		return NULL;
	return p + 2;
}

/* Field n (3: the state) of /proc/PID/stat, or NULL. */
static const char *
stat_field(pid_t pid, int n, char *buf, size_t len)
{
	const char *p = stat_fields(pid, buf, len);

	for (int f = 3; p != NULL && f < n; f++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	return p;
}

char
proc_state(pid_t pid)
{
	char buf[1024];
	const char *p = stat_field(pid, 3, buf, sizeof buf);

	return p ? *p : 0;
}

pid_t
proc_ppid(pid_t pid)
{
	char buf[1024];
	const char *p = stat_field(pid, 4, buf, sizeof buf);

	return p ? (pid_t)atoi(p) : -1;
}

int
proc_alive(pid_t pid)
{
	char st;

	if (pid <= 0)
		return 0;
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 0;
	st = proc_state(pid);
	return st != 0 && st != 'Z' && st != 'X';
}

int
proc_wait_gone(pid_t pid, int64_t timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;

	for (;;) {
		/* reap it if it is ours; harmless (ECHILD) otherwise */
		waitpid(pid, NULL, WNOHANG);
		if (!proc_alive(pid))
			return 0;
		if (mono_ms() >= end)
			return -1;
		sleep_ms(10);
	}
}

int
proc_terminate(pid_t pid, int sig, int64_t timeout_ms)
{
	/* one of ours that died already (killed behind our back) is a
	 * zombie until reaped: reap it, so no name or pid lingers */
	waitpid(pid, NULL, WNOHANG);
	if (!proc_alive(pid))
		return 0;
	kill(pid, sig);
	/* a stopped process cannot act on SIGTERM until it runs again */
	kill(pid, SIGCONT);
	if (proc_wait_gone(pid, timeout_ms) == 0)
		return 0;
	kill(pid, SIGKILL);
	return proc_wait_gone(pid, 5000);
}

int
proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int
proc_child_init(pid_t parent, int deathsig, int keep_fd)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_PDEATHSIG, deathsig) == -1 || getppid() != parent)
		return -2;
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	/* its progress byte to a parent that stopped listening: EPIPE */
	signal(SIGPIPE, SIG_IGN);
	/* hold nothing of shakedown's (sockets, the guardian's pipe) */
	if (keep_fd >= 0 && keep_fd != 3) {
		if (dup2(keep_fd, 3) != 3)
			return -2;
		keep_fd = 3;
	}
	close_range(keep_fd >= 0 ? 4 : 3, ~0U, 0);
	return keep_fd;
}

int
proc_signal_named(const char *comm, int sig)
{
	char name[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		pid_t p = (pid_t)atoi(de->d_name);
		if (p <= 1 || p == getpid() || proc_comm(p, name, sizeof name) == -1 ||
		    strcmp(name, comm) != 0 || !proc_alive(p))
			continue;	/* a zombie is not running */
		if (kill(p, sig) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int64_t
proc_rss_kib(pid_t pid)
{
	char path[64], *s, *p;
	long long v = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((s = read_file(path, NULL, NULL)) == NULL)
		return -1;
	if ((p = strstr(s, "\nVmRSS:")) != NULL)
		v = strtoll(p + 7, NULL, 10);
	free(s);
	return v;
}

unsigned long long
proc_starttime(pid_t pid)
{
	char buf[1024];
	const char *p = stat_field(pid, 22, buf, sizeof buf);

	return p ? strtoull(p, NULL, 10) : 0;
}

static long
pid_max(void)
{
	char *s = read_file("/proc/sys/kernel/pid_max", NULL, NULL);
	long v = s ? strtol(s, NULL, 10) : 0;

	free(s);
	return v > 1 ? v : 4194304;
}

/* The parent of pid (field 4), 0 if unknown. */
static pid_t
parent_of(pid_t pid)
{
	char buf[1024];
	const char *p = stat_field(pid, 4, buf, sizeof buf);

	return p ? (pid_t)strtol(p, NULL, 10) : 0;
}

/* PF_KTHREAD in the flags of /proc/PID/stat (field 9): a kernel thread */
#define PF_KTHREAD_FLAG 0x00200000UL

int
proc_is_kthread(pid_t pid)
{
	char buf[1024];
	const char *p = stat_field(pid, 9, buf, sizeof buf);

	return p != NULL && (strtoul(p, NULL, 10) & PF_KTHREAD_FLAG) != 0;
}

int
pid_check(pid_t pid, struct sd_err *e)
{
	if (pid == 0)
		return err_set(e, "pid 0 means the runner's own process group");
	if (pid < 0)
		return err_set(e, "pid %d: a negative pid means a process group",
		    (int)pid);
	if (pid == 1)
		return err_set(e, "pid 1 is init; shakedown never signals it");
	if (pid == 2)
		return err_set(e, "pid 2 is kthreadd, the kernel's; shakedown never"
		    " acts on it");
	if ((long)pid > pid_max())
		return err_set(e, "pid %d: above the kernel's pid_max", (int)pid);
	if (proc_is_kthread(pid))
		return err_set(e, "pid %d is a kernel thread; shakedown never acts"
		    " on one", (int)pid);
	if (pid == getpid())
		return err_set(e, "pid %d is shakedown itself", (int)pid);
	if (pid == getpgrp())
		return err_set(e, "pid %d leads shakedown's own process group",
		    (int)pid);
	for (pid_t a = getppid(); a > 1; a = parent_of(a))
		if (a == pid)
			return err_set(e, "pid %d runs shakedown (one of its"
			    " ancestors)", (int)pid);
	return 0;
}

int
pid_parse(const char *s, pid_t *pid, struct sd_err *e)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r')
		end++;
	if (end == s || *end != '\0' || errno != 0 || v < -2147483647LL ||
	    v > 2147483647LL)
		return err_set(e, "'%.32s' is not a pid", s);
	if (pid_check((pid_t)v, e) == -1)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

/* The first line of a pidfile: a regular file, read without blocking and
 * with a small cap (a FIFO never hangs us, /dev/zero never fills us). */
pid_t
pidfile_read(const char *path, struct sd_err *e)
{
	struct sd_err re;
	char *s = read_file_max(path, PIDFILE_MAX, NULL, &re), *nl;
	pid_t pid = 0;

	if (s == NULL)
		return err_set(e, "pidfile: %s", re.msg), 0;
	/* the first line is the pid; some daemons write more after it */
	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	if (pid_parse(s, &pid, &re) == -1)
		err_set(e, "pidfile '%s': %s", path, re.msg);
	free(s);
	return pid;
}

/* May uid (or root) alone change what st is? A file: owned by root or uid,
 * writable by its owner only. A directory: the same, or sticky (like
 * /tmp: nobody may rename what is not theirs). */
static int
trusted(const struct stat *st, uid_t uid, int dir)
{
	if (st->st_uid != 0 && st->st_uid != uid)
		return 0;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 1;
	return dir && (st->st_mode & S_ISVTX);
}

int
pidfile_trust(const char *path, pid_t pid, struct sd_err *e)
{
	char *real = realpath(path, NULL), *slash;
	struct stat st;
	uid_t uid;
	char proc[32];
	int rc = 0;

	snprintf(proc, sizeof proc, "/proc/%d", (int)pid);
	if (stat(proc, &st) == -1) {
		free(real);
		return err_set(e, "pid %d from pidfile '%s' is not running",
		    (int)pid, path);
	}
	uid = st.st_uid;
	if (real == NULL)
		return err_set(e, "pidfile '%s': %s", path, strerror(errno));
	if (stat(real, &st) == -1 || !trusted(&st, uid, 0)) {
		rc = err_set(e, "pidfile '%s' can be written by someone other than"
		    " root or the owner of pid %d (uid %d; the file is uid %d, mode"
		    " %04o): whoever can write it could aim shakedown at any"
		    " process, so it is not trusted (start-stop-daemon's rule)",
		    path, (int)pid, (int)uid, (int)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
		free(real);
		return rc;
	}
	/* every folder above it: nobody else may swap the file or a folder */
	while ((slash = strrchr(real, '/')) != NULL && rc == 0) {
		*slash = '\0';
		const char *d = *real ? real : "/";
		if (stat(d, &st) == -1 || !trusted(&st, uid, 1))
			rc = err_set(e, "pidfile '%s' lives in '%s', which someone other"
			    " than root or the owner of pid %d could change (uid %d,"
			    " mode %04o): it could be swapped, so it is not trusted",
			    path, d, (int)pid, (int)st.st_uid,
			    (unsigned)(st.st_mode & 07777));
		if (*real == '\0')
			break;
	}
	free(real);
	return rc;
}

pid_t
pidfile_read_checked(const char *path, struct sd_err *e)
{
	pid_t pid = pidfile_read(path, e);

	if (pid != 0 && pidfile_trust(path, pid, e) == -1)
		return 0;
	return pid;
}

int
pidfile_write(const char *path, pid_t pid, struct sd_err *e)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d\n", (int)pid);

	return write_file_atomic(path, buf, (size_t)n, e);
}

char **
argv_split(const char *s, struct sd_err *e)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct sbuf w;
	int inword = 0;

	sb_init(&w);
	for (const char *p = s; ; p++) {
		if (*p == '\0' || isspace((unsigned char)*p)) {
			if (inword) {
				v = xgrow(v, &cap, n + 2, sizeof *v);
				v[n++] = sb_detach(&w);
				inword = 0;
			}
			if (*p == '\0')
				break;
			continue;
		}
		inword = 1;
		if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (q == NULL)
				goto unterminated;
			sb_addn(&w, p + 1, (size_t)(q - p - 1));
			p = q;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				sb_addn(&w, p, 1);
			}
			if (*p == '\0')
				goto unterminated;
		} else if (*p == '\\' && p[1] != '\0') {
			sb_addn(&w, ++p, 1);
		} else {
			sb_addn(&w, p, 1);
		}
	}
	sb_free(&w);
	if (n == 0) {
		free(v);
		err_set(e, "empty command");
		return NULL;
	}
	v[n] = NULL;
	return v;
unterminated:
	sb_free(&w);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	err_set(e, "unterminated quote in command '%s'", s);
	return NULL;
}

char **
argv_dup(char *const *argv)
{
	size_t n = 0;
	char **v;

	while (argv[n])
		n++;
	v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(argv[i]);
	return v;
}

void
argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

char *
argv_join(char *const *argv)
{
	struct sbuf sb;

	sb_init(&sb);
	for (size_t i = 0; argv[i]; i++) {
		const char *a = argv[i];
		int plain = *a != '\0';
		for (const char *p = a; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("-_./:=@%+,", *p))
				plain = 0;
		if (i)
			sb_add(&sb, " ");
		if (plain) {
			sb_add(&sb, a);
		} else {
			sb_add(&sb, "'");
			for (const char *p = a; *p; p++) {
				if (*p == '\'')
					sb_add(&sb, "'\\''");
				else
					sb_addn(&sb, p, 1);
			}
			sb_add(&sb, "'");
		}
	}
	return sb_detach(&sb);
}

static const char *const sig_names[] = { "HUP", "INT", "QUIT", "KILL",
    "USR1", "USR2", "TERM", NULL };
static const int sig_nums[] = { SIGHUP, SIGINT, SIGQUIT, SIGKILL, SIGUSR1,
    SIGUSR2, SIGTERM };

int
sig_by_name(const char *name)
{
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (int i = 0; sig_names[i]; i++)
		if (strcmp(sig_names[i], name) == 0)
			return sig_nums[i];
	return 0;
}

const char *
sig_name(int sig)
{
	for (int i = 0; sig_names[i]; i++)
		if (sig_nums[i] == sig)
			return sig_names[i];
	return "?";
}

int64_t
proc_cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2, "%*c %*d %*d %*d"
	    " %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (int64_t)(ut + st);
}
