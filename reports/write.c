/*
 * write.c — one drill's report directory: REPORT.md, result.json, junit.xml,
 * each written atomically so a reader never sees half a file.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../lib/redact.h"
#include "report.h"

/* Every file a report has goes out through the secret scrub. */
static int
put(const char *dir, const char *name, char *text, struct sd_err *e)
{
	char *path = xasprintf("%s/%s", dir, name), *clean = redact_text(text);
	int rc = write_file_atomic(path, clean, strlen(clean), e);

	free(path);
	free(clean);
	free(text);
	return rc;
}

int
rpt_write_dir(const struct result *r, const char *dir, struct sd_err *e)
{
	json_t *j;
	char *text;

	if (mkdir_p(dir, 0755, e) == -1)
		return -1;
	j = rpt_json(r);
	text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	json_decref(j);
	if (put(dir, "result.json", text, e) == -1 ||
	    put(dir, "REPORT.md", rpt_markdown(r), e) == -1 ||
	    put(dir, "junit.xml", rpt_junit(&r, 1), e) == -1)
		return -1;
	return 0;
}

char *
rpt_drill_dir(const char *dir, const struct result *r, size_t n)
{
	/* drill names are [a-z0-9-]: never a path of their own */
	return n == 1 ? xstrdup(dir) : xasprintf("%s/%s", dir, r->drill);
}

int
rpt_write_run(const struct result *const *rs, size_t n, const char *dir,
    struct sd_err *e)
{
	for (size_t i = 0; i < n; i++) {
		char *d = rpt_drill_dir(dir, rs[i], n);
		int rc = rpt_write_dir(rs[i], d, e);
		free(d);
		if (rc == -1)
			return -1;
	}
	return n < 2 ? 0 : rpt_write_summary(rs, n, dir, e);
}

int
rpt_write_summary(const struct result *const *rs, size_t n, const char *dir,
    struct sd_err *e)
{
	if (mkdir_p(dir, 0755, e) == -1 ||
	    put(dir, "SUMMARY.md", rpt_gameday(rs, n), e) == -1 ||
	    put(dir, "junit.xml", rpt_junit(rs, n), e) == -1)
		return -1;
	return 0;
}
