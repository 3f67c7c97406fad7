/*
 * window.h — the decision rules of expectations over a probe's samples, as
 * pure functions (no clocks, no locks), so they can be tested on made-up
 * samples. Samples are in send order; times share one base; a sample with
 * done_ms < 0 is still in flight.
 *
 *   within  the first matching sample sent in [from, end] that completed by
 *           end passes; the elapsed time is done[k] - from and the change
 *           happened in (sent[k-1], done[k]], so resolution = done[k] -
 *           sent[k-1] (from, when there is no earlier sample).
 *   now     the first sample sent at or after from decides.
 *   holds   every sample sent in [from, end] matches, and there is one.
 *   never   no sample sent and answered within [from, end] matches.
 */
#ifndef SD_WINDOW_H
#define SD_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"

enum win_state { WIN_PENDING, WIN_PASS, WIN_FAIL };

struct win_result {
	size_t k;		/* the deciding sample, or SIZE_MAX */
	int64_t elapsed_ms, resolution_ms;
	size_t seen;		/* completed samples considered */
};

typedef int (*win_match_fn)(void *arg, struct sample *s);

enum win_state win_within(struct sample *s, size_t n, int64_t from,
    int64_t end, int64_t now, win_match_fn match, void *arg,
    struct win_result *out);
enum win_state win_now(struct sample *s, size_t n, int64_t from,
    win_match_fn match, void *arg, struct win_result *out);
enum win_state win_holds(struct sample *s, size_t n, int64_t from,
    int64_t end, int64_t now, win_match_fn match, void *arg,
    struct win_result *out);
/* Final once every sample is in: PASS, or FAIL with k the first match. */
enum win_state win_never(struct sample *s, size_t n, int64_t from,
    int64_t end, win_match_fn match, void *arg, struct win_result *out);

#endif
