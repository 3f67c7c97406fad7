/*
 * expect_abort.c — an abort: condition parsed (expect.h): the drill's own
 * vocabulary (a probe's matchers, a load's bounds, the SLO), with for:, the
 * window it must hold over. Only what can be watched while the drill runs
 * is taken: a load's error share, percentiles, max and rate, not what is
 * judged at the end.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "expect_int.h"

#define MAX_FOR_MS (60 * 60 * 1000)

static const char *const abort_keys[] = { "probe", "load", "slo", "status",
    "json", "body", "header", "latency", "metric", "value", "no_answer",
    "errors", "error_share", "p50", "p90", "p95", "p99", "max", "rps", "for",
    "when", NULL };
/* a load's bounds watched live, with what they are */
static const struct {
	const char *key;
	enum load_what what;
} live_bounds[] = {
	{ "error_share", LW_ERRORS }, { "errors", LW_ERRORS },
	{ "p50", LW_P50 }, { "p90", LW_P90 }, { "p95", LW_P95 },
	{ "p99", LW_P99 }, { "max", LW_MAX }, { "rps", LW_RPS },
};
static const char *const probe_keys[] = { "status", "json", "body",
    "header", "latency", "metric", "value", "no_answer", NULL };

static int
refuse(const struct yctx *y, const struct ynode *n, const char *const *keys,
    const char *with)
{
	const struct ynode *v;

	for (; *keys; keys++)
		if ((v = ynode_get(n, *keys)) != NULL)
			return yerr(y, v, "%s: goes with %s", *keys, with);
	return 0;
}

static int
on_probe(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, const struct ynode *pr, struct scen_expect *x)
{
	const struct ynode *v;

	if (ywant(y, pr, Y_SCALAR, "probe") == -1)
		return -1;
	if ((x->probe = expect_lookup(nm, 'p', pr->value, x, NULL)) < 0)
		return yerr(y, pr, "no probe named '%s'", pr->value);
	for (size_t i = 0; i < sizeof live_bounds / sizeof *live_bounds; i++)
		if ((v = ynode_get(n, live_bounds[i].key)) != NULL)
			return yerr(y, v, "%s: goes with load:, not probe:",
			    live_bounds[i].key);
	if (expect_parse_matchers(y, n, x) == -1)
		return -1;
	if ((v = ynode_get(n, "no_answer")) != NULL) {
		if (v->type != Y_SCALAR || strcmp(v->value, "true") != 0)
			return yerr(y, v, "no_answer: takes true");
		if (x->nm > 0)
			return yerr(y, v, "no_answer: true is a condition of its own:"
			    " a sample with no answer has no status or body to match");
		x->no_answer = 1;
	}
	if (x->nm == 0 && !x->no_answer && x->off_parts != NULL) {
		x->off = xstrdup(x->off_parts);	/* all it checks is off */
		return 0;
	}
	if (x->nm == 0 && !x->no_answer)
		return yerr(y, n, "abort condition on probe '%s' checks nothing"
		    " (add status:, json:, latency:, metric: ... or no_answer:"
		    " true)", pr->value);
	return 0;
}

static int
on_load(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, const struct ynode *pl, struct scen_expect *x)
{
	static const char units[] = "pdddddn";	/* by LW_ERRORS..LW_RPS */
	const struct ynode *v;
	size_t cap = 0;

	if (ywant(y, pl, Y_SCALAR, "load") == -1)
		return -1;
	if ((x->load = expect_lookup(nm, 'l', pl->value, x, NULL)) < 0)
		return yerr(y, pl, "no load named '%s'", pl->value);
	if (refuse(y, n, probe_keys, "probe:, not load:") == -1)
		return -1;
	for (size_t i = 0; i < sizeof live_bounds / sizeof *live_bounds; i++) {
		struct load_match lm = { .what = live_bounds[i].what };
		if ((v = ynode_get(n, live_bounds[i].key)) == NULL ||
		    expect_part_off(x, v, live_bounds[i].key))
			continue;
		for (size_t k = 0; k < x->nlm; k++)
			if (x->lm[k].what == lm.what)
				return yerr(y, v, "error_share: and errors: are one"
				    " bound: give one");
		if (expect_parse_cmp(y, v, units[lm.what], &lm.op, &lm.v) == -1)
			return -1;
		x->lm = xgrow(x->lm, &cap, x->nlm + 1, sizeof *x->lm);
		x->lm[x->nlm++] = lm;
	}
	if (x->nlm == 0 && x->off_parts != NULL) {
		x->off = xstrdup(x->off_parts);
		return 0;
	}
	if (x->nlm == 0)
		return yerr(y, n, "abort condition on load '%s' checks nothing"
		    " (add error_share:, p99:, max: or rps:)", pl->value);
	return 0;
}

