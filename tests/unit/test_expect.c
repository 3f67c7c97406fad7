/* test_expect.c — expectations as the drill writes them, parsed (lib/
 * expect.c, through the scenario that names their probes, loads and
 * services): each kind's fields and units, the line people read for it,
 * parts a variable switched off, and the errors with their positions. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/model/scenario.h"

static const char head[] =
    "drill: x\n"
    "target: http://127.0.0.1:1\n"
    "services:\n"
    "  db: { kind: postgres, url: 'postgresql://u@127.0.0.1:1/d' }\n"
    "  app: { kind: process, pidfile: /nonexistent }\n"
    "probes:\n"
    "  health: { get: /health }\n"
    "  w: { post: '/w/{key}', writes: { in: db, query: 'SELECT k FROM t WHERE k = ANY($1)' } }\n"
    "load:\n"
    "  l: { get: /x, connections: 2 }\n"
    "steps:\n";

/* The drill with one step (an expect: flow mapping), parsed; the step's
 * expectation. NULL and e when it does not parse. */
static struct scenario *
one(const char *step, struct sd_err *e)
{
	char *text = xasprintf("%s  - expect: %s\n", head, step);
	struct scenario *s = scen_parse("x.yaml", text, strlen(text), e);

	free(text);
	return s;
}

static const struct scen_expect *
ok(const char *step, struct scenario **sp)
{
	struct sd_err e;

	*sp = one(step, &e);
	if (*sp == NULL)
		fail_msg("%s: %s", step, e.msg);
	assert_int_equal((*sp)->steps[0].kind, ST_EXPECT);
	return &(*sp)->steps[0].expect;
}

static void
probe_windows(void **state)
{
	struct scenario *s;
	const struct scen_expect *x;

	(void)state;
	x = ok("{ probe: health, status: 503, json: { status: degraded },"
	    " within: 5s, as: detect }", &s);
	assert_int_equal(x->probe, 0);
	assert_int_equal(x->process, -1);
	assert_int_equal(x->mode, EX_WITHIN);
	assert_int_equal(x->dur_ms, 5000);
	assert_int_equal(x->nm, 2);
	assert_string_equal(x->as, "detect");
	assert_string_equal(x->ref, "health");
	assert_non_null(strstr(x->text, "health: "));
	assert_non_null(strstr(x->text, " within 5.00s"));
	scen_free(s);

	x = ok("{ probe: health, status: [200, 5xx], latency: '< 800ms',"
	    " holds: 1.5s, min_samples: 4 }", &s);
	assert_int_equal(x->mode, EX_HOLDS);
	assert_int_equal(x->dur_ms, 1500);
	assert_int_equal(x->min_samples, 4);
	assert_int_equal(x->nm, 2);
	assert_non_null(strstr(x->text, " holds 1.50s"));
	scen_free(s);

	x = ok("{ probe: health, status: 5xx, never: true }", &s);
	assert_int_equal(x->mode, EX_NEVER);
	assert_non_null(strstr(x->text, "never while a fault is active"));
	scen_free(s);
}

static void
load_bounds(void **state)
{
	struct scenario *s;
	const struct scen_expect *x;

	(void)state;
	x = ok("{ load: l, phase: fault, errors: '< 1%', p99: '<= 2s',"
	    " rps: '>= 50' }", &s);
	assert_int_equal(x->load, 0);
	assert_int_equal(x->mode, EX_NOW);
	assert_int_equal(x->nlm, 3);
	/* units at the edge: a share is a fraction, a duration ms */
	assert_int_equal(x->lm[0].what, LW_ERRORS);
	assert_int_equal(x->lm[0].op, '<');
	assert_true(x->lm[0].v > 0.0099 && x->lm[0].v < 0.0101);
	assert_int_equal(x->lm[1].what, LW_P99);
	assert_int_equal(x->lm[1].op, 'L');
	assert_true(x->lm[1].v == 2000);
	assert_int_equal(x->lm[2].op, 'G');
	assert_string_equal(x->text, "load l (fault): errors < 1%, p99 <= 2000ms,"
	    " rps >= 50/s");
	scen_free(s);
}

static void
writes_and_process(void **state)
{
	struct scenario *s;
	const struct scen_expect *x;

	(void)state;
	x = ok("{ writes: w, lost: 0, rpo: '<= 1s', rto: '< 10s' }", &s);
	assert_int_equal(x->writes, 1);
	assert_int_equal(x->nwm, 3);
	assert_int_equal(x->wm[1].what, WW_RPO);
	assert_true(x->wm[1].v == 1000);
	assert_non_null(strstr(x->text, "writes of w: lost"));
	scen_free(s);

	x = ok("{ process: app, exits: { within: 10s, code: clean } }", &s);
	assert_int_equal(x->process, 1);
	assert_true(x->exits);
	assert_true(x->exit_clean);
	assert_int_equal(x->exit_code, -1);
	assert_non_null(strstr(x->text, "app exits cleanly"));
	scen_free(s);

	x = ok("{ process: app, exits: { within: 10s, code: 0 } }", &s);
	assert_int_equal(x->exit_code, 0);
	assert_false(x->exit_clean);
	scen_free(s);

	x = ok("{ process: app, rss_growth: '< 64MiB' }", &s);
	assert_int_equal(x->rss_growth_bytes, 64LL << 20);
	scen_free(s);
}

