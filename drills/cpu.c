/*
 * cpu.c — the cpu kind: limit a process (a service's pid or pidfile, or
 * pid:/pidfile:) to a share of one CPU with a CFS quota — all its threads,
 * and with children: true the processes below it too. shakedown makes a
 * cgroup of its own under the cpu controller (cgroup v2 where the cpu
 * controller is there, else v1's cpu hierarchy), sets the quota, moves the
 * processes in; the revert moves each back to exactly the cgroup it came
 * from (and any process forked inside meanwhile with the first), then
 * removes shakedown's cgroup. The record holds the cgroup's path and every
 * process's origin, so the guardian and `recover` revert from it alone.
 *
 * The quota is for the group: limit: 50% is half of one CPU shared by all
 * the processes moved. Detected, never assumed: /proc/self/mountinfo says
 * where each hierarchy is. A host with neither (or via: signals) gets a
 * SIGSTOP/SIGCONT duty cycle from a limiter child instead (lib/base/duty.c),
 * whose record names it, so the guardian stops it and continues the
 * processes after a kill -9.
 *
 * A systemd unit (unit:) is never moved out of its cgroup, which would hide
 * its processes from systemd: its own CPUQuota= property is set at runtime
 * and set back to what it was.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dirent.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include "../lib/base/cgroup.h"
#include "../lib/base/duty.h"
#include "../lib/base/proc.h"
#include "../lib/fault/fault.h"
#include "cpu.h"

#define MAX_PROCS DUTY_MAX
#define SYSTEMCTL_MS 10000

enum { VIA_AUTO, VIA_CGROUP, VIA_SIGNALS };

struct cpu_state {
	pid_t limiter;		/* the duty cycle's child, or 0 */
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A systemd unit's name: no option to systemctl, no path. */
static int
unit_ok(const char *u)
{
	static const char *const suffix[] = { ".service", ".scope", ".slice",
	    NULL };
	size_t n = strlen(u);

	if (n == 0 || n > 255 || u[0] == '-' || u[0] == '.')
		return 0;
	for (const char *c = u; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr(":_.@-\\", *c)))
			return 0;
	for (int i = 0; suffix[i]; i++)
		if (n > strlen(suffix[i]) && strcmp(u + n - strlen(suffix[i]),
		    suffix[i]) == 0)
			return 1;
	return 0;
}

/* "50%", "12.5%": what systemd's CPUQuota= takes (two decimals at most). */
static void
pct_str(double share, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%.2f", share * 100);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	snprintf(buf + n, len - n, "%%");
}

