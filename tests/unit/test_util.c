/* test_util.c — sbuf invariants, secret redaction, atomic writes. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../lib/base/util.h"

static void
sbuf_grows(void **state)
{
	struct sbuf sb;

	(void)state;
	sb_init(&sb);
	assert_string_equal(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	char *s = sb_detach(&sb);
	assert_null(sb.buf);
	sb_add(&sb, "again");
	assert_string_equal(sb.buf, "again");
	assert_int_equal(strncmp(s + strlen(s) - 4, "999,", 4), 0);
	free(s);
	sb_free(&sb);
}

static void
files(void **state)
{
	char dir[] = "/tmp/sd-unit-XXXXXX", *path, *sub, *back;
	struct sd_err e;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	sub = xasprintf("%s/a/b/c", dir);
	assert_int_equal(mkdir_p(sub, 0755, &e), 0);
	assert_int_equal(mkdir_p(sub, 0755, &e), 0);	/* exists: fine */
	path = xasprintf("%s/f", sub);
	assert_int_equal(write_file_atomic(path, "hello", 5, &e), 0);
	back = read_file(path, &len, &e);
	assert_string_equal(back, "hello");
	assert_int_equal(len, 5);
	free(back);
	assert_null(read_file("/nonexistent/x", NULL, &e));
	assert_non_null(strstr(e.msg, "cannot open '/nonexistent/x'"));
	unlink(path);
	free(path);
	free(sub);
	/* remove the deepest first */
	static const char *rest[] = { "/a/b/c", "/a/b", "/a" };
	for (size_t i = 0; i < 3; i++) {
		char *p = xasprintf("%s%s", dir, rest[i]);
		assert_int_equal(rmdir(p), 0);
		free(p);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void
errors(void **state)
{
	struct sd_err e;

	(void)state;
	assert_int_equal(err_set(&e, "cannot %s", "x"), -1);
	assert_int_equal(err_prefix(&e, "netem '%s'", "veth0"), -1);
	assert_string_equal(e.msg, "netem 'veth0': cannot x");
	assert_int_equal(err_set(NULL, "ignored"), -1);
}

/* a 4 KiB value in a message: cut, with an ellipsis; apostrophes in words
 * are not quotes */
static void
echoes(void **state)
{
	char big[4096];
	struct sd_err e;

	(void)state;
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	err_set(&e, "wait: bad duration '%s' here", big);
	assert_true(strlen(e.msg) < 120);
	assert_non_null(strstr(e.msg, "9…' here"));
	err_set(&e, "shakedown's own '%s' can't be", "short");
	assert_string_equal(e.msg, "shakedown's own 'short' can't be");
}

static void
safe_names(void **state)
{
	static const char *const cases[][2] = {
		{ "redis-outage", "redis-outage" },
		{ "../../../../tmp/escaped", "_._.._.._.._tmp_escaped" },
		{ ".hidden", "_hidden" },
		{ "", "drill" },
		{ "a b/c\\d", "a_b_c_d" },
	};
	char long_name[300];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = safe_name(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	char *s = safe_name(long_name);
	assert_int_equal(strlen(s), SAFE_NAME_MAX);
	free(s);
}

/* the atomic writer never follows a planted symlink */
static void
no_follow(void **state)
{
	char dir[] = "/tmp/sd-unit-XXXXXX", *victim, *path, *link, *back;
	struct sd_err e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	victim = xasprintf("%s/victim", dir);
	path = xasprintf("%s/REPORT.md", dir);
	assert_int_equal(write_file_atomic(victim, "precious", 8, &e), 0);
	link = xasprintf("%s.tmp.%d", path, (int)getpid());
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(write_file_atomic(path, "report", 6, &e), 0);
	back = read_file(victim, NULL, &e);
	assert_string_equal(back, "precious");
	free(back);
	/* appending through a symlink is refused */
	assert_int_equal(open_append(link, 0644, &e), -1);
	assert_non_null(strstr(e.msg, "symbolic link"));
	/* a folder made for a drill is never a symlink */
	char *d = xasprintf("%s/drill", dir);
	assert_int_equal(symlink(dir, d), 0);
	assert_int_equal(mkdir_own(d, 0755, &e), -1);
	unlink(d);
	assert_int_equal(mkdir_own(d, 0755, &e), 0);
	assert_int_equal(mkdir_own(d, 0755, &e), 0);
	rmdir(d);
	free(d);
	unlink(link);
	unlink(path);
	unlink(victim);
	rmdir(dir);
	free(victim);
	free(path);
	free(link);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sbuf_grows),
		cmocka_unit_test(files),
		cmocka_unit_test(errors),
		cmocka_unit_test(echoes),
		cmocka_unit_test(safe_names),
		cmocka_unit_test(no_follow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
