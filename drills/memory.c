/*
 * memory.c — the memory kind: take memory away from a service (or from the
 * machine) the way a leak would. A child of shakedown maps anonymous memory
 * and writes a byte to every page — at once, or linearly over ramp: — then
 * holds it. It is charged to the right cgroup: shakedown makes a cgroup of
 * its own below the target's (memory cgroup), so the pages count in the
 * target's usage and against its limit, exactly as the target's own would.
 *
 * How much: size: N bytes, or percent: X — push the usage to X % of the
 * limit that applies (the target's cgroup limit when it has one, else the
 * machine's memory): X × limit − usage now.
 *
 * It never outlives the fault: the hog dies with the thread that forked it
 * (PR_SET_PDEATHSIG), is the OOM killer's first choice (oom_score_adj 1000),
 * and the record names shakedown's cgroup, so the guardian and `recover`
 * kill whatever is in it and remove it after a kill -9. A safety floor
 * keeps max(256 MiB, 5 % of RAM) available on the machine unless force:
 * true. A target without a memory limit of its own is refused unless
 * scope: machine says the machine's memory is meant: pressure on the whole
 * machine endangers everything on it.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/base/cgroup.h"
#include "../lib/base/proc.h"
#include "../lib/base/units.h"
#include "../lib/fault/fault.h"

#define MIB (1024LL * 1024)
#define FLOOR_MIN (256 * MIB)
#define RAMP_TICK_MS 20
#define PAGE 4096
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

struct mem_opts {
	int64_t bytes;		/* size:, else 0 */
	double percent;		/* percent:, else 0 */
	int64_t ramp_ms;
	int force;
	int machine;		/* scope: machine — may take the machine's memory */
	char *scope_hint;	/* " (set VAR)" where scope: came from */
	pid_t pid;
	char *pidfile;
};

struct mem_state {
	pid_t hog;
};

/* scope: service (the default: only a limit of the service's own) or
 * machine (the machine's memory, said on purpose). */
static int
parse_scope(const struct fault_parse *p, struct mem_opts *o)
{
	const struct ynode *n = ynode_get(p->args, "scope");
	char from[96];

	if (n == NULL)
		return 0;
	if (ywant(p->y, n, Y_SCALAR, "scope") == -1)
		return -1;
	if (strcmp(n->value, "machine") != 0 && strcmp(n->value, "service") != 0)
		return yerr(p->y, n, "scope: service (its own memory limit) or"
		    " machine (the machine's memory, on purpose)");
	o->machine = n->value[0] == 'm';
	o->scope_hint = xstrdup(yfrom(n, from, sizeof from));
	return 0;
}

static int
mem_parse(const struct fault_parse *p, struct fault *f)
{
	struct mem_opts *o = xcalloc(1, sizeof *o);

	f->opts = o;
	if (p->args == NULL)
		return yerr(p->y, p->key, "memory: needs a mapping ({ service:"
		    " NAME, percent: 90%% } or { size: 512MiB })");
	if (ysize(p->y, p->args, "size", &o->bytes) == -1 ||
	    ypercent(p->y, p->args, "percent", &o->percent) == -1 ||
	    ydur(p->y, p->args, "ramp", &o->ramp_ms, 1, 3600000) == -1 ||
	    ybool(p->y, p->args, "force", &o->force) == -1 ||
	    fault_parse_pid(p, &o->pid) == -1 ||
	    ystr(p->y, p->args, "pidfile", &o->pidfile) == -1 ||
	    parse_scope(p, o) == -1)
		return -1;
	if ((ynode_get(p->args, "size") != NULL) ==
	    (ynode_get(p->args, "percent") != NULL))
		return yerr(p->y, p->key, "memory: one of size: (bytes to take)"
		    " or percent: (of the limit to reach)");
	if (ynode_get(p->args, "percent") != NULL && (o->percent < 0.01 ||
	    o->percent > 1.0))
		return yerr(p->y, ynode_get(p->args, "percent"), "percent: between"
		    " 1%% and 100%% of the limit");
	if ((o->pid != 0) + (o->pidfile != NULL) + (f->svc != NULL) > 1)
		return yerr(p->y, p->key, "memory: at most one of service:, pid:"
		    " or pidfile:");
	if (f->svc != NULL && !svc_has_pid(f->svc))
		return yerr(p->y, ynode_get(p->args, "service"), "service '%s' has"
		    " no pid or pidfile to charge the memory to", f->svc->name);
	free(f->target);
	f->target = f->svc ? xstrdup(f->svc->name) : o->pidfile ?
	    xstrdup(o->pidfile) : o->pid ? xasprintf("pid %d", (int)o->pid) :
	    xstrdup("host");
	return 0;
}