static int
cpu_parse(const struct fault_parse *p, struct fault *f)
{
	struct cpu_opts *o = xcalloc(1, sizeof *o);
	const struct ynode *n;

	f->opts = o;
	if (p->args == NULL)
		return yerr(p->y, p->key, "cpu: needs a mapping ({ service: NAME,"
		    " limit: 50%% })");
	if ((n = ynode_get(p->args, "limit")) == NULL)
		return yerr(p->y, p->key, "cpu: needs limit: (a share of one CPU,"
		    " e.g. 50%%)");
	char *via = NULL;
	if (ypercent(p->y, p->args, "limit", &o->limit) == -1 ||
	    ybool(p->y, p->args, "children", &o->children) == -1 ||
	    fault_parse_pid(p, &o->pid) == -1 ||
	    ystr(p->y, p->args, "pidfile", &o->pidfile) == -1 ||
	    ystr(p->y, p->args, "unit", &o->unit) == -1 ||
	    ystr(p->y, p->args, "via", &via) == -1)
		return -1;
	if (via != NULL) {
		int bad = strcmp(via, "cgroup") != 0 && strcmp(via, "signals") != 0;
		o->via = via[0] == 'c' ? VIA_CGROUP : VIA_SIGNALS;
		free(via);
		if (bad)
			return yerr(p->y, ynode_get(p->args, "via"), "via: cgroup or"
			    " signals");
	}
	if (o->limit < 0.01)
		return yerr(p->y, n, "limit: at least 1%% of a CPU");
	if ((o->pid != 0) + (o->pidfile != NULL) + (f->svc != NULL) +
	    (o->unit != NULL) != 1)
		return yerr(p->y, p->key, "cpu: one of service:, pid:, pidfile: or"
		    " unit:");
	if (o->unit != NULL && !unit_ok(o->unit))
		return yerr(p->y, ynode_get(p->args, "unit"), "unit: a systemd"
		    " unit's name (NAME.service, .scope or .slice)");
	if ((n = ynode_get(p->args, "scope")) != NULL) {
		if (ywant(p->y, n, Y_SCALAR, "scope") == -1)
			return -1;
		if (strcmp(n->value, "machine") != 0 && strcmp(n->value,
		    "service") != 0)
			return yerr(p->y, n, "scope: service (one service's processes)"
			    " or machine (a unit that holds many, on purpose)");
		o->machine = n->value[0] == 'm';
	}
	/* a slice or init.scope is every service under it: said on purpose */
	if (o->unit != NULL && !o->machine && (ends_with(o->unit, ".slice") ||
	    strcmp(o->unit, "init.scope") == 0))
		return yerr(p->y, ynode_get(p->args, "unit"), "unit: %s holds every"
		    " service under it: throttling it throttles them all; say scope:"
		    " machine to mean it", o->unit);
	if (o->unit != NULL && (o->children || o->via != VIA_AUTO))
		return yerr(p->y, ynode_get(p->args, o->children ? "children" :
		    "via"), "a unit's quota is for all its processes: no %s with"
		    " unit:", o->children ? "children:" : "via:");
	if (f->svc != NULL && !svc_has_pid(f->svc))
		return yerr(p->y, ynode_get(p->args, "service"), "service '%s' has"
		    " no pid or pidfile to limit", f->svc->name);
	free(f->target);
	f->target = f->svc ? xstrdup(f->svc->name) : o->pidfile ?
	    xstrdup(o->pidfile) : o->unit ? xstrdup(o->unit) :
	    xasprintf("pid %d", (int)o->pid);
	return 0;
}

static char *
cpu_describe(const struct fault *f, int revert)
{
	const struct cpu_opts *o = f->opts;

	const char *kids = o->children ? " and its children" : "";
	char pct[32];

	pct_str(o->limit, pct, sizeof pct);
	if (o->unit != NULL)
		return revert ? xasprintf("systemctl set-property --runtime %s"
		    " CPUQuota= as it was before (empty: none)", o->unit) :
		    xasprintf("limit the systemd unit %s to %s of one CPU: systemctl"
		    " set-property --runtime %s CPUQuota=%s", o->unit, pct, o->unit,
		    pct);
	if (o->via == VIA_SIGNALS)
		return revert ? xasprintf("stop the limiter, SIGCONT %s%s",
		    f->target, kids) : xasprintf("limit %s%s to %s of one CPU:"
		    " a child of shakedown stops and continues it (SIGSTOP/SIGCONT,"
		    " period %dms)", f->target, kids, pct, DUTY_PERIOD_MS);
	if (revert)
		return xasprintf("move %s%s back to the cgroup(s) they came from,"
		    " remove shakedown's cgroup%s", f->target, kids, o->via ==
		    VIA_AUTO ? " (or stop the limiter and SIGCONT them)" : "");
	return xasprintf("limit %s%s to %s of one CPU: a cgroup of its own"
	    " (cpu.max \"%ld %d\" on cgroup v2, else cpu.cfs_quota_us %ld /"
	    " cpu.cfs_period_us %d on v1), the process(es) moved in%s",
	    f->target, kids, pct, (long)(o->limit * PERIOD_US), PERIOD_US,
	    (long)(o->limit * PERIOD_US), PERIOD_US, o->via == VIA_AUTO ?
	    "; on a host with no cgroup cpu controller, a SIGSTOP/SIGCONT duty"
	    " cycle" : "");
}

/* top and, with children, every process below it, from one scan of /proc;
 * never shakedown itself nor what runs below it (a shell's children
 * include us and our guardian). */
