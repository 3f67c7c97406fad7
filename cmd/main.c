/*
 * main.c — the command table and what happens around every command: global
 * flags, --help from the entry, unique-prefix lookup, exit codes, and a
 * final check that stdout really was written (git's rule: output to a full
 * disk never "succeeds"). The options drills share are in options.c, the
 * signals in signals.c, printing in output.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#ifndef SD_VERSION
#define SD_VERSION "0.0.0"
#endif

struct global_opts g_opts;

static const struct cmd_entry *const cmd_table[] = {
	&cmd_run,
	&cmd_validate,
	&cmd_vars_cmd,
	&cmd_report,
	&cmd_list,
	&cmd_plan,
	&cmd_probe,
	&cmd_load,
	&cmd_proxy,
	&cmd_status,
	&cmd_recover,
	&cmd_halt,
	&cmd_sandbox,
	&cmd_target,
	&cmd_fault,
	&cmd_guardian,
	NULL
};

void
cmd_print_help(const struct cmd_entry *c, FILE *f)
{
	fprintf(f, "usage: shakedown %s %s\n\n%s\n", c->name, c->usage,
	    c->summary);
	if (c->help != NULL)
		fprintf(f, "\n%s", c->help);
}

enum cmd_retval
cmd_usage_error(const struct cmd_entry *c, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		cmd_verror(fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "usage: shakedown %s %s\nTry 'shakedown help %s'.\n",
	    c->name, c->usage, c->name);
	return CMD_USAGE;
}

const char *
cmd_self_exe(void)
{
	static char buf[PATH_MAX];
	ssize_t n;

	if (buf[0] == '\0') {
		n = readlink("/proc/self/exe", buf, sizeof buf - 1);
		if (n <= 0)
			snprintf(buf, sizeof buf, "shakedown");
		else
			buf[n] = '\0';
	}
	return buf;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: shakedown [-qv] [--version] [--help] COMMAND [ARGS]\n\n"
	    "Commands:\n");
	for (const struct cmd_entry *const *c = cmd_table; *c; c++)
		if (!(*c)->hidden)
			fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\nRun 'shakedown help COMMAND' for a command's options.\n");
}

/* Exact name or alias first, then a unique prefix — of the commands that
 * change nothing: one that applies or reverts faults, or stops services,
 * needs its whole name (tmux's rule), so "shakedown f" never applies one. */
static const struct cmd_entry *
lookup(const char *name)
{
	const struct cmd_entry *found = NULL;
	size_t len = strlen(name);
	int ambiguous = 0;

	for (const struct cmd_entry *const *c = cmd_table; *c; c++) {
		if (strcmp((*c)->name, name) == 0 ||
		    ((*c)->alias && strcmp((*c)->alias, name) == 0))
			return *c;
	}
	for (const struct cmd_entry *const *c = cmd_table; *c; c++) {
		if (!(*c)->hidden && strncmp((*c)->name, name, len) == 0) {
			if (found != NULL)
				ambiguous = 1;
			found = *c;
		}
	}
	if (ambiguous) {
		struct sbuf sb;
		sb_init(&sb);
		for (const struct cmd_entry *const *c = cmd_table; *c; c++)
			if (!(*c)->hidden && strncmp((*c)->name, name, len) == 0)
				sb_addf(&sb, " %s", (*c)->name);
		cmd_error("ambiguous command: %s, could be:%s", name, sb.buf);
		sb_free(&sb);
		return NULL;
	}
	if (found != NULL && found->whole_name) {
		cmd_error("'%s' is short for '%s', which changes things: give its"
		    " whole name", name, found->name);
		return NULL;
	}
	if (found == NULL)
		cmd_error("unknown command '%s'", name);
	return found;
}

static int
finish(int rc)
{
	vars_free(&cmd_vars);
	/* stdout must really have been written, or we did not succeed */
	if (ferror(stdout) || fflush(stdout) == EOF || fclose(stdout) == EOF) {
		fprintf(stderr, "shakedown: write failure on standard output: %s\n",
		    strerror(errno));
		return rc == 0 ? 1 : rc;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *c;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			g_opts.quiet = 1;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			g_opts.verbose++;
		else if (strcmp(a, "-qv") == 0 || strcmp(a, "-vq") == 0)
			g_opts.quiet = g_opts.verbose = 1;
		else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("shakedown %s\n", SD_VERSION);
			return finish(0);
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return finish(0);
		} else {
			cmd_error("unknown option '%s'", a);
			usage(stderr);
			return 2;
		}
	}
	g_opts.color = getenv("NO_COLOR") == NULL && isatty(STDOUT_FILENO);
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 == argc) {
			usage(stdout);
			return finish(0);
		}
		if ((c = lookup(argv[i + 1])) == NULL)
			return 2;
		cmd_print_help(c, stdout);
		return finish(0);
	}
	if ((c = lookup(argv[i])) == NULL) {
		usage(stderr);
		return 2;
	}
	for (int j = i + 1; j < argc && strcmp(argv[j], "--") != 0; j++) {
		if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0) {
			cmd_print_help(c, stdout);
			return finish(0);
		}
	}
	/* getopt starts again for the command's own argv */
	optind = 0;
	return finish((int)c->exec(c, argc - i, argv + i));
}
