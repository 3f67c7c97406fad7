/* test_runner.c — the run's parts with a fake fault kind, parsed from a
 * drill through scen_parse_with: the fault stack (the order of applies and
 * reverts, a failed apply reverted but not one that says it changed
 * nothing, Ctrl-C, the journal's records), the guardrails (max_fault_time,
 * halt_file, shakedown halt), the load phases around the faults (a real
 * HTTP server, tests/unit/httpd.h); and the renderers on the result. The
 * guardian is the real one ($SHAKEDOWN, the binary the tests build). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../lib/check/halt.h"
#include "../../lib/check/journal.h"
#include "../../lib/dispatch/dispatch.h"
#include "../../lib/run/runner.h"
#include "../../reports/report.h"
#include "httpd.h"

static char calls[1024];
static const char *fail_target;	/* its apply fails (-1) */
static const char *final_target;	/* its apply fails untouched */
static const char *stop_target;	/* its apply sets the interrupt flag */
static const char *silent_target;	/* applied, but its effect is not seen */
static const char *halt_target;	/* its apply creates halt_path */
static const char *press_target;	/* its apply presses shakedown halt */
static char halt_path[256];
static char phases[256];		/* confirm's calls: target and phase */
static volatile sig_atomic_t intr;

static void
called(const char *what, const char *target)
{
	size_t n = strlen(calls);

	snprintf(calls + n, sizeof calls - n, "%s%s %s", n ? ", " : "", what,
	    target);
}

static json_t *
fk_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	(void)f, (void)env, (void)e;
	return json_pack("{s:s}", "how", "fake");
}

static int
fk_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	(void)rec, (void)env;
	called("apply", f->target);
	*state = xstrdup(f->target);	/* freed by free_state, or leaks */
	fault_note(note, "applied %s", f->target);
	if (stop_target && strcmp(f->target, stop_target) == 0)
		intr = 1;
	if (halt_target && strcmp(f->target, halt_target) == 0)
		assert_int_equal(write_file_atomic(halt_path, "", 0, e), 0);
	if (press_target && strcmp(f->target, press_target) == 0)
		assert_int_equal(halt_press(e), 0);
	if (final_target && strcmp(f->target, final_target) == 0)
		return err_set(e, "refused"), FAULT_FINAL;
	if (fail_target && strcmp(f->target, fail_target) == 0)
		return err_set(e, "half done");
	return 0;
}

static int
fk_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	const char *t = json_string_value(json_object_get(rec, "target"));

	(void)env, (void)e;
	/* in-process, the runner hands back exactly what apply kept */
	assert_non_null(state);
	assert_string_equal(state, t);
	called("revert", t);
	fault_note(note, "reverted %s", t);
	return 0;
}

static char *
fk_describe(const struct fault *f, int revert)
{
	return xasprintf("%s %s", revert ? "undo" : "do", f->target);
}

/* The fake's own measure: confirmed, except the silent target's while it
 * holds (a stop command that stopped nothing). */
static void
fk_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	const char *t = json_string_value(json_object_get(rec, "target"));
	size_t n = strlen(phases);

	(void)state, (void)env;
	snprintf(phases + n, sizeof phases - n, "%s%s%d", n ? " " : "", t,
	    (int)ph);
	if (silent_target && strcmp(t, silent_target) == 0 && ph == FC_HOLDING)
		fault_proved(c, FP_MISMATCH, "%s still answers", t);
	else if (ph != FC_REVERTED)
		fault_proved(c, FP_CONFIRMED, "%s is down", t);
}

static void
fk_free(void *p)
{
	free(p);
}

static int
fk_parse(const struct fault_parse *p, struct fault *f)
{
	(void)p;
	(void)f;
	return 0;
}

/* the service kind's verbs, as far as pairing goes */
static const struct fault_verb fk_verbs[] = {
	{ "stop", 1, NULL, "stop it" },
	{ "start", 0, "stop", "start it" },
	{ "restart", 0, NULL, "restart it" },
	{ NULL, 0, NULL, NULL }
};
static const char *const fk_keys[] = { "service", "timeout", NULL };

static const struct fault_kind fake = {
	.name = "fake",
	.verbs = fk_verbs,
	.on = SVC_PROCESS,
	.keys = fk_keys,
	.parse = fk_parse,
	.describe = fk_describe,
	.prepare = fk_prepare,
	.apply = fk_apply,
	.revert = fk_revert,
	.confirm = fk_confirm,
	.free_state = fk_free,
	.free = fk_free,
};

