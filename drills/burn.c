/*
 * burn.c — the cpu_burn kind: contention for the machine's CPUs, as stress
 * tools make it. Children of shakedown each keep one CPU busy (load: below
 * 100% busies each for that share of every 100 ms and sleeps the rest)
 * for as long as the fault lasts. Nothing of the target's is touched: the
 * scheduler shares the CPUs between it and the burners.
 *
 * A burner dies with the thread that started it (PR_SET_PDEATHSIG) and
 * holds none of shakedown's descriptors; its name (/proc/PID/comm) is in
 * the record, so the guardian and `recover` kill what is left after a
 * kill -9 of the runner.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/base/proc.h"
#include "../lib/fault/fault.h"

#define MAX_CORES 1024
#define SLICE_NS 100000000LL

struct burn_opts {
	int cores;		/* 0: every online CPU */
	double load;		/* of each CPU: 1.0 = 100 % */
};

struct burn_state {
	pid_t pid[MAX_CORES];
	int n;
};

static int
online(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

static int
burn_parse(const struct fault_parse *p, struct fault *f)
{
	struct burn_opts *o = xcalloc(1, sizeof *o);

	f->opts = o;
	o->load = 1.0;
	if (p->args != NULL && (yint(p->y, p->args, "cores", 1, MAX_CORES,
	    &o->cores) == -1 || ypercent(p->y, p->args, "load", &o->load) == -1))
		return -1;
	if (o->load < 0.01 || o->load > 1.0)
		return yerr(p->y, ynode_get(p->args, "load"), "load: between 1%%"
		    " and 100%% of each CPU");
	free(f->target);
	f->target = xstrdup("host");
	return 0;
}

static char *
burn_describe(const struct fault *f, int revert)
{
	const struct burn_opts *o = f->opts;
	char cores[32];

	if (revert)
		return xstrdup("kill the CPU burners");
	if (o->cores > 0)
		snprintf(cores, sizeof cores, "%d CPU(s)", o->cores);
	else
		snprintf(cores, sizeof cores, "every online CPU (%d here)", online());
	return xasprintf("burn %s: one child of shakedown per CPU, busy %g%% of"
	    " the time (dies with shakedown)", cores, o->load * 100);
}

static json_t *
burn_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct burn_opts *o = f->opts;
	static unsigned seq;
	char name[16];

	(void)env;
	(void)e;
	snprintf(name, sizeof name, "sdburn%x-%x", (unsigned)getpid() & 0xffffff,
	    ++seq & 0xff);
	return json_pack("{s:s,s:i,s:f}", "name", name, "cores", o->cores > 0 ?
	    o->cores : online(), "load", o->load);
}

/* A burner, in the child of a fork: async-signal-safe calls only. */
static void __attribute__((noreturn))
burner(const char *name, pid_t parent, double load)
{
	volatile unsigned long spin = 0;
	int64_t busy = (int64_t)(load * (double)SLICE_NS);

	if (proc_child_init(parent, SIGKILL, -1) == -2)
		_exit(1);
	prctl(PR_SET_NAME, name);
	for (int64_t next = mono_ns();; next += SLICE_NS) {
		while (mono_ns() < next + busy)
			for (int i = 0; i < 1000; i++)
				spin++;
		if (busy < SLICE_NS) {
			struct timespec ts = { (time_t)((next + SLICE_NS) / 1000000000),
			    (long)((next + SLICE_NS) % 1000000000) };
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		if (mono_ns() > next + 2 * SLICE_NS)
			next = mono_ns() - SLICE_NS;
	}
}

static int
burn_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const char *name;
	int64_t cores;
	double load = json_real_value(json_object_get(rec, "load"));
	struct burn_state *st;
	pid_t me = getpid();

	(void)f;
	(void)env;
	if (fault_rec_str(rec, "name", &name, e) == -1 ||
	    fault_rec_int(rec, "cores", 1, MAX_CORES, &cores, e) == -1)
		return FAULT_FINAL;
	if (strncmp(name, "sdburn", 6) != 0 || strlen(name) > 15 || load < 0.01 ||
	    load > 1.0)
		return err_set(e, "not a cpu_burn record"), FAULT_FINAL;
	st = xcalloc(1, sizeof *st);
	*state = st;
	for (; st->n < cores; st->n++) {
		pid_t c = fork();
		if (c == 0)
			burner(name, me, load);
		if (c == -1)
			return err_set(e, "fork: %s (%d burner(s) started)",
			    strerror(errno), st->n);
		st->pid[st->n] = c;
	}
	fault_note(note, "%d burner(s) named %s, each busy %g%% of the time",
	    st->n, name, load * 100);
	return 0;
}

