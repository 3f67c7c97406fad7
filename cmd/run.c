/*
 * run.c — `shakedown run SCENARIO...`: load, plan and check every scenario
 * first — hosts, the processes it watches, faults a dead run left applied —
 * and run nothing if one is wrong; then run each drill, print its summary
 * and write its reports. SIGINT/SIGTERM/SIGHUP only set a flag: the runner
 * notices, reverts every fault, and the verdict is ABORTED (exit 3).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/check/journal.h"
#include "../lib/check/preflight.h"
#include "../lib/run/runner.h"
#include "../reports/report.h"
#include "cmd.h"
#include "trend.h"

#define LEFTOVER_WAIT_MS 30000

/* The progress line on a terminal: drill, step n/m, what it waits for and
 * the time, redrawn every 200 ms by a thread of its own so the clock moves
 * while a step waits; cut to the terminal's width so \r can take it back. */
struct live {
	int tty;
	int64_t start, step_start;
	const char *drill;
	pthread_mutex_t mu;
	pthread_cond_t cond;	/* on the monotonic clock */
	pthread_t th;
	int running, stop;
	size_t step, nsteps;
	char what[160];
};

/* The line as it stands, made under the lock; printed outside it, so a
 * terminal that blocks (Ctrl-S) never holds up the runner. */
static void
line_of(struct live *l, char *line, size_t len)
{
	struct winsize ws;
	int cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ?
	    ws.ws_col : 80;
	int64_t now = mono_ms();
	size_t cut;

	snprintf(line, len, "[%6.1fs] %s %zu/%zu: %s (%.0fs)",
	    (now - l->start) / 1000.0, l->drill, l->step, l->nsteps, l->what,
	    (now - l->step_start) / 1000.0);
	/* never wider than the terminal (a wrapped line cannot be taken back
	 * with \r), cut at a character's start */
	if (strlen(line) > (size_t)cols - 1) {
		cut = (size_t)cols - 1;
		while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--;
		line[cut] = '\0';
	}
}

static void *
ticker(void *arg)
{
	struct live *l = arg;
	char line[512];

	pthread_mutex_lock(&l->mu);
	while (!l->stop) {
		struct timespec ts;
		line_of(l, line, sizeof line);
		pthread_mutex_unlock(&l->mu);
		cmd_term_ctl("\r\033[K");
		cmd_err("%s", line);
		pthread_mutex_lock(&l->mu);
		if (l->stop)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&l->cond, &l->mu, &ts);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void
on_progress(void *arg, size_t step, size_t nsteps, const char *what)
{
	struct live *l = arg;
	double t = (mono_ms() - l->start) / 1000.0;

	if (l->tty) {
		pthread_mutex_lock(&l->mu);
		l->step = step;
		l->nsteps = nsteps;
		l->step_start = mono_ms();
		snprintf(l->what, sizeof l->what, "%s", what);
		pthread_mutex_unlock(&l->mu);
		pthread_cond_signal(&l->cond);
	} else if (g_opts.verbose) {
		cmd_err("[%6.1fs] %s %zu/%zu: %s\n", t, l->drill, step, nsteps,
		    what);
	}
}

/* A progress line only for a person at a terminal who asked for colour
 * and chatter: not in a pipe, a CI log, with NO_COLOR or --quiet. */
static void
live_start(struct live *l, const char *drill)
{
	const char *nc = getenv("NO_COLOR");

	memset(l, 0, sizeof *l);
	l->tty = isatty(STDERR_FILENO) && !g_opts.quiet && (nc == NULL ||
	    *nc == '\0') && (getenv("TERM") == NULL ||
	    strcmp(getenv("TERM"), "dumb") != 0);
	l->start = l->step_start = mono_ms();
	l->drill = drill;
	snprintf(l->what, sizeof l->what, "starting");
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (l->tty && pthread_create(&l->th, NULL, ticker, l) == 0)
		l->running = 1;
	else
		l->tty = 0;
}

static void
live_stop(struct live *l)
{
	if (l->running) {
		pthread_mutex_lock(&l->mu);
		l->stop = 1;
		pthread_mutex_unlock(&l->mu);
		pthread_cond_signal(&l->cond);
		pthread_join(l->th, NULL);
		cmd_term_ctl("\r\033[K");
	}
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cond);
}

