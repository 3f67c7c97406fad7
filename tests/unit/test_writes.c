/* test_writes.c — a writer's figures from its writes: lost ones, the RPO
 * (longest stretch of lost acknowledged writes) and the RTO (longest
 * stretch of failed writes), recovered or not. The lookup itself runs
 * against a real PostgreSQL in t_96. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../lib/writes.h"

/* one write every 100 ms, taking 10 ms */
#define W(i, ack, there) { "k", (i) * 100, (i) * 100 + 10, ack, there }

static void
all_kept(void **state)
{
	struct write_rec w[] = { W(0, 1, 1), W(1, 0, 0), W(2, 0, 0), W(3, 1, 1) };
	struct writes_stats st;

	(void)state;
	writes_judge(w, 4, 1000, &st);
	assert_int_equal(st.acked, 2);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.rpo_ms, 0);
	/* failures from the first one's send (100) to the next ack (310) */
	assert_int_equal(st.rto_ms, 210);
	assert_true(st.recovered);
}

static void
lost_runs(void **state)
{
	struct write_rec w[] = { W(0, 1, 1), W(1, 1, 0), W(2, 1, 0), W(3, 1, 1),
	    W(4, 1, 0), W(5, 1, 1) };
	struct writes_stats st;

	(void)state;
	writes_judge(w, 6, 1000, &st);
	assert_int_equal(st.lost, 3);
	/* the longest: acknowledged at 110, the next kept one at 310 */
	assert_int_equal(st.rpo_ms, 200);
	assert_int_equal(st.rto_ms, 0);
}

static void
still_going(void **state)
{
	struct write_rec w[] = { W(0, 1, 1), W(1, 1, 0), W(2, 0, 0) };
	struct writes_stats st;

	(void)state;
	writes_judge(w, 3, 1000, &st);
	/* lost up to now, failing up to now */
	assert_int_equal(st.rpo_ms, 1000 - 110);
	assert_int_equal(st.rto_ms, 1000 - 200);
	assert_false(st.recovered);
	writes_judge(w, 0, 1000, &st);
	assert_int_equal(st.acked, 0);
	assert_true(st.recovered);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_kept),
		cmocka_unit_test(lost_runs),
		cmocka_unit_test(still_going),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
