/*
 * write.c — one drill's report directory: result.json first, then REPORT.md,
 * junit.xml and timeline.svg rendered from result.json as read back; each
 * file written atomically so a reader never sees half a file. Also the
 * game-day summary of several drills, GitHub's job summary and the
 * Prometheus textfile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/base/redact.h"
#include "report.h"

/* GitHub refuses a job summary over 1 MiB; leave room for what other steps
 * of the job append. */
#define STEP_SUMMARY_MAX (512 * 1024)

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
rpt_render_dir(const struct result *r, const char *dir, struct sd_err *e)
{
	char *svg = rpt_svg(r);

	if (mkdir_p(dir, 0755, e) == -1) {
		free(svg);
		return -1;
	}
	if (svg != NULL && put(dir, "timeline.svg", svg, e) == -1)
		return -1;
	if (put(dir, "REPORT.md", rpt_markdown(r), e) == -1 ||
	    put(dir, "junit.xml", rpt_junit(&r, 1), e) == -1)
		return -1;
	return 0;
}

int
rpt_write_dir(const struct result *r, const char *dir,
    struct result **loaded, struct sd_err *e)
{
	struct result *back;
	json_error_t je;
	json_t *j;
	char *text, *clean;
	int rc;

	if (mkdir_p(dir, 0755, e) == -1)
		return -1;
	j = rpt_json(r);
	text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	json_decref(j);
	clean = redact_text(text);
	free(text);
	/* the rest is rendered from what result.json says, as `report` will */
	if ((j = json_loads(clean, 0, &je)) == NULL ||
	    (back = rpt_from_json(j, e)) == NULL) {
		if (j == NULL)
			err_set(e, "result.json: %s", je.text);
		json_decref(j);
		free(clean);
		return -1;
	}
	json_decref(j);
	rc = put(dir, "result.json", clean, e);
	if (rc == 0)
		rc = rpt_render_dir(back, dir, e);
	if (rc == 0 && loaded != NULL)
		*loaded = back;
	else
		res_free(back);
	return rc;
}

char *
rpt_drill_dir(const char *dir, const char *name, struct sd_err *e)
{
	char *safe = safe_name(name), *d = xasprintf("%s/%s", dir, safe);

	free(safe);
	if (mkdir_p(dir, 0755, e) == -1 || mkdir_own(d, 0755, e) == -1) {
		free(d);
		return NULL;
	}
	return d;
}

int
rpt_write_summary(const struct result *const *rs, char *const *dirs,
    size_t n, const char *dir, struct sd_err *e)
{
	if (mkdir_p(dir, 0755, e) == -1 ||
	    put(dir, "SUMMARY.md", rpt_gameday(rs, dirs, n, 1), e) == -1 ||
	    put(dir, "junit.xml", rpt_junit(rs, n), e) == -1)
		return -1;
	return 0;
}

int
rpt_step_summary(const struct result *const *rs, size_t n, const char *path,
    struct sd_err *e)
{
	char *md = rpt_gameday(rs, NULL, n, 0), *clean;
	struct sbuf sb;
	size_t len;
	int fd, rc = 0;

	sb_init(&sb);
	sb_add(&sb, md);
	free(md);
	/* each drill's failures under the table, as far as room allows */
	for (size_t i = 0; i < n; i++) {
		char *s;
		if (rs[i]->verdict == V_PASS)
			continue;
		s = rpt_summary(rs[i]);
		if (sb.len + strlen(s) + 64 > STEP_SUMMARY_MAX) {
			free(s);
			sb_add(&sb, "\n(more in the reports: the job summary is"
			    " kept short)\n");
			break;
		}
		/* the summary quotes what a service answered: a fence longer
		 * than any run of backticks in it, so it cannot end the block */
		char fence[16];
		const char *one[] = { s };
		esc_md_fence(one, 1, fence, sizeof fence);
		sb_addf(&sb, "\n%s\n", fence);
		sb_add(&sb, s);
		sb_addf(&sb, "\n%s\n", fence);
		free(s);
	}
	clean = redact_text(sb.buf);
	sb_free(&sb);
	len = strlen(clean);
	if (len > STEP_SUMMARY_MAX)
		len = STEP_SUMMARY_MAX;
	if ((fd = open_append(path, 0644, e)) == -1) {
		free(clean);
		return -1;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, clean + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = err_set(e, "%s: %s", path, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) == -1 && rc == 0)
		rc = err_set(e, "%s: %s", path, strerror(errno));
	free(clean);
	return rc;
}

/* A label value in the exposition format: \, " and newline escaped. */
static void
label(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			sb_addf(sb, "\\%c", *s);
		else if (*s == '\n')
			sb_add(sb, "\\n");
		else
			sb_addn(sb, s, 1);
	}
}

