/*
 * markdown.c — the report a person reads: the verdict first, then the
 * measured key times with their resolution, every expectation (expected vs
 * observed), the faults and their reverts, the probes, and the timeline in
 * ms from the start of faults. Also the short stdout summary and the
 * game-day summary of several drills.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "report.h"

/* Text from a file or a service, in a table cell or a line: escaped
 * (lib/base/escape.h). */
static void
cell(struct sbuf *sb, const char *s)
{
	esc_md(sb, s);
}

/* ... and as code: a URL, a file name. */
static void
code(struct sbuf *sb, const char *s)
{
	esc_md_code(sb, s);
}

static const char *
mark(enum outcome o)
{
	return o == O_PASS ? "✅ pass" : o == O_FAIL ? "❌ FAIL" :
	    o == O_ERROR ? "⚠️ error" : "– skipped";
}

static void
key_times(struct sbuf *sb, const struct result *r)
{
	char k[256], b[32];
	int any = 0;

	for (size_t i = 0; i < r->nex; i++) {
		const struct res_expect *x = &r->ex[i];
		if (x->as == NULL)
			continue;
		if (!any) {
			sb_add(sb, "## Key times\n\n| time | measured | resolution |"
			    " what |\n|---|---|---|---|\n");
			any = 1;
		}
		sb_add(sb, "| **");
		cell(sb, x->as);
		sb_addf(sb, "** | %s | %s | ", rpt_key_text(x, k, sizeof k),
		    x->elapsed_ms < 0 ? "-" : units_fmt_ms(x->resolution_ms, b,
		    sizeof b));
		cell(sb, x->text);
		sb_add(sb, " |\n");
	}
	for (size_t w = 0; w < r->nwrites; w++) {
		struct rpt_wkey wk[2];
		size_t nk = rpt_writer_keys(r, w, wk);
		for (size_t i = 0; i < nk; i++) {
			if (!any) {
				sb_add(sb, "## Key times\n\n| time | measured | resolution"
				    " | what |\n|---|---|---|---|\n");
				any = 1;
			}
			sb_add(sb, "| **");
			cell(sb, wk[i].name);
			sb_addf(sb, "** | %s | %s | ", rpt_writer_key_text(r, w, i,
			    &wk[i], k, sizeof k), units_fmt_ms(wk[i].res_ms, b,
			    sizeof b));
			cell(sb, i == 0 ? "the acknowledged work that is gone: from the"
			    " first lost acknowledged write to the last" : "the write"
			    " outage: from the first failed write to the next"
			    " acknowledged one");
			sb_add(sb, " |\n");
		}
	}
	if (any)
		sb_add(sb, "\nA key time counts from the end of the fault step"
		    " before it. The change happened after the last probe sample"
		    " that did not see it was sent and before the first that did"
		    " answered: the resolution is that gap (the probe samples every"
		    " few ms while a key time is measured, one request at a time, so"
		    " a slow answer widens it). Where the step itself took time, the"
		    " time from its start is given too, and a change already seen"
		    " before the step ended is said so; a condition that held before"
		    " the step began is not timed.\n\n");
}

