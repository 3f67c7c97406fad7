/*
 * eval_process.c — process checks: alive, RSS growth over the drill, the
 * RSS trend, and how a service exited.
 *
 * The RSS trend tells a leak from warm-up: a runtime grows its heap while
 * it warms up and then stays flat; a leak keeps growing with the traffic.
 * So it is measured over a window (over:) that the drill places after a
 * warm-up, as the least-squares slope of RSS sampled every 250 ms, and
 * judged per minute or per 1,000 requests served in the window.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/wait.h>

#include "eval_int.h"
#include "../io/exitwatch.h"
#include "../base/proc.h"
#include "../base/procmem.h"
#include "../base/units.h"

#define TREND_EVERY_MS 250

static pid_t
pid_of(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	struct sd_err e;
	pid_t pid = svc_pid(&c->s->services[x->process], &e);

	if (pid == 0)
		runctx_set_observed(rx, xstrdup(e.msg));
	return pid;
}

static enum outcome
eval_rss(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	int64_t base = c->eval.rss_base_kib[x->process];
	pid_t pid = pid_of(c, x, rx);
	struct proc_mem m;

	rx->at_ms = runctx_rel(c, mono_ms());
	if (pid == 0)
		return O_FAIL;
	if (base < 0 || procmem_tree(pid, &m) == -1) {
		runctx_set_observed(rx, xstrdup("memory unknown at the start of the"
		    " drill"));
		return O_FAIL;
	}
	int64_t growth = (m.kib - base) * 1024;
	char *what = procmem_what(pid, &m);
	runctx_set_observed(rx, xasprintf("memory grew %.1f MiB (%.1f -> %.1f MiB;"
	    " %s)", (double)growth / 1048576.0, (double)base / 1024.0,
	    (double)m.kib / 1024.0, what));
	free(what);
	if (x->rss_op == '<' ? growth >= x->rss_growth_bytes :
	    growth > x->rss_growth_bytes)
		return O_FAIL;
	return x->alive == 0 ? O_FAIL : O_PASS;
}

/* Least-squares slope of y over t (KiB per ms). */
static double
slope(const double *t, const double *y, size_t n)
{
	double st = 0, sy = 0, stt = 0, sty = 0;

	for (size_t i = 0; i < n; i++) {
		st += t[i];
		sy += y[i];
		stt += t[i] * t[i];
		sty += t[i] * y[i];
	}
	double d = (double)n * stt - st * st;
	return d != 0 ? ((double)n * sty - st * sy) / d : 0;
}

static enum outcome
eval_trend(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	size_t cap = (size_t)(x->over_ms / TREND_EVERY_MS) + 2, n = 0;
	double *t = xcalloc(cap, sizeof *t), *kib = xcalloc(cap, sizeof *kib);
	int64_t start = mono_ms(), end = start + x->over_ms, v;
	uint64_t req0 = phases_requests(c), reqs;
	enum outcome out = O_PASS;
	pid_t pid = pid_of(c, x, rx);
	struct proc_mem m = { 0, 0, 0 };
	int most = 0;

	/* the whole tree: a prefork server's workers, not its idle master */
	while (pid != 0 && n < cap) {
		if (procmem_tree(pid, &m) == -1)
			break;
		v = m.kib;
		most = m.nprocs > most ? m.nprocs : most;
		t[n] = (double)(mono_ms() - start);
		kib[n++] = (double)v;
		if (mono_ms() >= end || runctx_stopped(c))
			break;
		sleep_ms(end - mono_ms() < TREND_EVERY_MS ? end - mono_ms() :
		    TREND_EVERY_MS);
	}
	rx->at_ms = runctx_rel(c, mono_ms());
	reqs = phases_requests(c) - req0;
	if (pid == 0 || n < 3 || !proc_alive(pid)) {
		if (pid != 0)
			runctx_set_observed(rx, xasprintf("the process ended during the"
			    " window (%zu memory samples)", n));
		free(t);
		free(kib);
		return runctx_stopped(c) ? O_ERROR : O_FAIL;
	}
	double window_s = t[n - 1] / 1000.0;
	double per_min = slope(t, kib, n) * 1024.0 * 60000.0;
	double per_1k = reqs ? per_min * window_s / 60.0 / (double)reqs * 1000 : 0;
	double got = x->trend_per == TREND_MINUTE ? per_min : per_1k;
	m.nprocs = most;
	char *what = procmem_what(pid, &m);
	runctx_set_observed(rx, xasprintf("%s: %.1f -> %.1f MiB over %.1fs (%zu"
	    " samples, %llu requests): trend %+.2f MiB/min, %+.3f MiB per 1000"
	    " requests", what, kib[0] / 1024.0, kib[n - 1] / 1024.0, window_s, n,
	    (unsigned long long)reqs, per_min / 1048576.0, per_1k / 1048576.0));
	free(what);
	if (x->trend_per == TREND_1K_REQUESTS && reqs == 0) {
		char *o = xasprintf("%s; no request was served in the window, so"
		    " there is no trend per request", rx->observed);
		runctx_set_observed(rx, o);
		out = O_FAIL;
	} else if (x->trend_op == '<' ? got >= x->trend_bytes :
	    got > x->trend_bytes) {
		out = O_FAIL;
	}
	if (x->alive == 0)
		out = O_FAIL;
	free(t);
	free(kib);
	return out;
}

