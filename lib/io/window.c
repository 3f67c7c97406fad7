/*
 * window.c — see window.h.
 */
#include "window.h"

static void
reset(struct window_result *out)
{
	out->k = out->late = SIZE_MAX;
	out->elapsed_ms = out->resolution_ms = -1;
	out->seen = 0;
}

enum window_state
window_within(struct sample *s, size_t n, int64_t from, int64_t end,
    int64_t now, win_match_fn match, void *arg, struct window_result *out)
{
	int64_t prev_sent = -1;
	int has_prev = 0;

	reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i].sent_ms < from) {
			prev_sent = s[i].sent_ms;
			has_prev = 1;
			continue;
		}
		if (s[i].sent_ms > end)
			break;
		if (s[i].done_ms < 0)
			return WIN_PENDING;	/* an earlier sample decides first */
		if (s[i].done_ms > end) {
			/* answered after the window: not what the window saw */
			if (out->late == SIZE_MAX && match(arg, &s[i]))
				out->late = i;
			prev_sent = s[i].sent_ms;
			has_prev = 1;
			continue;
		}
		out->seen++;
		out->k = i;
		if (match(arg, &s[i])) {
			/* even a sample sent before from bounds the change: it
			 * may have happened while the fault step was running */
			out->elapsed_ms = s[i].done_ms - from;
			out->resolution_ms = s[i].done_ms - (has_prev ? prev_sent :
			    from);
			return WIN_PASS;
		}
		prev_sent = s[i].sent_ms;
		has_prev = 1;
	}
	return now > end ? WIN_FAIL : WIN_PENDING;
}

enum window_state
window_now(struct sample *s, size_t n, int64_t from, win_match_fn match,
    void *arg, struct window_result *out)
{
	reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i].sent_ms < from)
			continue;
		if (s[i].done_ms < 0)
			return WIN_PENDING;
		out->k = i;
		out->seen = 1;
		return match(arg, &s[i]) ? WIN_PASS : WIN_FAIL;
	}
	return WIN_PENDING;
}

enum window_state
window_holds(struct sample *s, size_t n, int64_t from, int64_t end,
    int64_t now, win_match_fn match, void *arg, struct window_result *out)
{
	int pending = 0;

	reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i].sent_ms < from || s[i].sent_ms > end)
			continue;
		if (s[i].done_ms < 0) {
			pending = 1;
			continue;
		}
		out->seen++;
		if (!match(arg, &s[i])) {
			out->k = i;
			return WIN_FAIL;	/* fail as soon as one does not hold */
		}
		out->k = i;
	}
	if (pending || now <= end)
		return WIN_PENDING;
	return out->seen > 0 ? WIN_PASS : WIN_FAIL;
}

enum window_state
window_never(struct sample *s, size_t n, int64_t from, int64_t end,
    win_match_fn match, void *arg, struct window_result *out)
{
	reset(out);
	for (size_t i = 0; i < n; i++) {
		/* observed during the window: sent and answered inside it (a
		 * request queued while a process was stopped is answered after) */
		if (s[i].sent_ms < from || s[i].done_ms < 0 || s[i].done_ms > end)
			continue;
		out->seen++;
		if (match(arg, &s[i])) {
			out->k = i;
			return WIN_FAIL;
		}
	}
	return WIN_PASS;
}

void
window_onset(struct sample *s, size_t n, size_t k, int64_t step_from,
    int64_t from, win_match_fn match, void *arg, struct window_onset *out)
{
	size_t j = k, at;

	out->before_step = 0;
	out->first = SIZE_MAX;
	out->from_start_ms = out->from_start_res_ms = -1;
	if (k >= n)
		return;
	/* only when k is the window's first sample: a later one means a
	 * sample in the window did not match, so the change came after from */
	if (k == 0 || s[k - 1].sent_ms < from)
		while (j > 0 && s[j - 1].sent_ms < from && s[j - 1].done_ms >= 0 &&
		    match(arg, &s[j - 1]))
			j--;
	/* it held before the step began: an answer that came before it
	 * (one sent before it but answered during it saw the step) */
	if (j < k && s[j].done_ms < step_from) {
		out->before_step = 1;
		return;
	}
	if (j < k)
		out->first = j;
	at = j;
	if (s[at].done_ms < step_from)
		return;
	int64_t prev = at > 0 && s[at - 1].sent_ms > step_from ?
	    s[at - 1].sent_ms : step_from;
	out->from_start_ms = s[at].done_ms - step_from;
	out->from_start_res_ms = s[at].done_ms - prev;
}
