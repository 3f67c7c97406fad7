/*
 * inputs.h — results named on a command line, read back: a result.json,
 * a drill's report folder (one result.json) or a run's folder
 * (DRILL/result.json for each drill). `report` renders and merges them,
 * `report --history` and `--compare` and `run --baseline` compare them.
 */
#ifndef SD_CMD_INPUTS_H
#define SD_CMD_INPUTS_H

#include <stddef.h>

#include "../lib/base/result.h"

struct input {
	char *path;		/* its result.json */
	char *text;		/* the file's bytes */
	struct result *r;
	char *name;		/* its folder under the summary */
};

struct inputs {
	struct input *v;
	size_t n, cap;
	int run_dirs;		/* arguments that were a run's folder */
	const char *who;	/* for messages: "report" (NULL), "run" */
};

/* One argument's results into in (a result named twice counts once); -1
 * (printed) when it holds none or one does not read. */
int inputs_collect(struct inputs *in, const char *arg);
/* qsort: the order they started (a run's own order). */
int inputs_by_start(const void *a, const void *b);
void inputs_free(struct inputs *in);

#endif
