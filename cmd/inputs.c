/*
 * inputs.c — see inputs.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../reports/report.h"
#include "cmd.h"
#include "inputs.h"

static int
is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int
add(struct inputs *in, const char *path)
{
	struct sd_err e;
	struct input *x;

	in->v = xgrow(in->v, &in->cap, in->n + 1, sizeof *in->v);
	x = &in->v[in->n];
	memset(x, 0, sizeof *x);
	if ((x->r = rpt_load_file(path, &x->text, &e)) == NULL) {
		cmd_error("%s: %s", in->who ? in->who : "report", e.msg);
		return -1;
	}
	x->path = xstrdup(path);
	/* the same result named twice (a folder and its file) counts once */
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(in->v[i].text, x->text) == 0) {
			free(x->path);
			free(x->text);
			res_free(x->r);
			return 0;
		}
	in->n++;
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* One argument: a file, a drill's folder, or a run's folder. */
int
inputs_collect(struct inputs *in, const char *arg)
{
	struct dirent **ents;
	char *p;
	int n, found = 0, rc = 0;

	if (is_file(arg))
		return add(in, arg);
	p = xasprintf("%s/result.json", arg);
	if (is_file(p)) {
		rc = add(in, p);
		free(p);
		return rc;
	}
	free(p);
	if ((n = scandir(arg, &ents, NULL, by_name)) < 0) {
		cmd_error("%s: %s: %s", in->who ? in->who : "report", arg,
		    strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' && rc == 0) {
			p = xasprintf("%s/%s/result.json", arg, ents[i]->d_name);
			if (is_file(p)) {
				found++;
				rc = add(in, p);
			}
			free(p);
		}
		free(ents[i]);
	}
	free(ents);
	if (rc == 0 && found == 0) {
		cmd_error("%s: %s: no result.json in it nor in its folders",
		    in->who ? in->who : "report",
		    arg);
		return -1;
	}
	in->run_dirs++;
	return rc;
}

int
inputs_by_start(const void *a, const void *b)
{
	const struct input *x = a, *y = b;

	if (x->r->started_wall_ms != y->r->started_wall_ms)
		return x->r->started_wall_ms < y->r->started_wall_ms ? -1 : 1;
	return strcmp(x->path, y->path);
}


void
inputs_free(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->v[i].path);
		free(in->v[i].text);
		free(in->v[i].name);
		res_free(in->v[i].r);
	}
	free(in->v);
	memset(in, 0, sizeof *in);
}