static void
metric(struct sbuf *sb, const char *name, const char *type, const char *help)
{
	sb_addf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample per measured key time: its value, or its resolution. */
static void
key_times(struct sbuf *sb, const struct result *const *rs, size_t n,
    const char *name, int resolution)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < rs[i]->nex; k++) {
			const struct res_expect *x = &rs[i]->ex[k];
			if (x->as == NULL || x->elapsed_ms < 0)
				continue;
			sb_addf(sb, "%s{drill=\"", name);
			label(sb, rs[i]->drill);
			sb_add(sb, "\",name=\"");
			label(sb, x->as);
			sb_addf(sb, "\"} %.3f\n", (resolution ? x->resolution_ms :
			    x->elapsed_ms) / 1000.0);
		}
	/* a writer's RPO and write outage are key times too */
	for (size_t i = 0; i < n; i++)
		for (size_t w = 0; w < rs[i]->nwrites; w++) {
			struct rpt_wkey wk[2];
			size_t nk = rpt_writer_keys(rs[i], w, wk);
			for (size_t k = 0; k < nk; k++) {
				sb_addf(sb, "%s{drill=\"", name);
				label(sb, rs[i]->drill);
				sb_add(sb, "\",name=\"");
				label(sb, wk[k].name);
				sb_addf(sb, "\"} %.3f\n", (resolution ? wk[k].res_ms :
				    wk[k].ms) / 1000.0);
			}
		}
}

/* Each writer's lost acknowledged writes. */
static void
lost_writes(struct sbuf *sb, const struct result *const *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t w = 0; w < rs[i]->nwrites; w++) {
			sb_add(sb, "shakedown_lost_writes{drill=\"");
			label(sb, rs[i]->drill);
			sb_add(sb, "\",writer=\"");
			label(sb, rs[i]->writes[w].probe);
			sb_addf(sb, "\"} %llu\n", (unsigned long long)
			    rs[i]->writes[w].lost);
		}
}

int
rpt_write_prom(const struct result *const *rs, size_t n, const char *path,
    struct sd_err *e)
{
	static const char *vn[] = { "PASS", "FAIL", "ERROR", "ABORTED",
	    "INVALID" };
	struct sbuf sb;
	char *clean;
	int rc;

	sb_init(&sb);
	metric(&sb, "shakedown_drill_verdict", "gauge", "1 for the verdict the"
	    " drill's last run reached, 0 for the others.");
	for (size_t i = 0; i < n; i++)
		for (int v = 0; v < 5; v++) {
			sb_add(&sb, "shakedown_drill_verdict{drill=\"");
			label(&sb, rs[i]->drill);
			sb_addf(&sb, "\",verdict=\"%s\"} %d\n", vn[v],
			    rs[i]->verdict == (enum verdict)v);
		}
	metric(&sb, "shakedown_drill_passed", "gauge", "1 if the drill's last run"
	    " passed.");
	for (size_t i = 0; i < n; i++) {
		sb_add(&sb, "shakedown_drill_passed{drill=\"");
		label(&sb, rs[i]->drill);
		sb_addf(&sb, "\"} %d\n", rs[i]->verdict == V_PASS);
	}
	metric(&sb, "shakedown_drill_exit_code", "gauge", "The exit code of the"
	    " drill's last run.");
	for (size_t i = 0; i < n; i++) {
		sb_add(&sb, "shakedown_drill_exit_code{drill=\"");
		label(&sb, rs[i]->drill);
		sb_addf(&sb, "\"} %d\n", res_exit_code(rs[i]));
	}
	metric(&sb, "shakedown_drill_start_timestamp_seconds", "gauge", "When the"
	    " drill's last run started, in seconds since the epoch.");
	for (size_t i = 0; i < n; i++) {
		sb_add(&sb, "shakedown_drill_start_timestamp_seconds{drill=\"");
		label(&sb, rs[i]->drill);
		sb_addf(&sb, "\"} %.3f\n", rs[i]->started_wall_ms / 1000.0);
	}
	metric(&sb, "shakedown_drill_duration_seconds", "gauge", "How long the"
	    " drill's last run took.");
	for (size_t i = 0; i < n; i++) {
		sb_add(&sb, "shakedown_drill_duration_seconds{drill=\"");
		label(&sb, rs[i]->drill);
		sb_addf(&sb, "\"} %.3f\n", rs[i]->duration_ms / 1000.0);
	}
	metric(&sb, "shakedown_drill_expectations", "gauge", "The drill's"
	    " expectations by outcome.");
	for (size_t i = 0; i < n; i++) {
		size_t c[4] = { 0, 0, 0, 0 };
		for (size_t k = 0; k < rs[i]->nex; k++)
			c[rs[i]->ex[k].outcome]++;
		for (int o = 0; o < 4; o++) {
			sb_add(&sb, "shakedown_drill_expectations{drill=\"");
			label(&sb, rs[i]->drill);
			sb_addf(&sb, "\",outcome=\"%s\"} %zu\n",
			    res_outcome_name((enum outcome)o), c[o]);
		}
	}
	metric(&sb, "shakedown_key_time_seconds", "gauge", "A measured key time"
	    " (the upper end of its interval); absent when not reached.");
	key_times(&sb, rs, n, "shakedown_key_time_seconds", 0);
	metric(&sb, "shakedown_key_time_resolution_seconds", "gauge", "The"
	    " resolution of a key time: the truth lies within it below the"
	    " value.");
	key_times(&sb, rs, n, "shakedown_key_time_resolution_seconds", 1);
	metric(&sb, "shakedown_lost_writes", "gauge", "Acknowledged writes a"
	    " writer probe found missing from the database");
	lost_writes(&sb, rs, n);
	clean = redact_text(sb.buf);
	sb_free(&sb);
	/* write_file_atomic writes PATH.tmp in the same folder, then renames */
	rc = write_file_atomic(path, clean, strlen(clean), e);
	free(clean);
	return rc;
}