static char *
mem_describe(const struct fault *f, int revert)
{
	const struct mem_opts *o = f->opts;
	char how[96], ramp[48] = "";

	if (revert)
		return xasprintf("kill the memory hog of %s, remove shakedown's"
		    " cgroup", f->target);
	char b[32];
	if (o->bytes > 0)
		snprintf(how, sizeof how, "take %s", units_fmt_bytes(o->bytes, b,
		    sizeof b));
	else
		snprintf(how, sizeof how, "push memory to %g%% of the limit",
		    o->percent * 100);
	if (o->ramp_ms > 0)
		snprintf(ramp, sizeof ramp, " over %lldms", (long long)o->ramp_ms);
	return xasprintf("%s of %s%s: a child of shakedown maps and touches"
	    " the pages in a cgroup below %s (charged to it; oom_score_adj 1000;"
	    " dies with shakedown); %s", how, f->target, ramp, strcmp(f->target,
	    "host") == 0 ? "the root" : "its memory cgroup", o->force ?
	    "no safety floor (force)" : "keeps max(256MiB, 5% of RAM) available"
	    " on the machine");
}

/* Whose memory: the target's cgroup and the limit that applies to it
 * (its own, or the machine's when it has none — allowed only with scope:
 * machine). 0, or -1 with e. */
struct basis {
	char root[4096];
	char *rel;		/* the target's memory cgroup, below root */
	int v2;
	int64_t limit, usage, total, avail;
	const char *name;	/* "cgroup" or "host" */
};

static int
mem_basis(const struct fault *f, struct basis *b, struct sd_err *e)
{
	const struct mem_opts *o = f->opts;
	pid_t top = 0;

	b->rel = NULL;
	if ((f->svc != NULL || o->pidfile != NULL || o->pid != 0) &&
	    (top = fault_target_pid(f->svc, o->pidfile, o->pid, e)) == 0)
		return -1;
	if (cgroup_mount("memory", b->root, sizeof b->root, &b->v2, e) == -1)
		return -1;
	b->rel = top != 0 ? cgroup_of(top, "memory", b->v2) : xstrdup("/");
	if (b->rel == NULL)
		return err_set(e, "pid %d is gone", (int)top);
	cgroup_host_memory(&b->total, &b->avail);
	if (b->total < 0 || b->avail < 0)
		return err_set(e, "/proc/meminfo: no MemTotal/MemAvailable");
	cgroup_memory(b->root, b->rel, b->v2, &b->limit, &b->usage);
	b->name = "cgroup";
	if (b->limit < 0 || b->usage < 0 || (b->total > 0 &&
	    b->limit > b->total)) {
		b->name = "host";
		b->limit = b->total;
		b->usage = b->total - b->avail;
	}
	/* pressure on the whole machine endangers everything on it: only
	 * when the drill says so */
	if (strcmp(b->name, "host") == 0 && !o->machine)
		return err_set(e, "%s has no memory limit of its own (its cgroup"
		    " %s has none): the memory would be taken from the whole"
		    " machine (%lld MiB), endangering everything on it; give the"
		    " service a memory limit (a cgroup's memory.max, a container's"
		    " --memory), or say scope: machine to mean it%s", top ?
		    f->target : "the machine", b->rel, (long long)(b->total / MIB),
		    o->scope_hint ? o->scope_hint : "");
	return 0;
}

static int
mem_preflight(const struct fault *f, struct sd_err *e)
{
	struct basis b;
	int rc = mem_basis(f, &b, e);

	free(b.rel);
	return rc;
}

static json_t *
mem_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct mem_opts *o = f->opts;
	static unsigned seq;
	struct basis b;
	int64_t bytes, floor;

	(void)env;
	if (mem_basis(f, &b, e) == -1) {
		free(b.rel);
		return NULL;
	}
	const char *root = b.root, *basis = b.name;
	char *rel = b.rel;
	int64_t limit = b.limit, usage = b.usage, total = b.total,
	    avail = b.avail;
	int v2 = b.v2;
	bytes = o->bytes > 0 ? o->bytes : (int64_t)(o->percent * (double)limit) -
	    usage;
	if (bytes < PAGE) {
		free(rel);
		return err_set(e, "memory of %s is at %.0f%% of its %s limit"
		    " (%lld MiB) already: nothing to take for %g%%", f->target,
		    100.0 * (double)usage / (double)limit, basis,
		    (long long)(limit / MIB), o->percent * 100), NULL;
	}
	floor = total / 20 > FLOOR_MIN ? total / 20 : FLOOR_MIN;
	if (!o->force && avail - bytes < floor) {
		free(rel);
		return err_set(e, "taking %lld MiB would leave %lld MiB available on"
		    " this machine, under the safety floor of %lld MiB (force: true"
		    " to go on)", (long long)(bytes / MIB), (long long)((avail -
		    bytes) / MIB), (long long)(floor / MIB)), NULL;
	}
	char *dir = xasprintf("%s%s/shakedown-mem-%d-%u", root, strcmp(rel, "/")
	    == 0 ? "" : rel, (int)getpid(), ++seq);
	json_t *rec = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:I,s:I}", "how", v2 ?
	    "cgroup2" : "cgroup1", "root", root, "dir", dir, "bytes",
	    (json_int_t)bytes, "ramp_ms", (json_int_t)o->ramp_ms, "basis", basis,
	    "limit", (json_int_t)limit, "usage_before", (json_int_t)usage);
	free(dir);
	free(rel);
	return rec;
}