static int
burn_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	struct burn_state *st = state;
	const char *name;
	int n = 0;

	(void)env;
	if (fault_rec_str(rec, "name", &name, e) == -1)
		return FAULT_FINAL;
	if (strncmp(name, "sdburn", 6) != 0)
		return err_set(e, "not a cpu_burn record"), FAULT_FINAL;
	for (int i = 0; st != NULL && i < st->n; i++)
		n += proc_terminate(st->pid[i], SIGKILL, 1000) == 0;
	if (st != NULL)
		st->n = 0;
	/* after a kill -9 of the runner: by name, then until they are gone */
	n += proc_signal_named(name, SIGKILL);
	for (int64_t end = mono_ms() + 2000; proc_signal_named(name, 0) > 0 &&
	    mono_ms() < end; sleep_ms(10))
		;
	if (proc_signal_named(name, 0) > 0)
		return err_set(e, "burners named %s still running", name);
	fault_note(note, "%d burner(s) killed", n);
	return n > 0 || st != NULL ? 0 : FAULT_NOOP;
}

static int
burn_in_effect(const json_t *rec, const struct fault_env *env)
{
	const char *name = json_string_value(json_object_get(rec, "name"));

	(void)env;
	if (name == NULL || strncmp(name, "sdburn", 6) != 0)
		return -1;
	return proc_signal_named(name, 0) > 0;
}

static void
burn_free_state(void *state)
{
	struct burn_state *st = state;

	for (int i = 0; st != NULL && i < st->n; i++)
		proc_terminate(st->pid[i], SIGKILL, 1000);
	free(st);
}

/* Every burner runs and burned CPU while the fault held. */
static void
burn_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	const struct burn_state *st = state;
	int64_t ticks = 0, alive = 0;

	(void)rec;
	(void)env;
	if (st == NULL || ph == FC_REVERTED)
		return;
	for (int i = 0; i < st->n; i++) {
		int64_t t = proc_cpu_ticks(st->pid[i]);
		alive += proc_alive(st->pid[i]);
		ticks += t > 0 ? t : 0;
	}
	if (ph == FC_APPLIED) {
		c->v[0] = ticks;
		c->v[1] = mono_ms();
		fault_proved(c, alive == st->n && st->n > 0 ? FP_CONFIRMED :
		    FP_MISMATCH, "%lld of %d burner(s) running", (long long)alive,
		    st->n);
		return;
	}
	double secs = (double)(mono_ms() - c->v[1]) / 1000.0;
	double cpus = secs > 0 ? (double)(ticks - c->v[0]) /
	    (double)sysconf(_SC_CLK_TCK) / secs : 0;
	fault_proved(c, alive == st->n && cpus > 0 ? FP_CONFIRMED : FP_MISMATCH,
	    "%lld of %d burner(s) running, %.2f CPU(s) burned while it held",
	    (long long)alive, st->n, cpus);
}

static char *
burn_proves(const struct fault *f)
{
	(void)f;
	return xstrdup("every burner runs and burns CPU until the revert");
}

static const struct fault_verb verbs[] = {
	{ "cpu_burn", 1, NULL, "keep CPUs busy (cores:, load:) for as long as"
	    " the fault lasts" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "timeout", "cores", "load", NULL };

const struct fault_kind fault_burn = {
	.name = "cpu_burn",
	.summary = "contention: busy children on N of the machine's CPUs",
	.verbs = verbs,
	.keys = keys,
	.parse = burn_parse,
	.describe = burn_describe,
	.prepare = burn_prepare,
	.apply = burn_apply,
	.revert = burn_revert,
	.in_effect = burn_in_effect,
	.free_state = burn_free_state,
	.confirm = burn_confirm,
	.proves = burn_proves,
	.free = free,
};
