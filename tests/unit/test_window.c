/* test_window.c — the within/now/holds/never rules on made-up samples. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../lib/io/window.h"

static int
is_503(void *arg, struct sample *s)
{
	(void)arg;
	return s->status == 503;
}

/* samples every 100 ms, 5 ms latency; status per slot; 0 = in flight */
static size_t
make(struct sample *s, const int *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s[i] = (struct sample){ 0 };
		s[i].sent_ms = (int64_t)i * 100;
		s[i].done_ms = st[i] < 0 ? -1 : (int64_t)i * 100 + 5;
		s[i].status = st[i] < 0 ? 0 : st[i];
	}
	return n;
}

static void
within_measures_and_bounds(void **state)
{
	struct sample s[8];
	int st[] = { 200, 200, 200, 200, 503, 503, 503, 503 };
	struct window_result r;

	(void)state;
	make(s, st, 8);
	/* fault in effect at 250: first 503 sent at 400, done 405 */
	assert_int_equal(window_within(s, 8, 250, 250 + 1000, 2000, is_503, NULL,
	    &r), WIN_PASS);
	assert_int_equal(r.k, 4);
	assert_int_equal(r.elapsed_ms, 155);
	/* previous (non-matching) sample sent at 300: truth in (300, 405] */
	assert_int_equal(r.resolution_ms, 105);
	/* the true flip, anywhere in (300, 405], lies in the stated range */
	assert_true(405 - r.resolution_ms == 300);
}

static void
within_fails_after_deadline_not_before(void **state)
{
	struct sample s[8];
	int st[] = { 200, 200, 200, 200, 200, 200, 503, 503 };
	struct window_result r;

	(void)state;
	make(s, st, 8);
	/* 503 only at 600: a 300 ms window from 100 misses it */
	assert_int_equal(window_within(s, 8, 100, 400, 350, is_503, NULL, &r),
	    WIN_PENDING);
	assert_int_equal(window_within(s, 8, 100, 400, 401, is_503, NULL, &r),
	    WIN_FAIL);
	/* the last sample answered in the window: 4 was sent at its end but
	 * answered after it, which the window did not see */
	assert_int_equal(r.k, 3);
	assert_int_equal(r.late, SIZE_MAX);	/* and it was a 200 anyway */
}

/* A match answered after the window is not what the window observed:
 * the FAIL names the last answer inside it, and the late one apart. */
static void
within_late_answer_is_not_observed(void **state)
{
	struct sample s[6];
	int st[] = { 200, 200, 200, 503, 503, 503 };
	struct window_result r;

	(void)state;
	make(s, st, 6);
	s[3].done_ms = 450;	/* sent at 300, answered at 450 */
	assert_int_equal(window_within(s, 6, 100, 400, 500, is_503, NULL, &r),
	    WIN_FAIL);
	assert_int_equal(r.k, 2);
	assert_int_equal(r.late, 3);
}

/* A slow fault step (its start 150, its end 450): the condition turned
 * during it. The first sample after the end matches at once; the onset
 * says when it was first seen and how long from the step's start. */
static void
onset_in_a_slow_step(void **state)
{
	struct sample s[8];
	int st[] = { 200, 200, 503, 503, 503, 503, 503, 503 };
	struct window_result r;
	struct window_onset on;

	(void)state;
	make(s, st, 8);
	assert_int_equal(window_within(s, 8, 450, 2000, 2000, is_503, NULL, &r),
	    WIN_PASS);
	assert_int_equal(r.k, 5);
	window_onset(s, 8, r.k, 150, 450, is_503, NULL, &on);
	assert_false(on.before_step);
	assert_int_equal(on.first, 2);		/* sent at 200, answered 205 */
	assert_int_equal(on.from_start_ms, 205 - 150);
	assert_int_equal(on.from_start_res_ms, 205 - 150);	/* sample 1 was
				 * sent before the step began */
	/* it held before the step began: nothing to time */
	int st2[] = { 503, 503, 503, 503, 503, 503, 503, 503 };
	make(s, st2, 8);
	window_within(s, 8, 450, 2000, 2000, is_503, NULL, &r);
	window_onset(s, 8, r.k, 150, 450, is_503, NULL, &on);
	assert_true(on.before_step);
	/* a change after the step's end: no onset, from the start only */
	int st3[] = { 200, 200, 200, 200, 200, 200, 503, 503 };
	make(s, st3, 8);
	window_within(s, 8, 450, 2000, 2000, is_503, NULL, &r);
	window_onset(s, 8, r.k, 150, 450, is_503, NULL, &on);
	assert_false(on.before_step);
	assert_int_equal(on.first, SIZE_MAX);
	assert_int_equal(on.from_start_ms, 605 - 150);
}

