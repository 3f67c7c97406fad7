/*
 * run.c — `shakedown run SCENARIO...`: load and check every scenario first
 * (one bad file and nothing runs), then run each drill, print its summary,
 * and write its reports. SIGINT/SIGTERM/SIGHUP only set a flag: the runner
 * notices, reverts every fault, and the verdict is ABORTED (exit 3).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/runner.h"
#include "../reports/report.h"
#include "cmd.h"

static volatile sig_atomic_t interrupted;
static char reverting[512];	/* filled by the runner before each revert */

static void
on_signal(int sig)
{
	static const char msg[] = "\nshakedown: interrupted: reverting every"
	    " fault, please wait\n";
	static const char again[] = "\nshakedown: still reverting faults;"
	    " they will all be undone before exit\n";
	ssize_t n;

	(void)sig;
	/* a second Ctrl-C never skips a revert: it only says what is left */
	n = write(STDERR_FILENO, interrupted ? again : msg, interrupted ?
	    sizeof again - 1 : sizeof msg - 1);
	if (interrupted && reverting[0] != '\0')
		n = write(STDERR_FILENO, reverting, strnlen(reverting,
		    sizeof reverting));
	(void)n;
	interrupted = 1;
}

struct live {
	int tty;
	int64_t start;
	const char *drill;
};

static void
on_progress(void *arg, size_t step, size_t nsteps, const char *what)
{
	struct live *l = arg;
	double t = (mono_ms() - l->start) / 1000.0;

	if (l->tty)
		fprintf(stderr, "\r\033[K[%6.1fs] %s %zu/%zu: %.60s", t, l->drill,
		    step, nsteps, what);
	else if (g_opts.verbose)
		fprintf(stderr, "[%6.1fs] %s %zu/%zu: %s\n", t, l->drill, step,
		    nsteps, what);
}

static int
worse(int a, int b)
{
	/* aborted > fault error > failure > pass */
	static const int rank[] = { 0, 2, 1, 4, 3 };
	return rank[b] > rank[a] ? b : a;
}

static enum cmd_retval
exec_run(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "report", required_argument, NULL, 'r' },
		{ "allow-host", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_opts ro = { .self_exe = cmd_self_exe(),
	    .interrupted = &interrupted, .reverting = reverting,
	    .reverting_len = sizeof reverting };
	const char *report_dir = NULL;
	char *allow[32];
	struct scenario **sc;
	struct result **rs;
	struct sigaction sa;
	struct sd_err e;
	int ch, dry = 0, rc = 0, bad = 0;
	size_t n, nrun = 0;

	while ((ch = getopt_long(argc, argv, "nr:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			dry = 1;
			break;
		case 'r':
			report_dir = optarg;
			break;
		case 'A':
			if (ro.nallow == sizeof allow / sizeof allow[0])
				return cmd_usage_error(self, "too many --allow-host");
			allow[ro.nallow++] = optarg;
			break;
		default:
			return cmd_usage_error(self, NULL);
		}
	}
	ro.allow_hosts = allow;
	if (optind == argc)
		return cmd_usage_error(self, "no scenario given");
	n = (size_t)(argc - optind);
	sc = xcalloc(n, sizeof *sc);
	rs = xcalloc(n, sizeof *rs);
	for (size_t i = 0; i < n; i++) {
		if ((sc[i] = scen_load(argv[optind + (int)i], &e)) == NULL ||
		    run_check_hosts(sc[i], &ro, &e) == -1) {
			cmd_error("%s", e.msg);
			bad = 1;
		}
	}
	if (bad) {
		rc = CMD_USAGE;
		goto out;
	}
	if (dry) {
		for (size_t i = 0; i < n; i++) {
			char *p = run_plan(sc[i]);
			printf("%s%s", i ? "\n" : "", p);
			free(p);
		}
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < n && !interrupted; i++) {
		struct live l = { isatty(STDERR_FILENO) && !g_opts.quiet, mono_ms(),
		    sc[i]->drill };
		ro.progress = on_progress;
		ro.progress_arg = &l;
		rs[i] = run_drill(sc[i], &ro);
		nrun++;
		if (l.tty)
			fprintf(stderr, "\r\033[K");
		char *sum = rpt_summary(rs[i]);
		printf("%s\n", sum);
		fflush(stdout);
		free(sum);
		rc = worse(rc, res_exit_code(rs[i]));
		if (report_dir != NULL) {
			char *dir = n == 1 ? xstrdup(report_dir) :
			    xasprintf("%s/%s", report_dir, rs[i]->drill);
			if (rpt_write_dir(rs[i], dir, &e) == -1) {
				cmd_error("report: %s", e.msg);
				rc = worse(rc, CMD_FAILED);
			} else if (!g_opts.quiet) {
				printf("        report: %s/REPORT.md\n", dir);
			}
			free(dir);
		}
	}
	if (report_dir != NULL && n > 1 && nrun > 0) {
		char *md = rpt_gameday((const struct result *const *)rs, nrun);
		char *path = xasprintf("%s/SUMMARY.md", report_dir);
		char *junit = rpt_junit((const struct result *const *)rs, nrun);
		char *jpath = xasprintf("%s/junit.xml", report_dir);
		if (write_file_atomic(path, md, strlen(md), &e) == -1 ||
		    write_file_atomic(jpath, junit, strlen(junit), &e) == -1)
			cmd_error("report: %s", e.msg);
		free(md);
		free(path);
		free(junit);
		free(jpath);
	}
	if (interrupted)
		rc = CMD_ABORTED;
out:
	for (size_t i = 0; i < n; i++) {
		scen_free(sc[i]);
		res_free(rs[i]);
	}
	free(sc);
	free(rs);
	return (enum cmd_retval)rc;
}

const struct cmd_entry cmd_run = {
	.name = "run",
	.usage = "[-n] [-r DIR] [--allow-host HOST]... SCENARIO...",
	.summary = "run drills and report whether the service met them",
	.help =
	    "  -n, --dry-run          print what would be done; apply nothing\n"
	    "  -r, --report DIR       write REPORT.md, result.json, junit.xml (for\n"
	    "                         several drills: DIR/DRILL/ and DIR/SUMMARY.md)\n"
	    "      --allow-host HOST  allow a non-loopback host (repeatable)\n"
	    "Exit: 0 all met, 1 an expectation failed, 2 bad scenario or usage,\n"
	    "3 aborted by a signal, 4 a fault could not be applied or reverted.\n",
	.exec = exec_run,
};
