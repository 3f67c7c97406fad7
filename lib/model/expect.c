/*
 * expect.c — see expect.h. Every value is converted at the edge (bounds
 * with their units, statuses, JSON values) and every name resolved, so the
 * runner never meets a bad value. The text people read is made in
 * expect_text.c.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "expect_int.h"
#include "../base/prom.h"
#include "../base/proc.h"
#include "../base/units.h"

#define MAX_WINDOW_MS (60 * 60 * 1000)

static const char *const expect_keys[] = { "probe", "process", "load",
    "alive", "rss_growth", "rss_trend", "over", "exits", "status", "json", "body",
    "header", "latency", "phase", "errors", "p50", "p90", "p95", "p99",
    "max", "rps", "requests", "rejected", "accepted_p95", "retry_after",
    "dropped", "writes", "lost", "rpo", "rto", "acknowledged", "metric",
    "value", "rises", "within", "state", "absent", "labels",
    "holds", "never", "as", "regress", "min_samples", "when", NULL };
static const char *const writes_only[] = { "lost", "rpo", "rto",
    "acknowledged", NULL };
static const char *const probe_only[] = { "status", "json", "body", "header",
    "latency", "metric", "value", "rises", "state", "absent", "labels", NULL };
static const char *const load_only[] = { "phase", "errors", "p50", "p90",
    "p95", "p99", "max", "rps", "requests", "rejected", "accepted_p95",
    "retry_after", "dropped", NULL };
static const char *const process_only[] = { "alive", "rss_growth",
    "rss_trend", "over", "exits", NULL };
static const char *const exits_keys[] = { "within", "code", "signal", NULL };



/* "< 2MiB/min", "<= 1MiB/1000req", "< 64KiB/s" */
static int
parse_trend(const struct yctx *y, const struct ynode *n, struct scen_expect *x)
{
	const char *p, *slash;
	struct sd_err e;
	int64_t bytes;
	char *size;

	if (ywant(y, n, Y_SCALAR, "rss_trend") == -1 ||
	    expect_parse_op(y, n, &p, &x->trend_op) == -1)
		return -1;
	if (x->trend_op != '<' && x->trend_op != 'L')
		return yerr(y, n, "rss_trend: an upper bound (\"< 2MiB/1000req\")");
	if ((slash = strchr(p, '/')) == NULL)
		goto bad;
	size = xstrndup(p, (size_t)(slash - p));
	if (units_size(size, &bytes, &e) == -1) {
		free(size);
		return yerr(y, n, "rss_trend: %s", e.msg);
	}
	free(size);
	x->trend_bytes = (double)bytes;
	if (strcmp(slash, "/min") == 0 || strcmp(slash, "/m") == 0)
		x->trend_per = TREND_MINUTE;
	else if (strcmp(slash, "/s") == 0) {
		x->trend_per = TREND_MINUTE;
		x->trend_bytes *= 60;
	} else if (strcmp(slash, "/1000req") == 0 || strcmp(slash, "/1kreq") == 0)
		x->trend_per = TREND_1K_REQUESTS;
	else
		goto bad;
	return 0;
bad:
	return yerr(y, n, "rss_trend: '%s': expected SIZE/min, SIZE/s or"
	    " SIZE/1000req (\"< 2MiB/1000req\")", n->value);
}

static int
parse_load_matchers(const struct yctx *y, const struct ynode *n,
    struct scen_expect *x)
{
	const struct ynode *v;
	size_t cap = 0;

