/*
 * result.h — one drill's outcome, in memory: verdict, every expectation with
 * expected vs observed and its measured time (with resolution), the faults
 * and what became of them, and a timeline. Renderers in reports/ turn it into
 * markdown, JUnit and JSON; nothing here prints.
 */
#ifndef SD_RESULT_H
#define SD_RESULT_H

#include <stddef.h>
#include <stdint.h>

/* INVALID: a fault did not land (its own measurement did not confirm it),
 * so the drill says nothing of the service — never PASS, never FAIL. */
enum verdict { V_PASS, V_FAIL, V_ERROR, V_ABORTED, V_INVALID };
enum outcome { O_PASS, O_FAIL, O_ERROR, O_SKIPPED };

struct res_expect {
	char *phase;		/* "steady before", "step 3", "steady after" */
	char *text;		/* what was expected */
	char *observed;
	enum outcome outcome;
	char *as;		/* name of the measured time, or NULL */
	int64_t elapsed_ms;	/* measured time, -1 if none */
	int64_t resolution_ms;	/* truth lies in [elapsed - res, elapsed] */
	int64_t at_ms;		/* when decided, from the start of faults */
	int line;
	int64_t bound_ms;	/* a key time's within: bound, -1 */
	/* a key time against its fault step (window.h, window_onset): from the
	 * step's start, with resolution (-1: unknown); how long before the
	 * step's end it was first seen (-1: after it); no_change: it held
	 * before the step began, so there was nothing to time */
	int64_t from_start_ms, from_start_res_ms;
	int64_t before_end_ms;
	int no_change;
	double regress_pct;	/* its regress: tolerance, a share; -1 */
	int64_t regress_ms;	/* ... or a duration; -1 */
};

struct res_fault {
	/* what the fault measured of its own effect (fault.h, confirm):
	 * "confirmed", "mismatch", "inconclusive", or NULL (not measured),
	 * with the figure */
	char *proof, *proof_figure;
	char *what;		/* describe(apply) */
	char *revert;		/* describe(revert) */
	int applied, reverted;
	int64_t applied_ms, reverted_ms;	/* from the start of faults */
	char *error;		/* apply or revert failure */
	char *note;
	int line;
};

struct res_event {
	int64_t t_ms;		/* from the start of faults (may be < 0) */
	char *what;
};

struct res_probe {
	char *name, *url;
	char *off;		/* when: off — why; NULL: it ran */
	int64_t every_ms;
	size_t samples, errors;
	double p50_ms, p95_ms, max_ms;
	int64_t *t_ms;		/* per sample, for the report's chart */
	int *status;
	int64_t *lat_ms;
	size_t n;
};

struct res_load_phase {
	uint64_t requests, errors;
	uint64_t transport[6];		/* connect, timeout, reset, dns, other,
					 * tls */
	uint64_t s2xx, s3xx, s4xx, s5xx;
	uint64_t s429, retry_after;	/* 429s, and those with Retry-After */
	double ok_p95;			/* ms, 2xx answers only */
	double seconds, rps;
	double p50, p90, p95, p99, p999, max;	/* ms, from the intended time */
};

struct res_load {
	char *name, *url;
	char *off;		/* when: off — why; NULL: it ran */
	double rate;			/* 0: closed model */
	int connections;
	struct res_load_phase ph[4];	/* before, fault, after, all */
	int64_t start_ms;		/* from the start of faults */
	uint32_t *sec_requests, *sec_errors;	/* per second, for charts */
	double *sec_p50, *sec_p99;
	size_t nsec;
};

struct res_burst {
	char *label;
	int users, per_user;
	int concurrent;
	int64_t release_us;
	char *why;
	int *accepted, *rejected, *other;	/* per user */
};

