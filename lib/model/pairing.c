/*
 * pairing.c — see pairing.h. Pairing goes through an index by target, so a
 * drill of many faults pairs in linear time.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pairing.h"
#include "../dispatch/dispatch.h"

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
	push(name_list(o, dispatch_kind_name(f)), step);
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

/* A step that would undo or revert a fault that is off is off with it. */
static int
undoes_off(struct open *off, const struct pair_step *st, char *taken,
    size_t *step)
{
	if (st->kind == PS_FAULT)
		return open_take(off, st->fault, taken, step);
	struct open_list *l = name_list(off, st->revert);
	drop_taken(l, taken);
	if (l->n == 0)
		return 0;
	*step = l->v[--l->n];
	return 1;
}

static void
pair_revert(struct open *o, struct open *off, const struct pair_step *in,
    size_t i, char *taken, char *offtaken, struct pairing *pr)
{
	struct pair_out *po = &pr->out[i];
	struct open_list *l = name_list(o, in[i].revert);
	size_t k;

	drop_taken(l, taken);
	if (l->n == 0 && undoes_off(off, &in[i], offtaken, &k)) {
		po->op = PAIR_SKIP;	/* what it reverts is off */
		po->skip = in[k].off;
	} else if (l->n == 0) {
		po->op = PAIR_NONE;	/* nothing to revert */
		if (pr->unpaired == pr->n)
			pr->unpaired = i;
	} else {
		po->op = PAIR_REVERT;
		po->undoes = l->v[--l->n];
		taken[po->undoes] = 1;
	}
}

static void
pair_fault(struct open *o, struct open *off, const struct pair_step *in,
    size_t i, char *taken, char *offtaken, struct pairing *pr)
{
	struct pair_out *po = &pr->out[i];
	size_t k;

	if (open_take(o, in[i].fault, taken, &po->undoes)) {
		po->op = PAIR_REVERT;
		taken[po->undoes] = 1;
	} else if (undoes_off(off, &in[i], offtaken, &k)) {
		po->op = PAIR_SKIP;	/* what it undoes is off */
		po->skip = in[k].off;
	} else {
		po->op = PAIR_APPLY;
		if (in[i].fault->verb->lasting)
			open_push(o, in[i].fault, i);
	}
}

void
pair_steps(const struct pair_step *in, size_t n, struct pairing *pr)
{
	struct open o = { 0 }, off = { 0 };
	char *taken = xcalloc(n ? n : 1, 1), *offtaken = xcalloc(n ? n : 1, 1);
	size_t capend = 0;

	memset(pr, 0, sizeof *pr);
	pr->n = n;
	pr->unpaired = n;
	pr->out = xcalloc(n ? n : 1, sizeof *pr->out);
	for (size_t i = 0; i < n; i++) {
		if (in[i].off != NULL && in[i].kind != PS_OTHER) {
			pr->out[i].op = PAIR_SKIP;
			pr->out[i].skip = in[i].off;
			if (in[i].kind == PS_FAULT && in[i].fault->verb->lasting)
				open_push(&off, in[i].fault, i);
		} else if (in[i].kind == PS_REVERT) {
			pair_revert(&o, &off, in, i, taken, offtaken, pr);
		} else if (in[i].kind == PS_FAULT) {
			pair_fault(&o, &off, in, i, taken, offtaken, pr);
		}
	}
	/* what is left, newest first */
	for (size_t i = n; i-- > 0; ) {
		if (pr->out[i].op != PAIR_APPLY || !in[i].fault->verb->lasting ||
		    taken[i])
			continue;
		pr->at_end = xgrow(pr->at_end, &capend, pr->nend + 1,
		    sizeof *pr->at_end);
		pr->at_end[pr->nend++] = i;
	}
	open_free(&o);
	open_free(&off);
	free(taken);
	free(offtaken);
}