	x->phase = 3;	/* all */
	if ((v = ynode_get(n, "phase")) != NULL) {
		int found = -1;
		if (ywant(y, v, Y_SCALAR, "phase") == -1)
			return -1;
		for (int i = 0; expect_phase_name(i); i++)
			if (strcmp(expect_phase_name(i), v->value) == 0)
				found = i;
		if (found < 0)
			return yerr(y, v, "phase: before, fault, after or all, not"
			    " '%s'", v->value);
		x->phase = found;
	}
	for (int w = LW_ERRORS; w < LW_N; w++) {
		struct load_match lm = { .what = (enum load_what)w };
		if ((v = ynode_get(n, expect_load_what_name(w))) == NULL ||
		    expect_part_off(x, v, expect_load_what_name(w)))
			continue;
		if (expect_parse_cmp(y, v, expect_load_what_unit(w), &lm.op, &lm.v) == -1)
			return -1;
		x->lm = xgrow(x->lm, &cap, x->nlm + 1, sizeof *x->lm);
		x->lm[x->nlm++] = lm;
	}
	if (x->nlm == 0 && x->off_parts != NULL) {
		x->off = xstrdup(x->off_parts);
		return 0;
	}
	if (x->nlm == 0)
		return yerr(y, n, "expectation on load '%s' checks nothing (add"
		    " errors:, p95:, rps: ...)", x->ref);
	return 0;
}


static int
refuse_keys(const struct yctx *y, const struct ynode *n,
    const char *const *keys, const char *with)
{
	const struct ynode *v;

	for (; *keys; keys++)
		if ((v = ynode_get(n, *keys)) != NULL)
			return yerr(y, v, "%s: goes with %s", *keys, with);
	return 0;
}


/* status: 200, 5xx, "500,503" (one scalar, as a variable gives it), a
 * list [200, 503] or refused; a variable set empty: off. */
static int
status_matcher(const struct yctx *y, const struct ynode *v,
    struct scen_expect *x)
{
	struct matcher m = { .kind = M_STATUS };
	struct sd_err e;

	if (v->type == Y_SCALAR) {
		if (expect_part_off(x, v, "status"))
			return 0;
		if (match_parse_status_list(v->value, &m.pats, &m.npats, &e) == -1)
			return yerr(y, v, "%s", e.msg);
		expect_add_matcher(x, &m);
		return 0;
	}
	if (v->type != Y_SEQ)
		return yerr(y, v, "status must be a code, a class (5xx) or a list");
	if (v->n == 0)
		return yerr(y, v, "empty status list");
	m.pats = xcalloc(v->n, sizeof *m.pats);
	m.npats = v->n;
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i]->type != Y_SCALAR ||
		    match_parse_status(v->items[i]->value, &m.pats[i], &e) == -1) {
			free(m.pats);
			return yerr(y, v->items[i], "%s", v->items[i]->type == Y_SCALAR ?
			    e.msg : "a status must be a scalar");
		}
	}
	expect_add_matcher(x, &m);
	return 0;
}

static int
json_matchers(const struct yctx *y, const struct ynode *v,
    struct scen_expect *x)
{
	struct sd_err e;
	char what[160];

	if (ywant(y, v, Y_MAP, "json") == -1)
		return -1;
	if (v->n == 0)
		return yerr(y, v, "json: needs at least one path: value");
	for (size_t i = 0; i < v->n; i++) {
		struct matcher m = { .kind = M_JSON };
		if (v->items[i]->type != Y_SCALAR)
			return yerr(y, v->items[i], "json: the value of '%s' must be"
			    " a scalar", v->keys[i]->value);
		snprintf(what, sizeof what, "json %s", v->keys[i]->value[0] ?
		    v->keys[i]->value : "path");
		if (expect_part_off(x, v->keys[i], what) || expect_part_off(x, v->items[i],
		    what))
			continue;
		if (v->keys[i]->value[0] == '\0')
			return yerr(y, v->keys[i], "json: empty path");
		/* "!= working": not that (with a * in the path, some value is
		 * not: django-health-check's one key per check) */
		const char *want = v->items[i]->value;
		if (strncmp(want, "!=", 2) == 0) {
			m.negate = 1;	/* the rest typed: != false is the boolean */
			want += 2 + strspn(want + 2, " ");
		}
		/* a value from a variable is typed as a plain one would be (a
		 * variable cannot quote): REDIS_DOWN=false is the boolean */
		int vars = v->items[i]->vars != NULL;
		if ((m.want = match_scalar_json(want, m.negate || vars ||
		    v->items[i]->plain, &e)) == NULL && vars)
			m.want = json_string(want);
		if (m.want == NULL)
			return yerr(y, v->items[i], "json: %s", e.msg);
		m.path = xstrdup(v->keys[i]->value);
		expect_add_matcher(x, &m);
	}
	return 0;
}

