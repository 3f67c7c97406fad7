/* test_ynode.c — the YAML layer: bad bytes at their real position, unique
 * keys in linear time, the size cap, variables remembered, accessors'
 * bounds. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/base/ynode.h"

static void
positions(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		const char *want;
	} cases[] = {
		{ "a: 1\nb: 2\nc: \"x\x01\"\n", 0, "t:3:6: control character U+0001" },
		{ "a: 1\n\n\n\nb: x\0y\n", 13, "t:5:5: NUL byte" },
		{ "a: 1\nb: caf\xe9\n", 0, "t:2:7: invalid UTF-8 (byte 0xe9)" },
		{ "a: 1\nb: \xed\xa0\x80\n", 0, "t:2:4: invalid UTF-8 (byte 0xed)" },
		{ "a: 1\nb: \xc0\xaf\n", 0, "t:2:4: invalid UTF-8 (byte 0xc0)" },
		{ "a:\n\t- 1\n", 0, "t:2:1: tab in indentation" },
		{ "a: 1\nb: 2\na: 3\n", 0, "t:3:1: duplicate key 'a'" },
		{ "a: [1, *x]\n", 0, "t:1:8: aliases are not supported" },
	};
	struct sd_err e;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		struct ynode *n = ynode_parse("t", cases[i].text, len, &e);
		assert_null(n);
		if (strncmp(e.msg, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, e.msg,
			    cases[i].want);
	}
	/* valid multibyte text and a BOM are fine */
	static const char ok[] = "\xef\xbb\xbf" "a: \"caf\xc3\xa9 \xf0\x9f\x98\x80\"\n";
	struct ynode *n = ynode_parse("t", ok, strlen(ok), &e);
	assert_non_null(n);
	ynode_free(n);
}

static void
many_keys(void **state)
{
	struct sbuf sb;
	struct sd_err e;

	(void)state;
	sb_init(&sb);
	for (int i = 0; i < 200000; i++)
		sb_addf(&sb, "k%d: %d\n", i, i);
	int64_t t0 = mono_ms();
	struct ynode *n = ynode_parse("t", sb.buf, sb.len, &e);
	assert_non_null(n);
	assert_int_equal(n->n, 200000);
	assert_string_equal(ynode_get(n, "k123456")->value, "123456");
	assert_null(ynode_get(n, "k200000"));
	assert_true(mono_ms() - t0 < 10000);	/* quadratic: minutes */
	ynode_free(n);
	sb_addf(&sb, "k77: dup\n");
	assert_null(ynode_parse("t", sb.buf, sb.len, &e));
	assert_non_null(strstr(e.msg, ":200001:1: duplicate key 'k77'"));
	sb_free(&sb);
}

static void
size_cap(void **state)
{
	size_t len = YNODE_MAX_BYTES + 1;
	char *big = xmalloc(len);
	struct sd_err e;

	(void)state;
	memset(big, 'a', len);
	assert_null(ynode_parse("t", big, len, &e));
	assert_non_null(strstr(e.msg, "a drill is at most 4 MiB"));
	free(big);
}

static void
variables_and_bounds(void **state)
{
	struct sd_err e;
	struct yctx y = { "t", &e };
	char from[64];
	int64_t ms = 0;

	(void)state;
	unsetenv("SD_T_PIDFILE");
	setenv("SD_T_DIR", "/run", 1);
	static const char text[] = "p: ${SD_T_PIDFILE:-${SD_T_DIR}/a.pid}\n"
	    "d: 0ms\nz: 5s\n";
	struct ynode *n = ynode_parse("t", text, strlen(text), &e);
	assert_non_null(n);
	assert_string_equal(ynode_get(n, "p")->value, "/run/a.pid");
	assert_string_equal(ynode_get(n, "p")->vars, "SD_T_PIDFILE SD_T_DIR");
	assert_string_equal(yfrom(ynode_get(n, "p"), from, sizeof from),
	    " (set SD_T_PIDFILE)");
	assert_int_equal(ydur(&y, n, "d", &ms, 1, 1000), -1);
	assert_non_null(strstr(e.msg, "t:2:4: d: 0ms is too short"));
	assert_int_equal(ydur(&y, n, "z", &ms, 1, 1000), -1);
	if (strstr(e.msg, "t:3:4: z: 5s is too long (at most 1.00s)") == NULL)
		fail_msg("%s", e.msg);
	assert_int_equal(ydur(&y, n, "z", &ms, 1, 10000), 0);
	assert_int_equal(ms, 5000);
	ynode_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(positions),
		cmocka_unit_test(many_keys),
		cmocka_unit_test(size_cap),
		cmocka_unit_test(variables_and_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
