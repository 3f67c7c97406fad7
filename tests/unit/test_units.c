/* test_units.c — durations, percentages, rates and sizes: values and refusals. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/base/units.h"

static void
durations(void **state)
{
	struct sd_err e;
	int64_t ms, us;

	(void)state;
	assert_int_equal(units_duration_ms("200ms", &ms, &e), 0);
	assert_int_equal(ms, 200);
	assert_int_equal(units_duration_ms("1.5s", &ms, &e), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(units_duration_ms("2m", &ms, &e), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(units_duration_ms("30d", &ms, &e), 0);
	assert_int_equal(ms, 30LL * 86400000);
	assert_int_equal(units_duration_ms("1h", &ms, &e), 0);
	assert_int_equal(ms, 3600000);
	assert_int_equal(units_duration_us("250us", &us, &e), 0);
	assert_int_equal(us, 250);
	/* a sub-millisecond duration rounds up, never to zero */
	assert_int_equal(units_duration_ms("1us", &ms, &e), 0);
	assert_int_equal(ms, 1);
	const char *bad[] = { "", "5", "-1s", "5 s", "5sec", "s", "1e3s",
	    "0x10ms", "inf", "5s ", "9999999h", NULL };
	for (const char **b = bad; *b; b++) {
		assert_int_equal(units_duration_ms(*b, &ms, &e), -1);
		assert_non_null(strstr(e.msg, "bad duration"));
	}
}

static void
percents(void **state)
{
	struct sd_err e;
	double f;

	(void)state;
	assert_int_equal(units_percent("1%", &f, &e), 0);
	assert_true(f > 0.00999 && f < 0.01001);
	assert_int_equal(units_percent("0.5%", &f, &e), 0);
	assert_true(f > 0.00499 && f < 0.00501);
	assert_int_equal(units_percent("100%", &f, &e), 0);
	assert_int_equal(units_percent("101%", &f, &e), -1);
	assert_int_equal(units_percent("1", &f, &e), -1);
	assert_int_equal(units_percent("%", &f, &e), -1);
	assert_non_null(strstr(e.msg, "bad percentage"));
}

static void
rates_and_sizes(void **state)
{
	struct sd_err e;
	int64_t b;
	double r;

	(void)state;
	assert_int_equal(units_rate("500/s", &r, &e), 0);
	assert_true(r == 500);
	assert_int_equal(units_rate("30/m", &r, &e), 0);
	assert_true(r > 0.49 && r < 0.51);
	assert_int_equal(units_rate("0/s", &r, &e), -1);
	assert_int_equal(units_rate("500", &r, &e), -1);
	assert_int_equal(units_size("64KiB", &b, &e), 0);
	assert_int_equal(b, 65536);
	assert_int_equal(units_size("10MB", &b, &e), 0);
	assert_int_equal(b, 10000000);
	assert_int_equal(units_size("512", &b, &e), 0);
	assert_int_equal(b, 512);
	assert_int_equal(units_size("1XB", &b, &e), -1);
}

static void
formatting(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(units_fmt_ms(850, buf, sizeof buf), "850ms");
	assert_string_equal(units_fmt_ms(1250, buf, sizeof buf), "1.25s");
	assert_string_equal(units_fmt_ms(125000, buf, sizeof buf), "2m05s");
	assert_string_equal(units_fmt_ms(3660000, buf, sizeof buf), "1h01m");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(percents),
		cmocka_unit_test(rates_and_sizes),
		cmocka_unit_test(formatting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