static const char drill[] =
    "drill: fake\n"
    "services:\n"
    "  a: { kind: process, pidfile: /nonexistent, start: [true] }\n"
    "  b: { kind: process, pidfile: /nonexistent, start: [true] }\n"
    "  c: { kind: process, pidfile: /nonexistent, start: [true] }\n"
    "steps:\n"
    "  - stop: a\n"
    "  - stop: b\n"
    "  - restart: c\n"
    "  - stop: c\n"
    "  - start: b\n"
    "  - wait: 10ms\n";

static const struct fault_kind *const fake_kinds[] = { &fake, NULL };

/* Parse text with the fake kind as the only one, plan, and run. */
static struct result *
run_text(const char *text, struct scenario **sp, char **journal)
{
	struct run_opts o = { getenv("SHAKEDOWN"), &intr, NULL, NULL, NULL, 0, 0 };
	struct sd_err e;
	struct scenario *s = scen_parse_with("fake.yaml", text, strlen(text),
	    fake_kinds, &e);

	if (s == NULL)
		fail_msg("%s", e.msg);
	struct plan *p = plan_build(s);
	calls[0] = '\0';
	phases[0] = '\0';
	intr = 0;
	struct result *r = run_drill(p, &o);
	plan_free(p);
	*sp = s;
	*journal = journal_path(&e);
	return r;
}

static struct result *
run_fake(struct scenario **sp, char **journal)
{
	return run_text(drill, sp, journal);
}

static int
setup(void **state)
{
	static char dir[] = "/tmp/sd-runner-XXXXXX";

	(void)state;
	if (getenv("SHAKEDOWN") == NULL)
		fail_msg("set SHAKEDOWN to the shakedown binary (make unit does)");
	assert_non_null(mkdtemp(dir));
	setenv("SHAKEDOWN_STATE_DIR", dir, 1);
	return 0;
}

static void
order(void **state)
{
	struct scenario *s;
	char *jp;
	int torn;

	(void)state;
	fail_target = final_target = stop_target = NULL;
	struct result *r = run_fake(&s, &jp);
	/* one-shot restart c is not reverted; start b reverts stop b at once;
	 * the rest at the end, newest first */
	assert_string_equal(calls, "apply a, apply b, apply c, apply c,"
	    " revert b, revert c, revert a");
	assert_int_equal(r->verdict, V_PASS);
	assert_int_equal(r->nfaults, 4);
	assert_non_null(strstr(r->faults[0].note, "applied a; revert: reverted a"));
	json_t *open = journal_open_entries(jp, NULL, &torn, NULL);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);
	/* the journal holds the kind's record, its done mark and its revert */
	char *text = read_file(jp, NULL, NULL);
	assert_non_null(strstr(text, "\"kind\":\"fake\""));
	assert_non_null(strstr(text, "\"how\":\"fake\""));
	assert_non_null(strstr(text, "\"op\":\"done\""));
	assert_non_null(strstr(text, "\"undo\":\"undo a\""));
	free(text);
	/* the renderers */
	char *md = rpt_markdown(r);
	assert_non_null(strstr(md, "**Verdict: PASS**"));
	assert_non_null(strstr(md, "| do a"));
	free(md);
	char *junit = rpt_junit((const struct result *const *)&r, 1);
	assert_non_null(strstr(junit, "<testsuite name=\"fake\" tests=\"0\""
	    " failures=\"0\" errors=\"0\""));
	free(junit);
	json_t *j = rpt_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")),
	    "PASS");
	assert_int_equal(json_array_size(json_object_get(j, "faults")), 4);
	json_decref(j);
	res_free(r);
	scen_free(s);
	free(jp);
}

static void
failed_apply_is_reverted(void **state)
{
	struct scenario *s;
	char *jp;
	int torn;

	(void)state;
	fail_target = "b";
	final_target = stop_target = NULL;
	struct result *r = run_fake(&s, &jp);
	/* it may have changed something: reverted, and the run stops */
	assert_string_equal(calls, "apply a, apply b, revert b, revert a");
	assert_int_equal(r->verdict, V_ERROR);
	assert_int_equal(res_exit_code(r), 4);
	json_t *open = journal_open_entries(jp, NULL, &torn, NULL);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);
	res_free(r);
	scen_free(s);
	free(jp);
	/* one that failed before changing anything is not */
	fail_target = NULL;
	final_target = "b";
	r = run_fake(&s, &jp);
	assert_string_equal(calls, "apply a, apply b, revert a");
	assert_int_equal(res_exit_code(r), 4);
	res_free(r);
	scen_free(s);
	free(jp);
	final_target = NULL;
}

