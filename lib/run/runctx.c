/*
 * runctx.c — the run's own state, below every module of the runner: has it
 * been stopped (a signal, the drill's deadline, the step's timeout), times
 * relative to the probes' zero, an expectation's observation, the progress
 * line, a check that is off, a run that cannot go on. The runner's modules
 * (timeline, phases, faults, evaluate, runner) call down to these; none of
 * them calls back up into runner.c.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

int
runctx_stopped(struct run *c)
{
	int64_t now = mono_ms();

	if (c->o->interrupted != NULL && *c->o->interrupted)
		c->stop.intr = 1;
	if (c->clock.step_deadline && now > c->clock.step_deadline)
		c->stop.step_timed_out = 1;
	return c->stop.intr || now > c->clock.deadline || c->stop.step_timed_out;
}

void
runctx_interrupt(struct run *c)
{
	c->stop.intr = 1;
}

void
runctx_resume(struct run *c)
{
	c->stop.intr = 0;
}

int64_t
runctx_rel(const struct run *c, int64_t abs_ms)
{
	return abs_ms - c->clock.t0;
}

void
runctx_set_observed(struct res_expect *rx, char *obs)
{
	free(rx->observed);
	rx->observed = obs;
}

void
runctx_progress(struct run *c, size_t i, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (c->o->progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	c->o->progress(c->o->progress_arg, i, c->p->n, buf);
}

void
runctx_fail(struct run *c, char *reason)
{
	c->r->verdict = V_ERROR;
	free(c->r->reason);
	c->r->reason = reason;
}

void
runctx_skip(struct run *c, char *text, const char *phase, int line,
    const char *why)
{
	struct res_expect *rx = res_add_expect(c->r);

	rx->phase = xstrdup(phase);
	rx->text = text;
	rx->line = line;
	rx->outcome = O_SKIPPED;
	rx->observed = xasprintf("off: %s", why);
	rx->at_ms = runctx_rel(c, mono_ms());
	res_event(c->r, rx->at_ms, "skipped %s (off: %s)", text, why);
}

/* The probe's samples (contiguous, in send order), under the lock. */
struct sample *
runctx_samples(struct run *c, int probe, size_t *n)
{
	*n = probes_count(c->ps, (size_t)probe);
	return *n ? probes_sample(c->ps, (size_t)probe, 0) : NULL;
}
