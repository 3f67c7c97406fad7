/*
 * expect.h — what a drill expects, parsed: a probe's samples match (status,
 * JSON paths, body, headers, latency) now, within D, for D (holds) or never
 * while a fault is in effect; a process is alive, its RSS grew less than a
 * bound since the start, or its RSS trend over a window (after warm-up) is
 * under a bound per minute or per 1,000 requests; a load generator's error
 * share, percentiles or throughput over a phase.
 *
 * Invariants: exactly one of probe, process, load and writes is >= 0 (an
 * index into the scenario's probes, services, loads or probes again). With probe: nm > 0 matchers.
 * With load: nlm > 0 bounds, mode EX_NOW (decided over a phase at the end).
 * With writes: nwm > 0 bounds, mode EX_NOW.
 * With process: alive >= 0, or rss_growth_bytes >= 0 (mode EX_NOW), or
 * trend_bytes >= 0 with over_ms > 0 (mode EX_NOW). as is set only with
 * EX_WITHIN.
 */
#ifndef SD_EXPECT_H
#define SD_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "../io/match.h"
#include "../io/monprobe.h"
#include "../base/ynode.h"

/* What an expectation may name, as the drill it is in knows them. The
 * drill (scenario.c) answers through find — 'p' a probe, 'l' a load, 's' a
 * service — with its index (-1: there is none), its name (borrowed: it
 * lives as long as the drill), why it is off (NULL: on), and whether a
 * probe writes or a service has a pid. So expect.c never reaches into the
 * scenario: the names come down to it. */
struct expect_ref {
	int index;
	const char *name;
	const char *off;
	int writer;
	int has_pid;
	const struct mon_probe *mon;	/* a probe's: what it asks, NULL */
};
struct expect_names {
	const void *arg;
	int (*find)(const void *arg, char what, const char *name,
	    struct expect_ref *ref);
};

enum expect_mode { EX_NOW, EX_WITHIN, EX_HOLDS, EX_NEVER };

/* "< 1%", ">= 100", "<= 500ms" on a load statistic. */
enum load_what { LW_ERRORS, LW_P50, LW_P90, LW_P95, LW_P99, LW_MAX, LW_RPS,
	LW_REQUESTS, LW_REJECTED, LW_ACCEPTED_P95, LW_RETRY_AFTER, LW_DROPPED,
	LW_N };
struct load_match {
	enum load_what what;
	int op;				/* '<', 'L' (<=), '>', 'G' (>=) */
	double v;			/* fraction, ms, or count */
};

enum trend_per { TREND_MINUTE, TREND_1K_REQUESTS };

/* A writer's figures (writes: PROBE): lost and acknowledged are counts,
 * rpo and rto durations in ms. */
enum write_what { WW_LOST, WW_RPO, WW_RTO, WW_ACKED, WW_N };
struct write_match {
	enum write_what what;
	int op;				/* as in load_match */
	double v;
};

struct scen_expect {
	int probe, process, load;
	int writes;			/* a writer probe whose writes are checked
					 * against its database, -1 */
	struct write_match *wm;
	size_t nwm;
	int alive;			/* process: 1, 0, or -1 not asked */
	int64_t rss_growth_bytes;	/* process: bound since the start, -1 */
	int rss_op;
	double trend_bytes;		/* process: RSS trend bound, -1 none */
	int trend_op;
	enum trend_per trend_per;
	int64_t over_ms;		/* the trend's window */
	int exits;			/* process: it ends within dur_ms */
	int exit_code;			/* ... with this code, -1 any */
	int exit_clean;			/* ... code 0, or killed by the very
					 * signal the drill sent it (terminus,
					 * systemd's SuccessExitStatus) */
	int exit_signal;		/* ... or killed by this signal, 0 */
	int phase;			/* load: enum load_phase */
	struct load_match *lm;
	size_t nlm;
	struct matcher *m;
	size_t nm;
	enum expect_mode mode;
	int64_t dur_ms;
	int min_samples;		/* no verdict on fewer; 0: the default
					 * (EXPECT_MIN_LOAD / EXPECT_MIN_PROBE) */
	const char *ref;		/* the probe, load or service's name */
	const struct mon_probe *mon;	/* the probe asks the monitoring: how;
					 * NULL or MON_NONE: the service */
	const char *ref_off;		/* ... why it is off, NULL: on */
	char *as;			/* name of the measured time */
	double regress_pct;		/* regress: how much worse than a baseline
					 * it may get, a share; -1 */
	int64_t regress_ms;		/* ... or a duration; -1 (none: the
					 * comparison's default) */
	char *text;			/* what is expected, for people */
	char *off;			/* when: off, or its probe or load is —
					 * why; NULL: on. Never run: shown
					 * as skipped with this reason */
	char *off_parts;		/* matchers a variable set empty (json
					 * values, body, headers, a metric):
					 * not run, shown as a skipped row —
					 * "json status (READY_STATUS is set
					 * empty)"; NULL: none */
	/* an abort: condition (expect_parse_abort): dur_ms is its for: */
	int abort;
	int no_answer;			/* a probe sample with no HTTP answer */
	int slo_burn;			/* the SLO's burn rate over for:, with */
	int burn_op;			/* ... this bound */
	double burn_v;
	int line, col;
};

/*
 * No check over samples passes on no data: a load bound needs at least
 * EXPECT_MIN_LOAD samples of what it is about (requests; answers for a
 * percentile; 2xx answers for accepted_p95; 429s for retry_after), a
 * holds: or never: at least EXPECT_MIN_PROBE probe samples in its window;
 * min_samples: N on the expectation sets it. Fewer is a FAIL that says
 * "no samples", never a PASS.
 */
#define EXPECT_MIN_LOAD 10
#define EXPECT_MIN_PROBE 1

/* steady: a steady-state check (no within/holds/never). */
int expect_parse(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, struct scen_expect *x, int steady);
void expect_free(struct scen_expect *x);
/*
 * An abort: condition (a guardrail): one of
 *   { probe: P, <probe matchers>, for: D }   every answer for D matched
 *   { probe: P, no_answer: true, for: D }    no HTTP answer for D
 *   { load: L, error_share|errors|p50..p99|max|rps: BOUND, for: D }
 *                                            over the last D of the load
 *   { slo: burn_rate, value: BOUND, for: D } the SLO's burn rate over D
 * and when:. for: is the window (needed for load: and slo:; a probe's
 * without it: one answer). Mode EX_NOW; dur_ms the window.
 */
int expect_parse_abort(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, struct scen_expect *x);
/* A drill's abort: list (a sequence of the above), appended to *xs. */
int expect_parse_aborts(const struct yctx *y, const struct expect_names *nm,
    const struct ynode *n, struct scen_expect **xs, size_t *nxs);
const char *expect_load_what_name(enum load_what w);
const char *expect_write_what_name(enum write_what w);
/* 'p' a share (0..1), 'd' milliseconds, 'n' a number */
char expect_load_what_unit(enum load_what w);
const char *expect_mode_name(enum expect_mode m);
/* "< 500ms", "<= 1%" for people; op as in load_match. */
const char *expect_op_name(int op);
/* "before", "fault", "after", "all" by enum order; NULL past the last */
const char *expect_phase_name(int i);
/* the line people read for x (expect_text.c) */
char *expect_describe(const struct scen_expect *x);

#endif
