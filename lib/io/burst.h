/*
 * burst.h — K users x M requests released together, for the per-user AI
 * guard. Truly concurrent by construction: every connection is opened and
 * sent its request but the last byte (a server cannot act on an incomplete
 * request), then the last bytes go out user by user in a tight loop. After
 * each, the user's earlier connections are polled: if one was already
 * answered, that user's requests were not all in flight together, and the
 * burst says so instead of reporting a misleading verdict.
 */
#ifndef SD_BURST_H
#define SD_BURST_H

#include <stddef.h>
#include <stdint.h>

#include "../base/util.h"

struct tls_opts;

struct burst_spec {
	const char *method;
	const char *url;	/* http:// or https://; {user}, {n} substituted */
	char **headers;		/* "Name: value" templates, NULL-terminated */
	const char *body;	/* template */
	int users, per_user;
	int64_t timeout_ms;
	const char *from;	/* source address template ({user}), loopback
				 * only; NULL: the kernel's choice */
	int need_concurrent;	/* an early 2xx makes the burst not concurrent */
	const struct tls_opts *tls;	/* https: how; NULL: defaults */
};

struct burst_req {
	int user;		/* 1..users */
	int status;		/* 0: no answer */
	char *body;		/* at most 4 KiB */
	char error[64];
	int64_t latency_us;	/* from the last byte sent to the answer */
	int retry_after;	/* Retry-After in seconds; -1: none, -2: unreadable */
	int rl_limit;		/* RateLimit limit / RateLimit-Limit; -1: none */
	int rl_remaining;	/* RateLimit remaining / RateLimit-Remaining */
};

struct burst_result {
	struct burst_req *req;
	size_t n;
	int concurrent;		/* every user's requests in flight together */
	char why[160];		/* when not */
	int64_t release_us;	/* how long releasing every last byte took */
};

/* Is s a literal loopback address (127.0.0.0/8, ::1)? */
int burst_loopback(const char *s);

int burst_run(const struct burst_spec *sp, struct burst_result *r,
    struct sd_err *e);
void burst_result_free(struct burst_result *r);

#endif
