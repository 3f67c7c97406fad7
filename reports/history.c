/*
 * history.c — game days over time (trend.h): HISTORY.md, per drill a table
 * of its verdict and measurements, one row a game day, oldest first; and
 * history.svg, small multiples, one panel per drill and measurement, each
 * game day a point with its resolution as an error bar and the bound as a
 * dashed line. A drill not in a game day is a gap in both: "—" in the
 * table, no point (and a broken line) in the chart — never a zero.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "trend.h"

#define PW 360.0		/* a panel */
#define PH 150.0
#define PAD_L 58.0
#define PAD_T 30.0
#define PLOT_W (PW - PAD_L - 16)
#define PLOT_H (PH - PAD_T - 34)
#define COLS 2

/* Every drill name over the days, in order of first appearance. */
static const char **
drills(const struct trend_day *days, size_t n, size_t *nd)
{
	const char **v = NULL;
	size_t cap = 0;

	*nd = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < days[i].nd; k++) {
			size_t j;
			for (j = 0; j < *nd && strcmp(v[j], days[i].d[k].drill); j++)
				;
			if (j == *nd) {
				v = xgrow(v, &cap, *nd + 1, sizeof *v);
				v[(*nd)++] = days[i].d[k].drill;
			}
		}
	return v;
}

/* Every measurement of a drill over the days, in order of appearance. */
static const struct trend_metric **
metrics(const struct trend_day *days, size_t n, const char *drill, size_t *nm)
{
	const struct trend_metric **v = NULL;
	size_t cap = 0;

	*nm = 0;
	for (size_t i = 0; i < n; i++) {
		const struct trend_drill *d = trend_find(&days[i], drill);
		for (size_t k = 0; d != NULL && k < d->nm; k++) {
			size_t j;
			for (j = 0; j < *nm && strcmp(v[j]->name, d->m[k].name); j++)
				;
			if (j == *nm) {
				v = xgrow(v, &cap, *nm + 1, sizeof *v);
				v[(*nm)++] = &d->m[k];
			}
		}
	}
	return v;
}

static void
day_label(const struct trend_day *d, char *buf, size_t len)
{
	char ts[40];

	iso8601_ms(d->started_ms, ts, sizeof ts);
	ts[16] = '\0';		/* 2026-12-03T11:20 */
	ts[10] = ' ';
	snprintf(buf, len, "%s", ts);
}

char *
rpt_history_md(const struct trend_day *days, size_t n)
{
	size_t nd, nm;
	const char **dn = drills(days, n, &nd);
	struct sbuf sb;
	char a[40], b[40], v[64];

	sb_init(&sb);
	sb_add(&sb, "# Game-day history\n\n");
	if (n > 0) {
		day_label(&days[0], a, sizeof a);
		day_label(&days[n - 1], b, sizeof b);
		sb_addf(&sb, "%zu game day(s), %s to %s (UTC); %zu drill(s). Each"
		    " row a game day, oldest first; a key time reads \"1.20s (res"
		    " 12ms)\": the truth lies between 1.188s and 1.20s; — : the drill"
		    " was not in that game day.\n\n![Each measurement over the game"
		    " days](history.svg)\n\n", n, a, b, nd);
	}
	for (size_t i = 0; i < nd; i++) {
		const struct trend_metric **ms = metrics(days, n, dn[i], &nm);
		sb_add(&sb, "## ");
		esc_md(&sb, dn[i]);
		sb_add(&sb, "\n\n| game day | verdict |");
		for (size_t k = 0; k < nm; k++) {
			sb_add(&sb, " ");
			esc_md(&sb, ms[k]->name);
			sb_add(&sb, " |");
		}
		sb_add(&sb, "\n|---|---|");
		for (size_t k = 0; k < nm; k++)
			sb_add(&sb, "---|");
		sb_add(&sb, "\n");
		for (size_t d = 0; d < n; d++) {
			const struct trend_drill *t = trend_find(&days[d], dn[i]);
			day_label(&days[d], a, sizeof a);
			sb_addf(&sb, "| %s ", a);
			esc_md_code(&sb, days[d].label);
			sb_addf(&sb, " | %s |", t ? res_verdict_name(t->verdict) :
			    "— (not run)");
			for (size_t k = 0; k < nm; k++) {
				sb_add(&sb, " ");
				esc_md(&sb, t ? trend_value_text(trend_metric(t,
				    ms[k]->name), v, sizeof v) : "—");
				sb_add(&sb, " |");
			}
			sb_add(&sb, "\n");
		}
		sb_add(&sb, "\n");
		free(ms);
	}
	free(dn);
	return sb_detach(&sb);
}

