/* test_trend.c — the regression gate's arithmetic (reports/compare.c): a
 * key time regressed only when the new run's smallest possible value
 * exceeds the baseline's by more than its tolerance; the tolerance's
 * order; verdict flips; lost writes; new and missing drills; a history
 * with a gap. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../reports/trend.h"

/* A result of drill d with one key time "recovery" (v ms, res ms). */
static struct result *
one(const char *d, enum verdict v, int64_t ms, int64_t res, double regress)
{
	struct result *r = res_new();
	struct res_expect *x = res_add_expect(r);

	r->drill = xstrdup(d);
	r->title = xstrdup(d);
	r->verdict = v;
	r->started_wall_ms = 1000;
	x->phase = xstrdup("step 3");
	x->text = xstrdup("ready: HTTP 200 within 5s");
	x->as = xstrdup("recovery");
	x->elapsed_ms = ms;
	x->resolution_ms = res;
	x->bound_ms = 5000;
	x->regress_pct = regress;
	return r;
}

static size_t
regressions(struct result *b, struct result *n, const struct cmp_tolerance *t,
    size_t nt)
{
	struct trend_day bd, nd;
	struct cmp_result c;
	const struct result *bs = b, *ns = n;
	size_t k;

	trend_day_of(&bd, "base", &bs, 1);
	trend_day_of(&nd, "new", &ns, 1);
	rpt_compare(&bd, &nd, t, nt, &c);
	k = c.regressions;
	rpt_compare_result_free(&c);
	trend_day_free(&bd);
	trend_day_free(&nd);
	res_free(b);
	res_free(n);
	return k;
}

static void
within_resolution(void **state)
{
	(void)state;
	/* 100 → 125 with a 10 ms resolution: at best 115, within 20 % */
	assert_int_equal(regressions(one("d", V_PASS, 100, 10, -1),
	    one("d", V_PASS, 125, 10, -1), NULL, 0), 0);
	/* 100 → 150: at best 140 > 120 */
	assert_int_equal(regressions(one("d", V_PASS, 100, 10, -1),
	    one("d", V_PASS, 150, 10, -1), NULL, 0), 1);
	/* a 5 ms regression a 10 ms resolution cannot show */
	assert_int_equal(regressions(one("d", V_PASS, 10, 10, -1),
	    one("d", V_PASS, 15, 10, -1), NULL, 0), 0);
}

static void
tolerances(void **state)
{
	struct cmp_tolerance all = { NULL, 0.01, -1 };
	struct cmp_tolerance rec = { "recovery", -1, 1000 };

	(void)state;
	/* the drill's regress: 100 % lets 100 → 190 through */
	assert_int_equal(regressions(one("d", V_PASS, 100, 0, -1),
	    one("d", V_PASS, 190, 0, 1.0), NULL, 0), 0);
	/* a --tolerance for every key time yields to the drill's */
	assert_int_equal(regressions(one("d", V_PASS, 100, 0, -1),
	    one("d", V_PASS, 190, 0, 1.0), &all, 1), 0);
	assert_int_equal(regressions(one("d", V_PASS, 100, 0, -1),
	    one("d", V_PASS, 190, 0, -1), &all, 1), 1);
	/* one for that key time wins over both */
	assert_int_equal(regressions(one("d", V_PASS, 100, 0, -1),
	    one("d", V_PASS, 1050, 0, 0.01), &rec, 1), 0);
}

static void
verdicts_and_drills(void **state)
{
	struct trend_day bd, nd;
	struct cmp_result c;
	struct result *b[2] = { one("a", V_PASS, 10, 1, -1),
	    one("gone", V_PASS, 10, 1, -1) };
	struct result *n[2] = { one("a", V_FAIL, -1, -1, -1),
	    one("new", V_PASS, 10, 1, -1) };

	(void)state;
	trend_day_of(&bd, "base", (const struct result *const *)b, 2);
	trend_day_of(&nd, "new", (const struct result *const *)n, 2);
	rpt_compare(&bd, &nd, NULL, 0, &c);
	/* PASS → FAIL, and the key time no longer reached: two; the new and
	 * the missing drill are listed, not counted */
	assert_int_equal(c.regressions, 2);
	assert_int_equal(c.n, 4);
	char *t = rpt_compare_text(&c, "base");
	assert_non_null(strstr(t, "a: verdict: PASS → FAIL"));
	assert_non_null(strstr(t, "a: recovery: 10ms (res 1ms) → not reached"));
	assert_non_null(strstr(t, "new: drill: new"));
	assert_non_null(strstr(t, "gone: drill: missing"));
	free(t);
	/* a history: "gone" is a gap in the newer day, never a zero */
	struct trend_day days[2] = { bd, nd };
	char *md = rpt_history_md(days, 2);
	assert_non_null(strstr(md, "## gone"));
	assert_non_null(strstr(md, "— (not run)"));
	free(md);
	char *svg = rpt_history_svg(days, 2);
	assert_non_null(strstr(svg, "data-drill=\"gone\" data-metric=\"recovery\""
	    " data-points=\"1\""));
	free(svg);
	rpt_compare_result_free(&c);
	trend_day_free(&bd);
	trend_day_free(&nd);
	for (int i = 0; i < 2; i++) {
		res_free(b[i]);
		res_free(n[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(within_resolution),
		cmocka_unit_test(tolerances),
		cmocka_unit_test(verdicts_and_drills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