static int
header_matchers(const struct yctx *y, const struct ynode *v,
    struct scen_expect *x)
{
	if (ywant(y, v, Y_MAP, "header") == -1)
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *hv = v->items[i];
		struct matcher m = { .kind = M_HEADER };
		char what[160];
		snprintf(what, sizeof what, "header %s", v->keys[i]->value);
		if (expect_part_off(x, hv, what))
			continue;
		if (hv->type != Y_SCALAR)
			return yerr(y, hv, "header: value must be a string, or true"
			    " for present");
		m.text = xstrdup(v->keys[i]->value);
		if (!(hv->plain && strcmp(hv->value, "true") == 0))
			m.hval = xstrdup(hv->value);
		expect_add_matcher(x, &m);
	}
	return 0;
}

/* metric: SELECTOR with value: "> N" or rises: true. */
static int
metric_matcher(const struct yctx *y, const struct ynode *n,
    struct scen_expect *x)
{
	const struct ynode *v = ynode_get(n, "metric"), *val, *r;
	struct matcher m;
	struct sd_err e;

	val = ynode_get(n, "value");
	r = ynode_get(n, "rises");
	if (v == NULL) {
		if (val != NULL || r != NULL)
			return yerr(y, val ? val : r, "%s goes with metric:", val ?
			    "value:" : "rises:");
		return 0;
	}
	if (ywant(y, v, Y_SCALAR, "metric") == -1)
		return -1;
	if (expect_part_off(x, v, "metric"))
		return 0;
	if ((val != NULL) == (r != NULL))
		return yerr(y, v, "metric: needs value: \"> N\" (a bound) or"
		    " rises: true (above its value before)");
	memset(&m, 0, sizeof m);
	m.kind = M_METRIC;
	if (r != NULL) {
		if (r->type != Y_SCALAR || strcmp(r->value, "true") != 0)
			return yerr(y, r, "rises: takes true");
		m.rise = 1;
	} else if (expect_parse_cmp(y, val, 'n', &m.op, &m.value) == -1) {
		return -1;
	}
	m.sel = xcalloc(1, sizeof *m.sel);
	if (prom_sel_parse(v->value, m.sel, &e) == -1) {
		free(m.sel);
		return yerr(y, v, "%s", e.msg);
	}
	expect_add_matcher(x, &m);
	return 0;
}

int
expect_parse_matchers(const struct yctx *y, const struct ynode *n,
    struct scen_expect *x)
{
	const struct ynode *v;
	struct matcher m;
	struct sd_err e;

	if ((v = ynode_get(n, "status")) != NULL && status_matcher(y, v, x) == -1)
		return -1;
	if ((v = ynode_get(n, "json")) != NULL && json_matchers(y, v, x) == -1)
		return -1;
	if ((v = ynode_get(n, "body")) != NULL && !expect_part_off(x, v, "body")) {
		if (ywant(y, v, Y_SCALAR, "body") == -1)
			return -1;
		memset(&m, 0, sizeof m);
		m.kind = M_BODY;
		m.text = xstrdup(v->value);
		expect_add_matcher(x, &m);
	}
	if ((v = ynode_get(n, "header")) != NULL && header_matchers(y, v, x) == -1)
		return -1;
	if ((v = ynode_get(n, "latency")) != NULL) {
		if (ywant(y, v, Y_SCALAR, "latency") == -1)
			return -1;
		memset(&m, 0, sizeof m);
		m.kind = M_LATENCY;
		if (match_parse_latency(v->value, &m, &e) == -1)
			return yerr(y, v, "%s", e.msg);
		expect_add_matcher(x, &m);
	}
	/* a promql: or alert: probe's answer is read by its own matchers */
	if (x->mon != NULL && x->mon->kind != MON_NONE)
		return expect_mon_matchers(y, n, x);
	if ((v = ynode_get(n, "state")) || (v = ynode_get(n, "absent")) ||
	    (v = ynode_get(n, "labels")))
		return yerr(y, v, "%s: goes with a probe that asks the monitoring"
		    " (promql: or alert:)", v == ynode_get(n, "state") ? "state" :
		    v == ynode_get(n, "absent") ? "absent" : "labels");
	return metric_matcher(y, n, x);
}


