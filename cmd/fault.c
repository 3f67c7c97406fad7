/*
 * fault.c — `shakedown fault VERB key=value... [--for DURATION]`: one fault
 * by hand from a terminal. The arguments become a one-step drill
 * (lib/model/adhoc.h) run by the same runner as `run`: journaled before it is
 * applied, a guardian watching, held until the duration ends or Ctrl-C,
 * then reverted. `--list` prints every kind, its verbs and its keys.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/dispatch/dispatch.h"
#include "../lib/model/adhoc.h"
#include "../lib/model/plan.h"
#include "../lib/check/preflight.h"
#include "../lib/run/runner.h"
#include "../lib/base/units.h"
#include "cmd.h"

static void
list(void)
{
	for (const struct fault_kind *const *k = fault_kinds; *k; k++) {
		cmd_out("%s — %s\n", (*k)->name, (*k)->summary);
		for (const struct fault_verb *v = (*k)->verbs; v->name; v++)
			cmd_out("  %-20s %s%s\n", v->name, v->summary,
			    v->lasting ? "" : " (one-shot)");
		if ((*k)->keys != NULL) {
			cmd_out("  keys:");
			for (const char *const *key = (*k)->keys; *key; key++)
				cmd_out(" %s", *key);
			cmd_out("\n");
		}
	}
	cmd_out("a service's keys:");
	for (const char *const *key = svc_keys; *key; key++)
		cmd_out(" %s", *key);
	cmd_out("\n");
}

struct hold {
	const struct plan *p;
	int64_t for_ms;
};

static void
on_step(void *arg, size_t step, size_t nsteps, const char *what)
{
	const struct hold *h = arg;
	char b[32];

	(void)nsteps;
	if (g_opts.quiet || step == 0)
		return;
	if (strcmp(what, "reverting") == 0)
		cmd_err("reverting it\n");
	else if (strncmp(what, "wait ", 5) == 0 && h->for_ms)
		cmd_err("holding it for %s (Ctrl-C reverts it now)\n",
		    units_fmt_ms(h->for_ms, b, sizeof b));
	else if (strncmp(what, "wait ", 5) == 0)
		cmd_err("holding it until Ctrl-C\n");
	else if (step == 1)
		cmd_err("applying: %s\n", what);
}

/* What became of the fault; 0 when it was applied and is undone. */
static int
outcome(const struct result *r)
{
	int rc = CMD_OK;

	for (size_t i = 0; i < r->nfaults; i++) {
		const struct res_fault *f = &r->faults[i];
		if (f->error != NULL) {
			cmd_error("fault: %s", f->error);
			rc = CMD_FAULT;
		} else if (f->applied && f->reverted && !g_opts.quiet) {
			cmd_out("reverted: %s%s%s%s\n", f->revert, f->note ? " (" :
			    "", f->note ? f->note : "", f->note ? ")" : "");
		} else if (f->applied && !g_opts.quiet) {
			cmd_out("applied: %s%s%s%s\n", f->what, f->note ? " (" : "",
			    f->note ? f->note : "", f->note ? ")" : "");
		}
		/* did it land: what it measured of its own effect */
		if (f->applied && f->proof != NULL && !g_opts.quiet)
			cmd_out("landed? %s: %s\n", f->proof, f->proof_figure ?
			    f->proof_figure : "");
	}
	if (rc == CMD_OK && r->verdict == V_ERROR) {
		cmd_error("fault: %s", r->reason ? r->reason : "error");
		rc = CMD_FAULT;
	} else if (rc == CMD_OK && r->verdict == V_INVALID) {
		cmd_error("fault: %s", r->reason ? r->reason : "did not land");
		rc = CMD_INVALID;
	}
	return rc;
}

static enum cmd_retval
go(const struct cmd_entry *self, struct scenario *s, int64_t for_ms,
    int dry, char **allow, size_t nallow)
{
	struct run_opts ro = { .self_exe = cmd_self_exe(),
	    .interrupted = &cmd_interrupted, .reverting = cmd_reverting,
	    .reverting_len = sizeof cmd_reverting };
	struct sd_err e;
	struct plan *p;
	int rc;

	(void)self;
	/* -n checks what the fault would: it refuses what the run would */
	if (preflight_check(s, allow, nallow, PRE_LIVE, &e) == -1) {
		cmd_error("%s", e.msg);
		return CMD_USAGE;
	}
	p = plan_build(s);
	if (dry) {
		char *t = plan_text(p, 0);
		cmd_out("%s", t);
		free(t);
		plan_free(p);
		return CMD_OK;
	}
	if (cmd_leftovers() == -1) {
		plan_free(p);
		return cmd_interrupted ? CMD_ABORTED : CMD_FAULT;
	}
	struct hold h = { p, for_ms };
	ro.progress = on_step;
	ro.progress_arg = &h;
	struct result *r = run_drill(p, &ro);
	rc = outcome(r);
	if (rc == CMD_OK && r->abort.set) {
		/* halted (shakedown halt, a halt file, max_fault_time): not the
		 * hold it was asked for — `fault ... && next` must not go on */
		cmd_error("fault: stopped by %s before its time: reverted",
		    r->abort.by ? r->abort.by : "a guardrail");
		rc = CMD_GUARDRAIL;
	} else if (rc == CMD_OK && r->verdict == V_ABORTED && (r->nfaults ==
	    0 || !r->faults[0].applied))
		rc = CMD_ABORTED;	/* stopped before it was applied */
	res_free(r);
	plan_free(p);
	return (enum cmd_retval)rc;
}