/* Load, plan and check them all: nothing runs unless every one is fine
 * (-n checks what a run would, short of acting). */
static int
prepare(char **files, size_t n, struct scenario **sc, struct plan **pl,
    char *const *allow, size_t nallow)
{
	if (cmd_load_drills(files, n, allow, nallow, PRE_LIVE, sc) > 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		pl[i] = plan_build(sc[i]);
	return 0;
}

int
cmd_leftovers(void)
{
	struct sd_err e;
	char *path = journal_path(&e);
	int rc = path ? preflight_leftovers(path, LEFTOVER_WAIT_MS, &e) : -1;

	if (rc == -1)
		cmd_error("run: %s", e.msg);
	free(path);
	return rc;
}

struct run_out {
	const char *dir;	/* -r DIR, or NULL */
	const char *prom;	/* --prom FILE, or NULL */
	struct trend_day *base;	/* --baseline, or NULL */
	const struct cmp_tolerance *tol;
	size_t ntol;
	int fail;		/* --fail-on-regression */
};

/* After the drills: the whole game day against the baseline — printed,
 * appended to SUMMARY.md and the job summary; 1 if anything regressed. */
static int
baseline_outputs(const struct result *const *rs, size_t n,
    const struct run_out *out)
{
	const char *gh = getenv("GITHUB_STEP_SUMMARY");
	struct trend_day now;
	struct cmp_result c;
	int regressed;

	trend_day_of(&now, "this run", rs, n);
	rpt_compare(out->base, &now, out->tol, out->ntol, &c);
	char *text = rpt_compare_text(&c, out->base->label);
	char *md = rpt_compare_md(&c, out->base->label);
	cmd_out("%s", text);
	if (out->dir != NULL && n > 1) {
		char *p = xasprintf("%s/SUMMARY.md", out->dir);
		cmd_append(p, md);
		free(p);
	}
	if (gh != NULL && *gh != '\0')
		cmd_append(gh, md);
	regressed = c.regressions > 0;
	free(text);
	free(md);
	rpt_compare_result_free(&c);
	trend_day_free(&now);
	return regressed;
}

/* What CI reads besides the reports: GitHub's job summary when
 * GITHUB_STEP_SUMMARY names one, and the Prometheus textfile. */
static int
ci_outputs(const struct result *const *rs, size_t n, const char *prom)
{
	const char *gh = getenv("GITHUB_STEP_SUMMARY");
	struct sd_err e;
	int rc = 0;

	if (n == 0)
		return 0;
	if (gh != NULL && *gh != '\0' && rpt_step_summary(rs, n, gh, &e) == -1) {
		cmd_error("report: GITHUB_STEP_SUMMARY: %s", e.msg);
		rc = CMD_FAILED;
	}
	if (prom != NULL && rpt_write_prom(rs, n, prom, &e) == -1) {
		cmd_error("report: --prom: %s", e.msg);
		rc = CMD_FAILED;
	}
	return rc;
}

static int
run_all(struct plan **pl, struct result **rs, size_t n,
    const struct run_out *out, struct run_opts *ro)
{
	/* as result.json says (read back), when written: what `report` sees */
	struct result **back = xcalloc(n + 1, sizeof *back);
	const struct result **best = xcalloc(n + 1, sizeof *best);
	struct sd_err e;
	size_t nrun = 0;
	int rc = 0;

	/* a drill interrupted before it starts is still run: it stops before
	 * its first step, applies nothing, and reports ABORTED */
	for (size_t i = 0; i < n; i++) {
		struct live l;
		live_start(&l, pl[i]->s->drill);
		ro->progress = on_progress;
		ro->progress_arg = &l;
		rs[i] = run_drill(pl[i], ro);
		live_stop(&l);
		if (out->base != NULL)	/* kept in result.json, shown in REPORT.md */
			rpt_compare_result(rs[i], out->base, out->tol, out->ntol);
		best[i] = rs[i];
		nrun++;
		char *sum = rpt_summary(rs[i]);
		cmd_out("%s\n", sum);
		fflush(stdout);
		free(sum);
		rc = res_worse(rc, res_exit_code(rs[i]));
		if (out->dir == NULL)
			continue;
		char *d = n == 1 ? xstrdup(out->dir) : rpt_drill_dir(out->dir,
		    rs[i]->drill, &e);
		if (d == NULL || rpt_write_dir(rs[i], d, &back[i], &e) == -1) {
			cmd_error("report: %s", e.msg);
			rc = res_worse(rc, CMD_FAILED);
		} else {
			best[i] = back[i];
			if (!g_opts.quiet)
				cmd_out("        report: %s/REPORT.md\n", d);
		}
		free(d);
	}
	if (out->dir != NULL && n > 1 && nrun > 0 &&
	    rpt_write_summary(best, NULL, nrun, out->dir, &e) == -1) {
		cmd_error("report: %s", e.msg);
		rc = res_worse(rc, CMD_FAILED);
	}
	rc = res_worse(rc, ci_outputs(best, nrun, out->prom));
	/* a regression fails the run only when nothing else did */
	if (out->base != NULL && nrun > 0 && baseline_outputs(best, nrun, out) &&
	    out->fail && rc == 0)
		rc = CMD_REGRESSED;
	for (size_t i = 0; i < n; i++)
		res_free(back[i]);
	free(back);
	free(best);
	return cmd_interrupted ? CMD_ABORTED : rc;
}

/* run's arguments: what each option says, into *out and the rest; the
 * baseline read (into *base) before anything runs. CMD_OK, or the usage
 * error already printed. */
struct run_args {
	struct run_out out;
	struct cmp_tolerance tol[CMD_MAX_TOLERANCE];
	struct trend_day base;
	char *allow[CMD_MAX_ALLOW];
	size_t nallow;
	int dry;
};

static enum cmd_retval
run_args(const struct cmd_entry *self, int argc, char **argv,
    struct run_args *a)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "report", required_argument, NULL, 'r' },
		{ "allow-host", required_argument, NULL, 'A' },
		{ "prom", required_argument, NULL, 'P' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "fail-on-regression", no_argument, NULL, 'F' },
		{ "tolerance", required_argument, NULL, 'T' },
		CMD_VAR_OPTIONS,
		CMD_ABORT_IF_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	const char *baseline = NULL;
	enum cmd_retval orc;
	struct sd_err te;
	int ch;

	a->out.tol = a->tol;
	while ((ch = getopt_long(argc, argv, "nr:", longopts, NULL)) != -1) {
		if (ch == 'n')
			a->dry = 1;
		else if (ch == 'r')
			a->out.dir = optarg;
		else if (ch == 'P')
			a->out.prom = optarg;
		else if (ch == 'B')
			baseline = optarg;
		else if (ch == 'F')
			a->out.fail = 1;
		else if (ch == 'T' && cmd_tolerance(optarg, a->tol, &a->out.ntol,
		    &te) == -1)
			return cmd_usage_error(self, "%s", te.msg);
		else if (ch != 'T' && !cmd_drill_option(self, ch, optarg, a->allow,
		    &a->nallow, &orc))
			return cmd_usage_error(self, NULL);
		else if (ch != 'T' && orc != CMD_OK)
			return orc;
	}
	if (optind == argc)
		return cmd_usage_error(self, "no scenario given");
	if (baseline == NULL && (a->out.fail || a->out.ntol > 0))
		return cmd_usage_error(self, "--fail-on-regression and --tolerance"
		    " go with --baseline DIR");
	/* the baseline read first: a bad one is found before anything runs */
	if (baseline != NULL) {
		if (cmd_game_day(baseline, "run: --baseline", &a->base) == -1)
			return CMD_USAGE;
		a->out.base = &a->base;
	}
	return CMD_OK;
}

