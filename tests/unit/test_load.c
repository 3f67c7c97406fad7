/* test_load.c — the load engine against a real HTTP server (httpd.h), on
 * both transports (raw sockets, and libcurl as SHAKEDOWN_LOAD_ENGINE=curl
 * picks it): every answer counted by status, 5xx in the errors, a refused
 * port a connect error that backs off instead of spinning, the open model
 * sending at its rate, {user} one user per connection, round the users. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/io/load.h"
#include "httpd.h"

static struct load_stats *
run_load(struct load_spec *sp, uint64_t *sent)
{
	struct sd_err e;
	struct load *l;
	struct load_stats *st;
	int64_t ms;

	if ((l = load_start(sp, &e)) == NULL)
		fail_msg("%s", e.msg);
	load_wait(l, NULL);
	st = load_stats(l, LP_N);
	load_totals(l, sent, &ms);
	load_free(l);
	return st;
}

static void
closed_model(const char *engine)
{
	char u[64];
	struct load_spec sp = { .name = "t", .method = "GET",
	    .url = th_url(u, sizeof u, "/ok"), .connections = 4, .threads = 2,
	    .duration_ms = 300, .timeout_ms = 2000 };
	struct load_stats *st;
	unsigned long before = th_requests;
	uint64_t sent;

	if (engine)
		setenv("SHAKEDOWN_LOAD_ENGINE", engine, 1);
	else
		unsetenv("SHAKEDOWN_LOAD_ENGINE");
	st = run_load(&sp, &sent);
	assert_true(st->requests >= 20);
	assert_int_equal(st->status[200], st->requests);
	assert_int_equal(st->errors, 0);
	/* the server saw them (and at most the ones in flight at the end
	 * more) */
	assert_in_range(th_requests - before, st->requests, st->requests + 8);
	assert_true(st->lat.count == st->requests);
	free(st);
	unsetenv("SHAKEDOWN_LOAD_ENGINE");
}

static void
closed_raw(void **state)
{
	(void)state;
	closed_model(NULL);
}

static void
closed_curl(void **state)
{
	(void)state;
	closed_model("curl");
}

static void
server_errors(void **state)
{
	char u[64];
	struct load_spec sp = { .name = "t", .method = "GET",
	    .url = th_url(u, sizeof u, "/fail"), .connections = 2, .threads = 1,
	    .duration_ms = 200, .timeout_ms = 2000 };
	uint64_t sent;
	struct load_stats *st;

	(void)state;
	st = run_load(&sp, &sent);
	assert_true(st->requests > 0);
	assert_int_equal(st->status[500], st->requests);
	assert_int_equal(st->errors, st->requests);
	free(st);
}

static void
refused_backs_off(void **state)
{
	/* a port nothing listens on: bind one, note it, close it */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	char u[64];
	uint64_t sent;
	struct load_stats *st;

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	snprintf(u, sizeof u, "http://127.0.0.1:%d/ok", ntohs(sa.sin_port));
	struct load_spec sp = { .name = "t", .method = "GET", .url = u,
	    .connections = 2, .threads = 1, .duration_ms = 300,
	    .timeout_ms = 1000 };
	st = run_load(&sp, &sent);
	assert_true(st->transport[LE_CONNECT] > 0);
	assert_int_equal(st->status[200], 0);
	/* 10 ms doubling per connection: a handful each in 300 ms, not the
	 * thousands a spinning loop would make */
	assert_true(st->transport[LE_CONNECT] <= 40);
	free(st);
}

static void
open_model_rate(void **state)
{
	char u[64];
	struct load_spec sp = { .name = "t", .method = "GET",
	    .url = th_url(u, sizeof u, "/ok"), .connections = 4, .threads = 1,
	    .rate = 100, .duration_ms = 500, .timeout_ms = 2000 };
	uint64_t sent;
	struct load_stats *st;

	(void)state;
	st = run_load(&sp, &sent);
	/* 100/s for 0.5 s: 50 due; a closed loop would send hundreds */
	assert_in_range(sent, 40, 55);
	assert_in_range(st->requests, 35, 55);
	free(st);
}

static void
users(void **state)
{
	char u[64];
	struct load_spec sp = { .name = "t", .method = "GET",
	    .url = th_url(u, sizeof u, "/user?u=user-{user}"), .users = 5,
	    .connections = 10, .threads = 1, .duration_ms = 200,
	    .timeout_ms = 2000 };
	uint64_t sent;
	struct load_stats *st;

	(void)state;
	th_users = 0;
	/* connection i is user i % users + 1: two connections each, the
	 * concurrency a per-user guard is drilled with */
	st = run_load(&sp, &sent);
	assert_true(st->requests >= 10);
	assert_int_equal(th_users, 5);
	for (int i = 0; i < th_users; i++)
		assert_int_equal(strncmp(th_seen[i], "user-", 5), 0);
	free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_raw),
		cmocka_unit_test(closed_curl),
		cmocka_unit_test(server_errors),
		cmocka_unit_test(refused_backs_off),
		cmocka_unit_test(open_model_rate),
		cmocka_unit_test(users),
	};

	return cmocka_run_group_tests(tests, th_setup, th_teardown);
}
