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

enum window_state { WIN_PENDING, WIN_PASS, WIN_FAIL };

struct window_result {
	size_t k;		/* the deciding sample, or SIZE_MAX */
	size_t late;		/* within: that failed: the first sample that
				 * matched, answered after the window */
	int64_t elapsed_ms, resolution_ms;
	size_t seen;		/* completed samples considered */
};

typedef int (*win_match_fn)(void *arg, struct sample *s);

enum window_state window_within(struct sample *s, size_t n, int64_t from,
    int64_t end, int64_t now, win_match_fn match, void *arg,
    struct window_result *out);
enum window_state window_now(struct sample *s, size_t n, int64_t from,
    win_match_fn match, void *arg, struct window_result *out);
enum window_state window_holds(struct sample *s, size_t n, int64_t from,
    int64_t end, int64_t now, win_match_fn match, void *arg,
    struct window_result *out);
/* Final once every sample is in: PASS, or FAIL with k the first match. */
enum window_state window_never(struct sample *s, size_t n, int64_t from,
    int64_t end, win_match_fn match, void *arg, struct window_result *out);

/*
 * When did the condition a within: found at sample k begin, if before the
 * window's start `from` (the end of the fault step)? A slow step — a stop
 * command that takes 3 s — may see the change while it still runs: the
 * first sample after it then matches at once and the key time would say
 * "2ms" of a change that took seconds. So the samples sent during the
 * step (from step_from, its start, to from) are walked back from k:
 *
 *   before_step  the condition held already in an answer that came
 *                before the step began (and in every one since): nothing
 *                changed, nothing to time
 *   first        the first sample of the run of matches that ends at k
 *                (sent before from), or SIZE_MAX: the change came after
 *                from, as usual
 *   from_start   done[first or k] - step_from, with its resolution (from
 *                the sample before it, or the step's start)
 */
struct window_onset {
	int before_step;
	size_t first;
	int64_t from_start_ms, from_start_res_ms;
};
void window_onset(struct sample *s, size_t n, size_t k, int64_t step_from,
    int64_t from, win_match_fn match, void *arg, struct window_onset *out);

#endif
