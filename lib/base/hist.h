/*
 * hist.h — an HDR-style latency histogram: log-linear buckets (256 linear
 * sub-buckets per power of two), values in microseconds from 1 µs to over an
 * hour, every value recorded to within 0.4 % (the bucket's midpoint is
 * reported), mergeable by adding counts, and no allocation when recording.
 */
#ifndef SD_HIST_H
#define SD_HIST_H

#include <stdint.h>

#define HIST_SUB 256			/* linear sub-buckets per octave */
#define HIST_MAX_US ((int64_t)1 << 32)	/* ~71 minutes */
#define HIST_BUCKETS (HIST_SUB + 24 * (HIST_SUB / 2))

struct hist {
	uint64_t count;
	int64_t min_us, max_us;
	double sum_us;
	uint64_t c[HIST_BUCKETS];
};

struct hist *hist_new(void);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);
/* Values below 0 count as 0; above the range as the largest bucket. */
void hist_record(struct hist *h, int64_t us);
void hist_merge(struct hist *dst, const struct hist *src);
/* The value at percentile p (0..100), in µs; 0 if empty. */
int64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);
/* Bucket i's value (its midpoint, in µs): a bucket written out as its value
 * and count goes back into the same bucket with hist_add. */
int64_t hist_bucket_value(int i);
/* n values of us, into their bucket: count, sum (at the bucket's value),
 * min and max follow. */
void hist_add(struct hist *h, int64_t us, uint64_t n);

#endif
