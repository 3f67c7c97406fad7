/*
 * load.c — `shakedown load URL`: the load engine on its own, closed
 * (-c connections as fast as they answer) or open (-R rate, latency from
 * the intended send time). Prints a wrk-like summary, or one JSON object.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../lib/hosts.h"
#include "../lib/load.h"
#include "../lib/redact.h"
#include "../lib/request.h"
#include "../lib/units.h"
#include "cmd.h"

static json_t *
lat_json(const struct hist *h)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f}",
	    "p50", hist_percentile(h, 50) / 1000.0,
	    "p90", hist_percentile(h, 90) / 1000.0,
	    "p95", hist_percentile(h, 95) / 1000.0,
	    "p99", hist_percentile(h, 99) / 1000.0,
	    "p999", hist_percentile(h, 99.9) / 1000.0,
	    "max", h->max_us / 1000.0, "mean", hist_mean(h) / 1000.0);
}

static void
print_json(const struct load_spec *sp, const struct load_stats *st,
    const struct load_second *sec, size_t nsec, double secs)
{
	json_t *j, *status = json_object(), *errs = json_object(), *series;
	char code[8];

	for (int i = 0; i < 600; i++) {
		if (st->status[i] == 0)
			continue;
		snprintf(code, sizeof code, "%d", i);
		json_object_set_new(status, code, json_integer((json_int_t)st->status[i]));
	}
	for (int i = 0; i < LE_N; i++)
		json_object_set_new(errs, load_err_name((enum load_err)i),
		    json_integer((json_int_t)st->transport[i]));
	series = json_array();
	for (size_t i = 0; i < nsec; i++)
		json_array_append_new(series, json_pack("{s:I,s:I,s:I,s:f,s:f}",
		    "t_s", (json_int_t)i, "requests", (json_int_t)sec[i].requests,
		    "errors", (json_int_t)sec[i].errors,
		    "p50_ms", sec[i].p50_us / 1000.0, "p99_ms", sec[i].p99_us / 1000.0));
	j = json_pack("{s:s,s:s,s:I,s:I,s:f,s:f,s:f,s:o,s:o,s:o,s:o,s:o,s:i,s:o}",
	    "url", sp->url, "model", sp->rate > 0 ? "open" : "closed",
	    "requests", (json_int_t)st->requests, "errors", (json_int_t)st->errors,
	    "error_share", st->requests ? (double)st->errors / (double)st->requests : 0.0,
	    "duration_s", secs, "rps", secs > 0 ? (double)st->requests / secs : 0.0,
	    "latency_ms", lat_json(&st->lat),
	    "latency_uncorrected_ms", lat_json(&st->raw),
	    "status", status, "errors_by_class", errs, "series", series,
	    "connections", sp->connections,
	    "rate_requested", sp->rate > 0 ? json_real(sp->rate) : json_null());
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	cmd_out("%s\n", text);
	free(text);
	json_decref(j);
}

static void
print_lat(const char *label, const struct hist *h)
{
	static const double ps[] = { 50, 90, 95, 99, 99.9 };

	cmd_out("  %-12s", label);
	for (size_t i = 0; i < 5; i++)
		cmd_out(" %9.2fms", hist_percentile(h, ps[i]) / 1000.0);
	cmd_out(" %9.2fms\n", h->max_us / 1000.0);
}

static void
print_text(const struct load_spec *sp, const struct load_stats *st,
    double secs, int threads)
{
	cmd_out("%s %s for %.2fs, %d thread(s), %d connection(s), %s\n",
	    sp->method, sp->url, secs, threads, sp->connections,
	    sp->rate > 0 ? "open model" : "closed model");
	if (sp->rate > 0)
		cmd_out("  requested %.0f/s, achieved %.1f/s\n", sp->rate,
		    secs > 0 ? (double)st->requests / secs : 0.0);
	cmd_out("  %-12s %11s %11s %11s %11s %11s %11s\n", "latency", "p50", "p90",
	    "p95", "p99", "p99.9", "max");
	print_lat(sp->rate > 0 ? "corrected" : "", &st->lat);
	if (sp->rate > 0)
		print_lat("uncorrected", &st->raw);
	cmd_out("  %llu requests in %.2fs, %llu errors (%.2f%%)\n",
	    (unsigned long long)st->requests, secs,
	    (unsigned long long)st->errors, st->requests ? 100.0 *
	    (double)st->errors / (double)st->requests : 0.0);
	cmd_out("Requests/sec: %.2f\n", secs > 0 ? (double)st->requests / secs : 0.0);
	cmd_out("Status:");
	for (int i = 0; i < 600; i++)
		if (st->status[i])
			cmd_out(" %d=%llu", i, (unsigned long long)st->status[i]);
	cmd_out("\n");
	int any = 0;
	for (int i = 0; i < LE_N; i++)
		any |= st->transport[i] != 0;
	if (any) {
		cmd_out("Errors:");
		for (int i = 0; i < LE_N; i++)
			if (st->transport[i])
				cmd_out(" %s=%llu", load_err_name((enum load_err)i),
				    (unsigned long long)st->transport[i]);
		cmd_out("\n");
	}
}

struct load_args {
	struct load_spec sp;
	char *headers[33];
	int nh, json;
	char *allow[CMD_MAX_ALLOW];
	size_t nallow;
};

static int
number_arg(int ch, const char *arg, struct load_args *a, struct sd_err *e)
{
	int64_t *d = ch == 'd' ? &a->sp.duration_ms : &a->sp.timeout_ms;
	char *end;
	long v;

	switch (ch) {
	case 'c':
	case 't':
	case 'u':
		v = strtol(arg, &end, 10);
		if (*end != '\0' || v < 1 || v > 100000)
			return err_set(e, "bad number '%s'", arg);
		*(ch == 'c' ? &a->sp.connections : ch == 't' ? &a->sp.threads :
		    &a->sp.users) = (int)v;
		return 0;
	case 'd':
	case 'T':
		if (units_duration_ms(arg, d, e) == -1)
			return -1;
		if (*d < 1 || *d > 24 * 3600 * 1000)
			return err_set(e, "%s: from 1ms to 24h", ch == 'd' ?
			    "--duration" : "--timeout");
		return 0;
	default:	/* 'R' */
		if (units_rate(arg, &a->sp.rate, e) == -1) {
			/* a bare number means per second, as in wrk2 */
			a->sp.rate = strtod(arg, &end);
			if (*end != '\0' || !(a->sp.rate > 0 && a->sp.rate <= 1e7))
				return -1;
		}
		return 0;
	}
}

