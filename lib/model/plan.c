/*
 * plan.c — see plan.h. Which step reverts which fault is pairing.c's; this
 * file turns that into the plan the runner executes, with the probes
 * sampled fast while a key time is measured, and its text.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../dispatch/dispatch.h"
#include "pairing.h"
#include "plan.h"
#include "../base/redact.h"
#include "../base/tls.h"
#include "../base/units.h"

const char *
plan_op_name(enum plan_op op)
{
	static const char *n[] = { "apply", "revert", "wait", "expect", "burst",
	    "skip" };

	return n[op];
}

/* Probes a within: waits on before the next fault step: sampled fast from
 * the fault step on, so the change it measures is seen to within a few ms. */
static void
fast_probes(struct plan *p, size_t i, size_t *mark)
{
	const struct scenario *s = p->s;
	struct plan_step *ps = &p->steps[i];

	for (size_t k = i + 1; k < s->nsteps && s->steps[k].kind != ST_FAULT &&
	    s->steps[k].kind != ST_REVERT;
	    k++) {
		const struct scen_expect *x = &s->steps[k].expect;
		if (s->steps[k].kind != ST_EXPECT || x->mode != EX_WITHIN ||
		    x->probe < 0 || mark[x->probe] == i + 1)
			continue;
		mark[x->probe] = i + 1;
		ps->fast = xgrow(ps->fast, &ps->capfast, ps->nfast + 1,
		    sizeof *ps->fast);
		ps->fast[ps->nfast++] = x->probe;
	}
}

struct plan *
plan_build(const struct scenario *s)
{
	struct plan *p = xcalloc(1, sizeof *p);
	struct pair_step *in = xcalloc(s->nsteps ? s->nsteps : 1, sizeof *in);
	struct pairing pr;
	size_t *mark = xcalloc(s->nprobes ? s->nprobes : 1, sizeof *mark);

	p->s = s;
	p->n = s->nsteps;
	p->steps = xcalloc(p->n ? p->n : 1, sizeof *p->steps);
	for (size_t i = 0; i < s->nsteps; i++)
		in[i] = scen_pair_step(&s->steps[i]);
	pair_steps(in, s->nsteps, &pr);
	free(in);
	p->unpaired = pr.unpaired;
	p->at_end = pr.at_end;
	p->nend = pr.nend;
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct scen_step *st = &s->steps[i];
		const struct pair_out *po = &pr.out[i];
		struct plan_step *ps = &p->steps[i];
		ps->st = st;
		ps->undoes = po->undoes;
		ps->skip = po->skip;
		switch (po->op) {
		case PAIR_SKIP:
			ps->op = PO_SKIP;
			continue;
		case PAIR_APPLY:
			ps->op = PO_APPLY;
			ps->fault = st->fault;
			break;
		case PAIR_REVERT:
			ps->op = PO_REVERT;
			ps->fault = st->kind == ST_FAULT ? st->fault :
			    s->steps[po->undoes].fault;
			break;
		case PAIR_NONE:
			/* a revert: with nothing to revert waits 0 (unpaired) */
			ps->op = st->kind == ST_EXPECT ? PO_EXPECT : st->kind ==
			    ST_BURST ? PO_BURST : PO_WAIT;
			continue;
		}
		fast_probes(p, i, mark);
	}
	free(pr.out);
	free(mark);
	return p;
}

void
plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->steps[i].fast);
	free(p->steps);
	free(p->at_end);
	free(p);
}

/* What stops the drill early: each watched from the first fault to the
 * last revert (a halt, the whole run). */
static void
text_guardrails(const struct scenario *s, struct sbuf *sb)
{
	char b[32];

	for (size_t i = 0; i < s->naborts; i++) {
		sb_addf(sb, "abort if %s", s->aborts[i].text);
		if (s->aborts[i].line > 0)
			sb_addf(sb, " (line %d)", s->aborts[i].line);
		else
			sb_add(sb, " (--abort-if)");
		if (s->aborts[i].off != NULL)
			sb_addf(sb, " — skipped (off: %s)", s->aborts[i].off);
		sb_add(sb, "\n");
	}
	if (s->max_fault_ms > 0)
		sb_addf(sb, "abort if a fault stays applied longer than %s"
		    " (max_fault_time)\n", units_fmt_ms(s->max_fault_ms, b,
		    sizeof b));
	if (s->halt_file != NULL)
		sb_addf(sb, "abort if %s appears (halt_file)\n", s->halt_file);
	sb_add(sb, "abort on 'shakedown halt'\n");
}

