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

#include "../../lib/util.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sbuf_grows),
		cmocka_unit_test(files),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