static enum cmd_retval
exec_run(const struct cmd_entry *self, int argc, char **argv)
{
	struct run_opts ro = { .self_exe = cmd_self_exe(),
	    .interrupted = &cmd_interrupted, .reverting = cmd_reverting,
	    .reverting_len = sizeof cmd_reverting, .since_wall_ms = wall_ms() };
	struct run_args a;
	size_t n;
	int rc = 0;

	memset(&a, 0, sizeof a);
	if ((rc = run_args(self, argc, argv, &a)) != CMD_OK) {
		cmd_tolerance_free(a.tol, a.out.ntol);
		return (enum cmd_retval)rc;
	}
	n = (size_t)(argc - optind);
	struct scenario **sc = xcalloc(n, sizeof *sc);
	struct plan **pl = xcalloc(n, sizeof *pl);
	struct result **rs = xcalloc(n, sizeof *rs);
	/* first of all: a signal while the drills are checked must not kill
	 * us, nor be lost (a background job of a script ignores SIGINT until
	 * a handler is installed) */
	if (!a.dry)
		cmd_catch_signals(1);
	if (prepare(argv + optind, n, sc, pl, a.allow, a.nallow) == -1) {
		rc = CMD_USAGE;
	} else if (a.dry) {
		for (size_t i = 0; i < n; i++) {
			char *p = plan_text(pl[i], 0);
			cmd_out("%s%s", i ? "\n" : "", p);
			free(p);
		}
	} else if (cmd_leftovers() == -1) {
		rc = cmd_interrupted ? CMD_ABORTED : CMD_FAULT;
	} else {
		rc = run_all(pl, rs, n, &a.out, &ro);
	}
	for (size_t i = 0; i < n; i++) {
		plan_free(pl[i]);
		res_free(rs[i]);
	}
	cmd_free_drills(sc, n);
	free(pl);
	free(rs);
	if (a.out.base != NULL)
		trend_day_free(&a.base);
	cmd_tolerance_free(a.tol, a.out.ntol);
	return (enum cmd_retval)rc;
}

