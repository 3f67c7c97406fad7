/*
 * expect_text.c — the names of an expectation's parts and the one line
 * people read for it in the plan, the timeline and the reports.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "../base/units.h"

static const char *const write_what_names[] = { "lost", "rpo", "rto",
    "acknowledged" };
_Static_assert(sizeof write_what_names / sizeof *write_what_names == WW_N,
    "a name per write_what");
static const char *const load_what_names[] = { "errors", "p50", "p90", "p95",
    "p99", "max", "rps", "requests", "rejected", "accepted_p95", "retry_after",
    "dropped" };
/* what each bound is: 'p' a share, 'd' a duration, 'n' a number */
static const char load_what_unit[] = "pdddddnnpdpn";
_Static_assert(sizeof load_what_unit == LW_N + 1, "a unit per load_what");
_Static_assert(sizeof load_what_names / sizeof *load_what_names == LW_N,
    "a name per load_what");
static const char *const phase_names[] = { "before", "fault", "after", "all",
    NULL };

/* NULL past the last */
const char *
expect_phase_name(int i)
{
	return i >= 0 && i < (int)(sizeof phase_names / sizeof *phase_names) ?
	    phase_names[i] : NULL;
}

const char *
expect_load_what_name(enum load_what w)
{
	return load_what_names[w];
}

const char *
expect_write_what_name(enum write_what w)
{
	return write_what_names[w];
}

char
expect_load_what_unit(enum load_what w)
{
	return load_what_unit[w];
}

const char *
expect_mode_name(enum expect_mode m)
{
	static const char *names[] = { "now", "within", "holds", "never" };

	return names[m];
}

const char *
expect_op_name(int op)
{
	return op == '<' ? "<" : op == 'L' ? "<=" : op == '>' ? ">" : ">=";
}

static void
describe_process(const struct scen_expect *x, struct sbuf *sb)
{
	char b[32];
	const char *name = x->ref;

	if (x->exits) {
		sb_addf(sb, "%s exits", name);
		if (x->exit_code >= 0)
			sb_addf(sb, " with code %d", x->exit_code);
		else if (x->exit_clean)
			sb_add(sb, " cleanly (code 0, or by the signal it was sent)");
		else if (x->exit_signal > 0)
			sb_addf(sb, " killed by signal %d", x->exit_signal);
		return;
	}
	if (x->trend_bytes >= 0) {
		sb_addf(sb, "%s RSS trend %s %.2f MiB per %s over %s", name,
		    expect_op_name(x->trend_op), x->trend_bytes / 1048576.0,
		    x->trend_per == TREND_MINUTE ? "minute" : "1000 requests",
		    units_fmt_ms(x->over_ms, b, sizeof b));
	} else if (x->rss_growth_bytes >= 0) {
		sb_addf(sb, "%s RSS growth %s %.1f MiB", name,
		    expect_op_name(x->rss_op),
		    (double)x->rss_growth_bytes / 1048576.0);
	} else {
		sb_addf(sb, "%s %s", name, x->alive ? "alive" : "not alive");
		return;
	}
	if (x->alive >= 0)
		sb_addf(sb, ", %s", x->alive ? "alive" : "not alive");
}

static void
describe_load(const struct scen_expect *x, struct sbuf *sb)
{
	if (x->abort)	/* watched over its window, not a phase */
		sb_addf(sb, "load %s: ", x->ref);
	else
		sb_addf(sb, "load %s (%s): ", x->ref, phase_names[x->phase]);
	for (size_t i = 0; i < x->nlm; i++) {
		const struct load_match *m = &x->lm[i];
		sb_addf(sb, "%s%s %s ", i ? ", " : "", load_what_names[m->what],
		    expect_op_name(m->op));
		if (load_what_unit[m->what] == 'p')
			sb_addf(sb, "%g%%", m->v * 100);
		else if (load_what_unit[m->what] == 'd')
			sb_addf(sb, "%gms", m->v);
		else
			sb_addf(sb, "%g%s", m->v, m->what == LW_RPS ? "/s" : "");
	}
	if (x->off_parts != NULL)
		sb_addf(sb, x->nlm ? " (not checked: %s)" : "%s", x->off_parts);
}

char *
expect_describe(const struct scen_expect *x)
{
	struct sbuf sb;
	char buf[32];

	sb_init(&sb);
	if (x->slo_burn) {
		sb_addf(&sb, "SLO burn rate %s %g", expect_op_name(x->burn_op),
		    x->burn_v);
	} else if (x->no_answer) {
		sb_addf(&sb, "%s: no answer", x->ref);
	} else if (x->writes >= 0) {
		sb_addf(&sb, "writes of %s: ", x->ref);
		for (size_t i = 0; i < x->nwm; i++) {
			const struct write_match *m = &x->wm[i];
			sb_addf(&sb, "%s%s %s ", i ? ", " : "",
			    write_what_names[m->what], expect_op_name(m->op));
			if (m->what == WW_RPO || m->what == WW_RTO)
				sb_add(&sb, units_fmt_ms((int64_t)m->v, buf, sizeof buf));
			else
				sb_addf(&sb, "%g", m->v);
		}
	} else if (x->process >= 0) {
		describe_process(x, &sb);
	} else if (x->load >= 0) {
		describe_load(x, &sb);
	} else {
		sb_addf(&sb, "%s: ", x->ref);
		for (size_t i = 0; i < x->nm; i++) {
			char *d = match_describe(&x->m[i]);
			sb_addf(&sb, "%s%s", i ? ", " : "", d);
			free(d);
		}
		/* what a variable switched off is named, with why */
		if (x->off_parts != NULL)
			sb_addf(&sb, x->nm ? " (not checked: %s)" : "%s",
			    x->off_parts);
	}
	if (x->mode == EX_WITHIN)
		sb_addf(&sb, " within %s", units_fmt_ms(x->dur_ms, buf, sizeof buf));
	else if (x->mode == EX_HOLDS)
		sb_addf(&sb, " holds %s", units_fmt_ms(x->dur_ms, buf, sizeof buf));
	else if (x->mode == EX_NEVER)
		sb_add(&sb, " never while a fault is active");
	else if (x->abort && x->dur_ms > 0)
		sb_addf(&sb, " for %s", units_fmt_ms(x->dur_ms, buf, sizeof buf));
	return sb_detach(&sb);
}