static int
parse_probe_expect(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, const struct ynode *pr, struct scen_expect *x)
{
	if (ywant(y, pr, Y_SCALAR, "probe") == -1)
		return -1;
	struct expect_ref ref;
	if ((x->probe = expect_lookup(nm, 'p', pr->value, x, &ref)) < 0)
		return yerr(y, pr, "no probe named '%s'", pr->value);
	x->mon = ref.mon;
	if (refuse_keys(y, n, load_only, "load:, not probe:") == -1 ||
	    refuse_keys(y, n, writes_only, "writes:, not probe:") == -1 ||
	    refuse_keys(y, n, process_only, "process:, not probe:") == -1 ||
	    expect_parse_matchers(y, n, x) == -1)
		return -1;
	if (x->nm == 0 && x->off_parts != NULL) {
		/* everything it checks is off: the whole check is */
		x->off = xstrdup(x->off_parts);
		return 0;
	}
	if (x->nm == 0)
		return yerr(y, n, "expectation on probe '%s' checks nothing (add"
		    " status:, json:, body:, header:, latency: or metric:)",
		    pr->value);
	return 0;
}

static int
parse_load_expect(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, const struct ynode *pl, struct scen_expect *x)
{
	if (ywant(y, pl, Y_SCALAR, "load") == -1)
		return -1;
	if ((x->load = expect_lookup(nm, 'l', pl->value, x, NULL)) < 0)
		return yerr(y, pl, "no load named '%s'", pl->value);
	if (refuse_keys(y, n, probe_only, "probe:, not load:") == -1 ||
	    refuse_keys(y, n, writes_only, "writes:, not load:") == -1 ||
	    refuse_keys(y, n, process_only, "process:, not load:") == -1 ||
	    refuse_keys(y, n, (const char *const[]){ "within", "holds", "never",
	    NULL }, "another kind of expectation, not load: (load expectations"
	    " are decided over a phase)") == -1)
		return -1;
	return parse_load_matchers(y, n, x);
}

/* writes: PROBE with lost: N (at most N; or a bound), rpo:/rto: duration
 * bounds, acknowledged: a count bound. Checked once, when the step runs. */
static int
parse_writes_expect(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, const struct ynode *pw, struct scen_expect *x)
{
	const struct ynode *v;

	if (ywant(y, pw, Y_SCALAR, "writes") == -1)
		return -1;
	struct expect_ref ref;
	if ((x->writes = expect_lookup(nm, 'p', pw->value, x, &ref)) < 0)
		return yerr(y, pw, "no probe named '%s'", pw->value);
	if (!ref.writer)
		return yerr(y, pw, "probe '%s' is not a writer (give it writes:"
		    " { in: SERVICE, query: SQL })", pw->value);
	if (refuse_keys(y, n, probe_only, "probe:, not writes:") == -1 ||
	    refuse_keys(y, n, load_only, "load:, not writes:") == -1 ||
	    refuse_keys(y, n, process_only, "process:, not writes:") == -1 ||
	    refuse_keys(y, n, (const char *const[]){ "within", "holds", "never",
	    NULL }, "another kind of expectation, not writes: (the writes so far"
	    " are checked once, when the step runs)") == -1)
		return -1;
	x->wm = xcalloc(WW_N, sizeof *x->wm);
	for (int w = 0; w < WW_N; w++) {
		struct write_match *m = &x->wm[x->nwm];
		char *end;
		if ((v = ynode_get(n, expect_write_what_name(w))) == NULL)
			continue;
		m->what = (enum write_what)w;
		if (w == WW_LOST && v->type == Y_SCALAR &&
		    (m->v = strtod(v->value, &end), end != v->value) &&
		    *end == '\0') {
			/* lost: 0 — at most that many */
			if (!(m->v >= 0 && m->v < 1e15) || m->v != (double)(long long)m->v)
				return yerr(y, v, "lost: a count, or a bound such as"
				    " \"<= 2\"");
			m->op = 'L';
		} else if (expect_parse_cmp(y, v, w == WW_RPO || w == WW_RTO ? 'd' : 'n',
		    &m->op, &m->v) == -1) {
			return -1;
		}
		x->nwm++;
	}
	if (x->nwm == 0)
		return yerr(y, n, "writes: checks nothing (add lost:, rpo:, rto: or"
		    " acknowledged:)");
	return 0;
}

