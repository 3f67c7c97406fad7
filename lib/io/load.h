/*
 * load.h — the load engine (wrk's model): N worker threads, each with its own
 * event loop (cloop.c), connections and statistics; nothing is shared on the
 * hot path, and the stats are merged when asked.
 *
 * Closed model: `connections` requests in flight, each sent again as soon as
 * it answers. Open model (`rate`): request i is due at start + i/rate; it is
 * sent on a free connection when due, and its latency counts from when it was
 * due, not from when it went out — wrk2's correction for coordinated
 * omission, so a stalled server cannot hide its stall. The uncorrected view
 * (from the real send) is kept too.
 *
 * Failed requests keep their latency and count in the error share. When the
 * target refuses connections a connection backs off (10 ms doubling to 1 s)
 * instead of spinning.
 */
#ifndef SD_LOAD_H
#define SD_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "loadspec.h"
#include "../base/util.h"

struct load;

/* Can this process hold conns connections on threads workers? Raises the
 * soft open-files limit to the hard one first; -1 with e naming the limit
 * when not. */
int load_check_nofile(long conns, int threads, struct sd_err *e);
/* Starts the workers. Refuses (NULL, e naming the limit) more connections
 * than the open-files limit allows. */
struct load *load_start(const struct load_spec *spec, struct sd_err *e);
/* Which phase completions count in from now on (the runner's faults). */
void load_set_phase(struct load *l, enum load_phase p);
/* Stop sending, abandon what is in flight, join the workers. */
void load_stop(struct load *l);
/* Wait until the duration has passed (or stop_flag), then stop. */
void load_wait(struct load *l, volatile int *stop_flag);
/* Merged stats of a phase (LP_N: all phases). Caller frees. */
struct load_stats *load_stats(struct load *l, enum load_phase p);
/* Running totals so far; safe from any thread while the load runs. */
void load_live(struct load *l, struct load_live *out);
/* The latency (µs) at percentile p (0..100) of the requests between two
 * totals (a earlier than b); 0 when none. */
int64_t load_live_percentile(const struct load_live *a,
    const struct load_live *b, double p);
/* The per-second series; *n seconds. Caller frees. */
struct load_second *load_series(struct load *l, size_t *n);
/* Intended and achieved request counts (open model), elapsed ms. */
void load_totals(struct load *l, uint64_t *sent, int64_t *elapsed_ms);
void load_free(struct load *l);
/* Requests still in flight when the load stopped (sent, or connecting for
 * one), abandoned unanswered; known after load_stop. */
uint64_t load_unanswered(struct load *l);
/* The open model: how late the requests went after their intended times
 * (µs: the median, p99, p99.9 and the latest) and how many went a
 * millisecond late or more — the tool's own delay, which the corrected
 * latency includes. */
struct load_late {
	int64_t p50_us, p99_us, p999_us, max_us;
	uint64_t over_1ms;
};
void load_send_late(struct load *l, struct load_late *out);
/* The first TLS failure of the run, for people ("certificate verify
 * failed: ..."), or NULL. */
const char *load_tls_error(struct load *l);

const char *load_err_name(enum load_err e);
const char *load_phase_name(enum load_phase p);

#endif
