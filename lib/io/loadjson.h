/*
 * loadjson.h — the JSON of `shakedown load --json`, with its latency
 * histograms bucket by bucket, and the exact merge of several.
 */
#ifndef SD_LOADJSON_H
#define SD_LOADJSON_H

#include <jansson.h>

#include "load.h"

/* One run's result (schema: see shakedown-load(1)). */
json_t *loadjson_result(const struct load_spec *sp, const struct load_stats *st,
    const struct load_second *sec, size_t nsec, double secs);
/* The sum of n results (names[i] names parts[i] in errors): histograms
 * added bucket by bucket, percentiles read off the sum; requests, errors,
 * status counts, rates and connections added; the longest duration. NULL
 * with e when a part is not such a result. */
json_t *loadjson_merge(json_t *const *parts, const char *const *names, size_t n,
    struct sd_err *e);
/* One such file read (a regular file of at most LJ_FILE_MAX bytes): its
 * JSON, or NULL with e ("file:line:col: ..." for bad JSON). */
#define LJ_FILE_MAX (64u * 1024 * 1024)
json_t *loadjson_load_file(const char *path, struct sd_err *e);

#endif