/* exits: { within: D, code: N | clean | signal: NAME }: the process ends
 * by itself within D (from the end of the last fault step), as asked.
 * clean: code 0, or death by the very signal the drill sent it — what
 * terminus (and Python's and the JVM's handlers) do after a clean drain,
 * and what systemd, Kubernetes and Docker count as a clean exit. */
static int
parse_exits(const struct yctx *y, const struct ynode *n, const struct ynode *v,
    struct scen_expect *x)
{
	const struct ynode *w, *sg;
	int code = -1;

	if (ywant(y, v, Y_MAP, "exits") == -1 ||
	    ykeys(y, v, exits_keys, "exits") == -1)
		return -1;
	if ((w = ynode_get(v, "within")) == NULL)
		return yerr(y, v, "exits: needs within: D (how long it may take"
		    " to exit)");
	if (ynode_get(n, "within") || ynode_get(n, "holds") ||
	    ynode_get(n, "never"))
		return yerr(y, n, "exits: has its own within:");
	if (x->alive >= 0 || x->rss_growth_bytes >= 0 || x->trend_bytes >= 0)
		return yerr(y, v, "exits: is an expectation of its own");
	const struct ynode *cd = ynode_get(v, "code");
	if (cd != NULL && cd->type == Y_SCALAR && strcmp(cd->value, "clean") ==
	    0)
		x->exit_clean = 1;
	else if (cd != NULL && cd->type == Y_SCALAR && cd->value[0] == '\0')
		return yerr(y, cd, "code: a number from 0 to 255, or clean (0, or"
		    " death by the signal it was sent)");
	if (ydur_node(y, w, "within", &x->dur_ms, 1, MAX_WINDOW_MS) == -1 ||
	    (!x->exit_clean && yint(y, v, "code", 0, 255, &code) == -1))
		return -1;
	x->exits = 1;
	x->exit_code = code;
	x->mode = EX_WITHIN;
	if ((sg = ynode_get(v, "signal")) != NULL) {
		if ((x->exit_signal = sig_by_name(sg->type == Y_SCALAR ?
		    sg->value : "")) == 0)
			return yerr(y, sg, "signal: TERM, INT, HUP, KILL, QUIT, USR1"
			    " or USR2");
		if (code >= 0 || x->exit_clean)
			return yerr(y, sg, "exits: code: or signal:, not both");
	}
	return 0;
}

