/* test_match.c — status patterns, JSON paths, body, headers, latency; and
 * what a Prometheus query's or an alert API's answer says (match_mon.c). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/io/match.h"
#include "../../lib/io/monprobe.h"
#include "../../lib/base/util.h"

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

/* Prometheus's /api/v1/query answers, as it sends them */
static void
promql_answers(void **state)
{
	static const char vec[] = "{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":["
	    "{\"metric\":{\"job\":\"a\"},\"value\":[1,\"0.5\"]},"
	    "{\"metric\":{\"job\":\"b\"},\"value\":[1,\"2\"]}]}}";
	static const char empty[] = "{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":[]}}";
	static const char bad[] = "{\"status\":\"error\",\"errorType\":"
	    "\"bad_data\",\"error\":\"parse error\"}";
	struct matcher m = { .kind = M_PROMQL, .op = '>', .value = 1 };
	struct sample s = sample(200, vec, NULL, 5);
	char *o;

	(void)state;
	/* every series must meet the bound: a (0.5) does not */
	assert_false(match_sample(&m, &s));
	m.labels = json_pack("{s:s}", "job", "b");
	assert_true(match_sample(&m, &s));
	o = match_observed(&m, &s);
	assert_string_equal(o, "{job=\"b\"} = 2");
	free(o);
	assert_true(match_metric_value(&m, &s) == 2);
	m.rise = 1;		/* the sum of the series picked, above a base */
	assert_true(match_sample_at(&m, &s, 1.5));
	assert_false(match_sample_at(&m, &s, 2));
	m.rise = 0;
	sample_free(&s);
	/* an empty result is no series, never 0 */
	s = sample(200, empty, NULL, 5);
	m.op = '<';
	assert_false(match_sample(&m, &s));
	o = match_observed(&m, &s);
	assert_string_equal(o, "no series (an empty result)");
	free(o);
	m.absent = 1;
	assert_true(match_sample(&m, &s));
	m.absent = 0;
	sample_free(&s);
	/* an error answer is that error */
	s = sample(400, bad, NULL, 5);
	assert_false(match_sample(&m, &s));
	o = match_observed(&m, &s);
	assert_string_equal(o, "Prometheus error: bad_data: 'parse error'");
	free(o);
	sample_free(&s);
	json_decref(m.labels);
}

/* an alert's state, from Alertmanager's API v2 and Prometheus's v1 */
static void
alert_answers(void **state)
{
	static const char am[] = "[{\"labels\":{\"alertname\":\"DbDown\","
	    "\"severity\":\"page\"},\"status\":{\"state\":\"active\"},"
	    "\"startsAt\":\"2026-12-03T11:00:00Z\"},{\"labels\":{\"alertname\":"
	    "\"Other\"},\"status\":{\"state\":\"active\"}}]";
	static const char pr[] = "{\"status\":\"success\",\"data\":{\"alerts\":"
	    "[{\"labels\":{\"alertname\":\"DbDown\"},\"state\":\"pending\"}]}}";
	struct matcher m = { .kind = M_ALERT, .text = "firing", .path = "DbDown",
	    .src = MON_ALERT_AM };
	struct sample s = sample(200, am, NULL, 5);
	char *o;

	(void)state;
	assert_true(match_sample(&m, &s));
	o = match_observed(&m, &s);
	assert_string_equal(o, "DbDown firing (since 2026-12-03T11:00:00Z)");
	free(o);
	m.labels = json_pack("{s:s}", "severity", "ticket");
	assert_false(match_sample(&m, &s));	/* not with those labels */
	m.text = "inactive";
	assert_true(match_sample(&m, &s));
	json_decref(m.labels);
	m.labels = NULL;
	sample_free(&s);
	s = sample(200, pr, NULL, 5);
	m.src = MON_ALERT_PROM;
	m.text = "pending";
	assert_true(match_sample(&m, &s));
	m.text = "firing";
	assert_false(match_sample(&m, &s));
	sample_free(&s);
	/* Alertmanager down: no answer matches no state, inactive included */
	s = sample(0, NULL, NULL, 5);
	m.text = "inactive";
	assert_false(match_sample(&m, &s));
	sample_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_patterns),
		cmocka_unit_test(json_paths),
		cmocka_unit_test(body_header_latency),
		cmocka_unit_test(promql_answers),
		cmocka_unit_test(alert_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