static size_t
collect(pid_t top, int children, pid_t *out, size_t max)
{
	pid_t *pid = NULL, *ppid = NULL;
	size_t n = 0, np = 0, cap = 0, cap2 = 0;
	struct dirent *de;
	DIR *d;

	out[n++] = top;
	if (!children || (d = opendir("/proc")) == NULL)
		return n;
	while ((de = readdir(d)) != NULL) {
		pid_t p = (pid_t)atoi(de->d_name), pp;
		if (p <= 0 || p == getpid() || (pp = proc_ppid(p)) <= 0)
			continue;
		pid = xgrow(pid, &cap, np + 1, sizeof *pid);
		ppid = xgrow(ppid, &cap2, np + 1, sizeof *ppid);
		pid[np] = p;
		ppid[np++] = pp;
	}
	closedir(d);
	/* breadth first: out[i]'s children are appended after it */
	for (size_t i = 0; i < n && n < max; i++)
		for (size_t j = 0; j < np && n < max; j++)
			if (ppid[j] == out[i])
				out[n++] = pid[j];
	free(pid);
	free(ppid);
	return n;
}


static int
cpu_preflight(const struct fault *f, struct sd_err *e)
{
	const struct cpu_opts *o = f->opts;

	if (o->unit != NULL)
		return 0;
	return fault_target_pid(f->svc, o->pidfile, o->pid, e) == 0 ? -1 : 0;
}

static json_t *
cpu_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct cpu_opts *o = f->opts;
	static unsigned seq;
	char root[4096], why[256] = "";
	pid_t top = o->pid, procs[MAX_PROCS];
	int v2 = 0, cg = -1;
	json_t *moved;

	(void)env;
	if (o->unit != NULL) {
		int64_t before = cpu_unit_quota(o->unit, 1, e);
		if (before == -2)
			return NULL;
		return json_pack("{s:s,s:s,s:I,s:I}", "how", "systemd", "unit",
		    o->unit, "before_us", (json_int_t)before, "quota_us",
		    (json_int_t)(o->limit * 1000000 + 0.5));
	}
	if ((top = fault_target_pid(f->svc, o->pidfile, o->pid, e)) == 0)
		return NULL;
	if (o->via != VIA_SIGNALS) {
		struct sd_err ce;
		if ((cg = cgroup_mount("cpu", root, sizeof root, &v2, &ce)) == -1 &&
		    o->via == VIA_CGROUP)
			return *e = ce, NULL;
		if (cg == -1)
			snprintf(why, sizeof why, "%s", ce.msg);
	}
	size_t n = collect(top, o->children, procs, MAX_PROCS);
	moved = json_array();
	for (size_t i = 0; i < n; i++) {
		struct sd_err ignore;
		char *from = NULL;
		if (pid_check(procs[i], &ignore) == -1 ||
		    (cg == 0 && (from = cgroup_of(procs[i], "cpu", v2)) == NULL))
			continue;	/* not to be moved, or gone meanwhile */
		json_t *m = json_pack("{s:i,s:I}", "pid", (int)procs[i],
		    "starttime", (json_int_t)proc_starttime(procs[i]));
		if (from != NULL)
			json_object_set_new(m, "from", json_string(from));
		json_array_append_new(moved, m);
		free(from);
	}
	if (cg == -1) {
		/* the limiter's comm: found by it after a kill -9 */
		char name[16];
		snprintf(name, sizeof name, "sdlim%x-%x", (unsigned)getpid() &
		    0xffffff, ++seq & 0xff);
		json_t *rec = json_pack("{s:s,s:s,s:f,s:b,s:o}", "how", "signals",
		    "name", name, "share", o->limit, "children", o->children,
		    "moved", moved);
		if (why[0] != '\0')
			json_object_set_new(rec, "why", json_string(why));
		return rec;
	}
	char *dir = xasprintf("%s/shakedown-cpu-%d-%u", root, (int)getpid(),
	    ++seq);
	json_t *rec = json_pack("{s:s,s:s,s:s,s:i,s:o}", "how", v2 ? "cgroup2" :
	    "cgroup1", "root", root, "dir", dir, "quota_us",
	    (int)(o->limit * PERIOD_US), "moved", moved);
	free(dir);
	return rec;
}

/* The record's strings, checked: a journal may have been edited. */
static int
rec_paths(const json_t *rec, const char **root, const char **dir, int *v2,
    struct sd_err *e)
{
	const char *how;

