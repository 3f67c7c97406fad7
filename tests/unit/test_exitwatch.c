#define _GNU_SOURCE
/*
 * test_exitwatch.c — the kernel's exit reports for processes: an exit code,
 * and a death by signal, seen with the status waitpid(2) would give.
 * Skipped (and says so) where taskstats cannot be used (not root).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../lib/io/exitwatch.h"

static struct exitwatch *w;

static pid_t
child(int code, int sig)
{
	pid_t pid = fork();

	if (pid == 0) {
		sleep_ms(200);
		if (sig)
			raise(sig);
		_exit(code);
	}
	return pid;
}

static int
seen(pid_t pid, int *status)
{
	int64_t at;

	for (int i = 0; i < 300; i++) {
		if (exitwatch_exited(w, pid, status, &at))
			return 1;
		sleep_ms(10);
	}
	return 0;
}

static void
exit_code(void **st)
{
	int status = -1, ws;
	pid_t pid;

	(void)st;
	if (w == NULL)
		skip();
	pid = child(3, 0);
	exitwatch_watch(w, pid);
	assert_true(seen(pid, &status));
	waitpid(pid, &ws, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_int_equal(status, ws);
}

static void
killed(void **st)
{
	int status = -1;
	pid_t pid;

	(void)st;
	if (w == NULL)
		skip();
	pid = child(0, SIGTERM);
	exitwatch_watch(w, pid);
	assert_true(seen(pid, &status));
	waitpid(pid, NULL, 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
}

static void
unwatched(void **st)
{
	int status;
	int64_t at;

	(void)st;
	if (w == NULL)
		skip();
	pid_t pid = child(1, 0);
	waitpid(pid, NULL, 0);
	sleep_ms(100);
	assert_false(exitwatch_exited(w, pid, &status, &at));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_code),
		cmocka_unit_test(killed),
		cmocka_unit_test(unwatched),
	};
	struct sd_err e;
	int rc;

	if ((w = exitwatch_open(&e)) == NULL)
		fprintf(stderr, "exitwatch: skipped: %s\n", e.msg);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	exitwatch_close(w);
	return rc;
}
