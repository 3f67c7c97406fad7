/*
 * text.c — see text.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "../lib/base/units.h"
#include "text.h"

char *
rpt_key_time(int64_t elapsed_ms, int64_t resolution_ms, char *buf, size_t len)
{
	char a[32], b[32];

	if (elapsed_ms < 0)
		snprintf(buf, len, "not reached");
	else if (elapsed_ms == 0)
		snprintf(buf, len, "0ms (already so when its step ended)");
	else if (resolution_ms >= elapsed_ms)
		snprintf(buf, len, "≤ %s", units_fmt_ms(elapsed_ms, a, sizeof a));
	else {
		units_fmt_ms(elapsed_ms - resolution_ms, a, sizeof a);
		units_fmt_ms(elapsed_ms, b, sizeof b);
		/* a resolution finer than the figure's last digit */
		if (strcmp(a, b) == 0)
			snprintf(buf, len, "%s", b);
		else
			snprintf(buf, len, "between %s and %s", a, b);
	}
	return buf;
}

char *
rpt_key_text(const struct res_expect *x, char *buf, size_t len)
{
	char a[96], b[32], c[96];

	if (x->no_change) {
		snprintf(buf, len, "not measured: it held before its step began");
		return buf;
	}
	if (x->before_end_ms >= 0)
		snprintf(a, sizeof a, "already so when its step ended (first seen"
		    " %s before it)", units_fmt_ms(x->before_end_ms, b, sizeof b));
	else
		rpt_key_time(x->elapsed_ms, x->resolution_ms, a, sizeof a);
	/* seen during the step, or the step took time of its own: from its
	 * start too */
	if (x->elapsed_ms >= 0 && x->from_start_ms >= 0 &&
	    (x->before_end_ms >= 0 || x->from_start_ms - x->elapsed_ms >= 100))
		snprintf(buf, len, "%s; %s from the step's start", a,
		    rpt_key_time(x->from_start_ms, x->from_start_res_ms, c,
		    sizeof c));
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

size_t
rpt_writer_keys(const struct result *r, size_t w, struct rpt_wkey out[2])
{
	const struct res_writes *x = &r->writes[w];
	int many = r->nwrites > 1;

	snprintf(out[0].name, sizeof out[0].name, "RPO%s%s%s", many ? " (" : "",
	    many ? x->probe : "", many ? ")" : "");
	out[0].ms = x->rpo_ms;
	out[0].res_ms = x->rpo_res_ms;
	snprintf(out[1].name, sizeof out[1].name, "write outage (RTO)%s%s%s",
	    many ? " (" : "", many ? x->probe : "", many ? ")" : "");
	out[1].ms = x->rto_ms;
	out[1].res_ms = x->rto_res_ms;
	return 2;
}

char *
rpt_writer_key_text(const struct result *r, size_t w, size_t i,
    const struct rpt_wkey *k, char *buf, size_t len)
{
	const struct res_writes *x = &r->writes[w];
	char a[96];

	if (i == 0 && x->lost == 0)
		snprintf(buf, len, "0 (no acknowledged write lost)");
	else if (i == 1 && x->failed == 0)
		snprintf(buf, len, "0 (no write failed)");
	else if (i == 0)
		snprintf(buf, len, "%s (%llu acknowledged write%s lost)",
		    rpt_key_time(k->ms, k->res_ms, a, sizeof a),
		    (unsigned long long)x->lost, x->lost == 1 ? "" : "s");
	else
		snprintf(buf, len, "%s%s", rpt_key_time(k->ms, k->res_ms, a,
		    sizeof a), x->recovered ? "" : " (still failing)");
	return buf;
}
