/*
 * svg.c — a drill's timeline as one SVG, no script and no external font or
 * image, so it renders on GitHub (an <img> of the report folder) and in any
 * browser: each probe's latency (log scale) and answer classes over time,
 * each load's requests and errors per second with its p50 and p99, the fault
 * windows shaded across every panel and the key times marked. The x axis is
 * ms from the start of faults, like the timeline in REPORT.md.
 *
 * Every element that stands for data says so in data-* attributes (which
 * probe, how many samples a status run covers, which fault, which second) so
 * a test can check the chart against result.json.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define W	960.0
#define LEFT	80.0
#define RIGHT	60.0
#define PW	(W - LEFT - RIGHT)
#define PROBE_H	80.0	/* latency area of a probe */
#define STRIP_H	12.0	/* its answer classes */
#define LOAD_H	90.0
#define GAP	34.0
#define TOP	70.0

struct frame {
	int64_t lo, hi;		/* ms from the start of faults */
};

/* Inside the frame, or not far outside it (a time past the frame's limits
 * still converts to a pixel column). */
static double
xpos(const struct frame *f, int64_t t)
{
	double x = LEFT + ((double)t - (double)f->lo) * PW /
	    (double)(f->hi - f->lo);

	return x < -10000 ? -10000 : x > W + 10000 ? W + 10000 : x;
}

/* Latency on a log scale, 0 at the bottom: y of ms in a panel [top, top+h]. */
static double
ylog(double ms, double max_ms, double top, double h)
{
	double v = log10(1.0 + (ms < 0 ? 0 : ms)), m = log10(1.0 + max_ms);

	if (v > m)
		v = m;
	return top + h - h * v / m;
}

/* The top of a latency axis: a power of ten, at most 10^8 ms (a day),
 * whatever a result.json says. */
static double
nice_ceiling(double v)
{
	double p = 1;

	if (!(v < 1e8))
		return 1e8;
	while (p < v)
		p *= 10;
	return p;
}

/* A round time for an axis: 500ms, 2s, 1m30s. */
static const char *
tick_text(int64_t ms, char *b, size_t len)
{
	if (ms < 1000)
		snprintf(b, len, "%lldms", (long long)ms);
	else if (ms < 60000 && ms % 1000 == 0)
		snprintf(b, len, "%llds", (long long)(ms / 1000));
	else if (ms < 60000)
		snprintf(b, len, "%.1fs", ms / 1000.0);
	else if (ms % 60000 == 0)
		snprintf(b, len, "%lldm", (long long)(ms / 60000));
	else
		snprintf(b, len, "%lldm%llds", (long long)(ms / 60000),
		    (long long)(ms % 60000 / 1000));
	return b;
}

static const char *
status_class(int st)
{
	return st <= 0 ? "none" : st < 300 ? "2xx" : st < 400 ? "3xx" :
	    st == 429 ? "429" : st < 500 ? "4xx" : "5xx";
}

static const char *
class_colour(const char *c)
{
	return strcmp(c, "2xx") == 0 ? "#2e7d32" : strcmp(c, "3xx") == 0 ?
	    "#1565c0" : strcmp(c, "429") == 0 ? "#ef6c00" : strcmp(c, "4xx") ==
	    0 ? "#f9a825" : strcmp(c, "5xx") == 0 ? "#c62828" : "#212121";
}

/* Times a result.json from anywhere may hold, kept to ±30 days so the
 * frame's arithmetic cannot overflow and its ticks stay few. */
#define T_LIMIT INT64_C(2592000000)

static void
span(int64_t *lo, int64_t *hi, int64_t t)
{
	t = t < -T_LIMIT ? -T_LIMIT : t > T_LIMIT ? T_LIMIT : t;
	if (t < *lo)
		*lo = t;
	if (t > *hi)
		*hi = t;
}

