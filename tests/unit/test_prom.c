/* test_prom.c — Prometheus selectors and text exposition: parsing, sums
 * over matching series, labels that must be absent, escapes, refusals. */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/base/prom.h"

static const char scrape[] =
    "# HELP http_requests_total Requests.\n"
    "# TYPE http_requests_total counter\n"
    "http_requests_total{route=\"/health\",status=\"200\"} 10\n"
    "http_requests_total{route=\"/api/records\",status=\"503\"} 3\n"
    "http_requests_total{route=\"/api/ready\",status=\"503\"} 4 1700000000000\n"
    "http_requests_total{status=\"503\",route=\"/a \\\"b\\\\c\"} 0.5\n"
    "http_requests_total_sum 99\n"
    "db_up 0\n"
    "temp{room=\"\"} 21\n"
    "inf_gauge +Inf\n"
    "broken{status=\"503\" 7\n"
    "\n";

static double
value(const char *sel, size_t want_n)
{
	struct prom_sel s;
	struct sd_err e;
	double v = -1;

	assert_int_equal(prom_sel_parse(sel, &s, &e), 0);
	assert_int_equal(prom_value(scrape, &s, &v), want_n);
	prom_sel_free(&s);
	return v;
}

static void
sums(void **state)
{
	(void)state;
	assert_true(value("http_requests_total", 4) == 17.5);
	assert_true(value("http_requests_total{status=\"503\"}", 3) == 7.5);
	assert_true(value("http_requests_total{ route = \"/api/ready\" }", 1) == 4);
	assert_true(value("http_requests_total{route=\"/a \\\"b\\\\c\"}", 1) == 0.5);
	assert_true(value("db_up", 1) == 0);
	/* a label that must be empty: absent or empty both match */
	assert_true(value("temp{room=\"\"}", 1) == 21);
	assert_true(value("db_up{job=\"\"}", 1) == 0);
	assert_true(isinf(value("inf_gauge", 1)));
	/* absent: the value is left alone */
	assert_true(value("http_requests_total{status=\"418\"}", 0) == -1);
	assert_true(value("nothing", 0) == -1);
	/* a malformed line is skipped, not half-read */
	assert_true(value("broken", 0) == -1);
}

static void
selectors(void **state)
{
	struct prom_sel s;
	struct sd_err e;
	char *t;

	(void)state;
	assert_int_equal(prom_sel_parse("a:b_c{x=\"1\",y=\"2\"}", &s, &e), 0);
	t = prom_sel_text(&s);
	assert_string_equal(t, "a:b_c{x=\"1\",y=\"2\"}");
	free(t);
	prom_sel_free(&s);
	assert_int_equal(prom_sel_parse("", &s, &e), -1);
	assert_int_equal(prom_sel_parse("9lives", &s, &e), -1);
	assert_int_equal(prom_sel_parse("m{x=1}", &s, &e), -1);
	assert_int_equal(prom_sel_parse("m{x=\"1\"", &s, &e), -1);
	assert_int_equal(prom_sel_parse("m{x=\"1\"} extra", &s, &e), -1);
	assert_int_equal(prom_sel_parse("m{a:b=\"1\"}", &s, &e), -1);
	assert_non_null(strstr(e.msg, "labels are name=\"value\" pairs"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sums),
		cmocka_unit_test(selectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
