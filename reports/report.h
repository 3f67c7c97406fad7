/*
 * report.h — renderers of one in-memory result (lib/result.h): markdown for
 * people (verdict first), JUnit XML for CI (one testcase per expectation),
 * JSON with everything (schema_version 1). They return strings; writing
 * files is rpt_write_dir's job and printing is cmd/'s.
 */
#ifndef SD_REPORT_H
#define SD_REPORT_H

#include <jansson.h>

#include "../lib/result.h"
#include "../lib/util.h"

#define RPT_SCHEMA_VERSION 1

char *rpt_markdown(const struct result *r);
char *rpt_junit(const struct result *const *rs, size_t n);
json_t *rpt_json(const struct result *r);
/* A measured key time as people should read it: the truth lies in
 * [elapsed - resolution, elapsed], so "between 69ms and 81ms", or
 * "≤ 29ms" when the resolution is as large as the time itself. */
char *rpt_key_time(int64_t elapsed_ms, int64_t resolution_ms, char *buf,
    size_t len);
/* A short text summary: verdict, failed expectations, key times. */
char *rpt_summary(const struct result *r);
/* A game-day summary of several drills, in markdown. */
char *rpt_gameday(const struct result *const *rs, size_t n);
/* REPORT.md, result.json and junit.xml in dir (created). Everything
 * written passes through redact_text. */
int rpt_write_dir(const struct result *r, const char *dir, struct sd_err *e);
/* The directory of one drill's report among n under dir: dir itself for
 * one drill, dir/DRILL for several. */
char *rpt_drill_dir(const char *dir, const struct result *r, size_t n);
/* The reports of a whole run of n drills under dir: each drill's, and for
 * several a game-day SUMMARY.md and one junit.xml. */
int rpt_write_run(const struct result *const *rs, size_t n, const char *dir,
    struct sd_err *e);
/* Only the game-day SUMMARY.md and junit.xml of n drills, in dir. */
int rpt_write_summary(const struct result *const *rs, size_t n,
    const char *dir, struct sd_err *e);

#endif