/* A panel's y: 0 at the bottom, top at the largest value, error bar or
 * bound (and a little room). */
static double
y_of(double v, double top, double y0)
{
	return y0 + PLOT_H - (top > 0 ? v / top * PLOT_H : 0);
}

static const char *
verdict_colour(enum verdict v)
{
	return v == V_PASS ? "#2e7d32" : v == V_FAIL ? "#c62828" :
	    v == V_INVALID ? "#ef6c00" : "#757575";
}

/* The line through consecutive game days (broken at a gap), then each
 * game day's point with its resolution as an error bar. */
static void
panel_points(struct sbuf *sb, const struct trend_day *days, size_t n,
    const char *drill, const struct trend_metric *proto, double x0,
    double y0, double top)
{
	double step = n > 1 ? PLOT_W / (double)(n - 1) : 0;
	char a[32];
	int pen = 0;

	for (size_t d = 0; d < n; d++) {
		const struct trend_drill *t = trend_find(&days[d], drill);
		const struct trend_metric *m = trend_metric(t, proto->name);
		double x = x0 + PAD_L + (n > 1 ? step * (double)d : PLOT_W / 2);
		if (m == NULL || !m->set) {
			if (pen)
				sb_add(sb, "\" fill=\"none\" stroke=\"#90a4ae\"/>\n");
			pen = 0;
			continue;
		}
		sb_addf(sb, "%s%.1f,%.1f", pen ? " " : "<polyline points=\"", x,
		    y_of(m->v, top, y0 + PAD_T));
		pen = 1;
	}
	if (pen)
		sb_add(sb, "\" fill=\"none\" stroke=\"#90a4ae\"/>\n");
	for (size_t d = 0; d < n; d++) {
		const struct trend_drill *t = trend_find(&days[d], drill);
		const struct trend_metric *m = trend_metric(t, proto->name);
		double x = x0 + PAD_L + (n > 1 ? step * (double)d : PLOT_W / 2);
		if (m == NULL || !m->set)
			continue;
		double yv = y_of(m->v, top, y0 + PAD_T);
		char v[64];
		if (m->res > 0)
			sb_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
			    " y2=\"%.1f\" stroke=\"#333\"/>", x, yv, x,
			    y_of(m->v - m->res, top, y0 + PAD_T));
		sb_addf(sb, "<circle class=\"point\" data-day=\"%zu\""
		    " data-value=\"%g\" data-resolution=\"%g\" cx=\"%.1f\""
		    " cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>", d, m->v, m->res, x,
		    yv, verdict_colour(t->verdict));
		day_label(&days[d], a, sizeof a);
		esc_xml(sb, a);
		sb_addf(sb, ": %s, ", res_verdict_name(t->verdict));
		esc_xml(sb, trend_value_text(m, v, sizeof v));
		sb_add(sb, "</title></circle>\n");
	}
}

