/* test_proc.c — argv splitting, running with a timeout, exec errors, pids. */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/wait.h>

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

#include "../../lib/base/proc.h"

static void
split(void **state)
{
	struct sd_err e;
	char **v, *j;

	(void)state;
	v = argv_split("shakedown sandbox  stop 'my redis' \"a \\\"b\\\"\" c\\ d", &e);
	assert_non_null(v);
	assert_string_equal(v[0], "shakedown");
	assert_string_equal(v[2], "stop");
	assert_string_equal(v[3], "my redis");
	assert_string_equal(v[4], "a \"b\"");
	assert_string_equal(v[5], "c d");
	assert_null(v[6]);
	j = argv_join(v);
	assert_string_equal(j, "shakedown sandbox stop 'my redis' 'a \"b\"' 'c d'");
	free(j);
	argv_free(v);
	assert_null(argv_split("   ", &e));
	assert_string_equal(e.msg, "empty command");
	assert_null(argv_split("echo 'oops", &e));
	assert_non_null(strstr(e.msg, "unterminated quote"));
	/* never a shell: metacharacters are just characters */
	v = argv_split("echo $(id) ; rm -rf x", &e);
	assert_string_equal(v[1], "$(id)");
	assert_string_equal(v[2], ";");
	argv_free(v);
}

static void
run_ok_and_timeout(void **state)
{
	char *echo[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	char *slow[] = { "sleep", "30", NULL };
	char *none[] = { "/nonexistent/cmd", NULL };
	struct proc_result r;
	struct sd_err e;

	(void)state;
	assert_int_equal(proc_run(echo, 5000, &r, &e), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.output, "out"));
	assert_non_null(strstr(r.output, "err"));
	proc_result_free(&r);
	assert_int_equal(proc_run(slow, 300, &r, &e), 0);
	assert_true(r.timed_out);
	assert_false(r.exited);
	assert_int_equal(r.status, SIGKILL);
	assert_true(r.elapsed_ms < 5000);
	proc_result_free(&r);
	assert_int_equal(proc_run(none, 1000, &r, &e), -1);
	assert_non_null(strstr(e.msg, "cannot run '/nonexistent/cmd'"));
}

static void
pids(void **state)
{
	char *slow[] = { "sleep", "30", NULL };
	struct spawn_opts o = { .argv = slow };
	struct sd_err e;
	char comm[64], path[] = "/tmp/sd-pid-XXXXXX";
	pid_t pid;
	int fd;

	(void)state;
	pid = proc_spawn(&o, NULL, &e);
	assert_true(pid > 0);
	assert_true(proc_alive(pid));
	assert_int_equal(proc_comm(pid, comm, sizeof comm), 0);
	assert_string_equal(comm, "sleep");
	assert_true(proc_rss_kib(pid) > 0);
	fd = mkstemp(path);
	close(fd);
	assert_int_equal(pidfile_write(path, pid, &e), 0);
	assert_int_equal(pidfile_read(path, &e), pid);
	assert_int_equal(pidfile_read_checked(path, &e), pid);
	/* anyone may write it: not trusted */
	chmod(path, 0666);
	assert_int_equal(pidfile_read_checked(path, &e), 0);
	assert_non_null(strstr(e.msg, "can be written by someone other"));
	chmod(path, 0644);
	/* stopped processes still terminate: SIGCONT follows the signal */
	kill(pid, SIGSTOP);
	assert_int_equal(proc_terminate(pid, SIGTERM, 2000), 0);
	assert_false(proc_alive(pid));
	unlink(path);
	assert_int_equal(pidfile_read(path, &e), 0);
	/* pid 2 and kernel threads are never touched */
	assert_int_equal(pid_check(2, &e), -1);
	assert_true(proc_is_kthread(2));
	assert_false(proc_is_kthread(getpid()));
	assert_int_equal(pidfile_read("/dev/zero", &e), 0);
	assert_non_null(strstr(e.msg, "not a regular file"));
	assert_false(proc_alive(0));
}

/* A gated child runs nothing until the gate opens, nothing at all if it
 * is abandoned, and an exec failure still comes back as an error. */
static void
gate(void **state)
{
	char dir[] = "/tmp/sd-gate-XXXXXX", path[64];
	char *touch[] = { "touch", path, NULL }, *none[] = { "/nonexistent/x",
	    NULL };
	struct spawn_gate g;
	struct spawn_opts o = { .argv = touch, .gate = &g };
	struct sd_err e;
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ran", dir);
	pid = proc_spawn(&o, NULL, &e);
	assert_true(pid > 0);
	usleep(100 * 1000);
	assert_int_equal(access(path, F_OK), -1);	/* held */
	proc_gate_abort(pid, &g);
	assert_int_equal(access(path, F_OK), -1);	/* and never ran */
	pid = proc_spawn(&o, NULL, &e);
	assert_true(pid > 0);
	assert_int_equal(proc_gate_open(pid, &g, &e), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(access(path, F_OK), 0);	/* ran once opened */
	o.argv = none;
	pid = proc_spawn(&o, NULL, &e);
	assert_true(pid > 0);
	assert_int_equal(proc_gate_open(pid, &g, &e), -1);
	assert_non_null(strstr(e.msg, "cannot run '/nonexistent/x'"));
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split),
		cmocka_unit_test(run_ok_and_timeout),
		cmocka_unit_test(pids),
		cmocka_unit_test(gate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
