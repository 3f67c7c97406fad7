/*
 * loadspec.h — a load as data: what to send (load_spec), the phases and
 * error classes it counts by, and what it counted (load_stats,
 * load_second). Shared by the public interface (load.h) and the engine's
 * internals (load_int.h), which neither includes the other.
 */
#ifndef SD_LOADSPEC_H
#define SD_LOADSPEC_H

#include <stddef.h>
#include <stdint.h>

#include "../base/hist.h"

struct tls_opts;

enum load_phase { LP_BEFORE, LP_FAULT, LP_AFTER, LP_N };
enum load_err { LE_CONNECT, LE_TIMEOUT, LE_RESET, LE_DNS, LE_OTHER, LE_TLS,
	LE_N };

struct load_spec {
	const char *name;
	const char *method;
	const char *url;	/* {user} and {n} are substituted */
	char **headers;		/* "Name: value", NULL-terminated; templates */
	const char *body;	/* template */
	int users;		/* {user} runs 1..users (0: no users) */
	int connections;
	double rate;		/* requests/s over all threads; 0: closed */
	int threads;		/* 0: one per core */
	int64_t duration_ms;	/* 0: until load_stop */
	int64_t timeout_ms;
	const char *proxy;	/* NULL: none (proxy variables are ignored) */
	const struct tls_opts *tls;	/* https: how; NULL: defaults */
};

struct load_stats {
	struct hist lat;	/* from the intended send time (corrected) */
	struct hist raw;	/* from the real send time */
	struct hist ok;		/* 2xx answers only, from the intended time */
	uint64_t retry_after;	/* 429 answers that carried Retry-After */
	uint64_t tls_handshakes, tls_resumed;	/* raw https */
	double tls_handshake_us;	/* their total time */
	uint64_t requests;	/* completed */
	uint64_t errors;	/* transport errors + 5xx */
	uint64_t transport[LE_N];
	uint64_t status[600];
	int64_t first_ms, last_ms;	/* completions, monotonic */
};

/* Running totals since the load started, readable while it runs (a
 * guardrail takes two and subtracts): completed requests, errors (as
 * load_stats counts them), and latencies (from the intended send time) in
 * LOAD_LIVE_BUCKETS log buckets of about 12 % each. */
#define LOAD_LIVE_BUCKETS 256
struct load_live {
	uint64_t requests, errors;
	uint64_t b[LOAD_LIVE_BUCKETS];
};

struct load_second {
	uint32_t requests, errors;
	int64_t p50_us, p99_us;
};

#endif
