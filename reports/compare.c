/*
 * compare.c — the regression gate: a game day against a baseline, drill
 * by drill. A verdict that left PASS is a regression. A key time is one
 * only when it got worse beyond its tolerance for certain: the truth of a
 * measured time lies in [v - res, v], so the new run's smallest possible
 * value must exceed the baseline's largest by more than the tolerance (a
 * 10 ms resolution cannot show a 5 ms regression). The tolerance is, in
 * order: a --tolerance for that key time, the drill's regress:, a
 * --tolerance for every key time, 20 %. A key time the baseline reached
 * and the new run did not is a regression; more lost writes are always
 * one. New and missing drills are listed, not counted.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "trend.h"

/* Where findings go: a game day's comparison, or one result's. */
struct sink {
	struct cmp_result *c;
	struct res_compare *r;
};

static void
item(struct sink *k, const char *drill, const char *what, int regr,
    char *detail)
{
	if (k->c != NULL) {
		struct cmp_result *c = k->c;
		c->items = xgrow(c->items, &c->cap, c->n + 1, sizeof *c->items);
		struct cmp_item *it = &c->items[c->n++];
		it->drill = xstrdup(drill);
		it->what = xstrdup(what);
		it->detail = detail;
		it->regression = regr;
		c->regressions += (size_t)regr;
	} else {
		struct res_compare *r = k->r;
		r->items = xgrow(r->items, &r->cap, r->n + 1, sizeof *r->items);
		struct res_cmp_item *it = &r->items[r->n++];
		it->what = xstrdup(what);
		it->detail = detail;
		it->regression = regr;
		r->regressions += (size_t)regr;
	}
}

static void
improved(struct sink *k)
{
	if (k->c != NULL)
		k->c->improvements++;
	else
		k->r->improvements++;
}

/* The tolerance of metric m (ms, or a share of the baseline's value). */
static void
tolerance(const struct trend_metric *m, const struct cmp_tolerance *tol,
    size_t ntol, double *pct, double *abs_ms)
{
	*pct = -1;
	*abs_ms = -1;
	for (size_t i = 0; i < ntol; i++)
		if (tol[i].name != NULL && strcmp(tol[i].name, m->name) == 0) {
			*pct = tol[i].pct;
			*abs_ms = tol[i].abs_ms;
			return;
		}
	if (m->regress_pct >= 0 || m->regress_abs >= 0) {
		*pct = m->regress_pct;
		*abs_ms = m->regress_abs;
		return;
	}
	for (size_t i = 0; i < ntol; i++)
		if (tol[i].name == NULL) {
			*pct = tol[i].pct;
			*abs_ms = tol[i].abs_ms;
			return;
		}
	*pct = CMP_DEFAULT_PCT;
}

static void
metric(struct sink *c, const char *drill, const struct trend_metric *b,
    const struct trend_metric *m, const struct cmp_tolerance *tol,
    size_t ntol)
{
	char x[64], y[64], t[32], w[32];
	double pct, abs_ms, allowed, lo, hi;

	if (b == NULL || !b->set)
		return;		/* nothing to compare with */
	if (m == NULL || !m->set) {
		item(c, drill, b->name, 1, xasprintf("%s → %s",
		    trend_value_text(b, x, sizeof x), m ? "not reached" :
		    "not measured"));
		return;
	}
	if (b->kind == 'n') {
		if (m->v > b->v)
			item(c, drill, b->name, 1, xasprintf("%.0f → %.0f", b->v,
			    m->v));
		return;
	}
	tolerance(m, tol, ntol, &pct, &abs_ms);
	hi = b->v;			/* the baseline at its worst */
	lo = m->v - m->res;		/* the new run at its best */
	allowed = abs_ms >= 0 ? abs_ms : pct * hi;
	if (lo > hi + allowed) {
		if (abs_ms >= 0)
			units_fmt_ms((int64_t)abs_ms, t, sizeof t);
		else
			snprintf(t, sizeof t, "%.0f%%", pct * 100);
		item(c, drill, b->name, 1, xasprintf("%s → %s: at least %s"
		    " worse, over the %s allowed", trend_value_text(b, x, sizeof x),
		    trend_value_text(m, y, sizeof y), b->kind == 'p' ?
		    "some" : units_fmt_ms((int64_t)(lo - hi), w, sizeof w), t));
	} else if (m->v < b->v - b->res - allowed) {
		improved(c);
		item(c, drill, b->name, 0, xasprintf("%s → %s: better",
		    trend_value_text(b, x, sizeof x), trend_value_text(m, y,
		    sizeof y)));
	}
}

