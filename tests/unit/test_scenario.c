/* test_scenario.c — a full scenario parses to the right structure; env
 * expansion; errors carry file:line:col. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/dispatch/dispatch.h"
#include "../../lib/model/scenario.h"
#include "../../lib/base/ynode.h"

static const char good[] =
    "drill: demo\n"
    "title: A demo\n"
    "target: ${SD_T_TARGET:-http://127.0.0.1:1}/\n"
    "services:\n"
    "  redis:\n"
    "    kind: redis\n"
    "    url: redis://:secret@127.0.0.1:6379\n"
    "    stop: [redis-cli, shutdown]\n"
    "    start: \"redis-server --port 6379 --save ''\"\n"
    "  app: { kind: process, pidfile: /run/app.pid }\n"
    "probes:\n"
    "  health: { get: /health, every: 250ms, timeout: 2s }\n"
    "  login:\n"
    "    post: /api/login\n"
    "    headers: { Authorization: Bearer u1 }\n"
    "    body: '{\"user\":\"u1\"}'\n"
    "steady:\n"
    "  - { probe: health, status: 200 }\n"
    "steps:\n"
    "  - stop: redis\n"
    "  - expect: { probe: health, json: { status: degraded, checks.redis.ok: false }, within: 5s, as: detect }\n"
    "  - wait: 1.5s\n"
    "  - expect: { probe: login, status: [200, 5xx], holds: 2s }\n"
    "  - expect: { probe: health, status: 5xx, never: true }\n"
    "  - expect: { process: app, alive: true }\n"
    "  - start: redis\n";

static void
parses_everything(void **state)
{
	struct sd_err e;
	struct scenario *s;

	(void)state;
	unsetenv("SD_T_TARGET");
	s = scen_parse("good.yaml", good, strlen(good), &e);
	if (s == NULL)
		fail_msg("%s", e.msg);
	assert_string_equal(s->drill, "demo");
	assert_int_equal(s->nservices, 2);
	assert_int_equal(s->services[0].kind, SVC_REDIS);
	assert_string_equal(s->services[0].cmd[CMD_STOP][1], "shutdown");
	assert_string_equal(s->services[0].cmd[CMD_START][4], "");
	assert_null(s->services[0].cmd[CMD_START][5]);
	assert_int_equal(s->nprobes, 2);
	assert_string_equal(s->probes[0].rq.url, "http://127.0.0.1:1/health");
	assert_int_equal(s->probes[0].every_ms, 250);
	assert_int_equal(s->probes[0].timeout_ms, 2000);
	assert_string_equal(s->probes[1].rq.method, "POST");
	assert_string_equal(s->probes[1].rq.headers[0], "Authorization: Bearer u1");
	assert_int_equal(s->nsteps, 7);
	assert_int_equal(s->steps[0].kind, ST_FAULT);
	assert_string_equal(s->steps[0].fault->verb->name, "stop");
	assert_string_equal(s->steps[0].fault->kind->name, "service");
	assert_int_equal(s->steps[1].expect.mode, EX_WITHIN);
	assert_int_equal(s->steps[1].expect.dur_ms, 5000);
	assert_int_equal(s->steps[1].expect.nm, 2);
	assert_string_equal(s->steps[1].expect.as, "detect");
	assert_int_equal(s->steps[2].wait_ms, 1500);
	assert_int_equal(s->steps[3].expect.m[0].npats, 2);
	assert_int_equal(s->steps[4].expect.mode, EX_NEVER);
	assert_int_equal(s->steps[5].expect.process, 1);
	assert_int_equal(s->steps[1].line, 21);
	assert_int_equal(s->steps[1].col, 5);
	/* the plan never shows the password */
	char *d = s->steps[0].fault->kind->describe(s->steps[0].fault, 0);
	assert_null(strstr(d, "secret"));
	free(d);
	scen_free(s);
}

static void
env_expansion(void **state)
{
	struct sd_err e;
	char *v;

	(void)state;
	setenv("SD_T_A", "alpha", 1);
	unsetenv("SD_T_B");
	setenv("SD_T_EMPTY", "", 1);
	v = yexpand("x${SD_T_A}y", NULL, &e);
	assert_string_equal(v, "xalphay");
	free(v);
	v = yexpand("${SD_T_B:-dflt}", NULL, &e);
	assert_string_equal(v, "dflt");
	free(v);
	v = yexpand("${SD_T_EMPTY:-dflt}", NULL, &e);
	assert_string_equal(v, "dflt");
	free(v);
	v = yexpand("${SD_T_B:-${SD_T_A}/x}", NULL, &e);
	assert_string_equal(v, "alpha/x");
	free(v);
	v = yexpand("${SD_T_B:-Bearer user-{user}}/{n}", NULL, &e);
	assert_string_equal(v, "Bearer user-{user}/{n}");
	free(v);
	v = yexpand("cost $$5", NULL, &e);
	assert_string_equal(v, "cost $5");
	free(v);
	assert_null(yexpand("${SD_T_B}", NULL, &e));
	assert_non_null(strstr(e.msg, "variable 'SD_T_B' is not set"));
	assert_null(yexpand("${SD_T_A:-oops", NULL, &e));
	assert_null(yexpand("${}", NULL, &e));
}

static void
errors_have_positions(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "drill: x\nstepz: []\n", "t.yaml:2:1: unknown key 'stepz' in a drill (did you mean 'steps'?)" },
		{ "drill: x\nsteps:\n  - wait: soon\n", "t.yaml:3:11: wait: bad duration 'soon'" },
		{ "drill: x\nsteps:\n  - {}\n", "t.yaml:3:5: empty step" },
		{ "drill: x\ndrill: y\nsteps: []\n", "t.yaml:2:1: duplicate key 'drill'" },
		{ "drill: x\nsteps:\n\t- wait: 1s\n", "t.yaml:3:1: tab in indentation" },
	};
	struct sd_err e;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scenario *s = scen_parse("t.yaml", cases[i].text,
		    strlen(cases[i].text), &e);
		assert_null(s);
		if (strncmp(e.msg, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, e.msg,
			    cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_everything),
		cmocka_unit_test(env_expansion),
		cmocka_unit_test(errors_have_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
