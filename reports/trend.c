/*
 * trend.c — see trend.h: a game day's measurements from its results.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "trend.h"

static struct trend_metric *
add(struct trend_drill *d, size_t *cap, const char *name, char kind)
{
	struct trend_metric *m;

	d->m = xgrow(d->m, cap, d->nm + 1, sizeof *d->m);
	m = &d->m[d->nm++];
	memset(m, 0, sizeof *m);
	m->name = xstrdup(name);
	m->kind = kind;
	m->bound = m->regress_pct = m->regress_abs = -1;
	return m;
}

static void
drill_of(struct trend_drill *d, const struct result *r)
{
	size_t cap = 0;

	d->drill = xstrdup(r->drill);
	d->verdict = r->verdict;
	d->started_ms = r->started_wall_ms;
	for (size_t i = 0; i < r->nex; i++) {
		const struct res_expect *x = &r->ex[i];
		if (x->as == NULL || trend_metric(d, x->as) != NULL)
			continue;
		struct trend_metric *m = add(d, &cap, x->as, 't');
		m->set = x->elapsed_ms >= 0;
		m->v = (double)x->elapsed_ms;
		m->res = x->resolution_ms > 0 ? (double)x->resolution_ms : 0;
		m->bound = (double)x->bound_ms;
		m->regress_pct = x->regress_pct;
		m->regress_abs = (double)x->regress_ms;
	}
	for (size_t i = 0; i < r->nwrites; i++) {
		const struct res_writes *w = &r->writes[i];
		char *n = xasprintf("lost writes (%s)", w->probe);
		struct trend_metric *m = add(d, &cap, n, 'n');
		m->set = 1;
		m->v = (double)w->lost;
		free(n);
		n = xasprintf("RPO (%s)", w->probe);
		m = add(d, &cap, n, 't');
		m->set = 1;
		m->v = (double)w->rpo_ms;
		free(n);
	}
	if (r->slo.set && r->slo.availability >= 0) {
		struct trend_metric *m = add(d, &cap, "SLO budget spent", 'p');
		m->set = 1;
		m->v = r->slo.burned_pct;
	}
}

void
trend_day_of(struct trend_day *day, const char *label,
    const struct result *const *rs, size_t n)
{
	memset(day, 0, sizeof *day);
	day->label = xstrdup(label);
	day->d = xcalloc(n ? n : 1, sizeof *day->d);
	for (size_t i = 0; i < n; i++) {
		/* the same drill twice in one game day: the later run counts */
		struct trend_drill *d = (struct trend_drill *)trend_find(day,
		    rs[i]->drill);
		if (d != NULL) {
			if (rs[i]->started_wall_ms < d->started_ms)
				continue;
			for (size_t k = 0; k < d->nm; k++)
				free(d->m[k].name);
			free(d->m);
			free(d->drill);
		} else {
			d = &day->d[day->nd++];
		}
		memset(d, 0, sizeof *d);
		drill_of(d, rs[i]);
		if (day->started_ms == 0 || d->started_ms < day->started_ms)
			day->started_ms = d->started_ms;
	}
}

void
trend_day_free(struct trend_day *day)
{
	for (size_t i = 0; i < day->nd; i++) {
		for (size_t k = 0; k < day->d[i].nm; k++)
			free(day->d[i].m[k].name);
		free(day->d[i].m);
		free(day->d[i].drill);
	}
	free(day->d);
	free(day->label);
	memset(day, 0, sizeof *day);
}

const struct trend_drill *
trend_find(const struct trend_day *day, const char *drill)
{
	for (size_t i = 0; i < day->nd; i++)
		if (strcmp(day->d[i].drill, drill) == 0)
			return &day->d[i];
	return NULL;
}

const struct trend_metric *
trend_metric(const struct trend_drill *d, const char *name)
{
	for (size_t i = 0; d != NULL && i < d->nm; i++)
		if (strcmp(d->m[i].name, name) == 0)
			return &d->m[i];
	return NULL;
}

char *
trend_value_text(const struct trend_metric *m, char *buf, size_t len)
{
	char a[32], b[32];

	if (m == NULL)
		snprintf(buf, len, "—");
	else if (!m->set)
		snprintf(buf, len, "not reached");
	else if (m->kind == 'n')
		snprintf(buf, len, "%.0f", m->v);
	else if (m->kind == 'p')
		snprintf(buf, len, "%.1f%%", m->v);
	else if (m->res >= m->v && m->v > 0)
		snprintf(buf, len, "≤ %s", units_fmt_ms((int64_t)m->v, a, sizeof a));
	else if (m->res > 0)
		snprintf(buf, len, "%s (res %s)", units_fmt_ms((int64_t)m->v, a,
		    sizeof a), units_fmt_ms((int64_t)m->res, b, sizeof b));
	else
		snprintf(buf, len, "%s", units_fmt_ms((int64_t)m->v, a, sizeof a));
	return buf;
}
