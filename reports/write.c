/*
 * write.c — one drill's report directory: REPORT.md, result.json, junit.xml,
 * each written atomically so a reader never sees half a file.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "report.h"

static int
put(const char *dir, const char *name, char *text, struct sd_err *e)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = write_file_atomic(path, text, strlen(text), e);

	free(path);
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
