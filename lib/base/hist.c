/*
 * hist.c — see hist.h. Index layout: values below HIST_SUB are their own
 * bucket; above, the octave b = floor(log2 v) - 7 selects a block of
 * HIST_SUB/2 buckets each 2^b wide, so a bucket's width is at most 1/128 of
 * its lower edge and its midpoint is within 1/256 (0.4 %) of any value in it.
 */
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "util.h"

static int
index_of(int64_t v)
{
	int b;

	if (v < HIST_SUB)
		return (int)v;
	if (v >= HIST_MAX_US)
		v = HIST_MAX_US - 1;
	b = 63 - __builtin_clzll((unsigned long long)v) - 7;
	return HIST_SUB + (b - 1) * (HIST_SUB / 2) +
	    (int)((v >> b) - HIST_SUB / 2);
}

/* The midpoint of bucket i. */
static int64_t
value_of(int i)
{
	int b, sub;

	if (i < HIST_SUB)
		return i;
	b = (i - HIST_SUB) / (HIST_SUB / 2) + 1;
	sub = (i - HIST_SUB) % (HIST_SUB / 2) + HIST_SUB / 2;
	return ((int64_t)sub << b) + ((int64_t)1 << (b - 1));
}

struct hist *
hist_new(void)
{
	struct hist *h = xcalloc(1, sizeof *h);

	hist_reset(h);
	return h;
}

void
hist_free(struct hist *h)
{
	free(h);
}

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof *h);
	h->min_us = INT64_MAX;
}

void
hist_record(struct hist *h, int64_t us)
{
	if (us < 0)
		us = 0;
	h->c[index_of(us)]++;
	h->count++;
	h->sum_us += (double)us;
	if (us < h->min_us)
		h->min_us = us;
	if (us > h->max_us)
		h->max_us = us;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	for (int i = 0; i < HIST_BUCKETS; i++)
		dst->c[i] += src->c[i];
	dst->count += src->count;
	dst->sum_us += src->sum_us;
	if (src->min_us < dst->min_us)
		dst->min_us = src->min_us;
	if (src->max_us > dst->max_us)
		dst->max_us = src->max_us;
}

int64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t want, seen = 0;

	if (h->count == 0)
		return 0;
	if (p >= 100.0)
		return h->max_us;
	if (p <= 0.0)
		return h->min_us;
	/* the smallest value with at least p% of samples at or below it */
	want = (uint64_t)((p / 100.0) * (double)h->count + 0.5);
	if (want == 0)
		want = 1;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->c[i];
		if (seen >= want) {
			int64_t v = value_of(i);
			/* never outside what was seen */
			if (v > h->max_us)
				v = h->max_us;
			if (v < h->min_us)
				v = h->min_us;
			return v;
		}
	}
	return h->max_us;
}

double
hist_mean(const struct hist *h)
{
	return h->count ? h->sum_us / (double)h->count : 0.0;
}

int64_t
hist_bucket_value(int i)
{
	return i < 0 || i >= HIST_BUCKETS ? 0 : value_of(i);
}

void
hist_add(struct hist *h, int64_t us, uint64_t n)
{
	if (n == 0)
		return;
	if (us < 0)
		us = 0;
	h->c[index_of(us)] += n;
	h->count += n;
	h->sum_us += (double)us * (double)n;
	if (us < h->min_us)
		h->min_us = us;
	if (us > h->max_us)
		h->max_us = us;
}