static int
position(char *const *orig, int argc, const char *arg)
{
	for (int i = 0; i < argc; i++)
		if (orig[i] == arg)
			return i;
	return 0;
}

static enum cmd_retval
parse_and_go(const struct cmd_entry *self, int argc, char **argv,
    char *const *orig)
{
	static const struct option longopts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "list", no_argument, NULL, 'l' },
		{ "allow-host", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	char *allow[CMD_MAX_ALLOW];
	size_t nallow = 0;
	int64_t for_ms = 0;
	int ch, dry = 0;
	struct sd_err e;

	while ((ch = getopt_long(argc, argv, "f:nl", longopts, NULL)) != -1) {
		if (ch == 'f') {
			if (units_duration_ms(optarg, &for_ms, &e) == -1 ||
			    for_ms < 1 || for_ms > ADHOC_HOLD_MS)
				return cmd_usage_error(self, "--for: a duration from"
				    " 1ms to 23h, not '%s'", optarg);
		} else if (ch == 'n') {
			dry = 1;
		} else if (ch == 'l') {
			list();
			return CMD_OK;
		} else if (ch == 'A') {
			if (cmd_allow_host(optarg, allow, &nallow, &e) == -1)
				return cmd_usage_error(self, "%s", e.msg);
		} else {
			return cmd_usage_error(self, NULL);
		}
	}
	if (optind == argc)
		return cmd_usage_error(self, "no fault given (see --list)");
	int first = optind + 1, n = argc - first;
	int *pos = xcalloc((size_t)n + 1, sizeof *pos);
	for (int i = 0; i < n; i++)
		pos[i] = position(orig, argc, argv[first + i]);
	struct scenario *s = adhoc_scenario(argv[optind], position(orig, argc,
	    argv[optind]), argv + first, pos, n, for_ms, &e);
	free(pos);
	if (s == NULL) {
		cmd_error("%s", e.msg);
		return CMD_USAGE;
	}
	enum cmd_retval rc = go(self, s, for_ms, dry, allow, nallow);
	scen_free(s);
	return rc;
}

static enum cmd_retval
exec_fault(const struct cmd_entry *self, int argc, char **argv)
{
	/* first of all, as run does: a signal must revert, never kill */
	cmd_catch_signals(1);
	/* getopt moves options found after the keys to the front: remember
	 * where each argument was, for the errors that point at one */
	char **orig = xcalloc((size_t)argc + 1, sizeof *orig);
	memcpy(orig, argv, (size_t)argc * sizeof *argv);
	enum cmd_retval rc = parse_and_go(self, argc, argv, orig);
	free(orig);
	return rc;
}

const struct cmd_entry cmd_fault = {
	.name = "fault",
	.usage = "[-n] [--for DURATION] [--allow-host HOST]... VERB"
	    " [KEY=VALUE]...\n       shakedown fault --list",
	.summary = "apply one fault by hand, hold it, revert it",
	.help =
	    "  -f, --for DURATION     hold it this long (default: until Ctrl-C)\n"
	    "  -n, --dry-run          print what would be done; apply nothing\n"
	    "  -l, --list             list the kinds, their verbs and keys\n"
	    "      --allow-host HOST  allow a non-loopback host (repeatable)\n"
	    "KEY=VALUE: the scenario's keys for that fault, each value read as\n"
	    "YAML; a service's keys (kind=, url=, pidfile= ...) define the\n"
	    "service it acts on. Journaled and guarded as a run: kill -9 of\n"
	    "this command still reverts it.\n"
	    "Exit: 0 applied and reverted (Ctrl-C is a normal end), 2 bad\n"
	    "usage, 3 aborted before it was applied, 4 it could not be applied\n"
	    "or reverted, 5 a halt stopped it before its --for, 8 it did not\n"
	    "land (its own measurement did not confirm it: see 'landed?').\n",
	.whole_name = 1,
	.exec = exec_fault,
};
