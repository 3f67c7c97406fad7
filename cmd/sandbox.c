/*
 * sandbox.c — `shakedown sandbox up|down|status|env|stop NAME|start NAME`:
 * the private PostgreSQL + Redis + reference target a newcomer drills with.
 * The work is in sandbox/sandbox.c; this file parses and prints.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "../lib/base/util.h"
#include "../sandbox/sandbox.h"
#include "../sandbox/target.h"
#include "cmd.h"

struct sbx_args {
	const char *dir;
	int pg_port, redis_port, target_port, proxy_port;
	char *bugs[16];
	size_t nbugs;
	int production, no_bugs;
	const char *ai_latency;
	int64_t target_memory;
	int monitoring;		/* 1 --monitoring, -1 --no-monitoring */
	int prom_port, am_port;
};

static int
parse_port(const char *s, int *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end != '\0' || v <= 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static void
print_urls(const struct sbx_config *c, const char *prefix)
{
	char *t = sbx_target_url(c), *d = sbx_db_url(c), *r = sbx_redis_url(c);
	char *s = sbx_proxy_sock(c);

	cmd_out("%sSHAKEDOWN_TARGET=%s\n%sDATABASE_URL=%s\n%sREDIS_URL=%s\n",
	    prefix, t, prefix, d, prefix, r);
	cmd_out("%sSHAKEDOWN_SANDBOX=%s\n", prefix, c->dir);
	cmd_out("%sDB_ROUTE=%s#postgres\n%sREDIS_ROUTE=%s#redis\n", prefix, s,
	    prefix, s);
	if (c->monitoring) {
		char *p = sbx_prometheus_url(c), *a = sbx_alertmanager_url(c);
		cmd_out("%sPROMETHEUS_URL=%s\n%sALERTMANAGER_URL=%s\n", prefix, p,
		    prefix, a);
		free(p);
		free(a);
	}
	free(s);
	free(t);
	free(d);
	free(r);
}

static void
said(void *arg, enum sbx_part p, int started)
{
	const struct sbx_config *c = arg;

	if (!g_opts.quiet)
		cmd_out("%-12s %s on 127.0.0.1:%d%s\n", sbx_part_name(p),
		    started ? "started" : "already running", sbx_part_port(c, p),
		    p == SBX_PROXY ? " (postgres), +1 (redis)" : "");
}

static enum cmd_retval
do_up(struct sbx_config *c, const struct sbx_args *a)
{
	struct sbx_up_opts o = { a->pg_port, a->redis_port, a->target_port,
	    a->proxy_port, a->bugs, a->nbugs, a->no_bugs, a->production,
	    a->ai_latency, a->target_memory, a->monitoring, a->prom_port,
	    a->am_port };
	struct sd_err e;

	if (sbx_up(c, &o, said, c, &e) == -1) {
		cmd_error("sandbox up: %s", e.msg);
		return CMD_FAILED;
	}
	if (!g_opts.quiet) {
		if (c->nbugs > 0) {
			cmd_out("target bugs:");
			for (size_t i = 0; i < c->nbugs; i++)
				cmd_out(" %s", c->bugs[i]);
			cmd_out("\n");
		}
		print_urls(c, "");
	}
	return CMD_OK;
}

static enum cmd_retval
do_down(struct sbx_config *c)
{
	enum cmd_retval rc = CMD_OK;
	struct sbx_state st;
	struct sd_err e;

	for (int p = SBX_NPARTS - 1; p >= 0; p--) {
		sbx_state(c, (enum sbx_part)p, &st);
		if (!sbx_part_on(c, (enum sbx_part)p) && !st.running && !st.stale)
			continue;
		if (sbx_stop(c, (enum sbx_part)p, &e) == -1) {
			cmd_error("sandbox down: %s", e.msg);
			rc = CMD_FAILED;
			continue;
		}
		if (!g_opts.quiet)
			cmd_out("%-12s %s\n", sbx_part_name(p), st.running ?
			    "stopped" : st.stale ? "was not running (stale pid"
			    " cleaned)" : "was not running");
	}
	return rc;
}

static enum cmd_retval
do_status(struct sbx_config *c)
{
	struct sbx_state st;
	int all = 1;

	cmd_out("sandbox %s\n", c->dir);
	for (int p = 0; p < SBX_NPARTS; p++) {
		char pid[16] = "-";
		sbx_state(c, (enum sbx_part)p, &st);
		if (!sbx_part_on(c, (enum sbx_part)p) && !st.running)
			continue;
		all &= st.answering;
		if (st.running)
			snprintf(pid, sizeof pid, "%d", (int)st.pid);
		cmd_out("  %-12s %-9s pid %-7s port %-5d %s\n", sbx_part_name(p),
		    st.running ? "running" : "stopped", pid,
		    sbx_part_port(c, (enum sbx_part)p),
		    st.answering ? "answering" : st.running ? st.detail :
		    st.stale ? "(stale pidfile)" : "");
	}
	return all ? CMD_OK : CMD_FAILED;
}

/* -1: a usage error was printed (and *rc set) */
static int
parse_args(const struct cmd_entry *self, int argc, char **argv,
    struct sbx_args *a, enum cmd_retval *rc)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "pg-port", required_argument, NULL, 'P' },
		{ "redis-port", required_argument, NULL, 'R' },
		{ "target-port", required_argument, NULL, 'T' },
		{ "proxy-port", required_argument, NULL, 'X' },
		{ "bug", required_argument, NULL, 'b' },
		{ "production", no_argument, NULL, 'p' },
		{ "ai-latency", required_argument, NULL, 'a' },
		{ "target-memory", required_argument, NULL, 'M' },
		{ "no-bugs", no_argument, NULL, 'N' },
		{ "monitoring", no_argument, NULL, 'm' },
		{ "no-monitoring", no_argument, NULL, 'n' },
		{ "prometheus-port", required_argument, NULL, 'Q' },
		{ "alertmanager-port", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned bit;
	int ch;

	while ((ch = getopt_long(argc, argv, "d:b:pa:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a->dir = optarg;
			break;
		case 'm':
		case 'n':
			a->monitoring = ch == 'm' ? 1 : -1;
			break;
		case 'P':
		case 'R':
		case 'T':
		case 'X':
		case 'Q':
		case 'A':
			if (parse_port(optarg, ch == 'P' ? &a->pg_port : ch == 'R' ?
			    &a->redis_port : ch == 'T' ? &a->target_port : ch == 'Q' ?
			    &a->prom_port : ch == 'A' ? &a->am_port :
			    &a->proxy_port) == -1 || (ch == 'X' && a->proxy_port ==
			    65535))
				return *rc = cmd_usage_error(self, "bad port '%s'",
				    optarg), -1;
			break;
		case 'b':
			if (target_bug_parse(optarg, &bit) == -1)
				return *rc = cmd_usage_error(self, "unknown bug '%s' (one"
				    " of: %s)", optarg, target_bug_names()), -1;
			if (a->nbugs == sizeof a->bugs / sizeof a->bugs[0])
				return *rc = cmd_usage_error(self, "too many --bug"), -1;
			a->bugs[a->nbugs++] = optarg;
			break;
		case 'p':
			a->production = 1;
			break;
		case 'N':
			a->no_bugs = 1;
			break;
		case 'a':
			a->ai_latency = optarg;
			break;
		case 'M': {
			struct sd_err e;
			if (strcmp(optarg, "none") == 0)
				a->target_memory = -1;
			else if (units_size(optarg, &a->target_memory, &e) == -1 ||
			    a->target_memory < 64 * 1024 * 1024)
				return *rc = cmd_usage_error(self, "--target-memory:"
				    " a size of at least 64MiB, or none"), -1;
			break;
		}
		default:
			return *rc = cmd_usage_error(self, NULL), -1;
		}
	}
	if (optind >= argc)
		return *rc = cmd_usage_error(self, "missing subcommand"), -1;
	return 0;
}

static enum cmd_retval
exec_sandbox(const struct cmd_entry *self, int argc, char **argv)
{
	struct sbx_args a = { 0 };
	struct sbx_config c;
	enum sbx_part part;
	enum cmd_retval rc;
	struct sd_err e;
	const char *verb;
	char *dir;

	if (parse_args(self, argc, argv, &a, &rc) == -1)
		return rc;
	verb = argv[optind++];
	dir = sbx_dir(a.dir);
	if (sbx_config_load(&c, dir, &e) == -1) {
		free(dir);
		cmd_error("sandbox: %s", e.msg);
		return CMD_FAILED;
	}
	free(dir);
	c.self_exe = xstrdup(cmd_self_exe());
	if (strcmp(verb, "up") == 0 || strcmp(verb, "down") == 0 ||
	    strcmp(verb, "status") == 0 || strcmp(verb, "env") == 0) {
		if (optind != argc) {
			sbx_config_free(&c);
			return cmd_usage_error(self, "unexpected argument '%s'",
			    argv[optind]);
		}
		if (strcmp(verb, "up") == 0)
			rc = do_up(&c, &a);
		else if (strcmp(verb, "down") == 0)
			rc = do_down(&c);
		else if (strcmp(verb, "env") == 0)
			print_urls(&c, "export "), rc = CMD_OK;
		else
			rc = do_status(&c);
	} else if (strcmp(verb, "stop") == 0 || strcmp(verb, "start") == 0 ||
	    strcmp(verb, "kill") == 0) {
		if (optind + 1 != argc || sbx_part_parse(argv[optind], &part) == -1) {
			sbx_config_free(&c);
			return cmd_usage_error(self, "%s needs one of: postgres,"
			    " redis, proxy, target, alertmanager, prometheus", verb);
		}
		if ((verb[0] == 'k' ? sbx_kill(&c, part, &e) : verb[2] == 'o' ?
		    sbx_stop(&c, part, &e) : sbx_start(&c, part, &e)) == -1) {
			cmd_error("sandbox %s: %s", verb, e.msg);
			rc = CMD_FAILED;
		} else {
			if (!g_opts.quiet)
				cmd_out("%s %s\n", sbx_part_name(part), verb[0] == 'k' ?
				    "killed" : verb[2] == 'o' ? "stopped" : "started");
			rc = CMD_OK;
		}
	} else {
		sbx_config_free(&c);
		return cmd_usage_error(self, "unknown subcommand '%s'", verb);
	}
	sbx_config_free(&c);
	return rc;
}

const struct cmd_entry cmd_sandbox = {
	.name = "sandbox",
	.usage = "[--dir DIR] [--pg-port N] [--redis-port N] [--target-port N]"
	    " [--proxy-port N] [--bug NAME]... [--no-bugs] [--production] [--ai-latency D]"
	    " [--target-memory SIZE|none] [--monitoring|--no-monitoring]"
	    " [--prometheus-port N] [--alertmanager-port N]"
	    " up|down|status|env|stop NAME|start NAME|kill NAME",
	.summary = "private PostgreSQL + Redis + reference target on loopback",
	.help =
	    "Subcommands:\n"
	    "  up            start what is not running, wait until each answers\n"
	    "  down          stop everything, clean stale pidfiles\n"
	    "  status        each part's pid, port and state (exit 1 unless all answer)\n"
	    "  env           print export lines for SHAKEDOWN_TARGET, DATABASE_URL,\n"
	    "                REDIS_URL, SHAKEDOWN_SANDBOX, DB_ROUTE, REDIS_ROUTE (and\n"
	    "                PROMETHEUS_URL, ALERTMANAGER_URL with --monitoring)\n"
	    "  stop NAME     stop postgres, redis, proxy, target, alertmanager or\n"
	    "                prometheus (really stop it)\n"
	    "  start NAME    start it again and wait until it answers\n"
	    "  kill NAME     SIGKILL it and its process group, as a crash would\n"
	    "\nOptions:\n"
	    "  -d, --dir DIR        state and logs (default $SHAKEDOWN_SANDBOX,\n"
	    "                       else ./.shakedown/sandbox)\n"
	    "      --pg-port N      PostgreSQL port (default 25432)\n"
	    "      --redis-port N   Redis port (default 26379)\n"
	    "      --target-port N  target port (default 28080)\n"
	    "      --proxy-port N   the fault proxy the target reaches PostgreSQL\n"
	    "                       through (default 28084); Redis through N+1\n"
	    "  -b, --bug NAME       start the target with this bug (repeatable)\n"
	    "      --no-bugs        start the target with no bug (forget saved ones)\n"
	    "  -p, --production     the target requires Redis for readiness\n"
	    "  -a, --ai-latency D   the target's simulated AI latency\n"
	    "      --target-memory SIZE|none\n"
	    "                       the target runs in a memory cgroup of its own\n"
	    "                       with this limit, as in a container (default\n"
	    "                       1GiB; none: no cgroup, its memory check reads\n"
	    "                       the machine's)\n"
	    "      --monitoring     also Prometheus (scraping the target every 1s,\n"
	    "                       the shipped alert rules) and Alertmanager\n"
	    "      --no-monitoring  without them (stops them if running)\n"
	    "      --prometheus-port N    (default 29090)\n"
	    "      --alertmanager-port N  (default 29093)\n"
	    "Ports, bugs and modes given to 'up' are saved in DIR and reused.\n",
	.whole_name = 1,
	.exec = exec_sandbox,
};