static void
interrupted_reverts_everything(void **state)
{
	struct scenario *s;
	char *jp;

	(void)state;
	fail_target = final_target = NULL;
	stop_target = "b";
	struct result *r = run_fake(&s, &jp);
	assert_string_equal(calls, "apply a, apply b, revert b, revert a");
	assert_int_equal(r->verdict, V_ABORTED);
	assert_int_equal(res_exit_code(r), 3);
	res_free(r);
	scen_free(s);
	free(jp);
	stop_target = NULL;
}

/* A fault applied but not seen to land: INVALID (exit 8) in every
 * output, never the PASS the probes alone would give; each lasting fault
 * measured after its apply, before its revert and after it. */
static void
silent_fault_is_invalid(void **state)
{
	struct scenario *s;
	char *jp;

	(void)state;
	fail_target = final_target = stop_target = NULL;
	silent_target = "a";
	struct result *r = run_fake(&s, &jp);
	/* restart c is one-shot: measured once, after it */
	assert_string_equal(phases, "a0 b0 c0 c0 b1 b2 c1 c2 a1 a2");
	assert_int_equal(r->verdict, V_INVALID);
	assert_int_equal(res_exit_code(r), 8);
	assert_non_null(strstr(r->reason, "fault 1 (line 7) did not land"
	    " — mismatch: a still answers"));
	assert_string_equal(r->faults[0].proof, "mismatch");
	assert_string_equal(r->faults[1].proof, "confirmed");
	char *md = rpt_markdown(r);
	assert_non_null(strstr(md, "**Verdict: INVALID** — a fault did not"
	    " land"));
	assert_non_null(strstr(md, "⚠️ mismatch: a still answers"));
	free(md);
	char *junit = rpt_junit((const struct result *const *)&r, 1);
	assert_non_null(strstr(junit, "errors=\"1\""));
	assert_non_null(strstr(junit, "INVALID: a fault did not land"));
	free(junit);
	json_t *j = rpt_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")),
	    "INVALID");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "faults"), 0), "proof")), "mismatch");
	json_decref(j);
	res_free(r);
	scen_free(s);
	free(jp);
	silent_target = NULL;
}

/* No fault left open in the journal. */
static void
journal_closed(const char *jp)
{
	int torn;
	json_t *open = journal_open_entries(jp, NULL, &torn, NULL);

	assert_non_null(open);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);
}

static void
done(struct result *r, struct scenario *s, char *jp)
{
	journal_closed(jp);
	res_free(r);
	scen_free(s);
	free(jp);
}

/* A fault held past max_fault_time: the guardrail stops the run within
 * its tick, reverts it, and says what tripped. */
static void
guardrail_max_fault_time(void **state)
{
	static const char text[] =
	    "drill: fake\n"
	    "services:\n"
	    "  a: { kind: process, pidfile: /nonexistent, start: [true] }\n"
	    "max_fault_time: 300ms\n"
	    "steps:\n"
	    "  - stop: a\n"
	    "  - wait: 5s\n"
	    "  - start: a\n";
	struct scenario *s;
	char *jp;

	(void)state;
	int64_t t = mono_ms();
	struct result *r = run_text(text, &s, &jp);
	t = mono_ms() - t;
	assert_int_equal(r->verdict, V_ABORTED);
	assert_true(r->abort.set);
	assert_string_equal(r->abort.by, "max_fault_time");
	assert_string_equal(calls, "apply a, revert a");
	assert_true(r->abort.reverted_in_ms >= 0);
	assert_true(r->faults[0].reverted);
	/* tripped near 300 ms, far from the 5 s wait */
	assert_true(t < 4000);
	done(r, s, jp);
}

/* halt_file appearing mid-drill, and shakedown halt's marker: both stop
 * the run and revert every fault, newest first. */
