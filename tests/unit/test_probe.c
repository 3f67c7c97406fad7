/* test_probe.c — the probes against a real HTTP server (httpd.h): a probe
 * fires on its schedule, a hanging endpoint costs only its own samples
 * (their timeout) and never the others', a probe switched off is never
 * sampled, a writer's requests carry their keys, fast mode samples more. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/io/probe.h"
#include "httpd.h"

/* Run the probes for ms, then stop; the set is returned for reading. */
static struct probe_set *
run_for(const struct probe_def *d, size_t n, int64_t ms)
{
	struct sd_err e;
	struct probe_set *ps = probes_new(d, n, mono_ms(), &e);

	if (ps == NULL || probes_start(ps, &e) == -1)
		fail_msg("%s", e.msg);
	sleep_ms(ms);
	probes_stop(ps);
	return ps;
}

static void
schedule(void **state)
{
	char u[64];
	struct probe_def d = { .name = "ok", .method = "GET",
	    .url = th_url(u, sizeof u, "/ok"), .every_ms = 50,
	    .timeout_ms = 1000 };
	struct probe_set *ps;
	size_t n, answered = 0;

	(void)state;
	ps = run_for(&d, 1, 520);
	probes_lock(ps);
	n = probes_count(ps, 0);
	/* every 50 ms over 520 ms: 11, give or take a scheduling hiccup */
	assert_in_range(n, 6, 12);
	for (size_t i = 0; i < n; i++) {
		struct sample *s = probes_sample(ps, 0, i);
		if (s->done_ms < 0)
			continue;
		answered++;
		assert_int_equal(s->status, 200);
		assert_null(s->error);
		assert_non_null(strstr(s->body, "\"ok\""));
		assert_true(s->done_ms >= s->sent_ms);
		if (i > 0)	/* in send order */
			assert_true(s->sent_ms >= probes_sample(ps, 0, i - 1)->
			    sent_ms);
	}
	assert_true(answered >= n - 1);
	probes_unlock(ps);
	probes_free(ps);
}

static void
hang_costs_only_its_own(void **state)
{
	char u1[64], u2[64];
	struct probe_def d[2] = {
		{ .name = "slow", .method = "GET",
		    .url = th_url(u1, sizeof u1, "/slow"), .every_ms = 100,
		    .timeout_ms = 150 },
		{ .name = "ok", .method = "GET",
		    .url = th_url(u2, sizeof u2, "/ok"), .every_ms = 50,
		    .timeout_ms = 1000 },
	};
	struct probe_set *ps;
	size_t timeouts = 0, slow_n, ok_n;

	(void)state;
	ps = run_for(d, 2, 620);
	probes_lock(ps);
	slow_n = probes_count(ps, 0);
	ok_n = probes_count(ps, 1);
	/* the slow probe kept its own schedule: it fires whether or not the
	 * one before answered */
	assert_in_range(slow_n, 4, 7);
	for (size_t i = 0; i < slow_n; i++) {
		struct sample *s = probes_sample(ps, 0, i);
		if (s->done_ms < 0)
			continue;
		assert_int_equal(s->status, 0);
		assert_non_null(s->error);
		assert_string_equal(s->error, "timeout");
		/* given up at its timeout (the server would have answered
		 * 200 at 400 ms) */
		assert_true(s->done_ms - s->sent_ms >= 140);
		timeouts++;
	}
	assert_true(timeouts >= 3);
	/* and the other probe was not held up */
	assert_in_range(ok_n, 8, 14);
	for (size_t i = 0; i + 1 < ok_n; i++)
		assert_int_equal(probes_sample(ps, 1, i)->status, 200);
	probes_unlock(ps);
	probes_free(ps);
}

static void
off_is_never_sampled(void **state)
{
	char u[64];
	struct probe_def d[2] = {
		{ .name = "off", .method = "GET", .url = th_url(u, sizeof u, "/ok"),
		    .every_ms = 20, .timeout_ms = 1000, .off = 1 },
		{ .name = "on", .method = "GET", .url = u, .every_ms = 20,
		    .timeout_ms = 1000 },
	};
	struct probe_set *ps;

	(void)state;
	ps = run_for(d, 2, 200);
	probes_lock(ps);
	assert_int_equal(probes_count(ps, 0), 0);
	assert_true(probes_count(ps, 1) >= 5);
	probes_unlock(ps);
	probes_free(ps);
}

static void
writer_keys(void **state)
{
	char u[64];
	struct probe_def d = { .name = "w", .method = "POST",
	    .url = th_url(u, sizeof u, "/ok"), .body = "{\"key\":\"{key}\"}",
	    .every_ms = 30, .timeout_ms = 1000, .key_prefix = "run7-w" };
	struct probe_set *ps;
	size_t n;

	(void)state;
	ps = run_for(&d, 1, 200);
	probes_lock(ps);
	n = probes_count(ps, 0);
	assert_true(n >= 4);
	for (size_t i = 0; i < n; i++) {
		char want[32];
		snprintf(want, sizeof want, "run7-w-%zu", i + 1);
		assert_string_equal(probes_sample(ps, 0, i)->key, want);
	}
	probes_unlock(ps);
	probes_free(ps);
}

static void
fast_mode(void **state)
{
	char u[64];
	struct probe_def d = { .name = "f", .method = "GET",
	    .url = th_url(u, sizeof u, "/ok"), .every_ms = 200, .fast_ms = 20,
	    .timeout_ms = 1000 };
	struct sd_err e;
	struct probe_set *ps = probes_new(&d, 1, mono_ms(), &e);
	size_t slow, fast;

	(void)state;
	assert_non_null(ps);
	assert_int_equal(probes_start(ps, &e), 0);
	sleep_ms(410);
	probes_lock(ps);
	slow = probes_count(ps, 0);
	probes_unlock(ps);
	probes_fast(ps, 0, 1);
	sleep_ms(410);
	probes_lock(ps);
	fast = probes_count(ps, 0) - slow;
	probes_unlock(ps);
	probes_stop(ps);
	probes_free(ps);
	assert_in_range(slow, 2, 4);
	/* every 20 ms: about 20 in 410 ms; at the slow pace it would be 2 */
	assert_true(fast >= 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(schedule),
		cmocka_unit_test(hang_costs_only_its_own),
		cmocka_unit_test(off_is_never_sampled),
		cmocka_unit_test(writer_keys),
		cmocka_unit_test(fast_mode),
	};

	return cmocka_run_group_tests(tests, th_setup, th_teardown);
}
