/*
 * text.h — what every renderer shares besides escaping (lib/escape.h): a
 * key time as people read it.
 */
#ifndef SD_RPT_TEXT_H
#define SD_RPT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/escape.h"

/* A measured key time as people should read it: the truth lies in
 * [elapsed - resolution, elapsed], so "between 69ms and 81ms", or
 * "≤ 29ms" when the resolution is as large as the time itself. */
char *rpt_key_time(int64_t elapsed_ms, int64_t resolution_ms, char *buf,
    size_t len);

#endif
