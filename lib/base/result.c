/*
 * result.c — see result.h.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "util.h"

struct result *
res_new(void)
{
	return xcalloc(1, sizeof(struct result));
}

struct res_expect *
res_add_expect(struct result *r)
{
	r->ex = xgrow(r->ex, &r->capex, r->nex + 1, sizeof *r->ex);
	memset(&r->ex[r->nex], 0, sizeof r->ex[r->nex]);
	r->ex[r->nex].elapsed_ms = -1;
	r->ex[r->nex].bound_ms = -1;
	r->ex[r->nex].regress_pct = -1;
	r->ex[r->nex].regress_ms = -1;
	r->ex[r->nex].from_start_ms = -1;
	r->ex[r->nex].from_start_res_ms = -1;
	r->ex[r->nex].before_end_ms = -1;
	return &r->ex[r->nex++];
}

struct res_fault *
res_add_fault(struct result *r)
{
	r->faults = xgrow(r->faults, &r->capfaults, r->nfaults + 1,
	    sizeof *r->faults);
	memset(&r->faults[r->nfaults], 0, sizeof r->faults[r->nfaults]);
	return &r->faults[r->nfaults++];
}

void
res_event(struct result *r, int64_t t_ms, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = xstrdup(fmt);
	va_end(ap);
	r->events = xgrow(r->events, &r->capevents, r->nevents + 1,
	    sizeof *r->events);
	r->events[r->nevents].t_ms = t_ms;
	r->events[r->nevents++].what = s;
}

static int
cmp_event(const void *a, const void *b)
{
	const struct res_event *x = a, *y = b;

	return (x->t_ms > y->t_ms) - (x->t_ms < y->t_ms);
}

void
res_sort_events(struct result *r)
{
	/* stable enough: events are appended nearly in order */
	if (r->nevents > 1)
		qsort(r->events, r->nevents, sizeof *r->events, cmp_event);
}

const char *
res_verdict_name(enum verdict v)
{
	static const char *n[] = { "PASS", "FAIL", "ERROR", "ABORTED",
	    "INVALID" };

	return n[v];
}

const char *
res_outcome_name(enum outcome o)
{
	static const char *n[] = { "pass", "fail", "error", "skipped" };

	return n[o];
}

int
res_exit_code(const struct result *r)
{
	switch (r->verdict) {
	case V_PASS:
		return 0;
	case V_FAIL:
		return 1;
	case V_ABORTED:
		return r->abort.set ? 5 : 3;
	case V_INVALID:
		return 8;
	default:
		if (r->deadline)
			return 3;
		/* ERROR: a fault that could not be applied/reverted is 4;
		 * a service that was not steady to begin with is 1 */
		for (size_t i = 0; i < r->nfaults; i++)
			if (r->faults[i].error != NULL)
				return 4;
		return 1;
	}
}

int
res_worse(int a, int b)
{
	/* by exit code: 0, 1 fail, 2 usage, 3 aborted, 4 fault, 5 guardrail,
	 * 6 (regressed: judged apart), 7 (none), 8 a fault that missed */
	static const int rank[] = { 0, 2, 1, 5, 4, 6, -1, -1, 3 };

	if (a < 0 || a > 8 || rank[a] < 0)
		return b;
	if (b < 0 || b > 8 || rank[b] < 0)
		return a;
	return rank[b] > rank[a] ? b : a;
}

void
res_free(struct result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nex; i++) {
		free(r->ex[i].phase);
		free(r->ex[i].text);
		free(r->ex[i].observed);
		free(r->ex[i].as);
	}
	free(r->ex);
	for (size_t i = 0; i < r->nfaults; i++) {
		free(r->faults[i].proof);
		free(r->faults[i].proof_figure);
		free(r->faults[i].what);
		free(r->faults[i].revert);
		free(r->faults[i].error);
		free(r->faults[i].note);
	}
	free(r->faults);
	for (size_t i = 0; i < r->nevents; i++)
		free(r->events[i].what);
	free(r->events);
	for (size_t i = 0; i < r->nprobes; i++) {
		free(r->probes[i].name);
		free(r->probes[i].url);
		free(r->probes[i].off);
		free(r->probes[i].t_ms);
		free(r->probes[i].status);
		free(r->probes[i].lat_ms);
	}
	free(r->probes);
	for (size_t i = 0; i < r->nloads; i++) {
		free(r->loads[i].name);
		free(r->loads[i].url);
		free(r->loads[i].off);
		free(r->loads[i].sec_requests);
		free(r->loads[i].sec_errors);
		free(r->loads[i].sec_p50);
		free(r->loads[i].sec_p99);
	}
	free(r->loads);
	for (size_t i = 0; i < r->nbursts; i++) {
		free(r->bursts[i].label);
		free(r->bursts[i].why);
		free(r->bursts[i].accepted);
		free(r->bursts[i].rejected);
		free(r->bursts[i].other);
	}
	free(r->bursts);
	free(r->slo.load);
	for (size_t i = 0; i < r->nwrites; i++) {
		free(r->writes[i].probe);
		free(r->writes[i].lost_keys);
		free(r->writes[i].key_prefix);
		free(r->writes[i].lost_at_ms);
	}
	free(r->writes);
	free(r->drill);
	free(r->title);
	free(r->file);
	free(r->target);
	free(r->reason);
	free(r->abort.by);
	free(r->tls_insecure);
	for (size_t i = 0; i < r->cmp.n; i++) {
		free(r->cmp.items[i].what);
		free(r->cmp.items[i].detail);
	}
	free(r->cmp.items);
	free(r->cmp.baseline);
	free(r->abort.condition);
	free(r->abort.observed);
	free(r);
}