static void
load_table(struct sbuf *sb, const struct result *r)
{
	static const char *phase[] = { "before", "fault", "after", "all" };

	for (size_t i = 0; i < r->nloads; i++) {
		const struct res_load *l = &r->loads[i];
		sb_add(sb, "\n## Load: ");
		cell(sb, l->name);
		sb_add(sb, "\n\n");
		code(sb, l->url);
		sb_addf(sb, ", %d connection(s), ", l->connections);
		if (l->rate > 0)
			sb_addf(sb, "open model at %.0f/s (latency from the intended"
			    " send time)\n\n", l->rate);
		else
			sb_add(sb, "closed model\n\n");
		sb_add(sb, "| phase | requests | rps | p50 | p90 | p95 | p99 | p99.9 |"
		    " max | errors | 2xx | 4xx | 5xx | connect | timeout | reset |\n"
		    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
		for (int p = 0; p < 4; p++) {
			const struct res_load_phase *ph = &l->ph[p];
			if (p < 3 && ph->seconds <= 0 && ph->requests == 0)
				continue;
			sb_addf(sb, "| %s | %llu | %.1f | %.2fms | %.2fms | %.2fms |"
			    " %.2fms | %.2fms | %.2fms | %.2f%% | %llu | %llu | %llu |"
			    " %llu | %llu | %llu |\n", phase[p],
			    (unsigned long long)ph->requests, ph->rps, ph->p50, ph->p90,
			    ph->p95, ph->p99, ph->p999, ph->max, ph->requests ?
			    100.0 * (double)ph->errors / (double)ph->requests : 0.0,
			    (unsigned long long)ph->s2xx, (unsigned long long)ph->s4xx,
			    (unsigned long long)ph->s5xx,
			    (unsigned long long)ph->transport[0],
			    (unsigned long long)ph->transport[1],
			    (unsigned long long)ph->transport[2]);
		}
		if (l->nsec > 0) {
			sb_add(sb, "\nPer second (requests / errors / p99 ms):\n\n```\n");
			for (size_t k = 0; k < l->nsec; k++)
				sb_addf(sb, "%4zus %7u %5u %8.2f\n", k, l->sec_requests[k],
				    l->sec_errors[k], l->sec_p99[k]);
			sb_add(sb, "```\n");
		}
	}
}

static void
guard_table(struct sbuf *sb, const struct result *r)
{
	for (size_t i = 0; i < r->nbursts; i++) {
		const struct res_burst *b = &r->bursts[i];
		sb_add(sb, "\n## Burst: ");
		cell(sb, b->label);
		sb_addf(sb, "\n\n%d users x %d requests, released in %lldus%s",
		    b->users, b->per_user, (long long)b->release_us,
		    b->concurrent ? "" : " — not all in flight together: ");
		if (!b->concurrent)
			cell(sb, b->why);
		sb_add(sb, "\n\n| user | sent | accepted | rejected as expected |"
		    " other |\n|---|---|---|---|---|\n");
		for (int u = 0; u < b->users; u++)
			sb_addf(sb, "| %d | %d | %d | %d | %d |\n", u + 1, b->per_user,
			    b->accepted[u], b->rejected[u], b->other[u]);
	}
}

static void
expect_table(struct sbuf *sb, const struct result *r)
{
	char a[32];

	if (r->nex == 0) {
		sb_add(sb, "## Expectations\n\nNone was decided: the drill"
		    " stopped before its first check.\n\n");
		return;
	}
	sb_add(sb, "## Expectations\n\n| # | phase | expected | observed |"
	    " result |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->nex; i++) {
		const struct res_expect *x = &r->ex[i];
		sb_addf(sb, "| %zu | ", i + 1);
		cell(sb, x->phase);
		sb_add(sb, " | ");
		cell(sb, x->text);
		sb_add(sb, " | ");
		cell(sb, x->observed ? x->observed : "");
		if (x->elapsed_ms >= 0)
			sb_addf(sb, " (after %s)", units_fmt_ms(x->elapsed_ms, a,
			    sizeof a));
		sb_addf(sb, " | %s |\n", mark(x->outcome));
	}
}

static void
fault_table(struct sbuf *sb, const struct result *r)
{
	if (r->nfaults == 0)
		return;
	sb_add(sb, "\n## Faults\n\n| applied | fault | landed? | reverted |"
	    " revert |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct res_fault *f = &r->faults[i];
		sb_addf(sb, "| %+lldms | ", (long long)f->applied_ms);
		cell(sb, f->what);
		if (f->note) {
			sb_add(sb, " — ");
			cell(sb, f->note);
		}
		/* what the fault measured of its own effect */
		sb_add(sb, " | ");
		if (f->proof != NULL) {
			sb_addf(sb, "%s ", strcmp(f->proof, "confirmed") == 0 ? "✅" :
			    "⚠️");
			cell(sb, f->proof);
			if (f->proof_figure != NULL) {
				sb_add(sb, ": ");
				cell(sb, f->proof_figure);
			}
		} else {
			sb_add(sb, f->applied ? "not measured" : "-");
		}
		if (f->reverted)
			sb_addf(sb, " | %+lldms | ", (long long)f->reverted_ms);
		else
			sb_add(sb, " | - | ");
		cell(sb, f->revert ? f->revert : "one-shot, nothing to undo");
		if (f->error) {
			sb_add(sb, " **error:** ");
			cell(sb, f->error);
		}
		sb_add(sb, " |\n");
	}
}

static void
probe_table(struct sbuf *sb, const struct result *r)
{
	if (r->nprobes == 0)
		return;
	sb_add(sb, "\n## Probes\n\n| probe | url | every | samples | no"
	    " answer | p50 | p95 | max |\n|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->nprobes; i++) {
		const struct res_probe *p = &r->probes[i];
		sb_add(sb, "| ");
		cell(sb, p->name);
		sb_add(sb, " | ");
		code(sb, p->url);
		sb_addf(sb, " | %lldms | %zu | %zu | %.0fms | %.0fms | %.0fms |\n",
		    (long long)p->every_ms, p->samples, p->errors, p->p50_ms,
		    p->p95_ms, p->max_ms);
	}
}

static void
slo_section(struct sbuf *sb, const struct result *r)
{
	if (!r->slo.set)
		return;
	sb_add(sb, "\n## SLO and error budget\n\nFrom load ");
	code(sb, r->slo.load);
	sb_addf(sb, ": %llu requests over %.1fs, %llu errors (transport or"
	    " 5xx).\n\n", (unsigned long long)r->slo.requests, r->slo.window_s,
	    (unsigned long long)r->slo.errors);
	if (r->slo.availability >= 0)
		sb_addf(sb, "Availability objective %g%%: the budget for this"
		    " window is %.1f failed requests, or %.3fs of total"
		    " unavailability; the drill burned **%.1f%%** of it"
		    " (%.3fs).\n", r->slo.availability * 100, r->slo.budget_requests,
		    r->slo.budget_s, r->slo.burned_pct, r->slo.burned_s);
	if (r->slo.availability >= 0 && r->slo.period_s > 0)
		sb_addf(sb, "\nOver the objective's %.0f-day window the error budget"
		    " is %.1f min; this drill spent **%.4f%%** of it. Burn rate"
		    " during the drill: **%.2fx** (1x spends the whole budget in"
		    " exactly %.0f days; a sustained 14.4x spends 2%% of it in an"
		    " hour, the usual page).\n", r->slo.period_s / 86400.0,
		    r->slo.period_budget_s / 60.0, r->slo.period_burned_pct,
		    r->slo.burn_rate, r->slo.period_s / 86400.0);
}

static void
writes_section(struct sbuf *sb, const struct result *r)
{
	char b1[32], b2[32];

	if (r->nwrites == 0)
		return;
	sb_add(sb, "\n## Writes\n\nEach write the service acknowledged,"
	    " looked up in its database. RPO: the longest stretch of time whose"
	    " acknowledged writes are gone; RTO: the longest stretch in which"
	    " writes failed.\n\n| writer | checked at | acknowledged | failed |"
	    " **lost** | RPO | RTO | lost keys |\n|---|---|---|---|---|---|---|"
	    "---|\n");
	for (size_t i = 0; i < r->nwrites; i++) {
		const struct res_writes *w = &r->writes[i];
		sb_add(sb, "| ");
		cell(sb, w->probe);
		sb_addf(sb, " | %+lldms | %llu | %llu | **%llu** | %s | %s%s | ",
		    (long long)w->at_ms, (unsigned long long)w->acknowledged,
		    (unsigned long long)w->failed, (unsigned long long)w->lost,
		    units_fmt_ms(w->rpo_ms, b1, sizeof b1),
		    units_fmt_ms(w->rto_ms, b2, sizeof b2),
		    w->recovered ? "" : " (still failing)");
		cell(sb, w->lost_keys ? w->lost_keys : "");
		sb_add(sb, " |\n");
	}
}

/* A code block of the events: a line may hold anything but can end
 * nothing (the fence is longer than any run of backticks in it, and
 * control characters are spaces). */
static void
timeline(struct sbuf *sb, const struct result *r)
{
	const char **lines = xcalloc(r->nevents + 1, sizeof *lines);
	char fence[16];

	for (size_t i = 0; i < r->nevents; i++)
		lines[i] = r->events[i].what;
	esc_md_fence(lines, r->nevents, fence, sizeof fence);
	free(lines);
	sb_addf(sb, "\n## Timeline\n\nms from the start of faults.\n\n%s\n",
	    fence);
	for (size_t i = 0; i < r->nevents; i++) {
		sb_addf(sb, "%+9lld  ", (long long)r->events[i].t_ms);
		for (const char *p = r->events[i].what; p && *p; p++) {
			int ctl = (unsigned char)*p < 0x20 || *p == 0x7f;
			sb_addn(sb, ctl ? " " : p, 1);
		}
		sb_add(sb, "\n");
	}
	sb_addf(sb, "%s\n", fence);
}

/* A guardrail stopped the drill: what, the value, when, how fast every
 * fault was reverted. */
static void
abort_section(struct sbuf *sb, const struct result *r)
{
	char a[32], b[32];

	if (!r->abort.set)
		return;
	sb_add(sb, "## Stopped by a guardrail\n\n| by | condition | observed |"
	    " at | every fault reverted in |\n|---|---|---|---|---|\n| ");
	cell(sb, r->abort.by);
	sb_add(sb, " | ");
	cell(sb, r->abort.condition);
	if (r->abort.line > 0)
		sb_addf(sb, " (line %d)", r->abort.line);
	else if (strcmp(r->abort.by, "abort condition") == 0)
		sb_add(sb, " (--abort-if)");
	sb_add(sb, " | ");
	cell(sb, r->abort.observed);
	sb_addf(sb, " | %s | %s |\n\nABORTED is neither a PASS nor a FAIL: the"
	    " drill was stopped before it could show whether the service keeps"
	    " its claim.\n\n", units_fmt_ms(r->abort.at_ms, a, sizeof a),
	    r->abort.reverted_in_ms < 0 ? "nothing was applied" :
	    units_fmt_ms(r->abort.reverted_in_ms, b, sizeof b));
}

/* Against a baseline: what changed beyond its tolerance. */
static void
compare_section(struct sbuf *sb, const struct result *r)
{
	if (!r->cmp.set)
		return;
	sb_add(sb, "## Compared with the baseline\n\nBaseline: ");
	code(sb, r->cmp.baseline);
	if (!r->cmp.in_baseline) {
		sb_add(sb, " — this drill was not in it.\n\n");
		return;
	}
	sb_addf(sb, " — **%zu regression(s)**, %zu improvement(s).\n\n",
	    r->cmp.regressions, r->cmp.improvements);
	if (r->cmp.n == 0) {
		sb_add(sb, "Nothing changed beyond its tolerance.\n\n");
		return;
	}
	sb_add(sb, "| what | change | |\n|---|---|---|\n");
	for (size_t i = 0; i < r->cmp.n; i++) {
		sb_add(sb, "| ");
		cell(sb, r->cmp.items[i].what);
		sb_add(sb, " | ");
		cell(sb, r->cmp.items[i].detail);
		sb_addf(sb, " | %s |\n", r->cmp.items[i].regression ?
		    "❌ regression" : "");
	}
	sb_add(sb, "\n");
}

char *
rpt_markdown(const struct result *r)
{
	struct sbuf sb;
	char ts[40], a[32];
	size_t fails = 0;

	for (size_t i = 0; i < r->nex; i++)
		fails += r->ex[i].outcome == O_FAIL;
	sb_init(&sb);
	sb_add(&sb, "# ");
	cell(&sb, r->drill);
	sb_add(&sb, " — ");
	cell(&sb, r->title);
	sb_addf(&sb, "\n\n**Verdict: %s**", res_verdict_name(r->verdict));
	if (r->verdict == V_FAIL)
		sb_addf(&sb, " — %zu expectation(s) not met", fails);
	if (r->verdict == V_INVALID)
		sb_add(&sb, " — a fault did not land, so this run tested"
		    " nothing: see *landed?* under Faults");
	if (r->reason) {
		sb_add(&sb, " — ");
		cell(&sb, r->reason);
	}
	size_t skipped = 0;
	for (size_t i = 0; i < r->nex; i++)
		skipped += r->ex[i].outcome == O_SKIPPED;
	if (skipped > 0)
		sb_addf(&sb, " — %zu check(s) skipped, off by their variables (see"
		    " below)", skipped);
	if (r->tls_insecure != NULL) {
		sb_add(&sb, "\n\n⚠ **TLS certificates were not verified** (insecure:"
		    " true) for ");
		cell(&sb, r->tls_insecure);
		sb_add(&sb, ": an impostor would have passed.");
	}
	sb_add(&sb, "\n\n- target: ");
	code(&sb, r->target);
	sb_add(&sb, "\n- scenario: ");
	code(&sb, r->file);
	sb_addf(&sb, "\n- started: %s\n- duration: %s\n\n",
	    iso8601_ms(r->started_wall_ms, ts, sizeof ts),
	    units_fmt_ms(r->duration_ms, a, sizeof a));
	if (rpt_has_chart(r))
		sb_add(&sb, "![Timeline: each probe's latency and answers, the"
		    " load per second, the fault windows shaded and the key times"
		    " marked](timeline.svg)\n\n");
	abort_section(&sb, r);
	compare_section(&sb, r);
	key_times(&sb, r);
	expect_table(&sb, r);
	fault_table(&sb, r);
	probe_table(&sb, r);
	load_table(&sb, r);
	guard_table(&sb, r);
	writes_section(&sb, r);
	slo_section(&sb, r);
	timeline(&sb, r);
	return sb_detach(&sb);
}

char *
rpt_summary(const struct result *r)
{
	struct sbuf sb;
	char k[256];

	sb_init(&sb);
	sb_addf(&sb, "%-7s %s — %s", res_verdict_name(r->verdict), r->drill,
	    r->title);
	if (r->tls_insecure != NULL)
		sb_addf(&sb, " (INSECURE TLS: certificates not verified for %s)",
		    r->tls_insecure);
	if (r->reason)
		sb_addf(&sb, "\n        %s", r->reason);
	for (size_t i = 0; i < r->nex; i++) {
		const struct res_expect *x = &r->ex[i];
		if (x->as != NULL && (x->elapsed_ms >= 0 || x->no_change))
			sb_addf(&sb, "\n        %s: %s", x->as, rpt_key_text(x, k,
			    sizeof k));
		if (x->outcome == O_FAIL || x->outcome == O_ERROR)
			sb_addf(&sb, "\n        %s %s (line %d): expected %s;"
			    " observed %s", x->outcome == O_FAIL ? "failed" :
			    "error", x->phase, x->line, x->text,
			    x->observed ? x->observed : "nothing");
		else if (x->outcome == O_SKIPPED)
			sb_addf(&sb, "\n        skipped %s (line %d): %s (%s)",
			    x->phase, x->line, x->text, x->observed ? x->observed :
			    "off");
	}
	for (size_t w = 0; w < r->nwrites; w++) {
		struct rpt_wkey wk[2];
		size_t nk = rpt_writer_keys(r, w, wk);
		sb_addf(&sb, "\n        writes: %llu acknowledged, %llu lost",
		    (unsigned long long)r->writes[w].acknowledged,
		    (unsigned long long)r->writes[w].lost);
		for (size_t i = 0; i < nk; i++)
			sb_addf(&sb, "\n        %s: %s", wk[i].name,
			    rpt_writer_key_text(r, w, i, &wk[i], k, sizeof k));
	}
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct res_fault *f = &r->faults[i];
		if (f->error)
			sb_addf(&sb, "\n        fault (line %d): %s", f->line,
			    f->error);
		/* did it land: what the fault measured of its own effect */
		if (f->proof != NULL)
			sb_addf(&sb, "\n        fault (line %d) landed? %s: %s",
			    f->line, f->proof, f->proof_figure ? f->proof_figure :
			    "");
		else if (f->applied && r->verdict == V_INVALID)
			sb_addf(&sb, "\n        fault (line %d) landed? not measured",
			    f->line);
	}
	return sb_detach(&sb);
}