static int
parse_process_expect(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, const struct ynode *pc, struct scen_expect *x)
{
	const struct ynode *v;
	double b;

	if (ywant(y, pc, Y_SCALAR, "process") == -1)
		return -1;
	struct expect_ref ref;
	if ((x->process = expect_lookup(nm, 's', pc->value, x, &ref)) < 0)
		return yerr(y, pc, "no service named '%s'", pc->value);
	if (!ref.has_pid)
		return yerr(y, pc, "service '%s' has no pid or pidfile to watch",
		    pc->value);
	if (refuse_keys(y, n, probe_only, "probe:, not process:") == -1 ||
	    refuse_keys(y, n, writes_only, "writes:, not process:") == -1 ||
	    refuse_keys(y, n, load_only, "load:, not process:") == -1 ||
	    ybool(y, n, "alive", &x->alive) == -1)
		return -1;
	if ((v = ynode_get(n, "rss_growth")) != NULL) {
		if (expect_parse_cmp(y, v, 's', &x->rss_op, &b) == -1)
			return -1;
		if (x->rss_op != '<' && x->rss_op != 'L')
			return yerr(y, v, "rss_growth: an upper bound (\"< 32MiB\")");
		x->rss_growth_bytes = (int64_t)b;
	}
	if ((v = ynode_get(n, "rss_trend")) != NULL && parse_trend(y, v, x) == -1)
		return -1;
	if (ydur(y, n, "over", &x->over_ms, 1000, MAX_WINDOW_MS) == -1)
		return -1;
	if (x->trend_bytes >= 0 && x->over_ms == 0)
		return yerr(y, v, "rss_trend: needs over: D (the window the trend"
		    " is measured in, after any warm-up)");
	if (x->trend_bytes < 0 && (v = ynode_get(n, "over")) != NULL)
		return yerr(y, v, "over: goes with rss_trend:");
	if (x->trend_bytes >= 0 && x->rss_growth_bytes >= 0)
		return yerr(y, n, "rss_growth: and rss_trend: are two expectations");
	if ((v = ynode_get(n, "exits")) != NULL && parse_exits(y, n, v, x) == -1)
		return -1;
	if (x->alive < 0 && x->rss_growth_bytes < 0 && x->trend_bytes < 0 &&
	    !x->exits)
		return yerr(y, n, "process: needs alive: true|false, rss_growth:"
		    " \"< SIZE\", rss_trend: \"< SIZE/1000req\" or exits:");
	if ((x->rss_growth_bytes >= 0 || x->trend_bytes >= 0) &&
	    (ynode_get(n, "within") || ynode_get(n, "holds") ||
	    ynode_get(n, "never")))
		return yerr(y, n, "%s is checked once, without within:, holds:"
		    " or never:", x->trend_bytes >= 0 ? "rss_trend:" :
		    "rss_growth:");
	return 0;
}

static int
parse_mode(const struct yctx *y, const struct ynode *n, struct scen_expect *x,
    int steady)
{
	const struct ynode *v;
	int modes = 0;

	/* a bound a variable set empty: the whole check is off */
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "holds" : "within";
		if ((v = ynode_get(n, key)) == NULL)
			continue;
		modes++;
		x->mode = k ? EX_HOLDS : EX_WITHIN;
		if (v->type == Y_SCALAR && v->value[0] == '\0' && v->vars != NULL) {
			free(x->off);
			x->off = xasprintf("%s: %.*s is set empty", key,
			    (int)strcspn(v->vars, " "), v->vars);
			x->dur_ms = 1;
		} else if (ydur_node(y, v, key, &x->dur_ms, 1, MAX_WINDOW_MS) == -1) {
			return -1;
		}
	}
	if ((v = ynode_get(n, "never")) != NULL) {
		modes++;
		x->mode = EX_NEVER;
		if (v->type != Y_SCALAR || strcmp(v->value, "true") != 0)
			return yerr(y, v, "never: takes true");
		if (x->probe < 0)
			return yerr(y, v, "never: goes with probe:");
	}
	if (modes > 1)
		return yerr(y, n, "use one of within:, holds:, never:");
	if (steady && modes > 0)
		return yerr(y, n, "steady-state checks take no within:, holds: or"
		    " never:");
	return 0;
}

/* regress: 20% or 500ms — how much worse than a baseline the key time may
 * get before a comparison calls it a regression. */
static int
parse_regress(const struct yctx *y, const struct ynode *n,
    struct scen_expect *x)
{
	const struct ynode *v = ynode_get(n, "regress");
	struct sd_err e;
	size_t len;