static void
within_waits_for_an_earlier_hung_sample(void **state)
{
	struct sample s[6];
	int st[] = { 200, 200, -1, 503, 503, 503 };
	struct window_result r;

	(void)state;
	make(s, st, 6);
	/* sample 2 is still in flight: it could be the first 503 */
	assert_int_equal(window_within(s, 6, 150, 2000, 900, is_503, NULL, &r),
	    WIN_PENDING);
	s[2].done_ms = 1200;	/* it timed out */
	s[2].status = 0;
	assert_int_equal(window_within(s, 6, 150, 2000, 1300, is_503, NULL, &r),
	    WIN_PASS);
	assert_int_equal(r.k, 3);
	assert_int_equal(r.resolution_ms, 305 - 200);
}

static void
within_first_sample_after_anchor(void **state)
{
	struct sample s[4];
	int st[] = { 200, 503, 503, 503 };
	struct window_result r;

	(void)state;
	make(s, st, 4);
	/* anchor at 100 exactly: sample 1 (sent 100) matches; sample 0,
	 * sent before the anchor, is the lower bound */
	assert_int_equal(window_within(s, 4, 100, 1000, 500, is_503, NULL, &r),
	    WIN_PASS);
	assert_int_equal(r.elapsed_ms, 5);
	assert_int_equal(r.resolution_ms, 105);
}

static void
holds_and_never(void **state)
{
	struct sample s[8];
	int ok[] = { 503, 503, 503, 503, 503, 503, 503, 503 };
	int bad[] = { 503, 503, 503, 200, 503, 503, 503, 503 };
	struct window_result r;

	(void)state;
	make(s, ok, 8);
	assert_int_equal(window_holds(s, 8, 0, 500, 400, is_503, NULL, &r),
	    WIN_PENDING);
	assert_int_equal(window_holds(s, 8, 0, 500, 600, is_503, NULL, &r),
	    WIN_PASS);
	assert_int_equal(r.seen, 6);
	make(s, bad, 8);
	/* fails as soon as one sample does not hold */
	assert_int_equal(window_holds(s, 8, 0, 500, 350, is_503, NULL, &r),
	    WIN_FAIL);
	assert_int_equal(r.k, 3);
	/* an empty window never passes */
	assert_int_equal(window_holds(s, 8, 5000, 6000, 7000, is_503, NULL, &r),
	    WIN_FAIL);
	/* never: 200 is the thing that must not be seen */
	make(s, ok, 8);
	assert_int_equal(window_never(s, 8, 0, 800, is_503, NULL, &r), WIN_FAIL);
	assert_int_equal(r.k, 0);
	s[0].status = 200;
	assert_int_equal(window_never(s, 1, 0, 800, is_503, NULL, &r), WIN_PASS);
	/* sent inside, answered after the window: not observed during it */
	make(s, ok, 8);
	assert_int_equal(window_never(s, 8, 650, 704, is_503, NULL, &r), WIN_PASS);
	assert_int_equal(window_never(s, 8, 650, 705, is_503, NULL, &r), WIN_FAIL);
	assert_int_equal(r.k, 7);
}

static void
now_rule(void **state)
{
	struct sample s[3];
	int st[] = { 503, 200, 503 };
	struct window_result r;

	(void)state;
	make(s, st, 3);
	assert_int_equal(window_now(s, 3, 50, is_503, NULL, &r), WIN_FAIL);
	assert_int_equal(r.k, 1);
	assert_int_equal(window_now(s, 3, 150, is_503, NULL, &r), WIN_PASS);
	assert_int_equal(window_now(s, 3, 500, is_503, NULL, &r), WIN_PENDING);
	assert_int_equal(window_now(NULL, 0, 0, is_503, NULL, &r), WIN_PENDING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(within_measures_and_bounds),
		cmocka_unit_test(within_fails_after_deadline_not_before),
		cmocka_unit_test(within_late_answer_is_not_observed),
		cmocka_unit_test(onset_in_a_slow_step),
		cmocka_unit_test(within_waits_for_an_earlier_hung_sample),
		cmocka_unit_test(within_first_sample_after_anchor),
		cmocka_unit_test(holds_and_never),
		cmocka_unit_test(now_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
