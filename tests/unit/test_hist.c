/* test_hist.c — percentiles within 1 % of exact ones on known data; merge. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../lib/base/hist.h"

static int
cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t
exact(int64_t *v, size_t n, double p)
{
	size_t want = (size_t)((p / 100.0) * (double)n + 0.5);
	return v[(want ? want : 1) - 1];
}

static void
check(int64_t *v, size_t n)
{
	struct hist *h = hist_new();
	static const double ps[] = { 1, 10, 50, 90, 95, 99, 99.9, 100 };

	for (size_t i = 0; i < n; i++)
		hist_record(h, v[i]);
	qsort(v, n, sizeof *v, cmp);
	assert_int_equal(h->count, n);
	assert_int_equal(h->min_us, v[0]);
	assert_int_equal(h->max_us, v[n - 1]);
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		int64_t e = exact(v, n, ps[i]), g = hist_percentile(h, ps[i]);
		double err = e ? (double)llabs(g - e) / (double)e : (double)g;
		if (err > 0.01)
			fail_msg("p%.1f: exact %lld, hist %lld (%.3f%%)", ps[i],
			    (long long)e, (long long)g, err * 100);
	}
	hist_free(h);
}

static void
uniform_and_skewed(void **state)
{
	int64_t *v = malloc(200000 * sizeof *v);
	uint64_t x = 88172645463325252ULL;

	(void)state;
	for (size_t i = 0; i < 200000; i++) {	/* xorshift: repeatable */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[i] = (int64_t)(x % 1000000);	/* 0..1 s */
	}
	check(v, 200000);
	for (size_t i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* mostly fast, a long tail up to an hour */
		v[i] = (x % 100) < 98 ? 200 + (int64_t)(x % 5000) :
		    (int64_t)(x % 3600000000LL) + 1;
	}
	check(v, 200000);
	for (size_t i = 0; i < 1000; i++)
		v[i] = (int64_t)i + 1;	/* exact small values */
	check(v, 1000);
	free(v);
}

static void
merge_equals_one(void **state)
{
	struct hist *a = hist_new(), *b = hist_new(), *all = hist_new();

	(void)state;
	for (int64_t i = 1; i <= 100000; i++) {
		hist_record(i % 2 ? a : b, i * 37 % 500000);
		hist_record(all, i * 37 % 500000);
	}
	hist_merge(a, b);
	assert_int_equal(a->count, all->count);
	for (double p = 1; p < 100; p += 7.5)
		assert_int_equal(hist_percentile(a, p), hist_percentile(all, p));
	struct hist *empty = hist_new();
	assert_int_equal(hist_percentile(empty, 50), 0);
	hist_free(empty);
	hist_record(a, -5);		/* clamps, never crashes */
	hist_record(a, INT64_MAX);
	hist_free(a);
	hist_free(b);
	hist_free(all);
}

/* A histogram written as (bucket value, count) and read back with hist_add
 * is the same histogram: the merge of load results across machines. */
static void
buckets_round_trip(void **state)
{
	struct hist *h = hist_new(), *back = hist_new();

	(void)state;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		struct hist *one = hist_new();
		hist_add(one, hist_bucket_value(i), 3);
		assert_int_equal(one->c[i], 3);	/* its own bucket */
		hist_free(one);
	}
	for (int64_t i = 1; i <= 50000; i++)
		hist_record(h, i * 7919 % 3000000);
	for (int i = 0; i < HIST_BUCKETS; i++)
		hist_add(back, hist_bucket_value(i), h->c[i]);
	assert_int_equal(back->count, h->count);
	assert_memory_equal(back->c, h->c, sizeof h->c);
	for (double p = 0.5; p < 100; p += 4.5)
		assert_int_equal(hist_percentile(back, p), hist_percentile(h, p));
	assert_int_equal(hist_bucket_value(-1), 0);
	assert_int_equal(hist_bucket_value(HIST_BUCKETS), 0);
	hist_free(h);
	hist_free(back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uniform_and_skewed),
		cmocka_unit_test(merge_equals_one),
		cmocka_unit_test(buckets_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