static int
on_slo(const struct yctx *y, const struct ynode *n, const struct ynode *ps,
    struct scen_expect *x)
{
	const struct ynode *v;

	if (ywant(y, ps, Y_SCALAR, "slo") == -1)
		return -1;
	if (strcmp(ps->value, "burn_rate") != 0)
		return yerr(y, ps, "slo: burn_rate is what an abort condition"
		    " watches, not '%s'", ps->value);
	if (refuse(y, n, (const char *const[]){ "status", "json", "body",
	    "header", "latency", "metric", "no_answer", NULL }, "probe:, not"
	    " slo:") == -1)
		return -1;
	for (size_t i = 0; i < sizeof live_bounds / sizeof *live_bounds; i++)
		if ((v = ynode_get(n, live_bounds[i].key)) != NULL)
			return yerr(y, v, "%s: goes with load:, not slo:",
			    live_bounds[i].key);
	if ((v = ynode_get(n, "value")) == NULL)
		return yerr(y, n, "slo: burn_rate needs value: (\"> 10\": the"
		    " error budget spent ten times as fast as the objective"
		    " allows)");
	if (expect_part_off(x, v, "value")) {
		x->off = xstrdup(x->off_parts);
		return 0;
	}
	x->slo_burn = 1;
	return expect_parse_cmp(y, v, 'n', &x->burn_op, &x->burn_v);
}

int
expect_parse_abort(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, struct scen_expect *x)
{
	const struct ynode *pr, *pl, *ps, *v;
	char *when_off;

	x->probe = x->process = x->load = x->writes = -1;
	x->alive = -1;
	x->rss_growth_bytes = -1;
	x->trend_bytes = -1;
	x->exit_code = -1;
	x->abort = 1;
	x->mode = EX_NOW;
	x->line = n->line;
	x->col = n->col;
	if (ywant(y, n, Y_MAP, "an abort condition") == -1 ||
	    ykeys(y, n, abort_keys, "abort") == -1)
		return -1;
	pr = ynode_get(n, "probe");
	pl = ynode_get(n, "load");
	ps = ynode_get(n, "slo");
	if ((pr != NULL) + (pl != NULL) + (ps != NULL) != 1)
		return yerr(y, n, "an abort condition names one probe:, load: or"
		    " slo:");
	if ((pr && on_probe(y, nm, n, pr, x) == -1) ||
	    (pl && on_load(y, nm, n, pl, x) == -1) ||
	    (ps && on_slo(y, n, ps, x) == -1))
		return -1;
	if ((v = ynode_get(n, "for")) != NULL) {
		if (ydur_node(y, v, "for", &x->dur_ms, 1, MAX_FOR_MS) == -1)
			return -1;
	} else if (pr == NULL) {
		return yerr(y, n, "for: is the window the %s is measured over:"
		    " give one (\"for: 10s\")", pl ? "load" : "burn rate");
	}
	for (size_t i = 0; i < x->nm; i++)
		if (x->m[i].rise)
			return yerr(y, ynode_get(n, "rises"), "rises: compares with"
			    " the value before a step: an abort condition takes none");
	if (ywhen(y, n, &when_off) == -1)
		return -1;
	if (when_off != NULL) {
		free(x->off);
		x->off = when_off;
	}
	if (x->off == NULL && x->ref_off != NULL)
		x->off = xasprintf("%s '%s' is off: %s", x->load >= 0 ? "load" :
		    "probe", x->ref, x->ref_off);
	x->text = expect_describe(x);
	return 0;
}

int
expect_parse_aborts(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, struct scen_expect **xs, size_t *nxs)
{
	if (ywant(y, n, Y_SEQ, "abort") == -1)
		return -1;
	*xs = xrealloc(*xs, (*nxs + n->n + 1) * sizeof **xs);
	for (size_t i = 0; i < n->n; i++) {
		memset(&(*xs)[*nxs], 0, sizeof **xs);
		(*nxs)++;	/* counted first: freed with the rest on error */
		if (expect_parse_abort(y, nm, n->items[i], &(*xs)[*nxs - 1]) ==
		    -1)
			return -1;
	}
	return 0;
}