/* Before each step: the live pid of each service an exits: names is
 * watched, so an exit a step causes is reported, code and all. */
void
eval_watch_exits(struct run *c)
{
	struct sd_err e;

	for (size_t i = 0; i < c->s->nsteps; i++) {
		const struct scen_expect *x = &c->s->steps[i].expect;
		if (c->s->steps[i].kind != ST_EXPECT || !x->exits)
			continue;
		pid_t pid = svc_pid(&c->s->services[x->process], &e);
		if (pid != 0 && proc_alive(pid) && pid != c->eval.watched[x->process]) {
			c->eval.watched[x->process] = pid;
			if (c->eval.xw != NULL)
				exitwatch_watch(c->eval.xw, pid);
		}
	}
}

static char *
status_text(int st)
{
	if (WIFEXITED(st))
		return xasprintf("exited with code %d", WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		return xasprintf("killed by signal %d (%s)", WTERMSIG(st),
		    strsignal(WTERMSIG(st)));
	return xasprintf("ended (status %#x)", st);
}

/* The signal the drill sent the service (its newest signal step), 0. */
static int
sent_signal(const struct run *c, const struct svc *sv)
{
	for (size_t i = c->stack.nap; i-- > 0; )
		if (c->stack.ap[i].f->svc == sv && c->stack.ap[i].f->sends > 0)
			return c->stack.ap[i].f->sends;
	return 0;
}

/* Did it end as asked? *how says what counted. */
static int
exit_ok(const struct scen_expect *x, int st, int sent, const char **how)
{
	*how = "";
	if (x->exit_code >= 0)
		return WIFEXITED(st) && WEXITSTATUS(st) == x->exit_code;
	if (x->exit_signal > 0)
		return WIFSIGNALED(st) && WTERMSIG(st) == x->exit_signal;
	if (!x->exit_clean)
		return 1;
	if (WIFEXITED(st)) {
		*how = WEXITSTATUS(st) == 0 ? " (clean: code 0)" :
		    " (not clean: a clean exit is code 0, or death by the signal"
		    " it was sent)";
		return WEXITSTATUS(st) == 0;
	}
	/* death by the very signal it was sent, as terminus re-raises it;
	 * SIGKILL never (it is what a drain that hung ends with) */
	int ok = WIFSIGNALED(st) && sent > 0 && sent != SIGKILL &&
	    WTERMSIG(st) == sent;
	*how = ok ? " (clean: the signal it was sent, re-raised after its"
	    " cleanup as terminus and others do; systemd counts it a clean"
	    " exit)" : " (not clean: not the signal it was sent)";
	return ok;
}

/* exits: the watched process ends within dur_ms of the end of the last
 * fault step, with the code (or by the signal) asked. */
static enum outcome
eval_exits(struct run *c, const struct scen_expect *x, struct res_expect *rx)
{
	pid_t pid = c->eval.watched[x->process];
	int64_t from = c->stack.anchor, end = from + x->dur_ms, at;
	char b[32];
	int st;

	if (pid == 0) {
		runctx_set_observed(rx, xstrdup("no process was running to watch"));
		return O_FAIL;
	}
	for (;;) {
		if (c->eval.xw != NULL && exitwatch_exited(c->eval.xw, pid, &st, &at)) {
			char *what = status_text(st);
			const char *how;
			int ok = exit_ok(x, st, sent_signal(c,
			    &c->s->services[x->process]), &how);
			ok &= at <= end;
			runctx_set_observed(rx, xasprintf("pid %d %s%s, %s after the"
			    " last fault step", (int)pid, what, how, units_fmt_ms(at -
			    from, b, sizeof b)));
			free(what);
			rx->at_ms = runctx_rel(c, at);
			rx->elapsed_ms = at - from;
			rx->resolution_ms = 20;
			return ok ? O_PASS : O_FAIL;
		}
		if (!proc_alive(pid) && (c->eval.xw == NULL || mono_ms() > end)) {
			/* gone, and no report of how */
			runctx_set_observed(rx, xasprintf("pid %d ended, how is unknown:"
			    " %s", (int)pid, c->eval.xw_error ? c->eval.xw_error :
			    "no exit report came"));
			rx->at_ms = runctx_rel(c, mono_ms());
			return x->exit_code >= 0 || x->exit_signal > 0 ||
			    x->exit_clean ? O_ERROR : O_PASS;
		}
		if (mono_ms() > end + 200) {
			runctx_set_observed(rx, xasprintf("pid %d still running after"
			    " %s", (int)pid, units_fmt_ms(x->dur_ms, b, sizeof b)));
			rx->at_ms = runctx_rel(c, mono_ms());
			return O_FAIL;
		}
		if (runctx_stopped(c)) {
			runctx_set_observed(rx, xstrdup("interrupted"));
			return O_ERROR;
		}
		sleep_ms(20);
	}
}

enum outcome
eval_process(struct run *c, const struct scen_expect *x, int64_t from,
    struct res_expect *rx)
{
	const struct svc *sv = &c->s->services[x->process];
	int64_t end = from + x->dur_ms;
	struct sd_err e;

	if (x->exits)
		return eval_exits(c, x, rx);
	if (x->trend_bytes >= 0)
		return eval_trend(c, x, rx);
	if (x->rss_growth_bytes >= 0)
		return eval_rss(c, x, rx);
	for (;;) {
		int alive = svc_pid(sv, &e) != 0;
		int ok = alive == x->alive;
		runctx_set_observed(rx, xstrdup(alive ? "alive" : e.msg));
		rx->at_ms = runctx_rel(c, mono_ms());
		if (x->mode == EX_NOW)
			return ok ? O_PASS : O_FAIL;
		if (x->mode == EX_HOLDS && !ok)
			return O_FAIL;
		if (x->mode == EX_WITHIN && ok) {
			rx->elapsed_ms = mono_ms() - from;
			rx->resolution_ms = 20;
			return O_PASS;
		}
		if (mono_ms() > end)
			return x->mode == EX_HOLDS ? O_PASS : O_FAIL;
		if (runctx_stopped(c)) {
			runctx_set_observed(rx, xstrdup("interrupted"));
			return O_ERROR;
		}
		sleep_ms(20);
	}
}

/* Before any load or fault: each process's RSS and which process the
 * drill acts on; exit reports opened when an exits: asks. */
void
eval_baseline(struct run *c)
{
	const struct scenario *s = c->s;
	struct sd_err e;

	c->eval.rss_base_kib = xcalloc(s->nservices ? s->nservices : 1,
	    sizeof *c->eval.rss_base_kib);
	for (size_t i = 0; i < s->nservices; i++) {
		pid_t pid = svc_has_pid(&s->services[i]) ?
		    svc_pid(&s->services[i], &e) : 0;
		struct proc_mem m;
		c->eval.rss_base_kib[i] = pid && procmem_tree(pid, &m) == 0 ? m.kib :
		    -1;
		char *proc = svc_process(&s->services[i]);
		if (proc != NULL)
			res_event(c->r, 0, "service %s: %s", s->services[i].name,
			    proc);
		free(proc);
	}
	c->eval.watched = xcalloc(s->nservices ? s->nservices : 1,
	    sizeof *c->eval.watched);
	for (size_t i = 0; i < s->nsteps && c->eval.xw == NULL && c->eval.xw_error ==
	    NULL; i++)
		if (s->steps[i].kind == ST_EXPECT && s->steps[i].expect.exits &&
		    (c->eval.xw = exitwatch_open(&e)) == NULL)
			c->eval.xw_error = xstrdup(e.msg);
}

void
eval_free(struct run *c)
{
	free(c->eval.nevers);
	free(c->eval.defer);
	free(c->eval.rss_base_kib);
	exitwatch_close(c->eval.xw);
	free(c->eval.xw_error);
	free(c->eval.watched);
}