static int
parse_args(int argc, char **argv, struct load_args *a, struct sd_err *e)
{
	static const struct option longopts[] = {
		{ "connections", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'R' },
		{ "threads", required_argument, NULL, 't' },
		{ "header", required_argument, NULL, 'H' },
		{ "method", required_argument, NULL, 'm' },
		{ "body", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "users", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "allow-host", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:d:R:t:H:m:b:T:u:j", longopts,
	    NULL)) != -1) {
		if (strchr("cdRtTu", ch) != NULL) {
			if (number_arg(ch, optarg, a, e) == -1)
				return -1;
		} else if (ch == 'H') {
			if (a->nh == 32)
				return err_set(e, "too many --header");
			if (req_check_header_line(optarg, e) == -1)
				return -1;
			a->headers[a->nh++] = optarg;
		} else if (ch == 'A') {
			if (cmd_allow_host(optarg, a->allow, &a->nallow, e) == -1)
				return -1;
		} else if (ch == 'm') {
			a->sp.method = optarg;
		} else if (ch == 'b') {
			a->sp.body = optarg;
		} else if (ch == 'j') {
			a->json = 1;
		} else {
			return err_set(e, "%s", "");
		}
	}
	if (optind + 1 != argc)
		return err_set(e, "one URL");
	a->sp.url = argv[optind];
	redact_learn(a->sp.url);
	if (req_check_url(a->sp.url, e) == -1)
		return err_prefix(e, "URL");
	a->sp.headers = a->nh ? a->headers : NULL;
	return 0;
}

static enum cmd_retval
exec_load(const struct cmd_entry *self, int argc, char **argv)
{
	struct load_args a = { .sp = { .method = "GET", .connections = 10,
	    .duration_ms = 10000, .timeout_ms = 5000 } };
	struct load_spec *sp = &a.sp;
	struct load_stats *st;
	struct load_second *sec;
	struct load *l;
	struct sd_err e;
	char host[256];
	size_t nsec;
	uint64_t sent;
	int64_t elapsed;
	int threads;

	if (parse_args(argc, argv, &a, &e) == -1)
		return cmd_usage_error(self, e.msg[0] ? "%s" : NULL, e.msg);
	struct hostrule hr = { NULL, 0, a.allow, a.nallow };
	if (hosts_check_url(sp->url, &hr, host, sizeof host, &e) != 0) {
		cmd_error("load: '%s' is not loopback; pass --allow-host %s", host,
		    host);
		return CMD_USAGE;
	}
	threads = sp->threads > 0 ? sp->threads :
	    (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads > sp->connections)
		threads = sp->connections;
	if (load_check_nofile(sp->connections, threads, &e) == -1)
		return cmd_usage_error(self, "%s", e.msg);
	cmd_catch_stop();
	if ((l = load_start(sp, &e)) == NULL) {
		cmd_error("load: %s", e.msg);
		return CMD_FAILED;
	}
	load_wait(l, &cmd_stop);
	load_totals(l, &sent, &elapsed);
	st = load_stats(l, LP_N);
	sec = load_series(l, &nsec);
	if (a.json)
		print_json(sp, st, sec, nsec, elapsed / 1000.0);
	else
		print_text(sp, st, elapsed / 1000.0, threads);
	free(st);
	free(sec);
	load_free(l);
	return CMD_OK;
}

const struct cmd_entry cmd_load = {
	.name = "load",
	.usage = "[-c N] [-d D] [-R RATE] [-t N] [-H HEADER]... [-m METHOD]"
	    " [-b BODY] [-T D] [-u USERS] [--json] [--allow-host HOST]... URL",
	.summary = "generate HTTP load (closed or constant-rate) and report latency",
	.help =
	    "  -c, --connections N  connections (default 10)\n"
	    "  -d, --duration D     how long (default 10s)\n"
	    "  -R, --rate RATE      open model: requests per second over all threads\n"
	    "                       (500/s, or 500); latency counts from the intended\n"
	    "                       send time (coordinated omission corrected)\n"
	    "  -t, --threads N      worker threads (default: one per core)\n"
	    "  -H, --header H       \"Name: value\" (repeatable; {user}, {n} substituted)\n"
	    "  -m, --method M       request method (default GET)\n"
	    "  -b, --body BODY      request body ({user}, {n} substituted)\n"
	    "  -T, --timeout D      per-request timeout (default 5s)\n"
	    "  -u, --users N        {user} runs over 1..N across connections\n"
	    "      --json           print one JSON object\n"
	    "      --allow-host HOST  send to a host that is not loopback\n"
	    "Connections above the open-files limit are refused (the soft limit\n"
	    "is raised to the hard one first). Proxy variables are ignored.\n",
	.exec = exec_load,
};