	if (fault_rec_str(rec, "how", &how, e) == -1 || fault_rec_str(rec, "root", root, e) ==
	    -1 || fault_rec_str(rec, "dir", dir, e) == -1)
		return -1;
	if ((strcmp(how, "cgroup1") != 0 && strcmp(how, "cgroup2") != 0) ||
	    strncmp(*dir, *root, strlen(*root)) != 0 ||
	    strstr(*dir + strlen(*root), "/shakedown-cpu-") == NULL ||
	    strstr(*dir, "..") != NULL)
		return err_set(e, "not a cpu record of shakedown's own cgroup");
	*v2 = strcmp(how, "cgroup2") == 0;
	return 0;
}

/* Which way the record took: 'c' cgroup, 's' signals, 'u' systemd unit;
 * 0 with e set for a record that is none of them. */
static char
rec_how(const json_t *rec, struct sd_err *e)
{
	const char *how, *name;

	if (fault_rec_str(rec, "how", &how, e) == -1)
		return 0;
	if (strcmp(how, "signals") == 0) {
		if (fault_rec_str(rec, "name", &name, e) == -1)
			return 0;
		if (strncmp(name, "sdlim", 5) != 0 || strlen(name) > 15)
			return err_set(e, "not a cpu limiter's name: %s", name), 0;
		return 's';
	}
	if (strcmp(how, "systemd") == 0) {
		if (fault_rec_str(rec, "unit", &name, e) == -1)
			return 0;
		if (!unit_ok(name))
			return err_set(e, "not a systemd unit's name: %s", name), 0;
		return 'u';
	}
	return 'c';
}

/* The moved processes that are still the ones recorded. */
static size_t
rec_procs(const json_t *rec, pid_t *out, size_t max)
{
	size_t i, n = 0;
	json_t *m;

	json_array_foreach(json_object_get(rec, "moved"), i, m) {
		pid_t pid = (pid_t)json_integer_value(json_object_get(m, "pid"));
		json_int_t st = json_integer_value(json_object_get(m, "starttime"));
		struct sd_err ignore;
		if (n < max && pid_check(pid, &ignore) == 0 && proc_alive(pid) &&
		    proc_starttime(pid) == (unsigned long long)st)
			out[n++] = pid;
	}
	return n;
}

static int
unit_set(const char *unit, int64_t quota_us, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	char val[48] = "CPUQuota=";
	char *argv[] = { "systemctl", "set-property", "--runtime", (char *)unit,
	    val, NULL };

	if (quota_us >= 0)
		pct_str((double)quota_us / 1e6, val + 9, sizeof val - 9);
	return fault_run_argv(argv, env, SYSTEMCTL_MS, note, e);
}

static int
duty_apply(const json_t *rec, void **state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	static struct duty_spec spec;	/* big: off the stack */
	const char *name, *why = json_string_value(json_object_get(rec, "why"));
	double share = json_real_value(json_object_get(rec, "share"));
	int fds[2];
	pid_t me = getpid(), child;

	if (fault_rec_str(rec, "name", &name, e) == -1)
		return FAULT_FINAL;
	if (share < 0.01 || share > 1)
		return err_set(e, "cpu record: share %g", share), FAULT_FINAL;
	memset(&spec, 0, sizeof spec);
	spec.share = share;
	spec.children = json_is_true(json_object_get(rec, "children"));
	snprintf(spec.name, sizeof spec.name, "%s", name);
	if ((spec.n = rec_procs(rec, spec.pids, DUTY_MAX)) == 0)
		return err_set(e, "no process left to limit"), FAULT_FINAL;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return err_set(e, "pipe: %s", strerror(errno)), FAULT_FINAL;
	if ((child = fork()) == 0) {
		close(fds[0]);
		duty_run(&spec, me, fds[1]);
	}
	close(fds[1]);
	if (child == -1) {
		close(fds[0]);
		return err_set(e, "fork: %s", strerror(errno)), FAULT_FINAL;
	}
	struct cpu_state *st = xcalloc(1, sizeof *st);
	st->limiter = child;
	*state = st;
	char c = fault_hear(fds[0], 5000, env);
	close(fds[0]);
	if (c != 'S')
		return err_set(e, "the cpu limiter (pid %d) %s", (int)child, c ==
		    'G' ? "found none of the processes" : "did not start");
	fault_note(note, "%zu process(es) held to %g%% of one CPU by a"
	    " SIGSTOP/SIGCONT duty cycle (limiter pid %d, period %dms)%s%s",
	    spec.n, share * 100, (int)child, DUTY_PERIOD_MS, why ? "; " : "",
	    why ? why : "");
	return 0;
}

