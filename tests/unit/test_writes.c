/* test_writes.c — a writer's figures from its writes: lost ones, the RPO
 * (longest stretch of lost acknowledged writes, never the outage after
 * them) and the RTO (longest stretch of failed writes), recovered or not. The lookup itself runs
 * against a real PostgreSQL in t_96. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../lib/io/writes.h"

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
	/* began after the last ack's answer (10): 90 ms of gap, plus the
	 * acknowledging write's own 10 ms */
	assert_int_equal(st.rto_res_ms, 100);
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
	/* the longest run: writes 1 and 2, sent at 100, answered by 210 */
	assert_int_equal(st.rpo_ms, 110);
	/* ... at least 200 - 110 = 90 apart */
	assert_int_equal(st.rpo_res_ms, 20);
	assert_int_equal(st.rto_ms, 0);
}

/* The failover: 15 writes acknowledged within 1.4 s are lost,
 * then the database is down for 12 s (every write fails), then writes
 * are kept again. The RPO is the 1.4 s of lost work, not the outage. */
static void
rpo_is_not_the_outage(void **state)
{
	struct write_rec w[200];
	struct writes_stats st;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 10; i++)		/* kept */
		w[n++] = (struct write_rec)W(i, 1, 1);
	for (int i = 10; i < 25; i++)		/* lost: 1.0 s .. 2.41 s */
		w[n++] = (struct write_rec)W(i, 1, 0);
	for (int i = 25; i < 145; i++)		/* the outage: 12 s */
		w[n++] = (struct write_rec)W(i, 0, 0);
	for (int i = 145; i < 150; i++)		/* back */
		w[n++] = (struct write_rec)W(i, 1, 1);
	writes_judge(w, n, 20000, &st);
	assert_int_equal(st.lost, 15);
	assert_int_equal(st.rpo_ms, 2410 - 1000);
	assert_true(st.rpo_ms < 1500);
	assert_int_equal(st.rto_ms, 14510 - 2500);
	assert_true(st.recovered);
}

static void
still_going(void **state)
{
	struct write_rec w[] = { W(0, 1, 1), W(1, 1, 0), W(2, 0, 0) };
	struct writes_stats st;

	(void)state;
	writes_judge(w, 3, 1000, &st);
	/* one lost write: its own 10 ms; failing up to now */
	assert_int_equal(st.rpo_ms, 10);
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
		cmocka_unit_test(rpo_is_not_the_outage),
		cmocka_unit_test(still_going),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
