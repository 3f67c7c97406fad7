/*
 * probe.c — `shakedown probe URL`: poll an endpoint and print every change of
 * status (and of chosen JSON fields) with its time: a readiness timeline by
 * hand. Runs until the duration, the count, or Ctrl-C.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hosts.h"
#include "../lib/probe.h"
#include "../lib/redact.h"
#include "../lib/request.h"
#include "../lib/units.h"
#include "cmd.h"

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
state_of(struct sample *s, char **fields, size_t nf, struct sbuf *sb)
{
	if (s->status == 0) {
		sb_addf(sb, "no answer (%s)", s->error);
		return;
	}
	sb_addf(sb, "%d", s->status);
	for (size_t i = 0; i < nf; i++) {
		json_t *v = match_json_path(sample_json(s), fields[i]);
		char *t = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		sb_addf(sb, " %s=%s", fields[i], t ? t : "-");
		free(t);
	}
}

static enum cmd_retval
exec_probe(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "every", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "field", required_argument, NULL, 'f' },
		{ "header", required_argument, NULL, 'H' },
		{ "method", required_argument, NULL, 'X' },
		{ "allow-host", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	struct probe_def d = { .name = "probe", .method = "GET", .every_ms = 200,
	    .timeout_ms = 1000 };
	char *fields[16] = { "status" }, *headers[17] = { 0 }, *allow[32];
	char host[256];
	size_t nf = 0, nh = 0, seen = 0, nallow = 0;
	int64_t duration = 0, count = 0, start;
	int ch, default_field = 1;
	struct probe_set *ps;
	struct sd_err e;
	char prev[512] = "";
	char ts[40];

	while ((ch = getopt_long(argc, argv, "i:t:d:c:f:H:X:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'i':
		case 't':
		case 'd': {
			/* 0 is no timeout and no interval: never what is meant */
			int64_t *v = ch == 'i' ? &d.every_ms : ch == 't' ?
			    &d.timeout_ms : &duration;
			if (units_duration_ms(optarg, v, &e) == -1)
				return cmd_usage_error(self, "%s", e.msg);
			if (*v < (ch == 'i' ? 10 : 1) || *v > 24 * 3600 * 1000)
				return cmd_usage_error(self, "--%s: from %s to 24h",
				    ch == 'i' ? "every" : ch == 't' ? "timeout" :
				    "duration", ch == 'i' ? "10ms" : "1ms");
			break;
		}
		case 'c': {
			char *end;
			count = strtoll(optarg, &end, 10);
			if (*end != '\0' || count <= 0 || count > 100000000)
				return cmd_usage_error(self, "bad count '%s'", optarg);
			break;
		}
		case 'A':
			if (nallow == sizeof allow / sizeof allow[0])
				return cmd_usage_error(self, "too many --allow-host");
			allow[nallow++] = optarg;
			break;
		case 'f':
			if (default_field) {
				default_field = 0;
				nf = 0;
			}
			if (nf == 16)
				return cmd_usage_error(self, "too many --field");
			fields[nf++] = optarg;
			break;
		case 'H': {
			char *colon = strchr(optarg, ':'), *name;
			if (nh == 16)
				return cmd_usage_error(self, "too many --header");
			if (colon == NULL)
				return cmd_usage_error(self, "--header 'Name: value'");
			name = xstrndup(optarg, (size_t)(colon - optarg));
			int bad = req_check_header(name, colon + 1, &e);
			free(name);
			if (bad == -1)
				return cmd_usage_error(self, "%s", e.msg);
			headers[nh++] = optarg;
			break;
		}
		case 'X':
			d.method = optarg;
			break;
		default:
			return cmd_usage_error(self, NULL);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(self, "one URL");
	if (default_field)
		nf = 1;
	d.url = argv[optind];
	redact_learn(d.url);
	if (req_check_url(d.url, &e) == -1)
		return cmd_usage_error(self, "URL %s", e.msg);
	struct hostrule hr = { NULL, 0, allow, nallow };
	if (hosts_check_url(d.url, &hr, host, sizeof host, &e) != 0) {
		cmd_error("probe: '%s' is not loopback; pass --allow-host %s", host,
		    host);
		return CMD_USAGE;
	}
	d.headers = nh ? headers : NULL;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	start = mono_ms();
	if ((ps = probes_new(&d, 1, start, &e)) == NULL ||
	    probes_start(ps, &e) == -1) {
		cmd_error("probe: %s", e.msg);
		probes_free(ps);
		return CMD_FAILED;
	}
	probes_lock(ps);
	while (!stop_flag && (duration == 0 || mono_ms() - start < duration) &&
	    (count == 0 || (int64_t)seen < count)) {
		size_t n = probes_count(ps, 0);
		/* print in send order, as each completes */
		while (seen < n && probes_sample(ps, 0, seen)->done_ms >= 0) {
			struct sample *s = probes_sample(ps, 0, seen++);
			struct sbuf sb;
			sb_init(&sb);
			state_of(s, fields, nf, &sb);
			if (strcmp(sb.buf, prev) != 0 || g_opts.verbose) {
				cmd_out("%s %+9.3fs %5lldms  %s\n", iso8601_ms(wall_ms() -
				    (mono_ms() - start - s->done_ms), ts, sizeof ts),
				    s->sent_ms / 1000.0,
				    (long long)(s->done_ms - s->sent_ms), sb.buf);
				fflush(stdout);
				snprintf(prev, sizeof prev, "%s", sb.buf);
			}
			sb_free(&sb);
		}
		probes_wait(ps, mono_ms() + 100);
	}
	probes_unlock(ps);
	probes_free(ps);
	return CMD_OK;
}

const struct cmd_entry cmd_probe = {
	.name = "probe",
	.usage = "[-i EVERY] [-t TIMEOUT] [-d DURATION] [-c COUNT] [-f FIELD]..."
	    " [-H HEADER]... [-X METHOD] [--allow-host HOST]... URL",
	.summary = "poll an endpoint and print each status transition with its time",
	.help =
	    "  -i, --every D       poll interval (default 200ms)\n"
	    "  -t, --timeout D     per-request timeout (default 1s)\n"
	    "  -d, --duration D    stop after D (default: until Ctrl-C)\n"
	    "  -c, --count N       stop after N samples\n"
	    "  -f, --field PATH    JSON field to watch (repeatable; default status)\n"
	    "  -H, --header H      request header \"Name: value\" (repeatable)\n"
	    "  -X, --method M      request method (default GET)\n"
	    "      --allow-host H  poll a host that is not loopback\n"
	    "Each line: wall time, time since start, latency, status and fields.\n"
	    "Only changes are printed (every sample with -v).\n",
	.exec = exec_probe,
};
