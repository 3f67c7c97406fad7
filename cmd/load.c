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

#include "../lib/base/hosts.h"
#include "../lib/io/load.h"
#include "../lib/io/loadjson.h"
#include "../lib/base/redact.h"
#include "../lib/base/request.h"
#include "../lib/base/units.h"
#include "../lib/base/tls.h"
#include "cmd.h"

static void
print_json(json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));

	cmd_out("%s\n", text);
	free(text);
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
    double secs, int threads, const char *tls_error, uint64_t unanswered,
    const struct load_late *late)
{
	cmd_out("%s %s for %.2fs, %d thread(s), %d connection(s), %s\n",
	    sp->method, sp->url, secs, threads, sp->connections,
	    sp->rate > 0 ? "open model" : "closed model");
	if (sp->rate > 0)
		cmd_out("  requested %.0f/s, achieved %.1f/s; sent after their time"
		    " by %.2fms (p99), %.2fms (p99.9), %.2fms at most; %llu a"
		    " millisecond or more\n", sp->rate, secs > 0 ?
		    (double)st->requests / secs : 0.0, late->p99_us / 1000.0,
		    late->p999_us / 1000.0, late->max_us / 1000.0,
		    (unsigned long long)late->over_1ms);
	cmd_out("  %-12s %11s %11s %11s %11s %11s %11s\n", "latency", "p50", "p90",
	    "p95", "p99", "p99.9", "max");
	print_lat(sp->rate > 0 ? "corrected" : "", &st->lat);
	if (sp->rate > 0)
		print_lat("uncorrected", &st->raw);
	cmd_out("  %llu requests in %.2fs, %llu errors (%.2f%%)\n",
	    (unsigned long long)st->requests, secs,
	    (unsigned long long)st->errors, st->requests ? 100.0 *
	    (double)st->errors / (double)st->requests : 0.0);
	if (unanswered > 0)
		cmd_out("  %llu request(s) still in flight at the end, never"
		    " answered (abandoned: not in the counts above)\n",
		    (unsigned long long)unanswered);
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
	if (st->tls_handshakes > 0)
		cmd_out("TLS: %llu handshake(s), %llu resumed, %.2fms each on"
		    " average\n", (unsigned long long)st->tls_handshakes,
		    (unsigned long long)st->tls_resumed, st->tls_handshake_us /
		    1000.0 / (double)st->tls_handshakes);
	if (tls_error != NULL)
		cmd_out("TLS failed: %s\n", tls_error);
}

struct load_args {
	struct load_spec sp;
	struct tls_opts tls;
	char *headers[33];
	int nh, json, merge;
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
		{ "merge", no_argument, NULL, 'M' },
		{ "allow-host", required_argument, NULL, 'A' },
		CMD_TLS_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	int ch, t;

	while ((ch = getopt_long(argc, argv, "c:d:R:t:H:m:b:T:u:j", longopts,
	    NULL)) != -1) {
		if ((t = cmd_tls_option(ch, optarg, &a->tls, e)) != 0) {
			if (t == -1)
				return -1;
		} else if (ch < 256 && strchr("cdRtTu", ch) != NULL) {
			if (number_arg(ch, optarg, a, e) == -1)
				return -1;
		} else if (ch == 'H') {
			if (a->nh == 32)
				return err_set(e, "too many --header");
			if (request_check_header_line(optarg, e) == -1)
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
		} else if (ch == 'M') {
			a->merge = 1;
		} else {
			return err_set(e, "%s", "");
		}
	}
	if (a->merge)
		return optind < argc ? 0 : err_set(e, "--merge: no result given");
	if (optind + 1 != argc)
		return err_set(e, "one URL");
	a->sp.url = argv[optind];
	redact_learn(a->sp.url);
	if (request_check_url(a->sp.url, e) == -1)
		return err_prefix(e, "URL");
	a->sp.headers = a->nh ? a->headers : NULL;
	if (cmd_tls_done(&a->tls, e) == -1)
		return -1;
	a->sp.tls = &a->tls;
	return 0;
}

/* The merged result as text: what a person wants first. */
static void
print_merged(json_t *j)
{
	static const char *ps[] = { "p50", "p90", "p95", "p99", "p999", "max" };
	json_t *lat = json_object_get(j, "latency_ms"), *st = json_object_get(j,
	    "status");
	const char *k;
	json_t *v;

	cmd_out("%lld part(s), %s, %lld connection(s), %s model\n",
	    (long long)json_integer_value(json_object_get(j, "parts")),
	    json_string_value(json_object_get(j, "url")),
	    (long long)json_integer_value(json_object_get(j, "connections")),
	    json_string_value(json_object_get(j, "model")));
	cmd_out("  %-12s %11s %11s %11s %11s %11s %11s\n  %-12s", "latency",
	    "p50", "p90", "p95", "p99", "p99.9", "max", "");
	for (size_t i = 0; i < 6; i++)
		cmd_out(" %9.2fms", json_number_value(json_object_get(lat, ps[i])));
	cmd_out("\n  %lld requests in %.2fs, %lld errors (%.2f%%)\n"
	    "Requests/sec: %.2f\nStatus:",
	    (long long)json_integer_value(json_object_get(j, "requests")),
	    json_number_value(json_object_get(j, "duration_s")),
	    (long long)json_integer_value(json_object_get(j, "errors")),
	    100.0 * json_number_value(json_object_get(j, "error_share")),
	    json_number_value(json_object_get(j, "rps")));
	json_object_foreach(st, k, v)
		cmd_out(" %s=%lld", k, (long long)json_integer_value(v));
	cmd_out("\n");
}

