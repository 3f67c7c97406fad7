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

#include "../lib/base/hosts.h"
#include "../lib/io/probe.h"
#include "../lib/base/redact.h"
#include "../lib/base/request.h"
#include "../lib/base/units.h"
#include "../lib/base/tls.h"
#include "cmd.h"

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

struct probe_args {
	struct probe_def d;
	struct tls_opts tls;
	int64_t duration, count;
	char *fields[16], *headers[17], *allow[CMD_MAX_ALLOW];
	size_t nf, nh, nallow;
	int default_field;
};

static int
duration_arg(int ch, const char *arg, struct probe_args *a, struct sd_err *e)
{
	/* 0 is no timeout and no interval: never what is meant */
	int64_t *v = ch == 'i' ? &a->d.every_ms : ch == 't' ? &a->d.timeout_ms :
	    &a->duration;

	if (units_duration_ms(arg, v, e) == -1)
		return -1;
	if (*v < (ch == 'i' ? 10 : 1) || *v > 24 * 3600 * 1000)
		return err_set(e, "--%s: from %s to 24h", ch == 'i' ? "every" :
		    ch == 't' ? "timeout" : "duration", ch == 'i' ? "10ms" : "1ms");
	return 0;
}

static int
list_arg(int ch, char *arg, struct probe_args *a, struct sd_err *e)
{
	if (ch == 'f') {
		if (a->default_field) {
			a->default_field = 0;
			a->nf = 0;
		}
		if (a->nf == 16)
			return err_set(e, "too many --field");
		a->fields[a->nf++] = arg;
	} else if (ch == 'A') {
		return cmd_allow_host(arg, a->allow, &a->nallow, e);
	} else {	/* 'H' */
		if (a->nh == 16)
			return err_set(e, "too many --header");
		if (request_check_header_line(arg, e) == -1)
			return -1;
		a->headers[a->nh++] = arg;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct probe_args *a, struct sd_err *e)
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
		CMD_TLS_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch, t;

	while ((ch = getopt_long(argc, argv, "i:t:d:c:f:H:X:", longopts,
	    NULL)) != -1) {
		if ((t = cmd_tls_option(ch, optarg, &a->tls, e)) != 0) {
			if (t == -1)
				return -1;
		} else if (ch == 'i' || ch == 't' || ch == 'd') {
			if (duration_arg(ch, optarg, a, e) == -1)
				return -1;
		} else if (ch == 'c') {
			a->count = strtoll(optarg, &end, 10);
			if (*end != '\0' || a->count <= 0 || a->count > 100000000)
				return err_set(e, "bad count '%s'", optarg);
		} else if (ch == 'f' || ch == 'H' || ch == 'A') {
			if (list_arg(ch, optarg, a, e) == -1)
				return -1;
		} else if (ch == 'X') {
			a->d.method = optarg;
		} else {
			return err_set(e, "%s", "");
		}
	}
	if (optind + 1 != argc)
		return err_set(e, "one URL");
	if (a->default_field)
		a->nf = 1;
	a->d.url = argv[optind];
	a->d.headers = a->nh ? a->headers : NULL;
	redact_learn(a->d.url);
	if (request_check_url(a->d.url, e) == -1)
		return err_prefix(e, "URL");
	if (cmd_tls_done(&a->tls, e) == -1)
		return -1;
	a->d.tls = &a->tls;
	return 0;
}

/* Print each sample's state in send order, as it completes, when it
 * changed (every one with -v). Returns how many were printed. */
static size_t
show(struct probe_set *ps, struct probe_args *a, size_t seen, int64_t start,
    char *prev, size_t prevlen)
{
	size_t n = probes_count(ps, 0);
	char ts[40];

	while (seen < n && probes_sample(ps, 0, seen)->done_ms >= 0) {
		struct sample *s = probes_sample(ps, 0, seen++);
		struct sbuf sb;
		sb_init(&sb);
		state_of(s, a->fields, a->nf, &sb);
		if (strcmp(sb.buf, prev) != 0 || g_opts.verbose) {
			cmd_out("%s %+9.3fs %5lldms  %s\n", iso8601_ms(wall_ms() -
			    (mono_ms() - start - s->done_ms), ts, sizeof ts),
			    s->sent_ms / 1000.0, (long long)(s->done_ms - s->sent_ms),
			    sb.buf);
			fflush(stdout);
			snprintf(prev, prevlen, "%s", sb.buf);
		}
		sb_free(&sb);
	}
	return seen;
}

static enum cmd_retval
exec_probe(const struct cmd_entry *self, int argc, char **argv)
{
	struct probe_args a = { .d = { .name = "probe", .method = "GET",
	    .every_ms = 200, .timeout_ms = 1000 }, .fields = { "status" },
	    .default_field = 1 };
	struct probe_set *ps;
	struct sd_err e;
	char prev[512] = "", host[256];
	size_t seen = 0;
	int64_t start;

	if (parse_args(argc, argv, &a, &e) == -1)
		return cmd_usage_error(self, e.msg[0] ? "%s" : NULL, e.msg);
	struct hostrule hr = { NULL, 0, a.allow, a.nallow };
	if (hosts_check_url(a.d.url, &hr, host, sizeof host, &e) != 0) {
		cmd_error("probe: '%s' is not loopback; pass --allow-host %s", host,
		    host);
		return CMD_USAGE;
	}
	cmd_catch_signals(0);
	start = mono_ms();
	if ((ps = probes_new(&a.d, 1, start, &e)) == NULL ||
	    probes_start(ps, &e) == -1) {
		cmd_error("probe: %s", e.msg);
		probes_free(ps);
		return CMD_FAILED;
	}
	probes_lock(ps);
	while (!cmd_interrupted && (a.duration == 0 || mono_ms() - start < a.duration) &&
	    (a.count == 0 || (int64_t)seen < a.count)) {
		seen = show(ps, &a, seen, start, prev, sizeof prev);
		probes_wait(ps, mono_ms() + 100);
	}
	probes_unlock(ps);
	probes_free(ps);
	return CMD_OK;
}

const struct cmd_entry cmd_probe = {
	.name = "probe",
	.usage = "[-i EVERY] [-t TIMEOUT] [-d DURATION] [-c COUNT] [-f FIELD]..."
	    " [-H HEADER]... [-X METHOD] [--allow-host HOST]...\n"
	    "       [--cacert FILE] [--cert FILE --key FILE] [--insecure] URL",
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
	    "      --cacert FILE   https: trust this CA (PEM)\n"
	    "      --cert FILE, --key FILE  a client certificate and its key\n"
	    "                      (passphrase in $SHAKEDOWN_TLS_KEY_PASSWORD)\n"
	    "      --insecure      https: verify nothing\n"
	    "Each line: wall time, time since start, latency, status and fields.\n"
	    "Only changes are printed (every sample with -v).\n",
	.exec = exec_probe,
};