/* One probe: what it asks, how often; a writer's check. */
static void
text_probe(const struct scenario *s, const struct scen_probe *pr,
    struct sbuf *sb)
{
	char b[32], c[32];
	char *u = redact_url(pr->rq.url);

	if (pr->mon.kind == MON_PROMQL)
		sb_addf(sb, "probe %s: promql '%s' (", pr->name,
		    pr->mon.query);
	else if (pr->mon.kind != MON_NONE)
		sb_addf(sb, "probe %s: alert %s from %s (", pr->name,
		    pr->mon.alert, pr->mon.kind == MON_ALERT_AM ?
		    "Alertmanager" : "Prometheus");
	else
		sb_addf(sb, "probe %s: ", pr->name);
	sb_addf(sb, "%s %s%s every %s, timeout %s", pr->rq.method, u,
	    pr->mon.kind != MON_NONE ? ")" : "",
	    units_fmt_ms(pr->every_ms, b, sizeof b),
	    units_fmt_ms(pr->timeout_ms, c, sizeof c));
	if (pr->off != NULL)
		sb_addf(sb, " — off (%s)", pr->off);
	char *t = tls_describe(pr->rq.tls);
	if (t != NULL)
		sb_addf(sb, ", tls: %s", t);
	free(t);
	if (pr->fast_ms < pr->every_ms)
		sb_addf(sb, ", every %s while a key time is measured",
		    units_fmt_ms(pr->fast_ms, b, sizeof b));
	/* one request in flight at a time: never more than this, and less
	 * when the service answers slower */
	if (pr->off == NULL)
		sb_addf(sb, "; at most %.0f request(s)/s, one at a time", 1000.0 /
		    (double)(pr->fast_ms < pr->every_ms ? pr->fast_ms :
		    pr->every_ms));
	sb_add(sb, "\n");
	if (pr->writes_svc >= 0) {
		char st[16];
		if (pr->ack.lo % 100 == 0 && pr->ack.hi == pr->ack.lo + 99)
			snprintf(st, sizeof st, "%dxx", pr->ack.lo / 100);
		else
			snprintf(st, sizeof st, "%d", pr->ack.lo);
		sb_addf(sb, "    writer: {key} in each request, acknowledged by"
		    " HTTP %s, checked in %s with: %s\n", st,
		    s->services[pr->writes_svc].name, pr->writes_query);
	}
	free(u);
}

static void
text_head(const struct plan *p, struct sbuf *sb)
{
	const struct scenario *s = p->s;
	char b[32];

	sb_addf(sb, "drill %s%s%s\n", s->drill, s->title ? ": " : "", s->title ? s->title : "");
	if (s->target != NULL) {
		char *t = redact_url(s->target);
		sb_addf(sb, "target %s\n", t);
		free(t);
	}
	sb_addf(sb, "proxy %s\n", s->proxy ? s->proxy : "none (http_proxy and"
	    " the like are ignored)");
	/* the process each pid or pidfile names now: what a signal, pause,
	 * cgroup move or memory hog would be aimed at */
	for (size_t i = 0; i < s->nservices; i++) {
		char *proc = svc_process(&s->services[i]);
		if (proc != NULL)
			sb_addf(sb, "service %s: %s\n", s->services[i].name, proc);
		free(proc);
	}
	for (size_t i = 0; i < s->nprobes; i++)
		text_probe(s, &s->probes[i], sb);
	for (size_t i = 0; i < s->nloads; i++) {
		const struct scen_load *l = &s->loads[i];
		char *u = redact_url(l->rq.url);
		sb_addf(sb, "load %s: %s %s, %d connection(s)", l->name,
		    l->rq.method, u, l->connections);
		if (l->rate > 0)
			sb_addf(sb, " at %g/s", l->rate);
		char *t = tls_describe(l->rq.tls);
		if (t != NULL)
			sb_addf(sb, ", tls: %s", t);
		free(t);
		if (l->from_step || l->to_step)
			sb_addf(sb, ", steps %d..%d", l->from_step ? l->from_step : 1,
			    l->to_step ? l->to_step : (int)s->nsteps);
		else
			sb_add(sb, ", the whole drill");
		sb_add(sb, "\n");
		free(u);
	}
	text_guardrails(s, sb);
	for (size_t i = 0; i < s->nsteady; i++) {
		sb_addf(sb, "steady before: %s (within %s)", s->steady[i].text,
		    units_fmt_ms(s->steady_timeout_ms, b, sizeof b));
		if (s->steady[i].off != NULL)
			sb_addf(sb, " — skipped (off: %s)", s->steady[i].off);
		sb_add(sb, "\n");
	}
	for (size_t i = 0; i < s->nprobes; i++)
		if (s->probes[i].off != NULL)
			sb_addf(sb, "probe %s is off: %s\n", s->probes[i].name,
			    s->probes[i].off);
	for (size_t i = 0; i < s->nloads; i++)
		if (s->loads[i].off != NULL)
			sb_addf(sb, "load %s is off: %s\n", s->loads[i].name,
			    s->loads[i].off);
}