static struct frame
frame_of(const struct result *r)
{
	int64_t lo = 0, hi = 0;
	struct frame f;

	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].n > 0) {
			span(&lo, &hi, r->probes[i].t_ms[0]);
			span(&lo, &hi, r->probes[i].t_ms[r->probes[i].n - 1]);
		}
	for (size_t i = 0; i < r->nloads; i++) {
		span(&lo, &hi, r->loads[i].start_ms);
		span(&lo, &hi, r->loads[i].start_ms +
		    (int64_t)r->loads[i].nsec * 1000);
	}
	for (size_t i = 0; i < r->nfaults; i++) {
		span(&lo, &hi, r->faults[i].applied_ms);
		if (r->faults[i].reverted)
			span(&lo, &hi, r->faults[i].reverted_ms);
	}
	for (size_t i = 0; i < r->nex; i++)
		if (r->ex[i].as != NULL)
			span(&lo, &hi, r->ex[i].at_ms);
	/* a little room either side; never a zero-width frame */
	f.lo = lo - (hi - lo) / 50 - 1;
	f.hi = hi + (hi - lo) / 50 + 1;
	return f;
}

/* Ticks every 1, 2, 5 x 10^k seconds, about ten across. */
static int64_t
tick_ms(const struct frame *f)
{
	static const int64_t steps[] = { 100, 200, 500, 1000, 2000, 5000, 10000,
	    15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000,
	    3600000 };
	int64_t span_ms = f->hi - f->lo;

	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (span_ms / steps[i] <= 12)
			return steps[i];
	return 7200000;
}

static void
axis(struct sbuf *sb, const struct frame *f, double y)
{
	int64_t step = tick_ms(f), t = (f->lo / step) * step;
	char b[32];

	sb_addf(sb, "<g class=\"axis\" font-size=\"11\" fill=\"#444\">\n"
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
	    " stroke=\"#888\"/>\n", LEFT, y, W - RIGHT, y);
	for (int n = 0; t <= f->hi && n < 1000; t += step, n++) {
		if (t < f->lo)
			continue;
		double x = xpos(f, t);
		sb_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
		    " stroke=\"#888\"/><text x=\"%.1f\" y=\"%.1f\""
		    " text-anchor=\"middle\">%s%s</text>\n", x, y, x, y + 4, x,
		    y + 16, t > 0 ? "+" : t < 0 ? "-" : "", t == 0 ? "0" :
		    tick_text(t < 0 ? -t : t, b, sizeof b));
	}
	sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">time from"
	    " the start of faults</text>\n</g>\n", W - RIGHT, y + 30);
}

/* The shaded windows of the faults, over the whole height of the panels. */
static void
fault_windows(struct sbuf *sb, const struct result *r, const struct frame *f,
    double top, double bottom, int64_t end_ms)
{
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct res_fault *ft = &r->faults[i];
		if (!ft->applied)
			continue;
		double x0 = xpos(f, ft->applied_ms);
		sb_addf(sb, "<g class=\"fault\" data-line=\"%d\" data-from-ms=\"%lld\"",
		    ft->line, (long long)ft->applied_ms);
		if (ft->revert != NULL) {
			int64_t to = ft->reverted ? ft->reverted_ms : end_ms;
			double x1 = xpos(f, to);
			if (x1 - x0 < 1)
				x1 = x0 + 1;
			sb_addf(sb, " data-to-ms=\"%lld\"><title>", (long long)to);
			esc_xml(sb, ft->what);
			sb_addf(sb, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
			    " height=\"%.1f\" fill=\"#ff9800\" fill-opacity=\"0.16\""
			    " stroke=\"#ff9800\" stroke-opacity=\"0.5\"/>", x0, top,
			    x1 - x0, bottom - top);
		} else {
			/* one-shot (a kill, a signal): a line, not a window */
			sb_add(sb, "><title>");
			esc_xml(sb, ft->what);
			sb_addf(sb, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
			    " y2=\"%.1f\" stroke=\"#ff9800\" stroke-width=\"2\"/>", x0,
			    top, x0, bottom);
		}
		sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
		    " fill=\"#e65100\">⚡ %zu</text></g>\n", x0 + 2, top + 10, i + 1);
	}
}

