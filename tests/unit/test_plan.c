/* test_plan.c — the plan from a scenario alone: which steps revert which,
 * what is left for the end and in what order, bursts and waits as steps,
 * fast probes for key times, and linear time on many faults. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/dispatch/dispatch.h"
#include "../../lib/model/plan.h"

static struct scenario *
parse(const char *text)
{
	struct sd_err e;
	struct scenario *s = scen_parse("p.yaml", text, strlen(text), &e);

	if (s == NULL)
		fail_msg("%s", e.msg);
	return s;
}

static void
pairs_and_leftovers(void **state)
{
	static const char text[] =
	    "drill: p\n"
	    "target: http://127.0.0.1:1\n"
	    "services:\n"
	    "  r: { kind: redis, url: redis://127.0.0.1:1, stop: [a], start: [b] }\n"
	    "  app: { kind: process, pidfile: /x.pid, start: [c] }\n"
	    "probes:\n"
	    "  h: { get: /h }\n"
	    "  q: { get: /q, fast: off }\n"
	    "steps:\n"
	    "  - stop: r\n"				/* 0 apply, reverted by 4 */
	    "  - expect: { probe: h, status: 503, within: 1s }\n"
	    "  - expect: { probe: q, status: 503, within: 1s }\n"
	    "  - pause: app\n"				/* 3 apply, left */
	    "  - start: r\n"				/* 4 revert of 0 */
	    "  - start: r\n"				/* 5 a one-shot start */
	    "  - pause: { service: r, for: 1s }\n"	/* 6 redis pause, left */
	    "  - burst: { post: /ai, users: 2, per_user: 2, expect: { accepted_per_user: 1 } }\n"
	    "  - wait: 1s\n";
	struct scenario *s = parse(text);
	struct plan *p = plan_build(s);

	(void)state;
	assert_int_equal(p->n, 9);
	assert_int_equal(p->steps[0].op, PO_APPLY);
	assert_int_equal(p->steps[1].op, PO_EXPECT);
	assert_int_equal(p->steps[3].op, PO_APPLY);
	assert_string_equal(p->steps[3].fault->kind->name, "service");
	assert_int_equal(p->steps[4].op, PO_REVERT);
	assert_int_equal(p->steps[4].undoes, 0);
	assert_int_equal(p->steps[5].op, PO_APPLY);
	assert_string_equal(p->steps[6].fault->kind->name, "redis");
	assert_int_equal(p->steps[7].op, PO_BURST);
	assert_int_equal(p->steps[8].op, PO_WAIT);
	/* newest first: the redis pause, then the process pause */
	assert_int_equal(p->nend, 2);
	assert_int_equal(p->at_end[0], 6);
	assert_int_equal(p->at_end[1], 3);
	/* the within: probes sample fast from the fault step on */
	assert_int_equal(p->steps[0].nfast, 2);
	assert_int_equal(p->steps[0].fast[0], 0);
	char *t = plan_text(p, 1);
	assert_non_null(strstr(t, "step 5 (line 14): revert step 1: start r"));
	assert_non_null(strstr(t, "step 8 (line 17): burst 2 users x 2"));
	assert_non_null(strstr(t, "at the end (still applied from step 7)"));
	assert_non_null(strstr(t, "probe h every 10ms until its key time"));
	free(t);
	plan_free(p);
	scen_free(s);
}

static void
many_faults_linear(void **state)
{
	struct sbuf sb;

	(void)state;
	/* 20 000 open stops on one service and 20 000 starts of another: a
	 * quadratic pairing would take minutes */
	sb_init(&sb);
	sb_add(&sb, "drill: many\nservices:\n"
	    "  a: { kind: process, pidfile: /a, start: [x] }\n"
	    "  b: { kind: process, pidfile: /b, start: [x] }\nsteps:\n");
	for (int i = 0; i < 20000; i++)
		sb_add(&sb, "  - stop: a\n");
	for (int i = 0; i < 20000; i++)
		sb_add(&sb, "  - start: b\n");
	struct scenario *s = parse(sb.buf);
	int64_t t0 = mono_ms();
	struct plan *p = plan_build(s);
	assert_int_equal(p->nend, 20000);
	assert_int_equal(p->at_end[0], 19999);
	assert_true(mono_ms() - t0 < 5000);
	plan_free(p);
	scen_free(s);
	sb_free(&sb);
}

/* revert: NAME pairs with the newest open fault of that service, target or
 * kind; a verb that would have undone it finds nothing left; unpaired is an
 * error at the name; many are paired in linear time. */
