/*
 * plan.c — see plan.h. Pairing a reverting step with the fault it reverts
 * goes through an index by target, so a drill of many faults plans in
 * linear time.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../drills/fault.h"
#include "plan.h"
#include "redact.h"
#include "units.h"

const char *
plan_op_name(enum plan_op op)
{
	static const char *n[] = { "apply", "revert", "wait", "expect", "burst" };

	return n[op];
}

/* Open lasting faults by (kind, target, verb), newest last: pairing a
 * step with the fault it reverts costs a lookup per verb it undoes. */
struct open_list {
	size_t *v;
	size_t n, cap;
};

struct open {
	struct strmap ix;
	struct open_list *lists;
	char **keys;			/* the map's keys, owned */
	size_t nlists, caplists;
};

/* The list under key (taken over). */
static struct open_list *
list_at(struct open *o, char *key)
{
	int i = strmap_get(&o->ix, key);

	if (i >= 0) {
		free(key);
		return &o->lists[i];
	}
	size_t cap = o->caplists;
	o->lists = xgrow(o->lists, &o->caplists, o->nlists + 1,
	    sizeof *o->lists);
	o->keys = xgrow(o->keys, &cap, o->nlists + 1, sizeof *o->keys);
	i = (int)o->nlists++;
	memset(&o->lists[i], 0, sizeof o->lists[i]);
	o->keys[i] = key;
	strmap_put(&o->ix, key, i);
	return &o->lists[i];
}

static struct open_list *
open_list(struct open *o, const struct fault_kind *k, const char *target,
    const char *verb)
{
	return list_at(o, xasprintf("%s\n%s\n%s", k->name, verb, target));
}

/* What a revert: step may call a fault by: its service, target, kind. */
static struct open_list *
name_list(struct open *o, const char *name)
{
	return list_at(o, xasprintf("\n%s", name));
}

static void
push(struct open_list *l, size_t step)
{
	if (l->n > 0 && l->v[l->n - 1] == step)
		return;		/* a target that is also the service's name */
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = step;
}

static void
open_push(struct open *o, const struct fault *f, size_t step)
{
	push(open_list(o, f->kind, f->target, f->verb->name), step);
	push(name_list(o, f->kind->name), step);
	push(name_list(o, f->target), step);
	if (f->svc != NULL)
		push(name_list(o, f->svc->name), step);
}

/* A step may sit on several lists: one another revert took is dropped
 * when it comes to the top. */
static void
drop_taken(struct open_list *l, const char *taken)
{
	while (l->n > 0 && taken[l->v[l->n - 1]])
		l->n--;
}

/* The newest open fault f undoes (same kind and target, a verb in its
 * undoes list); taken off the open lists. */
static int
open_take(struct open *o, const struct fault *f, const char *taken,
    size_t *step)
{
	const char *u = f->verb->undoes;
	size_t best = SIZE_MAX;	/* an index: open_list may move the lists */

	while (u != NULL && *u != '\0') {
		size_t len = strcspn(u, " ");
		char *verb = xstrndup(u, len);
		struct open_list *l = open_list(o, f->kind, f->target, verb);
		drop_taken(l, taken);
		if (l->n > 0 && (best == SIZE_MAX || l->v[l->n - 1] >
		    o->lists[best].v[o->lists[best].n - 1]))
			best = (size_t)(l - o->lists);
		free(verb);
		u += len;
		while (*u == ' ')
			u++;
	}
	if (best == SIZE_MAX)
		return 0;
	*step = o->lists[best].v[--o->lists[best].n];
	return 1;
}

static void
open_free(struct open *o)
{
	for (size_t i = 0; i < o->nlists; i++) {
		free(o->lists[i].v);
		free(o->keys[i]);
	}
	free(o->lists);
	free(o->keys);
	strmap_free(&o->ix);
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
	struct open o = { 0 };
	char *taken = xcalloc(s->nsteps ? s->nsteps : 1, 1);
	size_t *mark = xcalloc(s->nprobes ? s->nprobes : 1, sizeof *mark);
	size_t capend = 0;

	p->s = s;
	p->n = s->nsteps;
	p->unpaired = s->nsteps;
	p->steps = xcalloc(p->n ? p->n : 1, sizeof *p->steps);
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct scen_step *st = &s->steps[i];
		struct plan_step *ps = &p->steps[i];
		ps->st = st;
		switch (st->kind) {
		case ST_WAIT:
			ps->op = PO_WAIT;
			break;
		case ST_EXPECT:
			ps->op = PO_EXPECT;
			break;
		case ST_BURST:
			ps->op = PO_BURST;
			break;
		case ST_REVERT: {
			struct open_list *l = name_list(&o, st->revert);
			drop_taken(l, taken);
			if (l->n == 0) {
				ps->op = PO_WAIT;	/* wait_ms 0: nothing */
				if (p->unpaired == s->nsteps)
					p->unpaired = i;
				break;
			}
			ps->op = PO_REVERT;
			ps->undoes = l->v[--l->n];
			ps->fault = p->steps[ps->undoes].fault;
			taken[ps->undoes] = 1;
			fast_probes(p, i, mark);
			break;
		}
		case ST_FAULT:
			ps->fault = st->fault;
			if (open_take(&o, st->fault, taken, &ps->undoes)) {
				ps->op = PO_REVERT;
				taken[ps->undoes] = 1;
			} else {
				ps->op = PO_APPLY;
				if (st->fault->verb->lasting)
					open_push(&o, st->fault, i);
			}
			fast_probes(p, i, mark);
			break;
		}
	}
	/* what is left, newest first */
	for (size_t i = s->nsteps; i-- > 0; ) {
		const struct plan_step *ps = &p->steps[i];
		if (ps->op != PO_APPLY || !ps->fault->verb->lasting || taken[i])
			continue;
		p->at_end = xgrow(p->at_end, &capend, p->nend + 1,
		    sizeof *p->at_end);
		p->at_end[p->nend++] = i;
	}
	open_free(&o);
	free(taken);
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

