/*
 * window.c — see window.h.
 */
#include "window.h"

static void
reset(struct win_result *out)
{
	out->k = SIZE_MAX;
	out->elapsed_ms = out->resolution_ms = -1;
	out->seen = 0;
}

enum win_state
win_within(struct sample *s, size_t n, int64_t from, int64_t end,
    int64_t now, win_match_fn match, void *arg, struct win_result *out)
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
		out->seen++;
		out->k = i;
		if (s[i].done_ms <= end && match(arg, &s[i])) {
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

enum win_state
win_now(struct sample *s, size_t n, int64_t from, win_match_fn match,
    void *arg, struct win_result *out)
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

enum win_state
win_holds(struct sample *s, size_t n, int64_t from, int64_t end,
    int64_t now, win_match_fn match, void *arg, struct win_result *out)
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

enum win_state
win_never(struct sample *s, size_t n, int64_t from, int64_t end,
    win_match_fn match, void *arg, struct win_result *out)
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
