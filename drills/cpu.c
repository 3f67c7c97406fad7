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
 * where each hierarchy is; a host with neither is refused (exit 4) before
 * anything is changed.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/cgroup.h"
#include "../lib/proc.h"
#include "fault.h"

#define PERIOD_US 100000
#define MAX_PROCS 256

struct cpu_opts {
	double limit;		/* of one CPU: 0.5 = 50 % */
	int children;
	pid_t pid;		/* pid: given, else 0 */
	char *pidfile;		/* pidfile: given, else NULL */
};

static int
cpu_parse(const struct fault_parse *p, struct fault *f)
{
	struct cpu_opts *o = xcalloc(1, sizeof *o);
	const struct ynode *n;
	int pid = 0;

	f->opts = o;
	if (p->args == NULL)
		return yerr(p->y, p->key, "cpu: needs a mapping ({ service: NAME,"
		    " limit: 50%% })");
	if ((n = ynode_get(p->args, "limit")) == NULL)
		return yerr(p->y, p->key, "cpu: needs limit: (a share of one CPU,"
		    " e.g. 50%%)");
	if (ypercent(p->y, p->args, "limit", &o->limit) == -1 ||
	    ybool(p->y, p->args, "children", &o->children) == -1 ||
	    yint(p->y, p->args, "pid", 2, 1 << 22, &pid) == -1 ||
	    ystr(p->y, p->args, "pidfile", &o->pidfile) == -1)
		return -1;
	if (o->limit < 0.01)
		return yerr(p->y, n, "limit: at least 1%% of a CPU");
	o->pid = (pid_t)pid;
	if ((o->pid != 0) + (o->pidfile != NULL) + (f->svc != NULL) != 1)
		return yerr(p->y, p->key, "cpu: one of service:, pid: or pidfile:");
	if (f->svc != NULL && !svc_has_pid(f->svc))
		return yerr(p->y, ynode_get(p->args, "service"), "service '%s' has"
		    " no pid or pidfile to limit", f->svc->name);
	free(f->target);
	f->target = f->svc ? xstrdup(f->svc->name) : o->pidfile ?
	    xstrdup(o->pidfile) : xasprintf("pid %d", pid);
	return 0;
}

static char *
cpu_describe(const struct fault *f, int revert)
{
	const struct cpu_opts *o = f->opts;

	if (revert)
		return xasprintf("move %s%s back to the cgroup(s) they came from,"
		    " remove shakedown's cgroup", f->target, o->children ?
		    " and its children" : "");
	return xasprintf("limit %s%s to %g%% of one CPU: a cgroup of its own"
	    " (cpu.max \"%ld %d\" on cgroup v2, else cpu.cfs_quota_us %ld /"
	    " cpu.cfs_period_us %d on v1), the process(es) moved in",
	    f->target, o->children ? " and its children" : "", o->limit * 100,
	    (long)(o->limit * PERIOD_US), PERIOD_US, (long)(o->limit * PERIOD_US),
	    PERIOD_US);
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

static json_t *
cpu_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct cpu_opts *o = f->opts;
	static unsigned seq;
	char root[4096];
	pid_t top = o->pid, procs[MAX_PROCS];
	int v2 = 0;
	json_t *moved;

	(void)env;
	if (f->svc != NULL)
		top = svc_pid(f->svc, e);
	else if (o->pidfile != NULL)
		top = pidfile_read_checked(o->pidfile, e);
	if (top == 0 || (o->pid != 0 && pid_check(top, e) == -1))
		return NULL;
	if (!proc_alive(top))
		return err_set(e, "pid %d is not running", (int)top), NULL;
	if (cg_mount("cpu", root, sizeof root, &v2, e) == -1)
		return NULL;
	size_t n = collect(top, o->children, procs, MAX_PROCS);
	moved = json_array();
	for (size_t i = 0; i < n; i++) {
		struct sd_err ignore;
		char *from;
		if (pid_check(procs[i], &ignore) == -1 ||
		    (from = cg_of(procs[i], "cpu", v2)) == NULL)
			continue;	/* not to be moved, or gone meanwhile */
		json_array_append_new(moved, json_pack("{s:i,s:I,s:s}", "pid",
		    (int)procs[i], "starttime",
		    (json_int_t)proc_starttime(procs[i]), "from", from));
		free(from);
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

	if (rec_str(rec, "how", &how, e) == -1 || rec_str(rec, "root", root, e) ==
	    -1 || rec_str(rec, "dir", dir, e) == -1)
		return -1;
	if ((strcmp(how, "cgroup1") != 0 && strcmp(how, "cgroup2") != 0) ||
	    strncmp(*dir, *root, strlen(*root)) != 0 ||
	    strstr(*dir + strlen(*root), "/shakedown-cpu-") == NULL ||
	    strstr(*dir, "..") != NULL)
		return err_set(e, "not a cpu record of shakedown's own cgroup");
	*v2 = strcmp(how, "cgroup2") == 0;
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

	(void)f;
	(void)state;
	(void)env;
	if (rec_paths(rec, &root, &dir, &v2, e) == -1 ||
	    rec_int(rec, "quota_us", 1, 1 << 30, &quota, e) == -1)
		return FAULT_FINAL;
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return err_set(e, "mkdir %s: %s", dir, strerror(errno)), FAULT_FINAL;
	if (v2) {
		snprintf(buf, sizeof buf, "%lld %d", (long long)quota, PERIOD_US);
		file = xasprintf("%s/cpu.max", dir);
	} else {
		file = xasprintf("%s/cpu.cfs_period_us", dir);
		snprintf(buf, sizeof buf, "%d", PERIOD_US);
		if (cg_write(file, buf, e) == -1) {
			free(file);
			return -1;
		}
		free(file);
		snprintf(buf, sizeof buf, "%lld", (long long)quota);
		file = xasprintf("%s/cpu.cfs_quota_us", dir);
	}
	rc = cg_write(file, buf, e);
	free(file);
	if (rc == -1)
		return -1;
	json_array_foreach(json_object_get(rec, "moved"), i, m) {
		pid_t pid = (pid_t)json_integer_value(json_object_get(m, "pid"));
		if (!proc_alive(pid))
			continue;
		if (cg_move(dir, pid, e) == -1)
			return -1;
		nmoved++;
	}
	if (nmoved == 0)
		return err_set(e, "no process left to limit");
	fault_note(note, "%zu process(es) in %s, quota %lldus per %dus", nmoved,
	    dir, (long long)quota, PERIOD_US);
	return 0;
}

static int
cpu_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	const char *root, *dir, *first = NULL;
	size_t i, back = 0;
	json_t *m;
	int v2;

	(void)state;
	(void)env;
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
		int rc = cg_move(to, pid, e);
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
			if (cg_move(to, (pid_t)atoi(t), e) == 0)
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
	struct sd_err e;
	int v2;

	(void)env;
	if (rec_paths(rec, &root, &dir, &v2, &e) == -1)
		return -1;
	return access(dir, F_OK) == 0;
}

static void
cpu_free(void *opts)
{
	struct cpu_opts *o = opts;

	if (o != NULL)
		free(o->pidfile);
	free(o);
}

static const struct fault_verb verbs[] = {
	{ "cpu", 1, NULL, "limit a process (and its children) to a share of"
	    " one CPU with a cgroup CFS quota" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "pid", "pidfile",
    "limit", "children", NULL };

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
	.free = cpu_free,
};