static void
key_times(struct sbuf *sb, const struct result *r, const struct frame *f,
    double top, double bottom)
{
	int k = 0;

	for (size_t i = 0; i < r->nex; i++) {
		const struct res_expect *x = &r->ex[i];
		char b[96];
		if (x->as == NULL || x->elapsed_ms < 0)
			continue;
		double px = xpos(f, x->at_ms);
		sb_add(sb, "<g class=\"key-time\" data-name=\"");
		esc_xml(sb, x->as);
		sb_addf(sb, "\" data-at-ms=\"%lld\" data-elapsed-ms=\"%lld\"><title>",
		    (long long)x->at_ms, (long long)x->elapsed_ms);
		esc_xml(sb, x->as);
		sb_add(sb, ": ");
		esc_xml(sb, rpt_key_time(x->elapsed_ms, x->resolution_ms, b,
		    sizeof b));
		sb_addf(sb, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
		    " y2=\"%.1f\" stroke=\"#6a1b9a\" stroke-dasharray=\"4 3\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#6a1b9a\">",
		    px, top - 18, px, bottom, px + 3, top - 22 - 10.0 * (k++ % 2));
		esc_xml(sb, x->as);
		sb_add(sb, "</text></g>\n");
	}
}

/* Where a guardrail stopped the drill: a red line across the panels. */
static void
abort_mark(struct sbuf *sb, const struct result *r, const struct frame *f,
    double top, double bottom)
{
	double px;

	if (!r->abort.set)
		return;
	px = xpos(f, r->abort.at_ms);
	sb_addf(sb, "<g class=\"abort\" data-at-ms=\"%lld\" data-by=\"",
	    (long long)r->abort.at_ms);
	esc_xml(sb, r->abort.by);
	sb_add(sb, "\"><title>ABORTED by ");
	esc_xml(sb, r->abort.by);
	sb_add(sb, ": ");
	esc_xml(sb, r->abort.observed);
	sb_addf(sb, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
	    " y2=\"%.1f\" stroke=\"#c62828\" stroke-width=\"2\"/>"
	    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" font-weight=\"bold\""
	    " fill=\"#c62828\">ABORTED</text></g>\n", px, top - 18, px, bottom,
	    px + 3, top - 8);
}

static void
probe_panel(struct sbuf *sb, const struct res_probe *p, const struct frame *f,
    double top)
{
	double max = 1, ymax;
	double strip = top + PROBE_H + 2;

	for (size_t k = 0; k < p->n; k++)
		if ((double)p->lat_ms[k] > max)
			max = (double)p->lat_ms[k];
	ymax = nice_ceiling(max);
	sb_add(sb, "<g class=\"probe\" data-name=\"");
	esc_xml(sb, p->name);
	sb_addf(sb, "\" data-samples=\"%zu\">\n<text x=\"%.1f\" y=\"%.1f\""
	    " font-size=\"12\" font-weight=\"bold\">", p->n, LEFT, top - 6);
	esc_xml(sb, p->name);
	sb_add(sb, "</text><text x=\"");
	sb_addf(sb, "%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#555\"> ",
	    LEFT + 8.0 * (double)strlen(p->name) + 10, top - 6);
	esc_xml(sb, p->url);
	sb_add(sb, " — latency (log scale) and answers</text>\n");
	sb_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
	    " fill=\"none\" stroke=\"#ccc\"/>\n", LEFT, top, PW, PROBE_H);
	/* y ticks: 1, 10, 100 ... ms */
	for (double v = 1; v <= ymax; v *= 10) {
		double y = ylog(v, ymax, top, PROBE_H);
		char b[32];
		sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
		    " text-anchor=\"end\" fill=\"#555\">%s</text><line x1=\"%.1f\""
		    " y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n",
		    LEFT - 4, y + 3, tick_text((int64_t)v, b, sizeof b), LEFT, y,
		    W - RIGHT, y);
	}
	/* latency: the highest sample of each pixel column */
	sb_add(sb, "<polyline class=\"latency\" fill=\"none\" stroke=\"#1565c0\""
	    " stroke-width=\"1.2\" points=\"");
	for (size_t k = 0; k < p->n;) {
		int col = (int)xpos(f, p->t_ms[k]);
		int64_t hi = p->lat_ms[k];
		size_t j = k + 1;
		while (j < p->n && (int)xpos(f, p->t_ms[j]) == col) {
			if (p->lat_ms[j] > hi)
				hi = p->lat_ms[j];
			j++;
		}
		sb_addf(sb, "%s%d,%.1f", k ? " " : "", col, ylog((double)hi, ymax,
		    top, PROBE_H));
		k = j;
	}
	sb_add(sb, "\"/>\n");
	/* answers: one rect per run of samples of the same class */
	for (size_t k = 0; k < p->n;) {
		const char *c = status_class(p->status[k]);
		size_t j = k + 1;
		while (j < p->n && strcmp(status_class(p->status[j]), c) == 0)
			j++;
		double x0 = xpos(f, p->t_ms[k]);
		double x1 = j < p->n ? xpos(f, p->t_ms[j]) : xpos(f, p->t_ms[j - 1])
		    + 1;
		if (x1 - x0 < 1)
			x1 = x0 + 1;
		sb_addf(sb, "<rect class=\"status\" data-class=\"%s\" data-n=\"%zu\""
		    " data-from-ms=\"%lld\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
		    " height=\"%.1f\" fill=\"%s\"><title>%s: %zu sample(s)</title>"
		    "</rect>\n", c, j - k, (long long)p->t_ms[k], x0, strip, x1 - x0,
		    STRIP_H, class_colour(c), strcmp(c, "none") == 0 ? "no answer" :
		    c, j - k);
		k = j;
	}
	sb_add(sb, "</g>\n");
}

