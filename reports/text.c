/*
 * text.c — see text.h.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "../lib/units.h"
#include "text.h"

char *
rpt_key_time(int64_t elapsed_ms, int64_t resolution_ms, char *buf, size_t len)
{
	char a[32], b[32];

	if (elapsed_ms < 0)
		snprintf(buf, len, "not reached");
	else if (elapsed_ms == 0)
		snprintf(buf, len, "0ms (already so when its step ended)");
	else if (resolution_ms >= elapsed_ms)
		snprintf(buf, len, "≤ %s", units_fmt_ms(elapsed_ms, a, sizeof a));
	else
		snprintf(buf, len, "between %s and %s", units_fmt_ms(elapsed_ms -
		    resolution_ms, a, sizeof a), units_fmt_ms(elapsed_ms, b,
		    sizeof b));
	return buf;
}
