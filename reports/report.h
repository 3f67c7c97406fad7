/*
 * report.h — renderers of one in-memory result (lib/base/result.h): markdown for
 * people (verdict first), an SVG timeline, JUnit XML for CI (one testcase
 * per expectation), JSON with everything (schema_version 1). They return
 * strings; writing files is rpt_write_dir's job and printing is cmd/'s.
 *
 * result.json is the source of every other file: a run writes it, reads it
 * back (rpt_from_json) and renders the rest from what it read, so
 * `shakedown report` renders the same bytes from the same file later.
 */
#ifndef SD_REPORT_H
#define SD_REPORT_H

#include <jansson.h>

#include "../lib/base/result.h"
#include "../lib/base/util.h"
#include "text.h"

#define RPT_SCHEMA_VERSION 3	/* 2: key times' bound_ms and regress_*; 3: their
				 * step (from_step_start_ms, before_step_end_ms,
				 * no_change), a writer's RPO/RTO resolution and lost
				 * writes' times */
/* The largest result.json read back (a day-long drill's is a few MiB). */
#define RPT_FILE_MAX (256u * 1024 * 1024)

char *rpt_markdown(const struct result *r);
/* The timeline chart (timeline.svg), or NULL when there is nothing to
 * chart (no probe sample, no second of load). */
char *rpt_svg(const struct result *r);
int rpt_has_chart(const struct result *r);
/* A result back from its JSON; NULL with e when it is not one. */
struct result *rpt_from_json(json_t *j, struct sd_err *e);
/* ... from a file; *text (if asked) gets the file's bytes. */
struct result *rpt_load_file(const char *path, char **text,
    struct sd_err *e);
char *rpt_junit(const struct result *const *rs, size_t n);
json_t *rpt_json(const struct result *r);
/* A short text summary: verdict, failed expectations, key times. */
char *rpt_summary(const struct result *r);
/* A game-day summary of several drills, in markdown; dirs[i] is where the
 * report of rs[i] is, relative to the summary (NULL: the drill's name).
 * links 0: no report column (GitHub's job summary has no report beside
 * it). */
char *rpt_gameday(const struct result *const *rs, char *const *dirs,
    size_t n, int links);
/* result.json in dir (created), then REPORT.md, junit.xml and
 * timeline.svg rendered from it (rpt_render_dir). Everything written passes
 * through redact_text. *loaded (if asked) gets the result as read back. */
int rpt_write_dir(const struct result *r, const char *dir,
    struct result **loaded, struct sd_err *e);
/* REPORT.md, junit.xml and timeline.svg of a result read back. */
int rpt_render_dir(const struct result *r, const char *dir,
    struct sd_err *e);
/* The folder of one drill's report among several: dir/NAME, made (dir
 * too), NAME being name reduced to a safe file name (safe_name: a drill's
 * name may come from a result.json made elsewhere), and refused when a
 * symbolic link or a file stands there. NULL with e. */
char *rpt_drill_dir(const char *dir, const char *name, struct sd_err *e);
/* Only the game-day SUMMARY.md and junit.xml of n drills, in dir; dirs as
 * for rpt_gameday. */
int rpt_write_summary(const struct result *const *rs, char *const *dirs,
    size_t n, const char *dir, struct sd_err *e);
/* The same summary as a GitHub job summary: appended to path (the file
 * GITHUB_STEP_SUMMARY names), cut to stay under GitHub's 1 MiB. */
int rpt_step_summary(const struct result *const *rs, size_t n,
    const char *path, struct sd_err *e);
/* A Prometheus textfile (node_exporter's textfile collector) of n drills:
 * written next to path, then renamed over it. */
int rpt_write_prom(const struct result *const *rs, size_t n,
    const char *path, struct sd_err *e);

#endif