/* A writer's lost acknowledged writes: a red tick each on its row, at
 * when the service acknowledged it. */
static void
lost_marks(struct sbuf *sb, const struct result *r, const struct res_probe *p,
    const struct frame *f, double top)
{
	for (size_t w = 0; w < r->nwrites; w++) {
		const struct res_writes *x = &r->writes[w];
		if (strcmp(x->probe, p->name) != 0 || x->nlost_at == 0)
			continue;
		sb_addf(sb, "<g class=\"lost-writes\" data-probe=\"");
		esc_xml(sb, p->name);
		sb_addf(sb, "\" data-n=\"%zu\"><title>%llu acknowledged write(s)"
		    " lost</title>", x->nlost_at, (unsigned long long)x->lost);
		for (size_t k = 0; k < x->nlost_at; k++) {
			double px = xpos(f, x->lost_at_ms[k]);
			sb_addf(sb, "<line data-at-ms=\"%lld\" x1=\"%.1f\" y1=\"%.1f\""
			    " x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c62828\""
			    " stroke-width=\"1.5\"/>", (long long)x->lost_at_ms[k], px,
			    top + PROBE_H - 14, px, top + PROBE_H + 2 + STRIP_H);
		}
		sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
		    " fill=\"#c62828\">%llu lost</text></g>\n", xpos(f,
		    x->lost_at_ms[0]) + 3, top + PROBE_H - 16,
		    (unsigned long long)x->lost);
	}
}