static void
text_head(const struct plan *p, struct sbuf *sb)
{
	const struct scenario *s = p->s;
	char b[32], c[32];

	sb_addf(sb, "drill %s%s%s\n", s->drill, s->title ? ": " : "", s->title ? s->title : "");
	if (s->target != NULL) {
		char *t = redact_url(s->target);
		sb_addf(sb, "target %s\n", t);
		free(t);
	}
	sb_addf(sb, "proxy %s\n", s->proxy ? s->proxy : "none (http_proxy and"
	    " the like are ignored)");
	for (size_t i = 0; i < s->nprobes; i++) {
		const struct scen_probe *pr = &s->probes[i];
		char *u = redact_url(pr->rq.url);
		sb_addf(sb, "probe %s: %s %s every %s, timeout %s", pr->name,
		    pr->rq.method, u, units_fmt_ms(pr->every_ms, b, sizeof b),
		    units_fmt_ms(pr->timeout_ms, c, sizeof c));
		if (pr->fast_ms < pr->every_ms)
			sb_addf(sb, ", every %s while a key time is measured",
			    units_fmt_ms(pr->fast_ms, b, sizeof b));
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
	for (size_t i = 0; i < s->nloads; i++) {
		const struct scen_load *l = &s->loads[i];
		char *u = redact_url(l->rq.url);
		sb_addf(sb, "load %s: %s %s, %d connection(s)", l->name,
		    l->rq.method, u, l->connections);
		if (l->rate > 0)
			sb_addf(sb, " at %g/s", l->rate);
		if (l->from_step || l->to_step)
			sb_addf(sb, ", steps %d..%d", l->from_step ? l->from_step : 1,
			    l->to_step ? l->to_step : (int)s->nsteps);
		else
			sb_add(sb, ", the whole drill");
		sb_add(sb, "\n");
		free(u);
	}
	for (size_t i = 0; i < s->nsteady; i++)
		sb_addf(sb, "steady before: %s (within %s)\n", s->steady[i].text,
		    units_fmt_ms(s->steady_timeout_ms, b, sizeof b));
}

static void
text_step(const struct plan *p, size_t i, int raw, struct sbuf *sb)
{
	const struct plan_step *ps = &p->steps[i];
	const struct scen_step *st = ps->st;
	char b[32], *d;

	sb_addf(sb, "step %zu (line %d): ", i + 1, st->line);
	switch (ps->op) {
	case PO_WAIT:
		sb_addf(sb, "wait %s\n", units_fmt_ms(st->wait_ms, b, sizeof b));
		break;
	case PO_EXPECT:
		sb_addf(sb, "expect %s\n", st->expect.text);
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
		d = ps->fault->kind->describe(p->steps[ps->undoes].fault, 1);
		sb_addf(sb, "revert step %zu: %s\n", ps->undoes + 1, d);
		free(d);
		break;
	case PO_APPLY:
		d = ps->fault->kind->describe(ps->fault, 0);
		sb_addf(sb, "%s\n", d);
		free(d);
		if (raw && ps->fault->kind->raw != NULL) {
			d = ps->fault->kind->raw(ps->fault);
			for (char *l = strtok(d, "\n"); l; l = strtok(NULL, "\n"))
				sb_addf(sb, "    %s\n", l);
			free(d);
		}
		if (ps->fault->verb->lasting) {
			d = ps->fault->kind->describe(ps->fault, 1);
			sb_addf(sb, "    revert: %s\n", d);
			free(d);
		}
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
		char *d = f->kind->describe(f, 1);
		sb_addf(&sb, "at the end (still applied from step %zu): %s\n",
		    p->at_end[k] + 1, d);
		free(d);
	}
	for (size_t i = 0; i < s->nsteady; i++)
		sb_addf(&sb, "steady after: %s (within %s)\n", s->steady[i].text,
		    units_fmt_ms(s->steady_timeout_ms, b, sizeof b));
	char *t = redact_text(sb.buf);
	sb_free(&sb);
	return t;
}