static void
parts_switched_off(void **state)
{
	struct scenario *s;
	const struct scen_expect *x;

	(void)state;
	/* a matcher whose value a variable left empty: not run, named */
	setenv("SD_T_READY", "", 1);
	x = ok("{ probe: health, status: 200, json: { status: '${SD_T_READY}' }"
	    " }", &s);
	assert_int_equal(x->nm, 1);
	assert_null(x->off);
	assert_non_null(x->off_parts);
	assert_non_null(strstr(x->off_parts, "SD_T_READY"));
	scen_free(s);
	/* the whole check off by when: */
	x = ok("{ probe: health, status: 200, when: '${SD_T_READY}' }", &s);
	assert_non_null(x->off);
	scen_free(s);
	unsetenv("SD_T_READY");
}

/* abort: conditions, parsed into the same structure with their window */
static void
abort_conditions(void **state)
{
	static const char text[] =
	    "drill: x\n"
	    "target: http://127.0.0.1:1\n"
	    "probes:\n"
	    "  health: { get: /health }\n"
	    "load:\n"
	    "  l: { get: /x, connections: 2 }\n"
	    "slo: { load: l, availability: 99.9% }\n"
	    "max_fault_time: 90s\n"
	    "halt_file: /run/stop\n"
	    "abort:\n"
	    "  - { probe: health, status: 5xx, for: 10s }\n"
	    "  - { probe: health, no_answer: true, for: 5s }\n"
	    "  - { load: l, error_share: '> 50%', p99: '> 2s', for: 5s }\n"
	    "  - { slo: burn_rate, value: '> 100', for: 30s }\n"
	    "steps:\n"
	    "  - wait: 1s\n";
	struct sd_err e;
	struct scenario *s = scen_parse("x.yaml", text, strlen(text), &e);
	const struct scen_expect *a;

	(void)state;
	if (s == NULL)
		fail_msg("%s", e.msg);
	assert_int_equal(s->naborts, 4);
	assert_int_equal(s->max_fault_ms, 90000);
	assert_string_equal(s->halt_file, "/run/stop");
	a = s->aborts;
	assert_true(a[0].abort);
	assert_int_equal(a[0].probe, 0);
	assert_int_equal(a[0].dur_ms, 10000);
	assert_string_equal(a[0].text, "health: HTTP 5xx for 10.00s");
	assert_true(a[1].no_answer);
	assert_string_equal(a[1].text, "health: no answer for 5.00s");
	assert_int_equal(a[2].load, 0);
	assert_int_equal(a[2].nlm, 2);
	assert_int_equal(a[2].lm[0].what, LW_ERRORS);
	assert_true(a[2].lm[0].v > 0.499 && a[2].lm[0].v < 0.501);
	assert_true(a[2].lm[1].v == 2000);
	assert_true(a[3].slo_burn);
	assert_int_equal(a[3].burn_op, '>');
	assert_true(a[3].burn_v == 100);
	assert_string_equal(a[3].text, "SLO burn rate > 100 for 30.00s");
	/* and one more from the command line, in the same grammar */
	assert_int_equal(scen_add_abort(s, "--abort-if", "{ probe: health,"
	    " latency: '> 1s', for: 3s }", &e), 0);
	assert_int_equal(s->naborts, 5);
	assert_int_equal(s->aborts[4].line, 0);
	assert_int_equal(scen_add_abort(s, "--abort-if", "{ probe: nope,"
	    " status: 500 }", &e), -1);
	assert_string_equal(e.msg, "--abort-if:1:10: no probe named 'nope'");
	scen_free(s);
}

static void
errors_have_positions(void **state)
{
	static const struct { const char *step, *want; } bad[] = {
		{ "{ probe: nosuch, status: 200 }", "nosuch" },
		{ "{ probe: health, errors: '< 1%' }", "errors" },
		{ "{ load: l, status: 200 }", "status" },
		{ "{ probe: health, status: 200, within: 5s, holds: 1s }", "" },
		{ "{ load: l, errors: '~ 1%' }", "" },
		{ "{ writes: health, lost: 0 }", "health" },
		{ "{ process: app, exits: { within: 1s, code: 300 } }", "" },
		{ "{ probe: health }", "" },
	};
	struct sd_err e;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct scenario *s = one(bad[i].step, &e);
		if (s != NULL)
			fail_msg("'%s' should not parse", bad[i].step);
		/* file:line:col — the step is on line 12 */
		if (strncmp(e.msg, "x.yaml:12:", 10) != 0)
			fail_msg("'%s': no position: %s", bad[i].step, e.msg);
		if (strstr(e.msg, bad[i].want) == NULL)
			fail_msg("'%s': %s does not name '%s'", bad[i].step, e.msg,
			    bad[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_windows),
		cmocka_unit_test(load_bounds),
		cmocka_unit_test(writes_and_process),
		cmocka_unit_test(parts_switched_off),
		cmocka_unit_test(abort_conditions),
		cmocka_unit_test(errors_have_positions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