static int
cpu_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const char *root, *dir;
	int64_t quota;
	char buf[64], *file;
	size_t i, nmoved = 0;
	json_t *m;
	int v2, rc;

	switch (rec_how(rec, e)) {
	case 0:
		return FAULT_FINAL;
	case 's':
		return duty_apply(rec, state, env, note, e);
	case 'u':
		if (fault_rec_int(rec, "quota_us", 10000, 1000000, &quota, e) == -1)
			return FAULT_FINAL;
		return unit_set(json_string_value(json_object_get(rec, "unit")),
		    quota, env, note, e) == -1 ? FAULT_FINAL : 0;
	}
	(void)f;
	if (rec_paths(rec, &root, &dir, &v2, e) == -1 ||
	    fault_rec_int(rec, "quota_us", 1, 1 << 30, &quota, e) == -1)
		return FAULT_FINAL;
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return err_set(e, "mkdir %s: %s", dir, strerror(errno)), FAULT_FINAL;
	if (v2) {
		snprintf(buf, sizeof buf, "%lld %d", (long long)quota, PERIOD_US);
		file = xasprintf("%s/cpu.max", dir);
	} else {
		file = xasprintf("%s/cpu.cfs_period_us", dir);
		snprintf(buf, sizeof buf, "%d", PERIOD_US);
		if (cgroup_write(file, buf, e) == -1) {
			free(file);
			return -1;
		}
		free(file);
		snprintf(buf, sizeof buf, "%lld", (long long)quota);
		file = xasprintf("%s/cpu.cfs_quota_us", dir);
	}
	rc = cgroup_write(file, buf, e);
	free(file);
	if (rc == -1)
		return -1;
	json_array_foreach(json_object_get(rec, "moved"), i, m) {
		pid_t pid = (pid_t)json_integer_value(json_object_get(m, "pid"));
		if (!proc_alive(pid))
			continue;
		if (cgroup_move(dir, pid, e) == -1)
			return -1;
		nmoved++;
	}
	if (nmoved == 0)
		return err_set(e, "no process left to limit");
	fault_note(note, "%zu process(es) in %s, quota %lldus per %dus", nmoved,
	    dir, (long long)quota, PERIOD_US);
	return 0;
}

/* Stop the limiter (ours, or found by its name), then continue what it
 * may have left stopped: the recorded processes and, with children, any
 * stopped process below the first. */
static int
duty_revert(const json_t *rec, struct cpu_state *st, char **note,
    struct sd_err *e)
{
	const char *name;
	pid_t procs[MAX_PROCS];
	size_t n, i, cont = 0;
	int found = 0;

	if (fault_rec_str(rec, "name", &name, e) == -1)
		return FAULT_FINAL;
	if (st != NULL && st->limiter > 0) {
		proc_terminate(st->limiter, SIGTERM, 1000);
		st->limiter = 0;
		found = 1;
	}
	if (proc_signal_named(name, SIGTERM) > 0) {
		found = 1;
		int64_t end = mono_ms() + 1000;
		while (proc_signal_named(name, 0) > 0 && mono_ms() < end)
			sleep_ms(10);
		proc_signal_named(name, SIGKILL);
	}
	n = rec_procs(rec, procs, MAX_PROCS);
	if (n > 0 && json_is_true(json_object_get(rec, "children")))
		n = collect(procs[0], 1, procs, MAX_PROCS);
	for (i = 0; i < n; i++)
		if (proc_state(procs[i]) == 'T' && kill(procs[i], SIGCONT) == 0)
			cont++;
	fault_note(note, "%s; %zu stopped process(es) continued", found ?
	    "limiter stopped" : "no limiter running", cont);
	return found || cont ? 0 : FAULT_NOOP;
}

