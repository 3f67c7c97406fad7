/*
 * target.c — `shakedown target`: run the reference service in the
 * foreground. The sandbox starts it; tests start it with --bug switches.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "../sandbox/target.h"
#include "cmd.h"

static void
log_line(const char *line)
{
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

/* --ai-latency, --shutdown-timeout, --breaker-open */
static int
duration_opt(int ch, const char *arg, struct target_opts *o, struct sd_err *e)
{
	int64_t *slot = ch == 'a' ? &o->ai_latency_ms : ch == 's' ?
	    &o->shutdown_timeout_ms : &o->breaker_open_ms;

	if (units_duration_ms(arg, slot, e) == -1)
		return err_prefix(e, "--%s", ch == 'a' ? "ai-latency" : ch == 's' ?
		    "shutdown-timeout" : "breaker-open");
	return 0;
}

static enum cmd_retval
exec_target(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "redis", required_argument, NULL, 'r' },
		{ "production", no_argument, NULL, 'P' },
		{ "ai-latency", required_argument, NULL, 'a' },
		{ "shutdown-timeout", required_argument, NULL, 's' },
		{ "bug", required_argument, NULL, 'b' },
		{ "breaker-open", required_argument, NULL, 'B' },
		{ "log-writes", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	struct target_opts o = {
		.addr = "127.0.0.1", .port = 28080, .ai_latency_ms = 400,
		.shutdown_timeout_ms = 30000, .breaker_open_ms = 5000, .log = log_line,
	};
	struct sd_err e;
	unsigned bit;
	char *end;
	int ch, rc;

	o.db_dsn = getenv("DATABASE_URL");
	o.redis_url = getenv("REDIS_URL");
	while ((ch = getopt_long(argc, argv, "l:p:d:r:Pa:s:b:B:W", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'l':
			o.addr = optarg;
			break;
		case 'p':
			o.port = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o.port <= 0 || o.port > 65535)
				return cmd_usage_error(self, "bad port '%s'", optarg);
			break;
		case 'd':
			o.db_dsn = optarg;
			break;
		case 'r':
			o.redis_url = optarg;
			break;
		case 'P':
			o.production = 1;
			break;
		case 'W':
			o.log_writes = 1;
			break;
		case 'a':
		case 's':
		case 'B':
			if (duration_opt(ch, optarg, &o, &e) == -1)
				return cmd_usage_error(self, "%s", e.msg);
			break;
		case 'b':
			if (target_bug_parse(optarg, &bit) == -1)
				return cmd_usage_error(self, "unknown bug '%s' (one of:"
				    " %s)", optarg, target_bug_names());
			o.bugs |= bit;
			break;
		default:
			return cmd_usage_error(self, NULL);
		}
	}
	if (optind != argc)
		return cmd_usage_error(self, "unexpected argument '%s'",
		    argv[optind]);
	rc = target_run(&o, &e);
	if (rc == -1) {
		cmd_error("target: %s", e.msg);
		return CMD_FAILED;
	}
	return rc == 0 ? CMD_OK : CMD_FAILED;
}

const struct cmd_entry cmd_target = {
	.name = "target",
	.usage = "[-l ADDR] [-p PORT] [--db DSN] [--redis URL] [--production]"
	    " [--ai-latency D] [--shutdown-timeout D] [--breaker-open D]"
	    " [--log-writes] [--bug NAME]...",
	.summary = "run the reference target service (what the sandbox runs)",
	.help =
	    "  -l, --listen ADDR         listen address (default 127.0.0.1)\n"
	    "  -p, --port PORT           port (default 28080)\n"
	    "  -d, --db DSN              PostgreSQL URL or DSN (default $DATABASE_URL)\n"
	    "  -r, --redis URL           redis://HOST:PORT (default $REDIS_URL)\n"
	    "  -P, --production          readiness requires Redis too\n"
	    "  -a, --ai-latency D        simulated AI latency (default 400ms)\n"
	    "  -s, --shutdown-timeout D  graceful drain limit on SIGTERM (default 30s)\n"
	    "  -B, --breaker-open D      how long /api/stats's circuit breaker stays\n"
	    "                            open (default 5s; the seeds' service: 60s)\n"
	    "  -W, --log-writes          a log line for each write it acknowledges\n"
	    "  -b, --bug NAME            break one behaviour (repeatable): ready_ignores_db,\n"
	    "                            health_hides_redis, no_guard, slow_recovery, leak,\n"
	    "                            crash_on_db_loss, no_graceful, no_db_timeout,\n"
	    "                            no_memory_check, no_rate_limit, lose_writes,\n"
	    "                            no_breaker, stale_metrics, cascade,\n"
	    "                            sessions_need_redis\n",
	.exec = exec_target,
};
