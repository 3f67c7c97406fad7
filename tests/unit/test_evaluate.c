/* test_evaluate.c — deciding expectations (lib/run/evaluate.c and its
 * eval_*.c), through whole runs of small drills whose probes and loads hit
 * a real HTTP server (httpd.h): holds passes only on enough samples, a
 * flip is found within its window and breaks a holds, load bounds are
 * judged over what the load counted and never passed on too few requests,
 * and what a variable switched off is skipped, not passed. No fault: the
 * runner with faults is test_runner.c's. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/model/plan.h"
#include "../../lib/run/runner.h"
#include "httpd.h"

static volatile sig_atomic_t intr;

static int
setup(void **state)
{
	static char dir[] = "/tmp/sd-evaluate-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("SHAKEDOWN_STATE_DIR", dir, 1);
	return th_setup(state);
}

/* Run a drill: the target is the test server; `rest` follows its probes
 * (flip and ok, every 50 ms) and may add load: and steps:. */
static struct result *
run(const char *rest)
{
	struct run_opts o = { getenv("SHAKEDOWN"), &intr, NULL, NULL, NULL, 0, 0 };
	struct sd_err e;
	char *text = xasprintf("drill: ev\n"
	    "target: http://127.0.0.1:%d\n"
	    "probes:\n"
	    "  flip: { get: /flip, every: 50ms, timeout: 1s }\n"
	    "  ok: { get: /ok, every: 50ms, timeout: 1s }\n"
	    "%s", th_port, rest);
	struct scenario *s = scen_parse("ev.yaml", text, strlen(text), &e);
	struct plan *p;
	struct result *r;

	if (s == NULL)
		fail_msg("%s", e.msg);
	p = plan_build(s);
	intr = 0;
	r = run_drill(p, &o);
	plan_free(p);
	scen_free(s);
	free(text);
	return r;
}

/* The first expectation row whose text has `what`. */
static const struct res_expect *
row(const struct result *r, const char *what)
{
	for (size_t i = 0; i < r->nex; i++)
		if (strstr(r->ex[i].text, what) != NULL)
			return &r->ex[i];
	fail_msg("no row for '%s'", what);
	return NULL;
}

static void
holds_needs_samples(void **state)
{
	struct result *r;

	(void)state;
	th_flip_at = 0;
	r = run("steps:\n"
	    "  - expect: { probe: ok, status: 200, holds: 400ms }\n");
	assert_int_equal(r->verdict, V_PASS);
	assert_int_equal(row(r, "ok:")->outcome, O_PASS);
	assert_non_null(strstr(row(r, "ok:")->observed, "held in all"));
	res_free(r);
	/* the same window asked for more answers than it can hold: no
	 * verdict on too little, so a FAIL that says so */
	r = run("steps:\n"
	    "  - expect: { probe: ok, status: 200, holds: 400ms,"
	    " min_samples: 100 }\n");
	assert_int_equal(r->verdict, V_FAIL);
	assert_int_equal(row(r, "ok:")->outcome, O_FAIL);
	assert_non_null(strstr(row(r, "ok:")->observed, "no samples"));
	res_free(r);
}

static void
flip_found_within(void **state)
{
	struct result *r;
	const struct res_expect *x;

	(void)state;
	th_flip_at = th_now_ms() + 300;
	r = run("steps:\n"
	    "  - expect: { probe: flip, status: 503, within: 5s, as: detect }\n");
	x = row(r, "flip:");
	assert_int_equal(x->outcome, O_PASS);
	assert_int_equal(r->verdict, V_PASS);
	/* measured, with the probe's interval as its resolution */
	assert_true(x->elapsed_ms >= 0);
	assert_true(x->resolution_ms > 0 && x->resolution_ms <= 1000);
	res_free(r);
	th_flip_at = 0;
}

static void
flip_breaks_holds(void **state)
{
	struct result *r;
	const struct res_expect *x;

	(void)state;
	th_flip_at = th_now_ms() + 200;
	r = run("steps:\n"
	    "  - expect: { probe: flip, status: 200, holds: 2s }\n");
	x = row(r, "flip:");
	assert_int_equal(x->outcome, O_FAIL);
	assert_int_equal(r->verdict, V_FAIL);
	assert_non_null(strstr(x->observed, "503"));
	res_free(r);
	th_flip_at = 0;
}

static void
load_bounds(void **state)
{
	struct result *r;

	(void)state;
	r = run("load:\n"
	    "  l: { get: /ok, connections: 2 }\n"
	    "steps:\n"
	    "  - wait: 400ms\n"
	    "  - expect: { load: l, phase: all, errors: '< 1%' }\n");
	assert_int_equal(row(r, "load l")->outcome, O_PASS);
	assert_int_equal(r->verdict, V_PASS);
	res_free(r);
	r = run("load:\n"
	    "  l: { get: /fail, connections: 2 }\n"
	    "steps:\n"
	    "  - wait: 400ms\n"
	    "  - expect: { load: l, phase: all, errors: '< 1%' }\n");
	assert_int_equal(row(r, "load l")->outcome, O_FAIL);
	assert_non_null(strstr(row(r, "load l")->observed, "100"));
	res_free(r);
	/* 5 requests a second for 0.4 s: too few to say anything */
	r = run("load:\n"
	    "  l: { get: /ok, connections: 1, rate: 5/s }\n"
	    "steps:\n"
	    "  - wait: 400ms\n"
	    "  - expect: { load: l, phase: all, errors: '< 1%' }\n");
	assert_int_equal(row(r, "load l")->outcome, O_FAIL);
	assert_non_null(strstr(row(r, "load l")->observed, "no samples"));
	res_free(r);
}

static void
off_is_skipped(void **state)
{
	struct result *r;

	(void)state;
	setenv("SD_T_OFF", "", 1);
	r = run("steps:\n"
	    "  - expect: { probe: ok, status: 200, holds: 200ms }\n"
	    "  - expect: { probe: flip, status: 503,"
	    " when: '${SD_T_OFF}' }\n");
	/* the check that would fail is off: shown skipped, the rest decides */
	assert_int_equal(r->verdict, V_PASS);
	assert_int_equal(row(r, "flip:")->outcome, O_SKIPPED);
	res_free(r);
	/* every check off: nothing was shown, so no PASS */
	r = run("steps:\n"
	    "  - expect: { probe: ok, status: 200, holds: 200ms,"
	    " when: '${SD_T_OFF}' }\n");
	assert_int_equal(r->verdict, V_ERROR);
	res_free(r);
	unsetenv("SD_T_OFF");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holds_needs_samples),
		cmocka_unit_test(flip_found_within),
		cmocka_unit_test(flip_breaks_holds),
		cmocka_unit_test(load_bounds),
		cmocka_unit_test(off_is_skipped),
	};

	return cmocka_run_group_tests(tests, setup, th_teardown);
}
