/* test_journal.c — open entries, reverts, runs apart, torn lines. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../lib/check/journal.h"

static int
apply(const char *path, const char *run, const char *id, const char *what)
{
	json_t *rec = json_pack("{s:s,s:s}", "kind", "service", "how", "none");
	struct journal_apply a = { run, id, what, NULL, 0, rec };
	struct sd_err e;
	int rc = journal_apply(path, &a, &e);

	json_decref(rec);
	return rc;
}

static void
entries(void **state)
{
	char dir[] = "/tmp/sd-jrnl-XXXXXX", *path, *p2;
	struct sd_err e;
	json_t *open;
	int torn;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("SHAKEDOWN_STATE_DIR", dir, 1);
	path = journal_path(&e);
	assert_non_null(path);
	/* nothing yet */
	open = journal_open_entries(path, NULL, &torn, &e);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);
	assert_int_equal(apply(path, "r1", "r1-1", "stop a"), 0);
	assert_int_equal(apply(path, "r1", "r1-2", "pause b"), 0);
	assert_int_equal(apply(path, "r2", "r2-1", "stop c"), 0);
	assert_int_equal(journal_reverted(path, "r1-1", &e), 0);
	open = journal_open_entries(path, "r1", &torn, &e);
	assert_int_equal(json_array_size(open), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(open,
	    0), "id")), "r1-2");
	json_decref(open);
	open = journal_open_entries(path, NULL, &torn, &e);
	assert_int_equal(json_array_size(open), 2);
	json_decref(open);
	/* a crash mid-write leaves half a line: skipped, and the next record
	 * starts on a line of its own */
	f = fopen(path, "a");
	fputs("{\"op\":\"apply\",\"id\":\"half", f);
	fclose(f);
	open = journal_open_entries(path, NULL, &torn, &e);
	assert_int_equal(torn, 1);
	assert_int_equal(json_array_size(open), 2);
	json_decref(open);
	assert_int_equal(journal_reverted(path, "r2-1", &e), 0);
	open = journal_open_entries(path, NULL, &torn, &e);
	assert_int_equal(torn, 1);
	assert_int_equal(json_array_size(open), 1);
	json_decref(open);
	/* the state dir holds secrets: private */
	p2 = xasprintf("%s", dir);
	struct stat st;
	assert_int_equal(stat(p2, &st), 0);
	unlink(path);
	rmdir(dir);
	free(p2);
	free(path);
	unsetenv("SHAKEDOWN_STATE_DIR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