/* The record's paths, checked: a journal may have been edited. */
static int
rec_dir(const json_t *rec, const char **dir, struct sd_err *e)
{
	const char *how, *root;

	if (fault_rec_str(rec, "how", &how, e) == -1 || fault_rec_str(rec, "root", &root, e) ==
	    -1 || fault_rec_str(rec, "dir", dir, e) == -1)
		return -1;
	const char *base = strrchr(*dir, '/');
	if ((strcmp(how, "cgroup1") != 0 && strcmp(how, "cgroup2") != 0) ||
	    strncmp(*dir, root, strlen(root)) != 0 || base == NULL ||
	    strncmp(base, "/shakedown-mem-", 15) != 0 ||
	    strstr(*dir, "..") != NULL)
		return err_set(e, "not a memory record of shakedown's own cgroup");
	return 0;
}

static void
put(int fd, char c)
{
	while (write(fd, &c, 1) == -1 && errno == EINTR)
		;
}

/* The hog, in the child of a fork: async-signal-safe calls only. */
static void __attribute__((noreturn))
hog(const char *procs, pid_t parent, size_t bytes, int64_t ramp_ms, int fd)
{
	struct timespec t0, now, tick = { 0, RAMP_TICK_MS * 1000000L };
	int cg;

	if ((fd = proc_child_init(parent, SIGKILL, fd)) == -2)
		_exit(1);
	/* into shakedown's cgroup before a page is touched: pages are
	 * charged where their toucher is */
	if ((cg = open(procs, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(cg, "0", 1) != 1) {
		put(fd, 'C');
		_exit(1);
	}
	close(cg);
	if ((cg = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC)) != -1) {
		if (write(cg, "1000", 4) != 4)
			put(fd, 'O');
		close(cg);
	}
	char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		put(fd, 'M');
		_exit(1);
	}
	put(fd, 'S');
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t done = 0; done < bytes; ) {
		size_t want = bytes;
		if (ramp_ms > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t el = (now.tv_sec - t0.tv_sec) * 1000 +
			    (now.tv_nsec - t0.tv_nsec) / 1000000;
			if (el < ramp_ms)
				want = (size_t)((double)bytes * (double)el /
				    (double)ramp_ms);
		}
		/* the kernel faults the pages in (5.14+): several times faster
		 * than a write per page; else that */
		want = (want + PAGE - 1) / PAGE * PAGE;
		if (want > done && madvise(m + done, want - done,
		    MADV_POPULATE_WRITE) == 0)
			done = want;
		for (; done < want; done += PAGE)
			m[done] = 1;
		if (done < bytes)
			nanosleep(&tick, NULL);
	}
	put(fd, 'D');
	close(fd);
	for (;;)
		pause();
}

static int
mem_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const char *dir;
	int64_t bytes, ramp;
	int fds[2];
	pid_t me = getpid(), child;

	if (rec_dir(rec, &dir, e) == -1 ||
	    fault_rec_int(rec, "bytes", PAGE, INT64_MAX, &bytes, e) == -1 ||
	    fault_rec_int(rec, "ramp_ms", 0, 3600000, &ramp, e) == -1)
		return FAULT_FINAL;
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return err_set(e, "mkdir %s: %s", dir, strerror(errno)), FAULT_FINAL;
	char *procs = xasprintf("%s/cgroup.procs", dir);
	if (pipe2(fds, O_CLOEXEC) == -1) {
		free(procs);
		rmdir(dir);
		return err_set(e, "pipe: %s", strerror(errno)), FAULT_FINAL;
	}
	if ((child = fork()) == 0) {
		close(fds[0]);
		hog(procs, me, (size_t)bytes, ramp, fds[1]);
	}
	free(procs);
	close(fds[1]);
	if (child == -1) {
		close(fds[0]);
		rmdir(dir);
		return err_set(e, "fork: %s", strerror(errno)), FAULT_FINAL;
	}
	struct mem_state *st = xcalloc(1, sizeof *st);
	st->hog = child;
	*state = st;
	char c = fault_hear(fds[0], 5000, env);
	if (c == 'O')
		c = fault_hear(fds[0], 5000, env);
	if (c == 'S' && ramp == 0)
		c = fault_hear(fds[0], f->timeout_ms, env);
	close(fds[0]);
	if (c == 'C' || c == 'M' || c == 0 || (ramp == 0 && c != 'D'))
		return err_set(e, "the memory hog (pid %d) %s", (int)child,
		    c == 'C' ? "could not join shakedown's cgroup" : c == 'M' ?
		    "could not map the memory" : c == 0 && proc_alive(child) ?
		    "did not take the memory in time" : "died (OOM-killed?)");
	fault_note(note, "%lld MiB %s by pid %d in %s", (long long)(bytes / MIB),
	    ramp > 0 ? "being taken" : "held", (int)child, dir);
	return 0;
}

