/*
 * units.h — numbers with units, parsed once at the edge: durations ("200ms",
 * "1.5s", "2m"), percentages ("50%", "0.5%"), rates ("500/s", "30/m") and
 * sizes ("64KiB", "10MB"). Every parser rejects trailing junk, negatives
 * and overflow, and says what it expected.
 */
#ifndef SD_UNITS_H
#define SD_UNITS_H

#include <stdint.h>

#include "util.h"

/* "250ms", "1.5s", "2m", "1h", "300us"; a bare number is refused. */
int units_duration_ms(const char *s, int64_t *ms, struct sd_err *e);
int units_duration_us(const char *s, int64_t *us, struct sd_err *e);
/* "1%", "0.5%", "100%" → fraction in [0,1]. */
int units_percent(const char *s, double *frac, struct sd_err *e);
/* "500/s", "30/m", "2/ms" → per second. */
int units_rate(const char *s, double *per_s, struct sd_err *e);
/* Bandwidth as tc writes it or per second: "1mbit", "500kbit", "2gbit",
 * "64kbit", "100KB/s", "1MB/s", "125000B/s" → bytes per second. */
int units_bitrate(const char *s, int64_t *bytes_per_s, struct sd_err *e);
/* "64KiB", "10MB", "1GiB", "512" (bytes). */
int units_size(const char *s, int64_t *bytes, struct sd_err *e);
/* Format ms for people: "850ms", "1.25s", "2m05s". */
char *units_fmt_ms(int64_t ms, char *buf, unsigned len);
/* "1 byte", "512 bytes", "1.5 KiB", "256 MiB" */
char *units_fmt_bytes(int64_t n, char *buf, unsigned len);

#endif
