/*
 * writes.h — a writer probe's verdict: which of the writes the service
 * acknowledged are really in its database (found by the drill's query,
 * in batches, with a deadline), and what the losses and failures add up
 * to — lost writes, the RPO as the longest stretch of time whose
 * acknowledged writes are gone, and the RTO as the longest stretch in which
 * writes failed.
 */
#ifndef SD_WRITES_H
#define SD_WRITES_H

#include <stddef.h>
#include <stdint.h>

#include "../base/util.h"

/* One completed write, in send order; times in ms on one clock. */
struct write_rec {
	const char *key;
	int64_t sent_ms, done_ms;
	int acked;		/* the service said it was stored */
	int present;		/* writes_lookup: it is in the database */
};

/*
 * RPO: the acknowledged work that is gone — over each run of lost
 * acknowledged writes (no kept one between them; failed writes do not
 * break a run, nor count in it), from the first lost write to the last.
 * The writes were committed somewhere between their send and their
 * answer: the figure is the longest that could be (the last's answer less
 * the first's send) and its resolution how much shorter it could be, so
 * the truth lies in [rpo - res, rpo]. It never includes the outage: the
 * failed writes after a crash are the RTO's.
 *
 * RTO: the write outage — from the first failed write of a run of them to
 * the answer of the next acknowledged one (or now, still failing); its
 * resolution the gap before the first failure (the previous write's
 * answer to it) plus the acknowledging write's latency.
 */
struct writes_stats {
	uint64_t acked, failed, lost;
	int64_t rpo_ms, rpo_res_ms;
	int64_t rto_ms, rto_res_ms;
	int recovered;		/* no run of failures is still going on */
};

/* Set present on each acked record whose key query (with $1 a text array of
 * keys) returns in its first column. Every call is bounded by timeout_ms.
 * -1 with e (no password in it). */
int writes_lookup(const char *dsn, const char *query, struct write_rec *w,
    size_t n, int64_t timeout_ms, struct sd_err *e);
/* The figures of w (after writes_lookup), as of now_ms (above). */
void writes_judge(const struct write_rec *w, size_t n, int64_t now_ms,
    struct writes_stats *st);

#endif