	x->regress_pct = -1;
	x->regress_ms = -1;
	if (v == NULL)
		return 0;
	if (x->as == NULL)
		return yerr(y, v, "regress: goes with as: (a measured time)");
	if (ywant(y, v, Y_SCALAR, "regress") == -1)
		return -1;
	len = strlen(v->value);
	if (len > 0 && v->value[len - 1] == '%') {
		if (units_percent(v->value, &x->regress_pct, &e) == -1)
			return yerr(y, v, "regress: %s", e.msg);
		return 0;
	}
	if (units_duration_ms(v->value, &x->regress_ms, &e) == -1)
		return yerr(y, v, "regress: a share (20%%) or a duration (500ms):"
		    " %s", e.msg);
	return 0;
}

int
expect_parse(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, struct scen_expect *x, int steady)
{
	const struct ynode *pr, *pc, *pl, *pw;

	x->probe = x->process = x->load = x->writes = -1;
	x->alive = -1;
	x->rss_growth_bytes = -1;
	x->trend_bytes = -1;
	x->exit_code = -1;
	x->line = n->line;
	x->col = n->col;
	if (ywant(y, n, Y_MAP, steady ? "a steady-state check" :
	    "an expectation") == -1 ||
	    ykeys(y, n, expect_keys, steady ? "steady" : "expect") == -1)
		return -1;
	pr = ynode_get(n, "probe");
	pc = ynode_get(n, "process");
	pl = ynode_get(n, "load");
	pw = ynode_get(n, "writes");
	if ((pr != NULL) + (pc != NULL) + (pl != NULL) + (pw != NULL) != 1)
		return yerr(y, n, "an expectation names one probe:, process:,"
		    " load: or writes:");
	if (pw != NULL && steady)
		return yerr(y, pw, "writes: is checked in a step, not as a steady"
		    " state");
	if ((pr && parse_probe_expect(y, nm, n, pr, x) == -1) ||
	    (pw && parse_writes_expect(y, nm, n, pw, x) == -1) ||
	    (pl && parse_load_expect(y, nm, n, pl, x) == -1) ||
	    (pc && parse_process_expect(y, nm, n, pc, x) == -1) ||
	    (!x->exits && parse_mode(y, n, x, steady) == -1) ||
	    ystr(y, n, "as", &x->as) == -1 ||
	    yint(y, n, "min_samples", 1, 1 << 30, &x->min_samples) == -1)
		return -1;
	if (x->min_samples > 0 && x->load < 0 && x->mode != EX_HOLDS &&
	    x->mode != EX_NEVER)
		return yerr(y, ynode_get(n, "min_samples"), "min_samples: goes with"
		    " a load: bound, or a probe's holds: or never:");
	for (size_t i = 0; i < x->nm; i++)
		if (x->m[i].rise && (steady || x->mode == EX_NEVER))
			return yerr(y, ynode_get(n, "rises"), "rises: compares with the"
			    " value before the step, so it takes no %s",
			    steady ? "steady state" : "never:");
	if (x->as != NULL && x->mode != EX_WITHIN)
		return yerr(y, ynode_get(n, "as"), "as: names a measured time, so"
		    " it goes with within:");
	if (parse_regress(y, n, x) == -1)
		return -1;
	char *when_off;
	if (ywhen(y, n, &when_off) == -1)
		return -1;
	if (when_off != NULL) {
		free(x->off);
		x->off = when_off;
	}
	/* a check on a probe or load that is off is off too */
	if (x->off == NULL && x->ref_off != NULL && x->process < 0)
		x->off = xasprintf("%s '%s' is off: %s", x->load >= 0 ? "load" :
		    "probe", x->ref, x->ref_off);
	x->text = expect_describe(x);
	return 0;
}

void
expect_free(struct scen_expect *x)
{
	for (size_t i = 0; i < x->nm; i++)
		match_free(&x->m[i]);
	free(x->m);
	free(x->lm);
	free(x->wm);
	free(x->as);
	free(x->text);
	free(x->off);
	free(x->off_parts);
	memset(x, 0, sizeof *x);
}
