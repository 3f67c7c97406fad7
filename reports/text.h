/*
 * text.h — what every renderer shares besides escaping (lib/base/escape.h): a
 * key time as people read it.
 */
#ifndef SD_RPT_TEXT_H
#define SD_RPT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/base/escape.h"
#include "../lib/base/result.h"

/* A measured key time as people should read it: the truth lies in
 * [elapsed - resolution, elapsed], so "between 69ms and 81ms", or
 * "≤ 29ms" when the resolution is as large as the time itself. */
char *rpt_key_time(int64_t elapsed_ms, int64_t resolution_ms, char *buf,
    size_t len);
/* A key time with its fault step: the above; "already so when its step
 * ended (first seen 1.02s before it)"; "not measured: it held before its
 * step began"; and, where the step itself took time, "; 2.40s from the
 * step's start" (its own interval). */
char *rpt_key_text(const struct res_expect *x, char *buf, size_t len);

/* A writer's figures as key times, after the expectations' own: its RPO
 * and its write outage (RTO), each with its resolution; named with the
 * writer's probe when a drill has several. How many (2). */
struct rpt_wkey {
	char name[96];
	int64_t ms, res_ms;
};
size_t rpt_writer_keys(const struct result *r, size_t w,
    struct rpt_wkey out[2]);
/* One of them for people: "≤ 1.41s (15 acknowledged writes lost)", "0
 * (no acknowledged write lost)", "between 12.0s and 12.1s". */
char *rpt_writer_key_text(const struct result *r, size_t w, size_t i,
    const struct rpt_wkey *k, char *buf, size_t len);

#endif
