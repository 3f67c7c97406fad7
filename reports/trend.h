/*
 * trend.h — results over time: what a game day measured per drill (its
 * verdict, each key time with its resolution and bound, lost writes and
 * RPO, the SLO budget spent), read from results (result.json read back:
 * result.json stays the one source), laid out as a history (HISTORY.md,
 * history.svg) or compared with a baseline (the regression gate).
 *
 * A game day is a set of results (a run's folder); it is dated by its
 * earliest start. A drill absent from a game day is a gap, never a zero.
 */
#ifndef SD_RPT_TREND_H
#define SD_RPT_TREND_H

#include "../lib/base/result.h"
#include "text.h"

/* What one drill measured: 't' a time (ms, the truth in [v - res, v]),
 * 'n' a count, 'p' a share in percent. */
struct trend_metric {
	char *name;
	char kind;
	int set;		/* measured (a key time not reached: 0) */
	double v, res;
	double bound;		/* within:, -1 */
	double regress_pct;	/* the drill's regress:, -1 */
	double regress_abs;	/* ... as a duration (ms), -1 */
};

struct trend_drill {
	char *drill;
	enum verdict verdict;
	int64_t started_ms;
	struct trend_metric *m;
	size_t nm;
};

struct trend_day {
	char *label;		/* where it came from (a folder) */
	int64_t started_ms;	/* its earliest drill's start */
	struct trend_drill *d;
	size_t nd;
};

/* A game day of these results (borrowed; label copied). */
void trend_day_of(struct trend_day *day, const char *label,
    const struct result *const *rs, size_t n);
void trend_day_free(struct trend_day *day);
const struct trend_drill *trend_find(const struct trend_day *day,
    const char *drill);
const struct trend_metric *trend_metric(const struct trend_drill *d,
    const char *name);
/* "1.20s (res 12ms)", "3", "42.0%", "—" */
char *trend_value_text(const struct trend_metric *m, char *buf, size_t len);

/* history.c: over game days sorted oldest first */
char *rpt_history_md(const struct trend_day *days, size_t n);
char *rpt_history_svg(const struct trend_day *days, size_t n);

/* compare.c: the regression gate */
struct cmp_tolerance {
	char *name;		/* a key time's name; NULL: every one */
	double pct;		/* a share, -1 */
	double abs_ms;		/* a duration, -1 */
};

struct cmp_item {
	char *drill;
	char *what;		/* "verdict", a metric's name, "drill" */
	char *detail;		/* "PASS → FAIL", "1.20s → 3.40s (+183%, over
				 * the 20% allowed)" */
	int regression;
};

struct cmp_result {
	struct cmp_item *items;
	size_t n, cap;
	size_t regressions, improvements;
};

/* Default tolerance of a key time: 20 % worse, beyond both resolutions. */
#define CMP_DEFAULT_PCT 0.20

void rpt_compare(const struct trend_day *base, const struct trend_day *now,
    const struct cmp_tolerance *tol, size_t ntol, struct cmp_result *out);
void rpt_compare_result_free(struct cmp_result *c);
/* One result against the baseline's run of its drill, into r->cmp (kept
 * in result.json, so REPORT.md shows it and re-renders it). */
void rpt_compare_result(struct result *r, const struct trend_day *base,
    const struct cmp_tolerance *tol, size_t ntol);
/* The comparison as a markdown section (for REPORT.md, SUMMARY.md, the
 * job summary) and as terminal lines. */
char *rpt_compare_md(const struct cmp_result *c, const char *base_label);
char *rpt_compare_text(const struct cmp_result *c, const char *base_label);

#endif
