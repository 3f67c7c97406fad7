/*
 * cpu_proof.c — did a cpu limit bite (fault.h, confirm): in a cgroup, its
 * processes are in it, it was throttled while the fault held, and the
 * share of a CPU they used stayed within the limit; by signals, the
 * process is seen stopped by the duty cycle; a systemd unit's CPUQuota
 * reads as asked.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/base/cgroup.h"
#include "../lib/base/proc.h"
#include "cpu.h"

#define SYSTEMCTL_MS 10000

/* A systemd timespan as `systemctl show` prints it ("500ms", "1s 500ms",
 * "infinity") in µs; -1 for infinity, -2 when it cannot be read. */
static int64_t
timespan_us(const char *s)
{
	static const struct { const char *u; int64_t us; } units[] = {
		{ "usec", 1 }, { "us", 1 }, { "msec", 1000 }, { "ms", 1000 },
		{ "min", 60000000 }, { "sec", 1000000 }, { "s", 1000000 },
		{ "h", 3600000000LL }, { NULL, 0 } };
	double total = 0;

	while (*s == ' ')
		s++;
	if (strncmp(s, "infinity", 8) == 0)
		return -1;
	if (*s == '\0')
		return -2;
	while (*s != '\0' && *s != '\n') {
		char *end;
		double v = strtod(s, &end);
		int i;
		if (end == s || v < 0)
			return -2;
		for (i = 0; units[i].u; i++)
			if (strncmp(end, units[i].u, strlen(units[i].u)) == 0)
				break;
		if (units[i].u == NULL)
			return -2;
		total += v * (double)units[i].us;
		s = end + strlen(units[i].u);
		while (*s == ' ')
			s++;
	}
	return (int64_t)(total + 0.5);
}

int64_t
cpu_unit_quota(const char *unit, int must_be_loaded, struct sd_err *e)
{
	char *argv[] = { "systemctl", "show", "-p", "LoadState", "-p",
	    "CPUQuotaPerSecUSec", (char *)unit, NULL };
	struct proc_result r;
	int64_t us = -2;

	if (access("/run/systemd/system", F_OK) == -1)
		return err_set(e, "systemd is not running on this machine (no"
		    " /run/systemd/system): cpu: { unit: } needs it"), -2;
	if (proc_run(argv, SYSTEMCTL_MS, &r, e) == -1)
		return -2;
	const char *ls = strstr(r.output, "LoadState="), *q =
	    strstr(r.output, "CPUQuotaPerSecUSec=");
	if (!r.exited || r.status != 0 || ls == NULL || q == NULL)
		err_set(e, "systemctl show %s: %.200s", unit, r.output);
	else if (must_be_loaded && strncmp(ls + 10, "loaded\n", 7) != 0)
		err_set(e, "systemd unit %s is not loaded", unit);
	else if ((us = timespan_us(q + 19)) == -2)
		err_set(e, "systemctl show %s: CPUQuotaPerSecUSec: cannot read"
		    " '%.40s'", unit, q + 19);
	proc_result_free(&r);
	return us;
}

/* Its throttling, in the quota's cgroup (v1: nr_throttled and
 * throttled_time ns; v2: nr_throttled and throttled_usec), and the CPU it
 * used there (ns). */
static void
throttle_stat(const char *dir, int v2, int64_t *n, int64_t *t_us,
    int64_t *used_ns)
{
	*n = cgroup_read_key(dir, "cpu.stat", "nr_throttled");
	*t_us = v2 ? cgroup_read_key(dir, "cpu.stat", "throttled_usec") :
	    cgroup_read_key(dir, "cpu.stat", "throttled_time") / 1000;
	*used_ns = v2 ? cgroup_read_key(dir, "cpu.stat", "usage_usec") * 1000 :
	    cgroup_read_int(dir, "cpuacct.usage");
	if (*used_ns < 0) {
		/* v1 with cpuacct mounted apart: what its processes used */
		char *path = xasprintf("%s/cgroup.procs", dir), *s = read_file(path,
		    NULL, NULL);
		int64_t ticks = 0, hz = sysconf(_SC_CLK_TCK);
		for (char *p = s; p != NULL && *p != '\0'; ) {
			long pid = strtol(p, &p, 10);
			int64_t t = pid > 0 ? proc_cpu_ticks((pid_t)pid) : -1;
			ticks += t > 0 ? t : 0;
			while (*p == '\n')
				p++;
			if (*p != '\0' && (*p < '0' || *p > '9'))
				break;
		}
		if (s != NULL && hz > 0)
			*used_ns = ticks * (1000000000 / hz);
		free(s);
		free(path);
	}
}

/*
 * Did the limit bite? In a cgroup: its processes are in it, and it was
 * throttled while the fault held (an idle service needs no limit: that
 * is said, inconclusive). By signals: the process is seen stopped (T) by
 * the duty cycle within 100 ms. A systemd unit: its CPUQuota is what was
 * asked.
 */