static void
load_panel(struct sbuf *sb, const struct res_load *l, const struct frame *f,
    double top)
{
	double maxr = 1, maxl = 1, ymax;

	for (size_t k = 0; k < l->nsec; k++) {
		if (l->sec_requests[k] > maxr)
			maxr = l->sec_requests[k];
		if (l->sec_p99[k] > maxl)
			maxl = l->sec_p99[k];
	}
	ymax = nice_ceiling(maxl);
	sb_add(sb, "<g class=\"load\" data-name=\"");
	esc_xml(sb, l->name);
	sb_addf(sb, "\" data-seconds=\"%zu\">\n<text x=\"%.1f\" y=\"%.1f\""
	    " font-size=\"12\" font-weight=\"bold\">load ", l->nsec, LEFT, top - 6);
	esc_xml(sb, l->name);
	sb_addf(sb, "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
	    " fill=\"#555\"> requests/s (bars, errors in red; peak %.0f/s), p50"
	    " and p99 latency (lines, log scale, right)</text>\n",
	    LEFT + 8.0 * (double)strlen(l->name) + 44, top - 6, maxr);
	sb_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
	    " fill=\"none\" stroke=\"#ccc\"/>\n", LEFT, top, PW, LOAD_H);
	for (double v = 1; v <= ymax; v *= 10) {
		char b[32];
		sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
		    " fill=\"#555\">%s</text>\n", W - RIGHT + 4,
		    ylog(v, ymax, top, LOAD_H) + 3, tick_text((int64_t)v, b,
		    sizeof b));
	}
	sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
	    " text-anchor=\"end\" fill=\"#555\">%.0f/s</text>\n", LEFT - 4,
	    top + 9, maxr);
	for (size_t k = 0; k < l->nsec; k++) {
		int64_t t = l->start_ms + (int64_t)k * 1000;
		double x0 = xpos(f, t), x1 = xpos(f, t + 1000);
		double h = LOAD_H * l->sec_requests[k] / maxr;
		double he = LOAD_H * l->sec_errors[k] / maxr;
		double wdt = x1 - x0 > 2 ? x1 - x0 - 1 : 1;
		sb_addf(sb, "<g class=\"second\" data-t-s=\"%zu\" data-requests="
		    "\"%u\" data-errors=\"%u\"><title>+%zus: %u requests, %u"
		    " errors, p50 %.2fms, p99 %.2fms</title><rect x=\"%.1f\""
		    " y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#90a4ae\"/>",
		    k, l->sec_requests[k], l->sec_errors[k], k, l->sec_requests[k],
		    l->sec_errors[k], l->sec_p50[k], l->sec_p99[k], x0,
		    top + LOAD_H - h, wdt, h);
		if (he > 0)
			sb_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
			    " height=\"%.1f\" fill=\"#c62828\"/>", x0, top + LOAD_H - he,
			    wdt, he);
		sb_add(sb, "</g>\n");
	}
	for (int q = 0; q < 2; q++) {
		const double *v = q ? l->sec_p99 : l->sec_p50;
		sb_addf(sb, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\""
		    " stroke-width=\"1.5\" points=\"", q ? "p99" : "p50", q ?
		    "#6a1b9a" : "#00838f");
		for (size_t k = 0; k < l->nsec; k++)
			sb_addf(sb, "%s%.1f,%.1f", k ? " " : "", xpos(f, l->start_ms +
			    (int64_t)k * 1000 + 500), ylog(v[k], ymax, top, LOAD_H));
		sb_add(sb, "\"/>\n");
	}
	sb_add(sb, "</g>\n");
}

static void
legend(struct sbuf *sb, double y)
{
	static const char *cls[] = { "2xx", "3xx", "429", "4xx", "5xx", "none" };
	double x = LEFT;

	sb_addf(sb, "<g class=\"legend\" font-size=\"10\">\n");
	for (size_t i = 0; i < sizeof cls / sizeof *cls; i++) {
		sb_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\""
		    " fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x, y - 9,
		    class_colour(cls[i]), x + 13, y, strcmp(cls[i], "none") == 0 ?
		    "no answer" : cls[i]);
		x += strcmp(cls[i], "none") == 0 ? 70 : 42;
	}
	sb_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\""
	    " fill=\"#ff9800\" fill-opacity=\"0.3\"/><text x=\"%.1f\" y=\"%.1f\">"
	    "fault applied</text>\n", x, y - 9, x + 17, y);
	x += 90;
	sb_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
	    " stroke=\"#6a1b9a\" stroke-dasharray=\"4 3\"/><text x=\"%.1f\""
	    " y=\"%.1f\">key time</text>\n</g>\n", x, y - 9, x, y + 1, x + 4, y);
}

/* What was off by its variable, under the legend: probes and loads that
 * never ran, and how many checks were skipped. 0 when nothing was. */
