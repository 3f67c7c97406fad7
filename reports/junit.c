/*
 * junit.c — JUnit XML for CI: a testsuite per drill, a testcase per
 * expectation (failures carry expected vs observed), and a testcase per
 * fault that could not be applied or reverted.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void
xml(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sb_add(sb, "&lt;"); break;
		case '>': sb_add(sb, "&gt;"); break;
		case '&': sb_add(sb, "&amp;"); break;
		case '"': sb_add(sb, "&quot;"); break;
		case '\'': sb_add(sb, "&apos;"); break;
		default:
			/* XML 1.0 forbids most control characters */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				sb_add(sb, " ");
			else
				sb_addn(sb, s, 1);
		}
	}
}

/* A testcase that is only an error: a fault, or the drill itself. */
static void
error_case(struct sbuf *sb, const char *drill, const char *prefix,
    const char *name, const char *msg)
{
	sb_add(sb, "    <testcase classname=\"shakedown.");
	xml(sb, drill);
	sb_add(sb, "\" name=\"");
	xml(sb, prefix);
	xml(sb, name);
	sb_add(sb, "\">\n      <error message=\"");
	xml(sb, msg);
	sb_add(sb, "\"/>\n    </testcase>\n");
}

static void
suite(struct sbuf *sb, const struct result *r)
{
	size_t fail = 0, err = 0, nfe = 0;

	for (size_t i = 0; i < r->nex; i++) {
		fail += r->ex[i].outcome == O_FAIL;
		err += r->ex[i].outcome == O_ERROR;
	}
	for (size_t i = 0; i < r->nfaults; i++)
		nfe += r->faults[i].error != NULL;
	sb_add(sb, "  <testsuite name=\"");
	xml(sb, r->drill);
	sb_addf(sb, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\""
	    " time=\"%.3f\">\n", r->nex + nfe + (r->verdict == V_ERROR &&
	    nfe == 0 && r->reason), fail, err + nfe, r->duration_ms / 1000.0);
	for (size_t i = 0; i < r->nex; i++) {
		const struct res_expect *x = &r->ex[i];
		sb_add(sb, "    <testcase classname=\"shakedown.");
		xml(sb, r->drill);
		sb_add(sb, "\" name=\"");
		xml(sb, x->phase);
		sb_add(sb, ": ");
		xml(sb, x->text);
		sb_addf(sb, "\" time=\"%.3f\"", x->elapsed_ms >= 0 ?
		    x->elapsed_ms / 1000.0 : 0.0);
		if (x->outcome == O_PASS) {
			sb_add(sb, "/>\n");
			continue;
		}
		sb_add(sb, ">\n      ");
		if (x->outcome == O_SKIPPED) {
			sb_add(sb, "<skipped/>\n    </testcase>\n");
			continue;
		}
		sb_add(sb, x->outcome == O_FAIL ? "<failure" : "<error");
		sb_add(sb, " message=\"expected ");
		xml(sb, x->text);
		sb_add(sb, "; observed ");
		xml(sb, x->observed ? x->observed : "nothing");
		sb_addf(sb, "\">%s:%d: expected ", r->file, x->line);
		xml(sb, x->text);
		sb_add(sb, "\nobserved ");
		xml(sb, x->observed ? x->observed : "nothing");
		sb_add(sb, x->outcome == O_FAIL ? "</failure>\n" : "</error>\n");
		sb_add(sb, "    </testcase>\n");
	}
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct res_fault *f = &r->faults[i];
		if (f->error != NULL)
			error_case(sb, r->drill, "fault: ", f->what, f->error);
	}
	if (r->verdict == V_ERROR && nfe == 0 && r->reason)
		error_case(sb, r->drill, "drill", "", r->reason);
	sb_add(sb, "  </testsuite>\n");
}

char *
rpt_junit(const struct result *const *rs, size_t n)
{
	struct sbuf sb;

	sb_init(&sb);
	sb_add(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"
	    " name=\"shakedown\">\n");
	for (size_t i = 0; i < n; i++)
		suite(&sb, rs[i]);
	sb_add(&sb, "</testsuites>\n");
	return sb_detach(&sb);
}