static void
revert_by_name(void **state)
{
	static const char text[] =
	    "drill: r\n"
	    "services:\n"
	    "  a: { kind: process, pidfile: /a.pid, stop: [x], start: [y] }\n"
	    "  r: { kind: redis, url: redis://127.0.0.1:1, stop: [a], start: [b] }\n"
	    "steps:\n"
	    "  - stop: a\n"		/* 0, reverted by 2 */
	    "  - stop: r\n"		/* 1, reverted by 4 (by its kind) */
	    "  - revert: a\n"		/* 2 */
	    "  - start: a\n"		/* 3 nothing open: a one-shot start */
	    "  - revert: service\n"	/* 4 */
	    "  - stop: r\n"		/* 5, reverted by 6 */
	    "  - start: r\n";
	struct scenario *s = parse(text);
	struct plan *p = plan_build(s);
	struct sd_err e;

	(void)state;
	assert_int_equal(p->steps[2].op, PO_REVERT);
	assert_int_equal(p->steps[2].undoes, 0);
	assert_ptr_equal(p->steps[2].fault, s->steps[0].fault);
	assert_int_equal(p->steps[3].op, PO_APPLY);
	assert_int_equal(p->steps[4].op, PO_REVERT);
	assert_int_equal(p->steps[4].undoes, 1);
	assert_int_equal(p->steps[6].op, PO_REVERT);
	assert_int_equal(p->steps[6].undoes, 5);
	assert_int_equal(p->nend, 0);
	assert_int_equal(p->unpaired, s->nsteps);
	char *t = plan_text(p, 0);
	assert_non_null(strstr(t, "step 3 (line 8): revert step 1: start a"));
	free(t);
	plan_free(p);
	scen_free(s);

	static const char bad[] =
	    "drill: r\n"
	    "services:\n"
	    "  a: { kind: process, pidfile: /a.pid, stop: [x], start: [y] }\n"
	    "steps:\n"
	    "  - stop: a\n"
	    "  - revert: a\n"
	    "  - revert:   a\n";
	assert_null(scen_parse("b.yaml", bad, strlen(bad), &e));
	assert_non_null(strstr(e.msg, "b.yaml:7:15: revert: nothing named 'a'"));

	struct sbuf sb;
	sb_init(&sb);
	sb_add(&sb, "drill: many\nservices:\n"
	    "  a: { kind: process, pidfile: /a, stop: [x], start: [x] }\n"
	    "steps:\n");
	for (int i = 0; i < 20000; i++)
		sb_add(&sb, "  - stop: a\n");
	for (int i = 0; i < 20000; i++)
		sb_add(&sb, "  - revert: a\n");
	int64_t t0 = mono_ms();
	s = parse(sb.buf);
	p = plan_build(s);
	assert_true(mono_ms() - t0 < 5000);
	assert_int_equal(p->nend, 0);
	assert_int_equal(p->steps[20000].undoes, 19999);
	assert_int_equal(p->steps[39999].undoes, 0);
	plan_free(p);
	scen_free(s);
	sb_free(&sb);
}

/* Adding a kind: one file, one table line, its man-page section, its
 * tests. This checks the table against the page and the interface. */
static void
every_kind_documented(void **state)
{
	char *page = read_file("man/shakedown-faults.7", NULL, NULL);

	(void)state;
	if (page == NULL)
		fail_msg("run from the top of the tree: man/shakedown-faults.7");
	for (const struct fault_kind *const *k = fault_kinds; *k; k++) {
		char *ss = xasprintf("\n.Ss %s\n", (*k)->name);
		if (strstr(page, ss) == NULL)
			fail_msg("kind %s has no section in shakedown-faults(7)",
			    (*k)->name);
		free(ss);
		assert_non_null((*k)->parse);
		assert_non_null((*k)->describe);
		assert_non_null((*k)->prepare);
		assert_non_null((*k)->apply);
		assert_non_null((*k)->revert);
		assert_non_null((*k)->keys);
		for (const struct fault_verb *v = (*k)->verbs; v->name; v++) {
			char *it = xasprintf(".It Ic %s", v->name);
			if (strstr(page, it) == NULL)
				fail_msg("verb %s of kind %s is not in shakedown-faults(7)",
				    v->name, (*k)->name);
			free(it);
		}
	}
	free(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_documented),
		cmocka_unit_test(pairs_and_leftovers),
		cmocka_unit_test(many_faults_linear),
		cmocka_unit_test(revert_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
