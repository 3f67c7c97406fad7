/* test_monprobe.c — what a monitoring answer says (match_mon.c, monprobe.c),
 * past the sizes a toy stack gives: a promql: answer of 65 series is
 * judged on every one of them (no cap making a right answer fail), an
 * alert list of hundreds of alerts (over 64 KiB) is read whole through a
 * real probe and a real preflight, and an answer over MON_ANSWER_MAX is
 * said to be too large, never "not JSON". */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/io/match.h"
#include "../../lib/io/monprobe.h"
#include "../../lib/io/probe.h"
#include "../../lib/base/request.h"
#include "httpd.h"

/* A vector of n series, each with value v, but series `odd` (if < n)
 * with value w. */
static char *
vector(int n, double v, int odd, double w)
{
	struct sbuf sb;

	sb_init(&sb);
	sb_add(&sb, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[");
	for (int i = 0; i < n; i++)
		sb_addf(&sb, "%s{\"metric\":{\"i\":\"%d\"},\"value\":[1,\"%g\"]}",
		    i ? "," : "", i, i == odd ? w : v);
	sb_add(&sb, "]}}");
	return sb_detach(&sb);
}

static void
every_series_judged(void **state)
{
	struct sample s = { .status = 200, .done_ms = 1 };
	struct matcher m = { .kind = M_PROMQL, .op = '>', .value = 1 };
	char *obs;

	(void)state;
	/* 65 series, all 5: every one is above 1 — a PASS, not a cap's FAIL */
	s.body = vector(65, 5, -1, 0);
	assert_true(match_sample(&m, &s));
	m.rise = 1;
	assert_true(match_sample_at(&m, &s, 300));	/* 325 > 300 */
	assert_false(match_sample_at(&m, &s, 325));
	m.rise = 0;
	sample_free(&s);
	/* 200 series, the 150th is 0.5: found, and named */
	memset(&s, 0, sizeof s);
	s.status = 200;
	s.done_ms = 1;
	s.body = vector(200, 5, 150, 0.5);
	assert_false(match_sample(&m, &s));
	obs = match_observed(&m, &s);
	assert_non_null(strstr(obs, "{i=\"150\"} = 0.5"));
	assert_non_null(strstr(obs, "1 of 200 series out of bounds"));
	free(obs);
	sample_free(&s);
}

static struct sample *
probe_once(const char *path, size_t body_max)
{
	char u[96];
	struct probe_def d = { .name = "mon", .method = "GET",
	    .url = th_url(u, sizeof u, path), .every_ms = 5000,
	    .timeout_ms = 10000, .body_max = body_max };
	struct sd_err e;
	struct probe_set *ps = probes_new(&d, 1, mono_ms(), &e);
	struct sample *s = calloc(1, sizeof *s);
	int64_t end = mono_ms() + 10000;

	if (ps == NULL || probes_start(ps, &e) == -1)
		fail_msg("%s", e.msg);
	probes_lock(ps);
	while (mono_ms() < end && (probes_count(ps, 0) == 0 ||
	    probes_sample(ps, 0, 0)->done_ms < 0))
		probes_wait(ps, end);
	*s = *probes_sample(ps, 0, 0);
	/* the sample's strings are taken over */
	memset(probes_sample(ps, 0, 0), 0, sizeof *s);
	probes_unlock(ps);
	probes_free(ps);
	return s;
}

static void
a_long_alert_list_is_read_whole(void **state)
{
	struct matcher m = { .kind = M_ALERT, .path = "A400", .text = "firing",
	    .src = MON_ALERT_PROM };
	struct sample *s;
	char *obs;

	(void)state;
	s = probe_once("/alerts?n=401", MON_ANSWER_MAX);
	assert_int_equal(s->status, 200);
	assert_true(strlen(s->body) > 128 * 1024);	/* 401 alerts */
	assert_int_equal(s->body_cut, 0);
	assert_true(match_sample(&m, s));
	obs = match_observed(&m, s);
	assert_non_null(strstr(obs, "A400 firing"));
	free(obs);
	sample_free(s);
	free(s);
}

static void
too_large_is_said(void **state)
{
	struct matcher m = { .kind = M_ALERT, .path = "A1", .text = "firing",
	    .src = MON_ALERT_PROM };
	struct request rq = { .method = "GET" };
	struct mon_probe mp = { .kind = MON_ALERT_PROM };
	struct sample *s;
	struct sd_err e;
	char u[96];
	char *obs;

	(void)state;
	s = probe_once("/big?mib=17", MON_ANSWER_MAX);
	assert_true(s->body_cut > (size_t)MON_ANSWER_MAX);
	assert_false(match_sample(&m, s));
	obs = match_observed(&m, s);
	assert_non_null(strstr(obs, "too large"));
	assert_null(strstr(obs, "not JSON"));
	free(obs);
	sample_free(s);
	free(s);
	/* the preflight says the same */
	rq.url = (char *)th_url(u, sizeof u, "/big?mib=17");
	assert_int_equal(mon_check(&mp, &rq, 10000, &e), -1);
	assert_non_null(strstr(e.msg, "too large"));
	rq.url = (char *)th_url(u, sizeof u, "/alerts?n=401");
	assert_int_equal(mon_check(&mp, &rq, 10000, &e), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_series_judged),
		cmocka_unit_test(a_long_alert_list_is_read_whole),
		cmocka_unit_test(too_large_is_said),
	};
	int rc;

	th_start();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	th_stop();
	return rc;
}
