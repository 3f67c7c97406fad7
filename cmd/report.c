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
#include "inputs.h"
#include "trend.h"

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
		{ "history", no_argument, NULL, 'H' },
		{ "compare", no_argument, NULL, 'C' },
		{ "fail-on-regression", no_argument, NULL, 'F' },
		{ "tolerance", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmp_tolerance tol[CMD_MAX_TOLERANCE];
	struct inputs in = { 0 };
	const char *out = NULL;
	enum cmd_retval rc = CMD_OK;
	int ch, history = 0, compare = 0, fail = 0;
	size_t ntol = 0;
	struct sd_err e;

	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (ch == 'o')
			out = optarg;
		else if (ch == 'H')
			history = 1;
		else if (ch == 'C')
			compare = 1;
		else if (ch == 'F')
			fail = 1;
		else if (ch == 'T' && cmd_tolerance(optarg, tol, &ntol, &e) == -1)
			return cmd_tolerance_free(tol, ntol),
			    cmd_usage_error(self, "%s", e.msg);
		else if (ch != 'T')
			return cmd_tolerance_free(tol, ntol),
			    cmd_usage_error(self, NULL);
	}
	if (history + compare > 1 || ((fail || ntol) && !compare))
		rc = cmd_usage_error(self, "--history, or --compare with its"
		    " --fail-on-regression and --tolerance");
	else if (history && (out == NULL || optind == argc))
		rc = cmd_usage_error(self, "--history -o DIR RESULT...");
	else if (compare && argc - optind != 2)
		rc = cmd_usage_error(self, "--compare BASELINE NEW");
	else if (history)
		rc = cmd_history(argv + optind, (size_t)(argc - optind), out);
	else if (compare)
		rc = cmd_compare(argv[optind], argv[optind + 1], out, tol, ntol,
		    fail);
	if (history || compare || rc != CMD_OK) {
		cmd_tolerance_free(tol, ntol);
		return rc;
	}
	if (optind == argc)
		return cmd_usage_error(self, "no result given");
	if (out == NULL && argc - optind > 1)
		return cmd_usage_error(self, "several results: say where to merge"
		    " them with -o DIR");
	for (int i = optind; i < argc; i++)
		if (inputs_collect(&in, argv[i]) == -1) {
			rc = CMD_USAGE;
			goto done;
		}
	qsort(in.v, in.n, sizeof *in.v, inputs_by_start);
	name_all(&in);
	rc = render_all(&in, &out, argv[optind]);
	if (rc == CMD_OK && out != NULL)
		rc = summarize(&in, out);
	else if (rc == CMD_OK && !g_opts.quiet)
		for (size_t i = 0; i < in.n; i++)
			cmd_out("%s: %s\n", in.v[i].r->drill, res_verdict_name(
			    in.v[i].r->verdict));
done:
	inputs_free(&in);
	return rc;
}

const struct cmd_entry cmd_report = {
	.name = "report",
	.usage = "[-o DIR] RESULT...\n"
	    "       --history -o DIR GAME-DAY...\n"
	    "       --compare [--fail-on-regression] [--tolerance [KEY=]T]..."
	    " [-o DIR] BASELINE NEW",
	.summary = "render reports again from result.json; merge several runs",
	.help =
	    "  -o, --output DIR  write there (for several results: DIR/DRILL/,\n"
	    "                    DIR/SUMMARY.md and DIR/junit.xml)\n"
	    "A RESULT is a result.json, a drill's report folder or a run's\n"
	    "folder. Without -o one RESULT is rendered in place: REPORT.md,\n"
	    "junit.xml and timeline.svg come out byte for byte as the run wrote\n"
	    "them (and a run's SUMMARY.md too).\n"
	    "      --history     DIR/HISTORY.md and DIR/history.svg: each drill's\n"
	    "                    verdict and key times over the game days (a\n"
	    "                    GAME-DAY is a run's folder), oldest first\n"
	    "      --compare     NEW against BASELINE: verdicts that flipped, key\n"
	    "                    times worse beyond their tolerance (and both\n"
	    "                    resolutions), new and missing drills; -o DIR:\n"
	    "                    DIR/COMPARE.md\n"
	    "      --fail-on-regression  exit 6 when anything regressed\n"
	    "      --tolerance [KEY=]T   how much worse a key time may get: 20%\n"
	    "                    or 500ms, for KEY or every one (default: the\n"
	    "                    drill's regress:, else 20%)\n"
	    "Exit: 0 written, 1 could not write, 2 bad usage or not a result,\n"
	    "6 regressed (--compare --fail-on-regression).\n",
	.exec = exec_report,
};