/* --merge A.json B.json...: their sum (loadjson.c). */
static enum cmd_retval
merge(int n, char **files, int as_json)
{
	json_t **parts = xcalloc((size_t)n + 1, sizeof *parts), *m = NULL;
	enum cmd_retval rc = CMD_OK;
	struct sd_err e;

	for (int i = 0; i < n; i++)
		if ((parts[i] = loadjson_load_file(files[i], &e)) == NULL) {
			cmd_error("load: %s", e.msg);
			rc = CMD_USAGE;
			goto out;
		}
	if ((m = loadjson_merge(parts, (const char *const *)files, (size_t)n, &e)) ==
	    NULL) {
		cmd_error("load: %s", e.msg);
		rc = CMD_USAGE;
		goto out;
	}
	if (as_json)
		print_json(m);
	else
		print_merged(m);
out:
	json_decref(m);
	for (int i = 0; i < n; i++)
		json_decref(parts[i]);
	free(parts);
	return rc;
}

/* Did any request get an answer (an HTTP status; a failed connect is
 * none)? A run that measured nothing is no measurement: said, and 0. */
static int
answered(const struct load_stats *st, int64_t elapsed, uint64_t unanswered)
{
	uint64_t failed = 0;

	for (int i = 0; i < LE_N; i++)
		failed += st->transport[i];
	if (st->requests > failed)
		return 1;
	cmd_error("load: no request was answered in %.2fs%s%s", elapsed / 1000.0,
	    unanswered ? " (still waiting at the end: the server never"
	    " answered, or the timeout is longer than the run)" : "", failed ?
	    " (every one that ended failed: see Errors)" : "");
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

	if (parse_args(argc, argv, &a, &e) == -1) {
		tls_free(&a.tls);
		return cmd_usage_error(self, e.msg[0] ? "%s" : NULL, e.msg);
	}
	if (a.merge)
		return merge(argc - optind, argv + optind, a.json);
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
	if (a.tls.insecure)
		cmd_error("load: --insecure: the server's certificate is NOT"
		    " verified");
	cmd_catch_signals(0);
	if ((l = load_start(sp, &e)) == NULL) {
		cmd_error("load: %s", e.msg);
		return CMD_FAILED;
	}
	load_wait(l, &cmd_interrupted);
	load_totals(l, &sent, &elapsed);
	st = load_stats(l, LP_N);
	sec = load_series(l, &nsec);
	uint64_t unanswered = load_unanswered(l);
	struct load_late late;
	load_send_late(l, &late);
	enum cmd_retval rc = CMD_OK;
	if (a.json) {
		json_t *j = loadjson_result(sp, st, sec, nsec, elapsed / 1000.0);
		json_object_set_new(j, "unanswered", json_integer((json_int_t)
		    unanswered));
		if (sp->rate > 0)
			json_object_set_new(j, "send_late", json_pack("{s:I,s:I,s:I,"
			    "s:I,s:I}", "p50_us", (json_int_t)late.p50_us, "p99_us",
			    (json_int_t)late.p99_us, "p999_us", (json_int_t)late.p999_us,
			    "max_us", (json_int_t)late.max_us, "over_1ms",
			    (json_int_t)late.over_1ms));
		print_json(j);
		json_decref(j);
	} else
		print_text(sp, st, elapsed / 1000.0, threads, load_tls_error(l),
		    unanswered, &late);
	if (a.json && load_tls_error(l) != NULL)
		cmd_error("load: TLS failed: %s", load_tls_error(l));
	if (!cmd_interrupted && !answered(st, elapsed, unanswered))
		rc = CMD_FAILED;
	free(st);
	free(sec);
	load_free(l);
	tls_free(&a.tls);
	return rc;
}

const struct cmd_entry cmd_load = {
	.name = "load",
	.usage = "[-c N] [-d D] [-R RATE] [-t N] [-H HEADER]... [-m METHOD]"
	    " [-b BODY] [-T D] [-u USERS] [--json] [--allow-host HOST]...\n"
	    "       [--cacert FILE] [--cert FILE --key FILE] [--insecure] URL\n"
	    "       shakedown load --merge [--json] RESULT.json...",
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
	    "      --json           print one JSON object (with its histograms)\n"
	    "      --merge          add up the --json results of several generators:\n"
	    "                       histograms bucket by bucket, counts and rates\n"
	    "      --allow-host HOST  send to a host that is not loopback\n"
	    "      --cacert FILE    https: trust this CA (PEM) instead of the system's\n"
	    "      --cert FILE, --key FILE  a client certificate and its key (its\n"
	    "                       passphrase in $SHAKEDOWN_TLS_KEY_PASSWORD)\n"
	    "      --insecure       https: verify nothing (said in the output)\n"
	    "Connections above the open-files limit are refused (the soft limit\n"
	    "is raised to the hard one first). Proxy variables are ignored.\n"
	    "Requests still in flight at the end are counted apart and said; a\n"
	    "run in which no request was answered exits 1.\n",
	.exec = exec_load,
};
