/*
 * junit.c — JUnit XML for CI: a testsuite per drill, a testcase per
 * expectation (failures carry expected vs observed), and a testcase per
 * fault that could not be applied or reverted. Only the subset GitHub's
 * reporter actions, GitLab and Jenkins all read: testsuites > testsuite[name,
 * tests, failures, errors, skipped, time, timestamp] > testcase[classname,
 * name, time] > failure|error[message, type] | skipped, and system-out;
 * times in seconds.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* A testcase that is only an error: a fault, or the drill itself. */
static void
error_case(struct sbuf *sb, const char *drill, const char *prefix,
    const char *name, const char *msg)
{
	sb_add(sb, "    <testcase classname=\"shakedown.");
	esc_xml(sb, drill);
	sb_add(sb, "\" name=\"");
	esc_xml(sb, prefix);
	esc_xml(sb, name);
	sb_add(sb, "\" time=\"0.000\">\n      <error message=\"");
	esc_xml(sb, msg);
	sb_add(sb, "\" type=\"error\">");
	esc_xml(sb, msg);
	sb_add(sb, "</error>\n    </testcase>\n");
}

struct counts {
	size_t tests, fail, err, skip;
};

static size_t
fault_errors(const struct result *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfaults; i++)
		n += r->faults[i].error != NULL;
	return n;
}

/* The drill's own error case: an ERROR no fault's error explains, or
 * INVALID (a fault that did not land: the drill tested nothing). */
static int
drill_error(const struct result *r, size_t nfe)
{
	return r->reason != NULL && ((r->verdict == V_ERROR && nfe == 0) ||
	    r->verdict == V_INVALID);
}

static struct counts
counts(const struct result *r)
{
	struct counts c = { 0, 0, 0, 0 };
	size_t nfe = fault_errors(r);

	for (size_t i = 0; i < r->nex; i++) {
		c.fail += r->ex[i].outcome == O_FAIL;
		c.err += r->ex[i].outcome == O_ERROR;
		c.skip += r->ex[i].outcome == O_SKIPPED;
	}
	c.tests = r->nex + nfe + drill_error(r, nfe) + r->abort.set;
	c.err += nfe + drill_error(r, nfe) + r->abort.set;
	return c;
}

static void
suite(struct sbuf *sb, const struct result *r)
{
	struct counts c = counts(r);
	char ts[40];

	sb_add(sb, "  <testsuite name=\"");
	esc_xml(sb, r->drill);
	/* JUnit's timestamp has no zone: UTC, without the Z */
	iso8601_ms(r->started_wall_ms, ts, sizeof ts);
	ts[19] = '\0';
	sb_addf(sb, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\""
	    " skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\">\n", c.tests, c.fail,
	    c.err, c.skip, r->duration_ms / 1000.0, ts);
	for (size_t i = 0; i < r->nex; i++) {
		const struct res_expect *x = &r->ex[i];
		sb_add(sb, "    <testcase classname=\"shakedown.");
		esc_xml(sb, r->drill);
		sb_add(sb, "\" name=\"");
		esc_xml(sb, x->phase);
		sb_add(sb, ": ");
		esc_xml(sb, x->text);
		sb_addf(sb, "\" time=\"%.3f\"", x->elapsed_ms >= 0 ?
		    x->elapsed_ms / 1000.0 : 0.0);
		if (x->outcome == O_PASS) {
			sb_add(sb, "/>\n");
			continue;
		}
		sb_add(sb, ">\n      ");
		if (x->outcome == O_SKIPPED) {
			/* why: off by its variable */
			sb_add(sb, "<skipped");
			if (x->observed != NULL) {
				sb_add(sb, " message=\"");
				esc_xml(sb, x->observed);
				sb_add(sb, "\"");
			}
			sb_add(sb, "/>\n    </testcase>\n");
			continue;
		}
		sb_add(sb, x->outcome == O_FAIL ? "<failure" : "<error");
		sb_add(sb, " message=\"expected ");
		esc_xml(sb, x->text);
		sb_add(sb, "; observed ");
		esc_xml(sb, x->observed ? x->observed : "nothing");
		sb_addf(sb, "\" type=\"%s\">", x->outcome == O_FAIL ? "failure" :
		    "error");
		esc_xml(sb, r->file);
		sb_addf(sb, ":%d: expected ", x->line);
		esc_xml(sb, x->text);
		sb_add(sb, "\nobserved ");
		esc_xml(sb, x->observed ? x->observed : "nothing");
		sb_add(sb, x->outcome == O_FAIL ? "</failure>\n" : "</error>\n");
		sb_add(sb, "    </testcase>\n");
	}
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct res_fault *f = &r->faults[i];
		if (f->error != NULL)
			error_case(sb, r->drill, "fault: ", f->what, f->error);
	}
	/* counted in counts() too: the drill's error, when no fault's is */
	if (drill_error(r, fault_errors(r)))
		error_case(sb, r->drill, r->verdict == V_INVALID ? "INVALID: a"
		    " fault did not land" : "drill", "", r->reason);
	/* a guardrail stopped it: an error (the drill did not finish), never
	 * a failure (the service did not break its claim) */
	if (r->abort.set)
		error_case(sb, r->drill, "ABORTED by ", r->abort.by, r->reason ?
		    r->reason : r->abort.observed);
	/* the drill's own summary, for a reader of the CI page */
	char *sum = rpt_summary(r);
	sb_add(sb, "    <system-out>");
	esc_xml(sb, sum);
	sb_add(sb, "</system-out>\n  </testsuite>\n");
	free(sum);
}

char *
rpt_junit(const struct result *const *rs, size_t n)
{
	struct sbuf sb;

	struct counts all = { 0, 0, 0, 0 };
	int64_t ms = 0;

	for (size_t i = 0; i < n; i++) {
		struct counts c = counts(rs[i]);
		all.tests += c.tests;
		all.fail += c.fail;
		all.err += c.err;
		all.skip += c.skip;
		ms += rs[i]->duration_ms;
	}
	sb_init(&sb);
	sb_addf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"
	    " name=\"shakedown\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\""
	    " skipped=\"%zu\" time=\"%.3f\">\n", all.tests, all.fail, all.err,
	    all.skip, ms / 1000.0);
	for (size_t i = 0; i < n; i++)
		suite(&sb, rs[i]);
	sb_add(&sb, "</testsuites>\n");
	return sb_detach(&sb);
}