static void
panel(struct sbuf *sb, const struct trend_day *days, size_t n,
    const char *drill, const struct trend_metric *proto, double x0, double y0)
{
	double top = 0, bound = -1;
	size_t points = 0;
	char a[32], b[32];

	for (size_t d = 0; d < n; d++) {
		const struct trend_metric *m = trend_metric(trend_find(&days[d],
		    drill), proto->name);
		if (m == NULL || !m->set)
			continue;
		points++;
		top = fmax(top, m->v);
		if (m->bound > 0)
			bound = m->bound;
	}
	top = fmax(top, bound) * 1.1;
	if (top <= 0)
		top = 1;
	sb_add(sb, "<g class=\"panel\" data-drill=\"");
	esc_xml(sb, drill);
	sb_add(sb, "\" data-metric=\"");
	esc_xml(sb, proto->name);
	sb_addf(sb, "\" data-points=\"%zu\">\n<rect x=\"%.1f\" y=\"%.1f\""
	    " width=\"%.1f\" height=\"%.1f\" fill=\"#fafafa\" stroke=\"#ddd\"/>\n"
	    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\">",
	    points, x0 + 4, y0 + 4, PW - 8, PH - 8, x0 + 10, y0 + 19);
	esc_xml(sb, drill);
	sb_add(sb, " — ");
	esc_xml(sb, proto->name);
	sb_add(sb, "</text>\n");
	/* the y axis: 0 and the top */
	if (proto->kind == 't') {
		units_fmt_ms((int64_t)top, a, sizeof a);
		snprintf(b, sizeof b, "0");
	} else {
		snprintf(a, sizeof a, proto->kind == 'p' ? "%.0f%%" : "%.0f", top);
		snprintf(b, sizeof b, "0");
	}
	sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\""
	    " text-anchor=\"end\" fill=\"#555\">%s</text><text x=\"%.1f\""
	    " y=\"%.1f\" font-size=\"9\" text-anchor=\"end\" fill=\"#555\">%s"
	    "</text>\n", x0 + PAD_L - 4, y0 + PAD_T + 4, a, x0 + PAD_L - 4,
	    y0 + PAD_T + PLOT_H, b);
	if (bound > 0)
		sb_addf(sb, "<line class=\"bound\" x1=\"%.1f\" y1=\"%.1f\""
		    " x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c62828\""
		    " stroke-dasharray=\"4 3\"><title>bound</title></line>\n",
		    x0 + PAD_L, y_of(bound, top, y0 + PAD_T), x0 + PAD_L + PLOT_W,
		    y_of(bound, top, y0 + PAD_T));
	panel_points(sb, days, n, drill, proto, x0, y0, top);
	if (n > 0) {
		day_label(&days[0], a, sizeof a);
		day_label(&days[n - 1], b, sizeof b);
		sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\""
		    " fill=\"#555\">%.10s</text><text x=\"%.1f\" y=\"%.1f\""
		    " font-size=\"9\" text-anchor=\"end\" fill=\"#555\">%.10s</text>\n",
		    x0 + PAD_L, y0 + PAD_T + PLOT_H + 14, a, x0 + PAD_L + PLOT_W,
		    y0 + PAD_T + PLOT_H + 14, b);
	}
	sb_add(sb, "</g>\n");
}

char *
rpt_history_svg(const struct trend_day *days, size_t n)
{
	size_t nd, nm, panels = 0;
	const char **dn = drills(days, n, &nd);
	struct sbuf body, sb;

	sb_init(&body);
	for (size_t i = 0; i < nd; i++) {
		const struct trend_metric **ms = metrics(days, n, dn[i], &nm);
		for (size_t k = 0; k < nm; k++, panels++)
			panel(&body, days, n, dn[i], ms[k], (double)(panels % COLS) *
			    PW, 40 + (double)(panels / COLS) * PH);
		free(ms);
	}
	free(dn);
	double h = 40 + (double)((panels + COLS - 1) / COLS) * PH + 10;
	sb_init(&sb);
	sb_addf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg"
	    " xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
	    " viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica,"
	    " Arial, sans-serif\" data-days=\"%zu\" data-panels=\"%zu\">\n"
	    "<title>Game-day history</title>\n<rect width=\"100%%\""
	    " height=\"100%%\" fill=\"#fff\"/>\n<text x=\"10\" y=\"24\""
	    " font-size=\"14\" font-weight=\"bold\">Game-day history: %zu game"
	    " day(s)</text>\n", PW * COLS, h, PW * COLS, h, n, panels, n);
	sb_add(&sb, body.buf ? body.buf : "");
	sb_free(&body);
	sb_add(&sb, "</svg>\n");
	return sb_detach(&sb);
}