/* One drill against its baseline's run of it. */
static void
drill_vs(struct sink *k, const struct trend_drill *b,
    const struct trend_drill *d, const struct cmp_tolerance *tol,
    size_t ntol)
{
	if (b->verdict != d->verdict) {
		int regr = b->verdict == V_PASS;
		if (!regr && d->verdict == V_PASS)
			improved(k);
		item(k, d->drill, "verdict", regr, xasprintf("%s → %s",
		    res_verdict_name(b->verdict), res_verdict_name(d->verdict)));
	}
	for (size_t i = 0; i < b->nm; i++)
		metric(k, d->drill, &b->m[i], trend_metric(d, b->m[i].name), tol,
		    ntol);
}

void
rpt_compare(const struct trend_day *base, const struct trend_day *now,
    const struct cmp_tolerance *tol, size_t ntol, struct cmp_result *out)
{
	struct sink k = { out, NULL };

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < now->nd; i++) {
		const struct trend_drill *b = trend_find(base, now->d[i].drill);
		if (b == NULL)
			item(&k, now->d[i].drill, "drill", 0, xstrdup("new: not in"
			    " the baseline"));
		else
			drill_vs(&k, b, &now->d[i], tol, ntol);
	}
	for (size_t i = 0; i < base->nd; i++)
		if (trend_find(now, base->d[i].drill) == NULL)
			item(&k, base->d[i].drill, "drill", 0, xstrdup("missing: in"
			    " the baseline, not run now"));
}

void
rpt_compare_result(struct result *r, const struct trend_day *base,
    const struct cmp_tolerance *tol, size_t ntol)
{
	struct sink k = { NULL, &r->cmp };
	struct trend_day now;
	const struct result *one = r;
	const struct trend_drill *b;

	trend_day_of(&now, "now", &one, 1);
	b = trend_find(base, r->drill);
	r->cmp.set = 1;
	r->cmp.baseline = xstrdup(base->label);
	r->cmp.in_baseline = b != NULL;
	if (b != NULL)
		drill_vs(&k, b, &now.d[0], tol, ntol);
	trend_day_free(&now);
}

void
rpt_compare_result_free(struct cmp_result *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->items[i].drill);
		free(c->items[i].what);
		free(c->items[i].detail);
	}
	free(c->items);
	memset(c, 0, sizeof *c);
}

char *
rpt_compare_md(const struct cmp_result *c, const char *base_label)
{
	struct sbuf sb;

	sb_init(&sb);
	sb_add(&sb, "## Compared with the baseline\n\nBaseline: ");
	esc_md_code(&sb, base_label);
	sb_addf(&sb, " — **%zu regression(s)**, %zu improvement(s).\n\n",
	    c->regressions, c->improvements);
	if (c->n == 0) {
		sb_add(&sb, "Nothing changed beyond its tolerance.\n\n");
		return sb_detach(&sb);
	}
	sb_add(&sb, "| drill | what | change | |\n|---|---|---|---|\n");
	for (size_t i = 0; i < c->n; i++) {
		sb_add(&sb, "| ");
		esc_md(&sb, c->items[i].drill);
		sb_add(&sb, " | ");
		esc_md(&sb, c->items[i].what);
		sb_add(&sb, " | ");
		esc_md(&sb, c->items[i].detail);
		sb_addf(&sb, " | %s |\n", c->items[i].regression ?
		    "❌ regression" : "");
	}
	sb_add(&sb, "\n");
	return sb_detach(&sb);
}

char *
rpt_compare_text(const struct cmp_result *c, const char *base_label)
{
	struct sbuf sb;

	sb_init(&sb);
	sb_addf(&sb, "compared with %s: %zu regression(s), %zu improvement(s)\n",
	    base_label, c->regressions, c->improvements);
	for (size_t i = 0; i < c->n; i++)
		sb_addf(&sb, "  %-10s %s: %s: %s\n", c->items[i].regression ?
		    "REGRESSED" : "", c->items[i].drill, c->items[i].what,
		    c->items[i].detail);
	return sb_detach(&sb);
}