static void
guardrail_halts(void **state)
{
	char text[1024];
	struct scenario *s;
	char *jp;
	struct sd_err e;

	(void)state;
	snprintf(halt_path, sizeof halt_path, "%s/halt-file",
	    getenv("SHAKEDOWN_STATE_DIR"));
	unlink(halt_path);
	snprintf(text, sizeof text,
	    "drill: fake\n"
	    "services:\n"
	    "  a: { kind: process, pidfile: /nonexistent, start: [true] }\n"
	    "  h: { kind: process, pidfile: /nonexistent, start: [true] }\n"
	    "halt_file: %s\n"
	    "steps:\n"
	    "  - stop: a\n"
	    "  - stop: h\n"
	    "  - wait: 5s\n", halt_path);
	halt_target = "h";
	struct result *r = run_text(text, &s, &jp);
	halt_target = NULL;
	assert_int_equal(r->verdict, V_ABORTED);
	assert_string_equal(r->abort.by, "halt_file");
	assert_string_equal(calls, "apply a, apply h, revert h, revert a");
	done(r, s, jp);
	unlink(halt_path);

	/* the marker pressed before the run is not for it; one pressed
	 * during it is (by the fake apply of "a", below) */
	assert_int_equal(halt_press(&e), 0);
	char *marker = journal_halt_path(&e);
	struct halt_marker m;
	assert_int_equal(halt_read(marker, &m), 0);
	assert_int_equal(m.pid, getpid());
	snprintf(halt_path, sizeof halt_path, "%s", marker);
	free(marker);
	static const char plain[] =
	    "drill: fake\n"
	    "services:\n"
	    "  a: { kind: process, pidfile: /nonexistent, start: [true] }\n"
	    "steps:\n"
	    "  - stop: a\n"
	    "  - wait: 2s\n";
	sleep_ms(20);	/* a marker's mtime older than the run's start */
	int64_t t = mono_ms();
	r = run_text(plain, &s, &jp);
	assert_int_equal(r->verdict, V_PASS);
	assert_true(mono_ms() - t >= 2000);
	done(r, s, jp);
	press_target = "a";
	t = mono_ms();
	r = run_text(plain, &s, &jp);
	press_target = NULL;
	assert_int_equal(r->verdict, V_ABORTED);
	assert_string_equal(r->abort.by, "shakedown halt");
	assert_string_equal(calls, "apply a, revert a");
	assert_true(mono_ms() - t < 1900);
	done(r, s, jp);
	/* not a marker: ignored (a torn or hand-made file) */
	assert_int_equal(write_file_atomic(halt_path, "{}", 2, &e), 0);
	assert_int_equal(halt_read(halt_path, &m), -1);
	unlink(halt_path);
}

/* The load's phases follow the faults: before the first takes effect,
 * while it is, after the last revert; each phase counts its own
 * requests, and the fault phase lasts as long as the fault held. */
static void
phases_follow_faults(void **state)
{
	char text[1024], url[128];
	struct scenario *s;
	char *jp;

	(void)state;
	th_start();
	th_url(url, sizeof url, "/ok");
	snprintf(text, sizeof text,
	    "drill: fake\n"
	    "services:\n"
	    "  a: { kind: process, pidfile: /nonexistent, start: [true] }\n"
	    "load:\n"
	    "  l: { get: \"%s\", rate: 100/s, connections: 2 }\n"
	    "steps:\n"
	    "  - wait: 400ms\n"
	    "  - stop: a\n"
	    "  - wait: 600ms\n"
	    "  - start: a\n"
	    "  - wait: 400ms\n", url);
	struct result *r = run_text(text, &s, &jp);
	th_stop();
	assert_int_equal(r->verdict, V_PASS);
	assert_int_equal(r->nloads, 1);
	const struct res_load *l = &r->loads[0];
	for (int p = 0; p < 3; p++) {
		assert_true(l->ph[p].requests > 10);
		assert_int_equal(l->ph[p].errors, 0);
	}
	/* 600 ms held (the fake's apply and revert take none; a busy
	 * machine may add to the wait, never take from it) */
	assert_true(l->ph[1].seconds >= 0.6 && l->ph[1].seconds < 1.5);
	assert_true(l->ph[1].requests > 40 && l->ph[1].requests < 160);
	assert_int_equal(l->ph[3].requests, l->ph[0].requests +
	    l->ph[1].requests + l->ph[2].requests);
	done(r, s, jp);
}

/* Several results: the worst exit code; a fault that did not land (8)
 * ranks over a failure (1), under a fault not applied (4). */
static void
worst_exit(void **state)
{
	(void)state;
	assert_int_equal(res_worse(1, 8), 8);
	assert_int_equal(res_worse(8, 0), 8);
	assert_int_equal(res_worse(8, 4), 4);
	assert_int_equal(res_worse(3, 8), 3);
	assert_int_equal(res_worse(8, 5), 5);
	assert_int_equal(res_worse(2, 8), 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order),
		cmocka_unit_test(failed_apply_is_reverted),
		cmocka_unit_test(interrupted_reverts_everything),
		cmocka_unit_test(silent_fault_is_invalid),
		cmocka_unit_test(worst_exit),
		cmocka_unit_test(guardrail_max_fault_time),
		cmocka_unit_test(guardrail_halts),
		cmocka_unit_test(phases_follow_faults),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
