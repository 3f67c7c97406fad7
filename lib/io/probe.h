/*
 * probe.h — the probes of a drill, polled on one event loop in their own
 * thread: libcurl's multi_socket API driven by epoll, with a timerfd for
 * curl's timeouts and one for the probe schedule. A probe fires on its fixed
 * schedule but never has more than one request in flight: one that falls
 * due while the last is unanswered goes when that answer comes. So a slow
 * service is asked no faster than it answers (the probes never become
 * load), and a hanging endpoint costs its own probe its timeout but never
 * delays other probes or the runner. Samples are kept in send order on a
 * CLOCK_MONOTONIC timeline.
 */
#ifndef SD_PROBE_H
#define SD_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "../base/tls.h"
#include "../base/util.h"

struct probe_def {
	const char *name;
	const char *method;
	const char *url;
	char *const *headers;	/* "Name: value", NULL-terminated, may be NULL */
	const char *body;
	int64_t every_ms, timeout_ms;
	int64_t fast_ms;	/* the interval while fast (probes_fast); 0:
				 * every_ms */
	const char *proxy;	/* NULL: none (proxy variables are ignored) */
	const char *key_prefix;	/* a writer: {key} in url and body becomes
				 * PREFIX-N for request N (kept in the sample);
				 * NULL: not a writer */
	int off;		/* when: off: never sampled */
	const struct tls_opts *tls;	/* https: how; NULL: defaults */
	size_t body_max;	/* the most of an answer kept; 0: 64 KiB */
};

struct probe_set;

/* t0_ms: the monotonic ms all sample times are relative to. */
struct probe_set *probes_new(const struct probe_def *defs, size_t n,
    int64_t t0_ms, struct sd_err *e);
int probes_start(struct probe_set *ps, struct sd_err *e);
/* Stop firing, abandon what is in flight, join the thread. */
void probes_stop(struct probe_set *ps);
void probes_free(struct probe_set *ps);

/* Samples are read under the lock. A sample with done_ms < 0 is in flight. */
void probes_lock(struct probe_set *ps);
void probes_unlock(struct probe_set *ps);
size_t probes_count(struct probe_set *ps, size_t probe);
struct sample *probes_sample(struct probe_set *ps, size_t probe, size_t i);
/* With the lock held: sleep until a sample completes or deadline (mono ms). */
void probes_wait(struct probe_set *ps, int64_t deadline_ms);
/* Wake every waiter (after setting an interrupt flag). */
void probes_kick(struct probe_set *ps);
/* Sample this probe every fast_ms (on) or every every_ms again (off);
 * takes effect at once. */
void probes_fast(struct probe_set *ps, size_t probe, int on);

#endif
