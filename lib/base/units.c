/*
 * units.c — see units.h. strtod + end pointer, then a suffix table.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

struct suffix {
	const char *name;
	double mult;
};

static int
parse_number(const char *s, double *v, const char **rest)
{
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(*v))
		return -1;
	/* strtod accepts hex and "inf"; we do not. */
	for (const char *p = s; p < end; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
	*rest = end;
	return 0;
}

static int
parse_with(const char *s, const struct suffix *tab, double *out,
    int need_suffix)
{
	const char *rest;
	double v;

	if (s == NULL || parse_number(s, &v, &rest) == -1)
		return -1;
	if (*rest == '\0')
		return need_suffix ? -1 : (*out = v, 0);
	for (; tab->name; tab++) {
		if (strcmp(rest, tab->name) == 0) {
			*out = v * tab->mult;
			return 0;
		}
	}
	return -1;
}

static const struct suffix dur_us[] = {
	{ "us", 1 }, { "µs", 1 }, { "ms", 1e3 }, { "s", 1e6 }, { "m", 60e6 },
	{ "min", 60e6 }, { "h", 3600e6 }, { "d", 86400e6 }, { NULL, 0 }
};

int
units_duration_us(const char *s, int64_t *us, struct sd_err *e)
{
	double v;

	if (parse_with(s, dur_us, &v, 1) == -1 || v > 366.0 * 86400e6)
		return err_set(e, "bad duration '%s' (expected e.g. 200ms, 5s, 2m)",
		    s ? s : "");
	*us = (int64_t)llround(v);
	return 0;
}

int
units_duration_ms(const char *s, int64_t *ms, struct sd_err *e)
{
	int64_t us;

	if (units_duration_us(s, &us, e) == -1)
		return -1;
	*ms = (us + 999) / 1000;
	return 0;
}

int
units_percent(const char *s, double *frac, struct sd_err *e)
{
	static const struct suffix pct[] = { { "%", 0.01 }, { NULL, 0 } };
	double v;

	if (parse_with(s, pct, &v, 1) == -1 || v > 1.0)
		return err_set(e, "bad percentage '%s' (expected e.g. 1%%, 0.5%%, 100%%)",
		    s ? s : "");
	*frac = v;
	return 0;
}

int
units_rate(const char *s, double *per_s, struct sd_err *e)
{
	static const struct suffix rate[] = {
		{ "/s", 1 }, { "/m", 1.0 / 60 }, { "/min", 1.0 / 60 },
		{ "/ms", 1000 }, { NULL, 0 }
	};
	double v;

	if (parse_with(s, rate, &v, 1) == -1 || v <= 0 || v > 1e7)
		return err_set(e, "bad rate '%s' (expected e.g. 500/s, 30/m)",
		    s ? s : "");
	*per_s = v;
	return 0;
}

int
units_bitrate(const char *s, int64_t *bytes_per_s, struct sd_err *e)
{
	static const struct suffix rate[] = {
		{ "bit", 1 / 8.0 }, { "kbit", 1e3 / 8 }, { "mbit", 1e6 / 8 },
		{ "gbit", 1e9 / 8 }, { "B/s", 1 }, { "KB/s", 1e3 }, { "MB/s", 1e6 },
		{ "GB/s", 1e9 }, { "KiB/s", 1024.0 }, { "MiB/s", 1048576.0 },
		{ NULL, 0 }
	};
	double v;

	if (parse_with(s, rate, &v, 1) == -1 || v < 1 || v > 1e11)
		return err_set(e, "bad rate '%s' (expected e.g. 1mbit, 500kbit,"
		    " 100KB/s)", s ? s : "");
	*bytes_per_s = (int64_t)llround(v);
	return 0;
}

int
units_size(const char *s, int64_t *bytes, struct sd_err *e)
{
	static const struct suffix size[] = {
		{ "B", 1 }, { "KB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 },
		{ "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
		{ "k", 1024.0 }, { "K", 1024.0 }, { "M", 1048576.0 },
		{ "G", 1073741824.0 }, { NULL, 0 }
	};
	double v;

	if (parse_with(s, size, &v, 0) == -1 || v > 1e15)
		return err_set(e, "bad size '%s' (expected e.g. 64KiB, 10MB)",
		    s ? s : "");
	*bytes = (int64_t)llround(v);
	return 0;
}

char *
units_fmt_ms(int64_t ms, char *buf, unsigned len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1000)
		snprintf(buf, len, "%lldms", (long long)ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.2fs", ms / 1000.0);
	else if (ms < 3600000)
		snprintf(buf, len, "%lldm%02llds", (long long)(ms / 60000),
		    (long long)(ms / 1000 % 60));
	else
		snprintf(buf, len, "%lldh%02lldm", (long long)(ms / 3600000),
		    (long long)(ms / 60000 % 60));
	return buf;
}

char *
units_fmt_bytes(int64_t n, char *buf, unsigned len)
{
	static const char *const u[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int i = -1;

	if (n < 1024) {
		snprintf(buf, len, "%lld byte%s", (long long)n, n == 1 ? "" : "s");
		return buf;
	}
	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	if (v == (double)(int64_t)v)
		snprintf(buf, len, "%lld %s", (long long)v, u[i]);
	else
		snprintf(buf, len, "%.1f %s", v, u[i]);
	return buf;
}