static void
text_step(const struct plan *p, size_t i, int raw, struct sbuf *sb)
{
	const struct plan_step *ps = &p->steps[i];
	const struct scen_step *st = ps->st;
	char b[32], *d;

	sb_addf(sb, "step %zu (line %d): ", i + 1, st->line);
	switch (ps->op) {
	case PO_SKIP:
		sb_addf(sb, "skipped (off: %s)\n", ps->skip);
		break;
	case PO_WAIT:
		sb_addf(sb, "wait %s\n", units_fmt_ms(st->wait_ms, b, sizeof b));
		break;
	case PO_EXPECT:
		sb_addf(sb, "expect %s", st->expect.text);
		if (st->off != NULL || st->expect.off != NULL)
			sb_addf(sb, " — skipped (off: %s)", st->off ? st->off :
			    st->expect.off);
		sb_add(sb, "\n");
		break;
	case PO_BURST: {
		char *u = redact_url(st->burst.rq.url);
		sb_addf(sb, "burst %d users x %d: %s %s, every request in flight"
		    " together\n", st->burst.users, st->burst.per_user,
		    st->burst.rq.method, u);
		free(u);
		break;
	}
	case PO_REVERT:
		d = dispatch_describe(p->steps[ps->undoes].fault, 1);
		sb_addf(sb, "revert step %zu: %s\n", ps->undoes + 1, d);
		free(d);
		break;
	case PO_APPLY:
		d = dispatch_describe(ps->fault, 0);
		sb_addf(sb, "%s\n", d);
		free(d);
		if (raw && (d = dispatch_raw(ps->fault)) != NULL) {
			for (char *l = strtok(d, "\n"); l; l = strtok(NULL, "\n"))
				sb_addf(sb, "    %s\n", l);
			free(d);
		}
		if (ps->fault->verb->lasting) {
			d = dispatch_describe(ps->fault, 1);
			sb_addf(sb, "    revert: %s\n", d);
			free(d);
		}
		/* how it will show that it landed (fault.h, confirm) */
		d = dispatch_proves(ps->fault);
		sb_addf(sb, "    proves it landed: %s\n", d ? d :
		    "nothing: this kind cannot measure its own effect");
		free(d);
		break;
	}
	for (size_t k = 0; k < ps->nfast; k++)
		sb_addf(sb, "    probe %s every %s until its key time is measured\n",
		    p->s->probes[ps->fast[k]].name, units_fmt_ms(
		    p->s->probes[ps->fast[k]].fast_ms, b, sizeof b));
}

char *
plan_text(const struct plan *p, int raw)
{
	const struct scenario *s = p->s;
	struct sbuf sb;
	char b[32];

	sb_init(&sb);
	text_head(p, &sb);
	for (size_t i = 0; i < p->n; i++)
		text_step(p, i, raw, &sb);
	for (size_t k = 0; k < p->nend; k++) {
		const struct fault *f = p->steps[p->at_end[k]].fault;
		char *d = dispatch_describe(f, 1);
		sb_addf(&sb, "at the end (still applied from step %zu): %s\n",
		    p->at_end[k] + 1, d);
		free(d);
	}
	for (size_t i = 0; i < s->nsteady; i++)
		sb_addf(&sb, "steady after: %s (within %s)%s\n", s->steady[i].text,
		    units_fmt_ms(s->steady_timeout_ms, b, sizeof b),
		    s->steady[i].off ? " — skipped" : "");
	char *t = redact_text(sb.buf);
	sb_free(&sb);
	return t;
}