static int
mem_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	struct mem_state *st = state;
	const char *dir;
	size_t n;

	(void)env;
	if (rec_dir(rec, &dir, e) == -1)
		return FAULT_FINAL;
	if (st != NULL && st->hog > 0) {
		kill(st->hog, SIGKILL);
		waitpid(st->hog, NULL, 0);
		st->hog = 0;
	}
	if (access(dir, F_OK) == -1) {
		fault_note(note, "%s is gone already", dir);
		return st != NULL ? 0 : FAULT_NOOP;
	}
	n = cgroup_count(dir);
	if (cgroup_empty_rmdir(dir, 5000, e) == -1)
		return -1;
	fault_note(note, "%s%s removed", n ? "hog killed; " : "", dir);
	return 0;
}

static int
mem_in_effect(const json_t *rec, const struct fault_env *env)
{
	const char *dir;
	struct sd_err e;

	(void)env;
	if (rec_dir(rec, &dir, &e) == -1)
		return -1;
	return access(dir, F_OK) == 0;
}

static void
mem_free_state(void *state)
{
	struct mem_state *st = state;

	if (st != NULL && st->hog > 0) {
		kill(st->hog, SIGKILL);
		waitpid(st->hog, NULL, 0);
	}
	free(st);
}

static void
mem_free(void *opts)
{
	struct mem_opts *o = opts;

	if (o != NULL) {
		free(o->pidfile);
		free(o->scope_hint);
	}
	free(o);
}

/* The hog's cgroup holds what was asked (at least 90 %: the kernel may
 * reclaim a little at the limit), and still does at the revert — the
 * peak kept. */
static void
mem_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	const char *how = json_string_value(json_object_get(rec, "how"));
	const char *dir = json_string_value(json_object_get(rec, "dir"));
	int64_t want = json_integer_value(json_object_get(rec, "bytes")), got;

	(void)state;
	(void)env;
	if (how == NULL || dir == NULL || ph == FC_REVERTED || want <= 0)
		return;
	int v2 = strcmp(how, "cgroup2") == 0;
	got = cgroup_read_int(dir, v2 ? "memory.current" : "memory.usage_in_bytes");
	/* the peak: the kernel's own (v1; v2 from Linux 5.19), else seen */
	int64_t peak = cgroup_read_int(dir, v2 ? "memory.peak" :
	    "memory.max_usage_in_bytes");
	if (peak > c->v[0])
		c->v[0] = peak;
	if (got > c->v[0])
		c->v[0] = got;
	if (got < 0)
		fault_proved(c, FP_MISMATCH, "its cgroup is gone: nothing holds"
		    " the memory");
	else
		fault_proved(c, got >= want * 9 / 10 ? FP_CONFIRMED : FP_MISMATCH,
		    "%lld MiB held of %lld MiB asked (peak %lld MiB)%s",
		    (long long)(got >> 20), (long long)(want >> 20),
		    (long long)(c->v[0] >> 20), got >= want * 9 / 10 ? "" :
		    ph == FC_APPLIED ? ": it never got there" : ": it did not hold");
}

static char *
mem_proves(const struct fault *f)
{
	(void)f;
	return xstrdup("the hog's cgroup holds at least 90% of what was asked,"
	    " from the end of the ramp to the revert");
}

static const struct fault_verb verbs[] = {
	{ "memory", 1, NULL, "take memory (size:, or percent: of the target's"
	    " limit), at once or over ramp:, charged to its cgroup" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "pid", "pidfile",
    "size", "percent", "ramp", "force", "scope", NULL };

const struct fault_kind fault_memory = {
	.name = "memory",
	.summary = "take memory from a service's cgroup or the machine",
	.verbs = verbs,
	.keys = keys,
	.parse = mem_parse,
	.describe = mem_describe,
	.prepare = mem_prepare,
	.apply = mem_apply,
	.revert = mem_revert,
	.in_effect = mem_in_effect,
	.preflight = mem_preflight,
	.free_state = mem_free_state,
	.confirm = mem_confirm,
	.proves = mem_proves,
	.free = mem_free,
};
