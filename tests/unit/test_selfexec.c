/* test_selfexec.c — every subcommand the library starts by name is in the
 * binary's command table, with the options its callers pass. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/base/proc.h"
#include "../../lib/base/selfexec.h"

/* what lib/run/stack.c and sandbox/sandbox_spawn.c pass each one */
static const struct {
	const char *name;
	const char *opts[8];
} used[] = {
	{ SELFEXEC_GUARDIAN, { "--journal", NULL } },
	{ SELFEXEC_PROXY, { "-c", NULL } },
	{ SELFEXEC_TARGET, { "--port", "--db", "--redis", "--production",
	    "--ai-latency", "--bug", NULL } },
};

static void
each_in_the_table(void **state)
{
	const char *bin = getenv("SHAKEDOWN");
	size_t n = 0;

	(void)state;
	assert_non_null(bin);
	for (const char *const *c = selfexec_commands; *c; c++, n++) {
		char *argv[] = { (char *)bin, "help", (char *)*c, NULL };
		char *want = NULL;
		struct proc_result r;
		struct sd_err e;
		size_t k;

		assert_int_equal(proc_run(argv, 10000, &r, &e), 0);
		assert_true(r.exited);
		assert_int_equal(r.status, 0);
		want = xasprintf("usage: %s %s ", SELFEXEC_COMM, *c);
		assert_non_null(strstr(r.output, want));
		for (k = 0; k < sizeof used / sizeof used[0]; k++)
			if (strcmp(used[k].name, *c) == 0)
				break;
		assert_true(k < sizeof used / sizeof used[0]);
		for (const char *const *o = used[k].opts; *o; o++)
			assert_non_null(strstr(r.output, *o));
		free(want);
		proc_result_free(&r);
	}
	assert_int_equal(n, sizeof used / sizeof used[0]);
}

/* a name not in the table is refused: the check above can fail */
static void
unknown_refused(void **state)
{
	char *argv[] = { getenv("SHAKEDOWN"), "help", "guardians-not", NULL };
	struct proc_result r;
	struct sd_err e;

	(void)state;
	assert_int_equal(proc_run(argv, 10000, &r, &e), 0);
	assert_true(r.exited);
	assert_int_not_equal(r.status, 0);
	proc_result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_in_the_table),
		cmocka_unit_test(unknown_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