const struct cmd_entry cmd_run = {
	.name = "run",
	.usage = "[-n] [-r DIR] [--prom FILE] [--allow-host HOST]...\n"
	    "       [--vars FILE]... [--var KEY=VALUE]... [--abort-if EXPR]...\n"
	    "       [--baseline DIR [--fail-on-regression] [--tolerance [KEY=]T]...]\n"
	    "       SCENARIO...",
	.summary = "run drills and report whether the service met them",
	.help =
	    "  -n, --dry-run          print what would be done; apply nothing\n"
	    "  -r, --report DIR       write REPORT.md, result.json, junit.xml and\n"
	    "                         timeline.svg (for several drills: DIR/DRILL/\n"
	    "                         and DIR/SUMMARY.md)\n"
	    "      --prom FILE        write verdicts and key times as a Prometheus\n"
	    "                         textfile (node_exporter's textfile collector)\n"
	    "      --allow-host HOST  allow a non-loopback host (repeatable)\n"
	    "      --vars FILE        a service's profile: KEY=VALUE lines (as\n"
	    "                         EnvironmentFile=/--env-file) over the\n"
	    "                         environment (repeatable, later wins)\n"
	    "      --var KEY=VALUE    one variable, over both (repeatable)\n"
	    "      --abort-if EXPR    one more abort condition for every drill,\n"
	    "                         as under abort: ('{ probe: health, status:\n"
	    "                         5xx, for: 10s }') (repeatable)\n"
	    "      --baseline DIR     compare with an earlier run (its -r folder):\n"
	    "                         verdicts flipped, key times worse beyond\n"
	    "                         their tolerance; in REPORT.md, SUMMARY.md,\n"
	    "                         the job summary\n"
	    "      --fail-on-regression  exit 6 when something regressed (and\n"
	    "                         nothing else failed)\n"
	    "      --tolerance [KEY=]T   20% or 500ms (default: the drill's\n"
	    "                         regress:, else 20%)\n"
	    "Exit: 0 all met, 1 an expectation failed, 2 bad scenario or usage,\n"
	    "3 aborted by a signal, 4 a fault could not be applied or reverted\n"
	    "(or one a dead run left is still applied: see 'shakedown recover'),\n"
	    "5 stopped by a guardrail (an abort condition, max_fault_time,\n"
	    "halt_file, or 'shakedown halt'): every fault reverted, ABORTED,\n"
	    "6 regressed against --baseline (with --fail-on-regression),\n"
	    "8 INVALID: a fault was applied but did not land (its own\n"
	    "measurement did not confirm it), so the drill tested nothing.\n"
	    "With GITHUB_STEP_SUMMARY set, the game-day summary is appended to it.\n",
	.whole_name = 1,
	.exec = exec_run,
};