struct res_slo {
	int set;
	char *load;
	double window_s;
	uint64_t requests, errors;
	double availability;		/* the objective, < 0: none */
	double budget_requests;		/* (1 - availability) x requests */
	double budget_s;		/* (1 - availability) x window */
	double burned_s;		/* error share x window */
	double burned_pct;		/* errors / budget */
	double period_s;		/* the objective's window (30 days) */
	double period_budget_s;		/* (1 - availability) x period */
	double period_burned_pct;	/* burned_s / period_budget_s */
	double burn_rate;		/* error share / (1 - availability): 1
					 * spends the budget exactly over the
					 * period */
};

/* A writer's check (expect: { writes: PROBE ... }): its acknowledged writes
 * against what the database holds. Times in ms. */
struct res_writes {
	char *probe;
	int64_t at_ms;			/* when it was checked */
	uint64_t acknowledged, failed, lost;
	int64_t rpo_ms, rpo_res_ms;	/* the acknowledged work that is gone
					 * (writes.h), and its resolution */
	int64_t rto_ms, rto_res_ms;	/* the write outage, its resolution */
	int64_t *lost_at_ms;		/* when each lost write was acknowledged
					 * (result time), at most WRITES_LOST_MAX */
	size_t nlost_at;
	int recovered;			/* writes acknowledged after the last run
					 * of failures (or none failed) */
	enum outcome outcome;		/* of its check */
	char *lost_keys;		/* the first few, comma-separated; NULL */
	char *key_prefix;		/* every key is PREFIX-N */
};

#define WRITES_LOST_MAX 10000

/* A guardrail stopped the drill (verdict ABORTED, exit 5): which, what it
 * saw, when; how long from then until every fault was reverted. */
struct res_abort {
	int set;
	char *by;			/* "abort condition", "max_fault_time",
					 * "shakedown halt", "halt_file" */
	char *condition;		/* the condition's text, or what it was */
	char *observed;			/* the value that tripped it */
	int line;			/* in the drill; 0: not from the file */
	int64_t at_ms;			/* when it tripped (result time) */
	int64_t reverted_in_ms;		/* trip .. last revert done, -1: none
					 * was applied */
};

/* This drill against a baseline's (run --baseline): what changed. */
struct res_cmp_item {
	char *what;			/* "verdict", a key time's name */
	char *detail;			/* "1.20s → 3.40s: ..." */
	int regression;
};

struct res_compare {
	int set;
	char *baseline;			/* where the baseline came from */
	int in_baseline;		/* the drill was in it */
	struct res_cmp_item *items;
	size_t n, cap;
	size_t regressions, improvements;
};

struct result {
	char *drill, *title, *file, *target;
	enum verdict verdict;
	char *reason;		/* why ERROR/ABORTED */
	int deadline;		/* max_duration was reached (exit 3) */
	int64_t started_wall_ms;	/* wall clock when it started */
	int64_t faults_wall_ms;	/* wall clock at the start of faults */
	int64_t duration_ms;
	struct res_expect *ex;
	size_t nex, capex;
	struct res_fault *faults;
	size_t nfaults, capfaults;
	struct res_event *events;
	size_t nevents, capevents;
	struct res_probe *probes;
	size_t nprobes;
	struct res_load *loads;
	size_t nloads;
	struct res_burst *bursts;
	size_t nbursts, capbursts;
	struct res_slo slo;
	struct res_writes *writes;
	size_t nwrites, capwrites;
	struct res_abort abort;
	struct res_compare cmp;
	char *tls_insecure;	/* what spoke https without verifying the
				 * server ("probe health, load main"), NULL */
};

struct result *res_new(void);
void res_free(struct result *r);
struct res_expect *res_add_expect(struct result *r);
struct res_fault *res_add_fault(struct result *r);
void res_event(struct result *r, int64_t t_ms, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void res_sort_events(struct result *r);
const char *res_verdict_name(enum verdict v);
const char *res_outcome_name(enum outcome o);
/* Process exit code for a verdict (DESIGN §2; INVALID: 8). */
int res_exit_code(const struct result *r);
/* The exit code of several results: the worst (stopped by a guardrail 5 >
 * aborted 3 > a fault not applied or reverted 4 > a fault that did not
 * land 8 > a failure 1 > bad usage 2 > 0). */
int res_worse(int a, int b);

#endif