static int
off_line(struct sbuf *sb, const struct result *r, double y)
{
	size_t skipped = 0;
	int any = 0;

	for (size_t i = 0; i < r->nex; i++)
		skipped += r->ex[i].outcome == O_SKIPPED;
	if (skipped == 0)
		return 0;
	sb_addf(sb, "<text class=\"off\" x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
	    " fill=\"#555\">Off by their variables, not checked: %zu check(s)",
	    LEFT, y, skipped);
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].off != NULL) {
			sb_add(sb, any++ ? "; " : " — ");
			sb_add(sb, "probe ");
			esc_xml(sb, r->probes[i].name);
			sb_add(sb, ": ");
			esc_xml(sb, r->probes[i].off);
		}
	for (size_t i = 0; i < r->nloads; i++)
		if (r->loads[i].off != NULL) {
			sb_add(sb, any++ ? "; " : " — ");
			sb_add(sb, "load ");
			esc_xml(sb, r->loads[i].name);
			sb_add(sb, ": ");
			esc_xml(sb, r->loads[i].off);
		}
	sb_add(sb, "</text>\n");
	return 1;
}

int
rpt_has_chart(const struct result *r)
{
	for (size_t i = 0; i < r->nprobes; i++)
		if (r->probes[i].n > 0)
			return 1;
	for (size_t i = 0; i < r->nloads; i++)
		if (r->loads[i].nsec > 0)
			return 1;
	return 0;
}

char *
rpt_svg(const struct result *r)
{
	struct frame f;
	struct sbuf sb;
	double y, height, first;
	size_t np = 0, nl = 0;

	if (!rpt_has_chart(r))
		return NULL;
	f = frame_of(r);
	for (size_t i = 0; i < r->nprobes; i++)
		np += r->probes[i].n > 0;
	for (size_t i = 0; i < r->nloads; i++)
		nl += r->loads[i].nsec > 0;
	double offh = 0;
	for (size_t i = 0; i < r->nex && offh == 0; i++)
		if (r->ex[i].outcome == O_SKIPPED)
			offh = 14;
	height = TOP + 20 + offh + (double)np * (PROBE_H + STRIP_H + GAP) +
	    (double)nl * (LOAD_H + GAP) + 40;
	sb_init(&sb);
	sb_addf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg"
	    " xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
	    " viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica,"
	    " Arial, sans-serif\" data-drill=\"", W, height, W, height);
	esc_xml(&sb, r->drill);
	sb_addf(&sb, "\" data-verdict=\"%s\" data-from-ms=\"%lld\""
	    " data-to-ms=\"%lld\">\n<title>", res_verdict_name(r->verdict),
	    (long long)f.lo, (long long)f.hi);
	esc_xml(&sb, r->drill);
	sb_addf(&sb, ": %s</title>\n<rect width=\"100%%\" height=\"100%%\""
	    " fill=\"#fff\"/>\n<text x=\"%.1f\" y=\"18\" font-size=\"14\""
	    " font-weight=\"bold\">", res_verdict_name(r->verdict), LEFT);
	esc_xml(&sb, r->drill);
	sb_addf(&sb, " — <tspan fill=\"%s\">%s</tspan></text>\n",
	    r->verdict == V_PASS ? "#2e7d32" : r->verdict == V_INVALID ?
	    "#ef6c00" : "#c62828", res_verdict_name(r->verdict));
	legend(&sb, 36);
	off_line(&sb, r, 50);
	first = y = TOP + 20 + offh;
	for (size_t i = 0; i < r->nprobes; i++) {
		if (r->probes[i].n == 0)
			continue;
		probe_panel(&sb, &r->probes[i], &f, y);
		lost_marks(&sb, r, &r->probes[i], &f, y);
		y += PROBE_H + STRIP_H + GAP;
	}
	for (size_t i = 0; i < r->nloads; i++) {
		if (r->loads[i].nsec == 0)
			continue;
		load_panel(&sb, &r->loads[i], &f, y);
		y += LOAD_H + GAP;
	}
	fault_windows(&sb, r, &f, first, y - GAP + 2, f.hi);
	key_times(&sb, r, &f, first, y - GAP + 2);
	abort_mark(&sb, r, &f, first, y - GAP + 2);
	axis(&sb, &f, y - GAP + 8);
	sb_add(&sb, "</svg>\n");
	return sb_detach(&sb);
}