static int
cpu_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	const char *root, *dir, *first = NULL;
	size_t i, back = 0;
	json_t *m;
	int v2;

	switch (rec_how(rec, e)) {
	case 0:
		return FAULT_FINAL;
	case 's':
		return duty_revert(rec, state, note, e);
	case 'u': {
		int64_t before;
		if (fault_rec_int(rec, "before_us", -1, INT64_MAX, &before, e) == -1)
			return FAULT_FINAL;
		return unit_set(json_string_value(json_object_get(rec, "unit")),
		    before, env, note, e);
	}
	}
	if (rec_paths(rec, &root, &dir, &v2, e) == -1)
		return FAULT_FINAL;
	if (access(dir, F_OK) == -1) {
		fault_note(note, "%s is gone already", dir);
		return FAULT_NOOP;
	}
	json_array_foreach(json_object_get(rec, "moved"), i, m) {
		const char *from = json_string_value(json_object_get(m, "from"));
		pid_t pid = (pid_t)json_integer_value(json_object_get(m, "pid"));
		json_int_t st = json_integer_value(json_object_get(m, "starttime"));
		if (from == NULL || strstr(from, "..") != NULL)
			continue;
		if (first == NULL)
			first = from;
		if (!proc_alive(pid) || proc_starttime(pid) !=
		    (unsigned long long)st)
			continue;
		char *to = xasprintf("%s%s", root, from);
		int rc = cgroup_move(to, pid, e);
		free(to);
		if (rc == -1)
			return -1;
		back++;
	}
	/* processes forked inside meanwhile go where the first came from */
	char *procs = xasprintf("%s/cgroup.procs", dir), *left;
	for (int tries = 0; tries < 3 && first != NULL &&
	    (left = read_file(procs, NULL, NULL)) != NULL; tries++) {
		int any = 0;
		char *to = xasprintf("%s%s", root, first);
		for (char *t = strtok(left, "\n"); t; t = strtok(NULL, "\n")) {
			any = 1;
			if (cgroup_move(to, (pid_t)atoi(t), e) == 0)
				back++;
		}
		free(to);
		free(left);
		if (!any)
			break;
	}
	free(procs);
	if (rmdir(dir) == -1 && errno != ENOENT)
		return err_set(e, "rmdir %s: %s", dir, strerror(errno));
	fault_note(note, "%zu process(es) moved back; %s removed", back, dir);
	return 0;
}

static int
cpu_in_effect(const json_t *rec, const struct fault_env *env)
{
	const char *root, *dir;
	pid_t procs[MAX_PROCS];
	struct sd_err e;
	int v2;

	(void)env;
	switch (rec_how(rec, &e)) {
	case 0:
		return -1;
	case 's':
		if (proc_signal_named(json_string_value(json_object_get(rec,
		    "name")), 0) > 0)
			return 1;
		for (size_t i = 0, n = rec_procs(rec, procs, MAX_PROCS); i < n; i++)
			if (proc_state(procs[i]) == 'T')
				return 1;
		return 0;
	case 'u': {
		int64_t now = cpu_unit_quota(json_string_value(json_object_get(rec,
		    "unit")), 0, &e);
		return now == -2 ? -1 : now == json_integer_value(json_object_get(rec,
		    "quota_us"));
	}
	}
	if (rec_paths(rec, &root, &dir, &v2, &e) == -1)
		return -1;
	return access(dir, F_OK) == 0;
}

static void
cpu_free_state(void *state)
{
	struct cpu_state *st = state;

	/* the limiter continues everything before it exits */
	if (st != NULL && st->limiter > 0)
		proc_terminate(st->limiter, SIGTERM, 1000);
	free(st);
}

static void
cpu_free(void *opts)
{
	struct cpu_opts *o = opts;

	if (o != NULL) {
		free(o->pidfile);
		free(o->unit);
	}
	free(o);
}

static const struct fault_verb verbs[] = {
	{ "cpu", 1, NULL, "limit a process (and its children) to a share of"
	    " one CPU: a cgroup CFS quota, a SIGSTOP/SIGCONT duty cycle, or a"
	    " systemd unit's CPUQuota" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "pid", "pidfile",
    "limit", "children", "via", "unit", "scope", NULL };

const struct fault_kind fault_cpu = {
	.name = "cpu",
	.summary = "throttle a process to a share of one CPU (cgroup quota)",
	.verbs = verbs,
	.keys = keys,
	.parse = cpu_parse,
	.describe = cpu_describe,
	.prepare = cpu_prepare,
	.apply = cpu_apply,
	.revert = cpu_revert,
	.in_effect = cpu_in_effect,
	.preflight = cpu_preflight,
	.confirm = cpu_confirm,
	.proves = cpu_proves,
	.free_state = cpu_free_state,
	.free = cpu_free,
};
