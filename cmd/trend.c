/*
 * trend.c — `shakedown report --history` and `--compare`, and what `run
 * --baseline` shares with them: game days read back from their folders
 * (result.json is the one source), laid out over time or compared with a
 * baseline (reports/trend.h). Parses and prints; the work is in reports/.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "../reports/report.h"
#include "../reports/trend.h"
#include "cmd.h"
#include "inputs.h"
#include "trend.h"

int
cmd_tolerance(const char *arg, struct cmp_tolerance *tol, size_t *n,
    struct sd_err *e)
{
	const char *eq = strrchr(arg, '=');
	const char *v = eq ? eq + 1 : arg;
	struct cmp_tolerance t = { NULL, -1, -1 };
	size_t len = strlen(v);
	int64_t ms;

	if (*n == CMD_MAX_TOLERANCE)
		return err_set(e, "--tolerance: at most %d", CMD_MAX_TOLERANCE);
	if (len > 0 && v[len - 1] == '%') {
		if (units_percent(v, &t.pct, e) == -1)
			return err_prefix(e, "--tolerance");
	} else if (units_duration_ms(v, &ms, e) == -1) {
		return err_set(e, "--tolerance '%s': [KEY-TIME=]20%% or"
		    " [KEY-TIME=]500ms", arg);
	} else {
		t.abs_ms = (double)ms;
	}
	if (eq != NULL)
		t.name = xstrndup(arg, (size_t)(eq - arg));
	tol[(*n)++] = t;
	return 0;
}

void
cmd_tolerance_free(struct cmp_tolerance *tol, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tol[i].name);
}

/* One game day from one argument (a run's folder, a result.json). */
int
cmd_game_day(const char *arg, const char *who, struct trend_day *day)
{
	struct inputs in = { 0 };
	const struct result **rs;

	in.who = who;
	if (inputs_collect(&in, arg) == -1) {
		inputs_free(&in);
		return -1;
	}
	rs = xcalloc(in.n + 1, sizeof *rs);
	for (size_t i = 0; i < in.n; i++)
		rs[i] = in.v[i].r;
	trend_day_of(day, arg, rs, in.n);
	free(rs);
	inputs_free(&in);
	return 0;
}

static int
by_date(const void *a, const void *b)
{
	const struct trend_day *x = a, *y = b;

	if (x->started_ms != y->started_ms)
		return x->started_ms < y->started_ms ? -1 : 1;
	return strcmp(x->label, y->label);
}

static int
put(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct sd_err e;
	int rc = write_file_atomic(p, text, strlen(text), &e);

	if (rc == -1)
		cmd_error("report: %s", e.msg);
	free(p);
	return rc;
}

enum cmd_retval
cmd_history(char *const *args, size_t n, const char *out)
{
	struct trend_day *days = xcalloc(n ? n : 1, sizeof *days);
	enum cmd_retval rc = CMD_OK;
	struct sd_err e;
	size_t nd = 0;

	for (size_t i = 0; i < n; i++) {
		if (cmd_game_day(args[i], "report", &days[nd]) == -1) {
			rc = CMD_USAGE;
			goto done;
		}
		nd++;
	}
	qsort(days, nd, sizeof *days, by_date);
	char *md = rpt_history_md(days, nd), *svg = rpt_history_svg(days, nd);
	if (mkdir_p(out, 0755, &e) == -1) {
		cmd_error("report: %s", e.msg);
		rc = CMD_FAILED;
	} else if (put(out, "HISTORY.md", md) == -1 ||
	    put(out, "history.svg", svg) == -1) {
		rc = CMD_FAILED;
	} else if (!g_opts.quiet) {
		cmd_out("%s/HISTORY.md: %zu game day(s)\n", out, nd);
	}
	free(md);
	free(svg);
done:
	for (size_t i = 0; i < nd; i++)
		trend_day_free(&days[i]);
	free(days);
	return rc;
}

enum cmd_retval
cmd_compare(const char *base_arg, const char *now_arg, const char *out,
    const struct cmp_tolerance *tol, size_t ntol, int fail)
{
	struct trend_day base, now;
	struct cmp_result c;
	enum cmd_retval rc = CMD_OK;

	if (cmd_game_day(base_arg, "report", &base) == -1)
		return CMD_USAGE;
	if (cmd_game_day(now_arg, "report", &now) == -1) {
		trend_day_free(&base);
		return CMD_USAGE;
	}
	rpt_compare(&base, &now, tol, ntol, &c);
	char *text = rpt_compare_text(&c, base.label);
	cmd_out("%s", text);
	free(text);
	if (out != NULL) {
		struct sd_err e;
		char *md = rpt_compare_md(&c, base.label);
		if (mkdir_p(out, 0755, &e) == -1 || put(out, "COMPARE.md", md) ==
		    -1)
			rc = CMD_FAILED;
		free(md);
	}
	if (rc == CMD_OK && fail && c.regressions > 0)
		rc = CMD_REGRESSED;
	rpt_compare_result_free(&c);
	trend_day_free(&base);
	trend_day_free(&now);
	return rc;
}
