/* test_match.c — status patterns, JSON paths, body, headers, latency. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/match.h"
#include "../../lib/util.h"

static struct sample
sample(int status, const char *body, const char *headers, int64_t lat)
{
	struct sample s = { 0 };

	s.status = status;
	s.body = body ? xstrdup(body) : NULL;
	s.headers = headers ? xstrdup(headers) : NULL;
	s.sent_ms = 1000;
	s.done_ms = 1000 + lat;
	return s;
}

static void
status_patterns(void **state)
{
	struct status_pat p[2];
	struct matcher m = { .kind = M_STATUS, .pats = p, .npats = 1 };
	struct sd_err e;
	struct sample s = sample(503, NULL, NULL, 1);

	(void)state;
	assert_int_equal(match_parse_status("5xx", &p[0], &e), 0);
	assert_int_equal(p[0].lo, 500);
	assert_int_equal(p[0].hi, 599);
	assert_true(match_sample(&m, &s));
	assert_int_equal(match_parse_status("200", &p[0], &e), 0);
	assert_false(match_sample(&m, &s));
	assert_int_equal(match_parse_status("503", &p[1], &e), 0);
	m.npats = 2;
	assert_true(match_sample(&m, &s));
	assert_int_equal(match_parse_status("6xx", &p[0], &e), -1);
	assert_int_equal(match_parse_status("20", &p[0], &e), -1);
	assert_int_equal(match_parse_status("ok", &p[0], &e), -1);
	assert_non_null(strstr(e.msg, "bad status 'ok'"));
	/* no answer matches no status */
	struct sample none = { .status = 0, .error = "timeout" };
	m.npats = 1;
	match_parse_status("5xx", &p[0], &e);
	assert_false(match_sample(&m, &none));
	sample_free(&s);
}

static void
json_paths(void **state)
{
	const char *body = "{\"status\":\"degraded\",\"checks\":{\"db\":{\"ok\":"
	    "false,\"latency_ms\":1.0}},\"items\":[{\"id\":7},{\"id\":8}],"
	    "\"n\":3}";
	struct sample s = sample(200, body, NULL, 1);
	struct matcher m = { .kind = M_JSON };
	char *obs;

	(void)state;
	m.path = "checks.db.ok";
	m.want = match_scalar_json("false", 1, NULL);
	assert_true(match_sample(&m, &s));
	json_decref(m.want);
	/* quoted "false" is a string, not the boolean */
	m.want = match_scalar_json("false", 0, NULL);
	assert_false(match_sample(&m, &s));
	json_decref(m.want);
	m.path = "items[1].id";
	m.want = match_scalar_json("8", 1, NULL);
	assert_true(match_sample(&m, &s));
	json_decref(m.want);
	/* numbers compare by value: 1 == 1.0 */
	m.path = "checks.db.latency_ms";
	m.want = match_scalar_json("1", 1, NULL);
	assert_true(match_sample(&m, &s));
	json_decref(m.want);
	m.path = "status";
	m.want = match_scalar_json("ok", 1, NULL);
	assert_false(match_sample(&m, &s));
	obs = match_observed(&m, &s);
	assert_string_equal(obs, "$.status = \"degraded\"");
	free(obs);
	json_decref(m.want);
	m.path = "checks.redis.ok";
	m.want = match_scalar_json("true", 1, NULL);
	assert_false(match_sample(&m, &s));
	obs = match_observed(&m, &s);
	assert_string_equal(obs, "$.checks.redis.ok absent");
	free(obs);
	json_decref(m.want);
	sample_free(&s);
	struct sample html = sample(200, "<html>", NULL, 1);
	m.path = "status";
	m.want = match_scalar_json("ok", 1, NULL);
	assert_false(match_sample(&m, &html));
	obs = match_observed(&m, &html);
	assert_string_equal(obs, "body is not JSON");
	free(obs);
	json_decref(m.want);
	sample_free(&html);
}

static void
body_header_latency(void **state)
{
	struct sample s = sample(429, "{\"error\":\"AI request already in"
	    " progress. Please wait.\"}", "HTTP/1.1 429 Too Many\r\n"
	    "Retry-After: 10\r\nConnection: close\r\n\r\n", 250);
	struct matcher m = { 0 };
	struct sd_err e;

	(void)state;
	m.kind = M_BODY;
	m.text = "already in progress";
	assert_true(match_sample(&m, &s));
	m.kind = M_HEADER;
	m.text = "retry-after";	/* names are case-insensitive */
	m.hval = NULL;
	assert_true(match_sample(&m, &s));
	m.hval = "10";
	assert_true(match_sample(&m, &s));
	m.hval = "11";
	assert_false(match_sample(&m, &s));
	m.text = "X-Missing";
	m.hval = NULL;
	assert_false(match_sample(&m, &s));
	memset(&m, 0, sizeof m);
	m.kind = M_LATENCY;
	assert_int_equal(match_parse_latency("< 300ms", &m, &e), 0);
	assert_true(match_sample(&m, &s));
	assert_int_equal(match_parse_latency("<= 250ms", &m, &e), 0);
	assert_true(match_sample(&m, &s));
	assert_int_equal(match_parse_latency("< 250ms", &m, &e), 0);
	assert_false(match_sample(&m, &s));
	/* slower than (an abort: condition's): a timeout past the bound is
	 * slow too, never fast */
	assert_int_equal(match_parse_latency("> 200ms", &m, &e), 0);
	assert_true(match_sample(&m, &s));
	assert_int_equal(match_parse_latency(">= 1s", &m, &e), 0);
	assert_false(match_sample(&m, &s));
	int st = s.status;
	s.status = 0;		/* it timed out at 250 ms */
	assert_int_equal(match_parse_latency("> 200ms", &m, &e), 0);
	assert_true(match_sample(&m, &s));
	assert_int_equal(match_parse_latency("< 300ms", &m, &e), 0);
	assert_false(match_sample(&m, &s));
	s.status = st;
	assert_int_equal(match_parse_latency("~ 1s", &m, &e), -1);
	assert_int_equal(match_parse_latency("< fast", &m, &e), -1);
	sample_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_patterns),
		cmocka_unit_test(json_paths),
		cmocka_unit_test(body_header_latency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