/* a systemd unit: its CPUQuota is what was asked */
static void
confirm_unit(const json_t *rec, struct fault_check *c)
{
	const char *unit = json_string_value(json_object_get(rec, "unit"));
	struct sd_err e;
	int64_t q = cpu_unit_quota(unit, 0, &e), want =
	    json_integer_value(json_object_get(rec, "quota_us"));

	fault_proved(c, q == want ? FP_CONFIRMED : FP_MISMATCH,
	    "%s's CPUQuota is %lld us a second (asked %lld)", unit,
	    (long long)q, (long long)want);
}

/* a duty cycle of signals: the process is seen stopped within 100 ms */
static void
confirm_signals(const json_t *moved, struct fault_check *c)
{
	pid_t pid = (pid_t)json_integer_value(json_object_get(
	    json_array_get(moved, 0), "pid"));
	int seen = 0;

	for (int64_t end = mono_ms() + 100; !seen && mono_ms() < end; ) {
		seen = proc_state(pid) == 'T';
		sleep_ms(2);
	}
	fault_proved(c, seen ? FP_CONFIRMED : FP_MISMATCH, seen ? "pid %d"
	    " seen stopped by the duty cycle" : "pid %d never seen stopped"
	    " in 100ms: the duty cycle does not reach it", (int)pid);
}

void
cpu_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	const char *how = json_string_value(json_object_get(rec, "how"));
	const char *dir = json_string_value(json_object_get(rec, "dir"));
	const json_t *moved = json_object_get(rec, "moved");

	(void)state;
	(void)env;
	if (how == NULL || ph == FC_REVERTED)
		return;
	if (strcmp(how, "systemd") == 0) {
		confirm_unit(rec, c);
		return;
	}
	if (strcmp(how, "signals") == 0) {
		confirm_signals(moved, c);
		return;
	}
	if (dir == NULL)
		return;
	int v2 = strcmp(how, "cgroup2") == 0;
	size_t procs = cgroup_count(dir);
	int64_t n, t, used;
	throttle_stat(dir, v2, &n, &t, &used);
	if (ph == FC_APPLIED) {
		c->v[0] = n;
		c->v[1] = t;
		c->v[2] = used;
		c->v[3] = mono_ms();
		fault_proved(c, procs > 0 ? FP_CONFIRMED : FP_MISMATCH, procs > 0 ?
		    "%zu process(es) in the limited cgroup" : "no process in the"
		    " limited cgroup", procs);
		return;
	}
	double secs = (double)(mono_ms() - c->v[3]) / 1000.0;
	double limit = (double)json_integer_value(json_object_get(rec,
	    "quota_us")) / PERIOD_US;
	/* the share it used, to 10 ms of CPU; <0: cannot be read */
	double share = secs > 0 && used >= 0 && c->v[2] >= 0 ?
	    (double)(used - c->v[2]) / 1e9 / secs : -1;
	/* over the limit by more than 15% (and 2% of a CPU for a tick):
	 * the quota does not hold it */
	int over = share > limit * 1.15 + 0.02;
	if (procs == 0)
		fault_proved(c, FP_MISMATCH, "no process left in the limited cgroup"
		    " (they moved elsewhere?)");
	else if (over)
		fault_proved(c, FP_MISMATCH, "%.0f%% of a CPU used while it held,"
		    " over the %.0f%% limit (+15%%)", share * 100, limit * 100);
	else if (n > c->v[0] && share >= 0)
		fault_proved(c, FP_CONFIRMED, "throttled in %lld period(s) (%lld ms)"
		    " while it held; %.0f%% of a CPU used, limit %.0f%% (+15%%)",
		    (long long)(n - c->v[0]), (long long)((t - c->v[1]) / 1000),
		    share * 100, limit * 100);
	else if (n > c->v[0])
		fault_proved(c, FP_CONFIRMED, "throttled in %lld period(s) (%lld ms)"
		    " while it held", (long long)(n - c->v[0]),
		    (long long)((t - c->v[1]) / 1000));
	else if (share >= 0)
		/* in the cgroup under its quota, and under it: the limit held
		 * (the service never asked for more) */
		fault_proved(c, FP_CONFIRMED, "in the limited cgroup, never"
		    " throttled: %.0f%% of a CPU used, under the %.0f%% limit",
		    share * 100, limit * 100);
	else
		fault_proved(c, FP_INCONCLUSIVE, "never throttled while it held,"
		    " and what it used cannot be read");
}

char *
cpu_proves(const struct fault *f)
{
	const struct cpu_opts *o = f->opts;

	if (o->unit != NULL)
		return xstrdup("the unit's CPUQuota is what was asked");
	return xstrdup("its processes sit in the limited cgroup and it is"
	    " throttled while the fault holds (or, by signals, they are seen"
	    " stopped by the duty cycle)");
}