char *
rpt_gameday(const struct result *const *rs, char *const *dirs, size_t n,
    int links)
{
	struct sbuf sb;
	size_t pass = 0;
	char a[256];

	for (size_t i = 0; i < n; i++)
		pass += rs[i]->verdict == V_PASS;
	sb_init(&sb);
	sb_addf(&sb, "# Game day — %zu of %zu drill(s) passed\n\n| drill | verdict"
	    " | started | key times |%s\n|---|---|---|---|%s\n", pass, n, links ?
	    " report |" : "", links ? "---|" : "");
	for (size_t i = 0; i < n; i++) {
		char *safe = dirs != NULL && dirs[i] != NULL ? NULL :
		    safe_name(rs[i]->drill);
		const char *d = safe ? safe : dirs[i];
		sb_add(&sb, "| ");
		cell(&sb, rs[i]->drill);
		sb_addf(&sb, " | **%s**%s | %s | ", res_verdict_name(rs[i]->verdict),
		    rs[i]->tls_insecure ? " (insecure TLS: not verified)" : "",
		    iso8601_ms(rs[i]->started_wall_ms, a, sizeof a));
		int any = 0;
		for (size_t k = 0; k < rs[i]->nex; k++)
			if (rs[i]->ex[k].as && rs[i]->ex[k].elapsed_ms >= 0) {
				sb_add(&sb, any++ ? "; " : "");
				cell(&sb, rs[i]->ex[k].as);
				sb_addf(&sb, " %s", rpt_key_text(&rs[i]->ex[k], a,
				    sizeof a));
			}
		sb_addf(&sb, "%s |", any ? "" : "-");
		if (links) {
			/* the folder is a safe file name already (safe_name) */
			sb_add(&sb, " [");
			cell(&sb, d);
			sb_addf(&sb, "/REPORT.md](%s/REPORT.md) |", d);
		}
		sb_add(&sb, "\n");
		free(safe);
	}
	return sb_detach(&sb);
}
