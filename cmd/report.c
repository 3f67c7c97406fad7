/*
 * report.c — `shakedown report [-o DIR] RESULT...`: render reports again
 * from result.json — the same bytes a run wrote, since a run renders its
 * own from the result.json it wrote — and merge the drills of several runs
 * (a game day in parts, or on several machines) into one SUMMARY.md and one
 * junit.xml.
 *
 * A RESULT is a result.json, a drill's report folder (one result.json) or a
 * run's folder (DRILL/result.json for each drill). Results are listed in the
 * order they started, which is a run's own order.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../reports/report.h"
#include "cmd.h"

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
};

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
		cmd_error("report: %s", e.msg);
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
static int
collect(struct inputs *in, const char *arg)
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
		cmd_error("report: %s: %s", arg, strerror(errno));
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
		cmd_error("report: %s: no result.json in it nor in its folders",
		    arg);
		return -1;
	}
	in->run_dirs++;
	return rc;
}

static int
by_start(const void *a, const void *b)
{
	const struct input *x = a, *y = b;

	if (x->r->started_wall_ms != y->r->started_wall_ms)
		return x->r->started_wall_ms < y->r->started_wall_ms ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* A folder name per drill under the summary: the drill's, then DRILL-2...
 * — reduced to a safe file name first: a result.json may come from
 * anywhere, and its drill name is never a path. */
static void
name_all(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		char *base = safe_name(in->v[i].r->drill);
		int k = 1;
		for (;;) {
			char *nm = k == 1 ? xstrdup(base) : xasprintf("%s-%d", base,
			    k);
			size_t j;
			for (j = 0; j < i && strcmp(in->v[j].name, nm) != 0; j++)
				;
			if (j == i) {
				in->v[i].name = nm;
				break;
			}
			free(nm);
			k++;
		}
		free(base);
	}
}

static char *
folder_of(const char *path)
{
	char *c = xstrdup(path), *d = xstrdup(dirname(c));

	free(c);
	return d;
}

static int
render(struct input *x, const char *dir, int copy_json)
{
	char *p = xasprintf("%s/result.json", dir);
	struct sd_err e;
	int rc = mkdir_p(dir, 0755, &e);

	/* result.json as it was, byte for byte */
	if (rc == 0 && copy_json)
		rc = write_file_atomic(p, x->text, strlen(x->text), &e);
	if (rc == 0)
		rc = rpt_render_dir(x->r, dir, &e);
	if (rc == -1)
		cmd_error("report: %s", e.msg);
	free(p);
	return rc;
}

/* Each result's report: in place (*out NULL), into *out for one result,
 * or one folder per drill under *out. *out: where the summary goes, NULL
 * for none. */
static enum cmd_retval
render_all(struct inputs *in, const char **out, const char *first)
{
	enum cmd_retval rc = CMD_OK;

	if (*out == NULL) {
		/* in place: the folder of each result.json, and the run's
		 * summary when the argument was a run's folder */
		for (size_t i = 0; i < in->n && rc == CMD_OK; i++) {
			char *d = folder_of(in->v[i].path);
			if (render(&in->v[i], d, 0) == -1)
				rc = CMD_FAILED;
			free(d);
		}
		*out = in->run_dirs ? first : NULL;
	} else if (in->n == 1 && !in->run_dirs) {
		if (render(&in->v[0], *out, 1) == -1)
			rc = CMD_FAILED;
		*out = NULL;
	} else {
		for (size_t i = 0; i < in->n && rc == CMD_OK; i++) {
			struct sd_err e;
			char *d = rpt_drill_dir(*out, in->v[i].name, &e);
			if (d == NULL)
				cmd_error("report: %s", e.msg);
			if (d == NULL || render(&in->v[i], d, 1) == -1)
				rc = CMD_FAILED;
			free(d);
		}
	}
	return rc;
}

/* out/SUMMARY.md over every result. */
static enum cmd_retval
summarize(const struct inputs *in, const char *out)
{
	const struct result **rs = xcalloc(in->n + 1, sizeof *rs);
	char **names = xcalloc(in->n + 1, sizeof *names);
	enum cmd_retval rc = CMD_OK;
	struct sd_err e;
	size_t pass = 0;

	for (size_t i = 0; i < in->n; i++) {
		rs[i] = in->v[i].r;
		names[i] = in->v[i].name;
		pass += rs[i]->verdict == V_PASS;
	}
	if (rpt_write_summary(rs, names, in->n, out, &e) == -1) {
		cmd_error("report: %s", e.msg);
		rc = CMD_FAILED;
	} else if (!g_opts.quiet) {
		cmd_out("%s/SUMMARY.md: %zu of %zu drill(s) passed\n", out, pass,
		    in->n);
	}
	free(rs);
	free(names);
	return rc;
}

static enum cmd_retval
exec_report(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct inputs in = { NULL, 0, 0, 0 };
	const char *out = NULL;
	enum cmd_retval rc = CMD_OK;
	int ch;

	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (ch != 'o')
			return cmd_usage_error(self, NULL);
		out = optarg;
	}
	if (optind == argc)
		return cmd_usage_error(self, "no result given");
	if (out == NULL && argc - optind > 1)
		return cmd_usage_error(self, "several results: say where to merge"
		    " them with -o DIR");
	for (int i = optind; i < argc; i++)
		if (collect(&in, argv[i]) == -1) {
			rc = CMD_USAGE;
			goto done;
		}
	qsort(in.v, in.n, sizeof *in.v, by_start);
	name_all(&in);
	rc = render_all(&in, &out, argv[optind]);
	if (rc == CMD_OK && out != NULL)
		rc = summarize(&in, out);
	else if (rc == CMD_OK && !g_opts.quiet)
		for (size_t i = 0; i < in.n; i++)
			cmd_out("%s: %s\n", in.v[i].r->drill, res_verdict_name(
			    in.v[i].r->verdict));
done:
	for (size_t i = 0; i < in.n; i++) {
		free(in.v[i].path);
		free(in.v[i].text);
		free(in.v[i].name);
		res_free(in.v[i].r);
	}
	free(in.v);
	return rc;
}

const struct cmd_entry cmd_report = {
	.name = "report",
	.usage = "[-o DIR] RESULT...",
	.summary = "render reports again from result.json; merge several runs",
	.help =
	    "  -o, --output DIR  write there (for several results: DIR/DRILL/,\n"
	    "                    DIR/SUMMARY.md and DIR/junit.xml)\n"
	    "A RESULT is a result.json, a drill's report folder or a run's\n"
	    "folder. Without -o one RESULT is rendered in place: REPORT.md,\n"
	    "junit.xml and timeline.svg come out byte for byte as the run wrote\n"
	    "them (and a run's SUMMARY.md too).\n"
	    "Exit: 0 written, 1 could not write, 2 bad usage or not a result.\n",
	.exec = exec_report,
};
