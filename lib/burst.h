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

#include "util.h"

struct burst_spec {
	const char *method;
	const char *url;	/* http:// only; {user}, {n} substituted */
	char **headers;		/* "Name: value" templates, NULL-terminated */
	const char *body;	/* template */
	int users, per_user;
	int64_t timeout_ms;
};

struct burst_req {
	int user;		/* 1..users */
	int status;		/* 0: no answer */
	char *body;		/* at most 4 KiB */
	char error[64];
	int64_t latency_us;	/* from the last byte sent to the answer */
};

struct burst_result {
	struct burst_req *req;
	size_t n;
	int concurrent;		/* every user's requests in flight together */
	char why[160];		/* when not */
	int64_t release_us;	/* how long releasing every last byte took */
};

int burst_run(const struct burst_spec *sp, struct burst_result *r,
    struct sd_err *e);
void burst_result_free(struct burst_result *r);

#endif
