/*
 * main.c — the command table and the work every command shares: global
 * flags, --help from the entry, unique-prefix lookup, exit codes, and a
 * final check that stdout really was written (git's rule: output to a full
 * disk never "succeeds").
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

#include "../lib/redact.h"
#include "cmd.h"

#ifndef SD_VERSION
#define SD_VERSION "0.0.0"
#endif

struct global_opts g_opts;
volatile sig_atomic_t cmd_stop;

static void
on_stop(int sig)
{
	(void)sig;
	cmd_stop = 1;
}

void
cmd_catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
cmd_allow_host(char *host, char **allow, size_t *n, struct sd_err *e)
{
	if (*n == CMD_MAX_ALLOW)
		return err_set(e, "too many --allow-host");
	allow[(*n)++] = host;
	return 0;
}

static const struct cmd_entry *const cmd_table[] = {
	&cmd_run,
	&cmd_validate,
	&cmd_report,
	&cmd_list,
	&cmd_plan,
	&cmd_probe,
	&cmd_load,
	&cmd_proxy,
	&cmd_status,
	&cmd_recover,
	&cmd_sandbox,
	&cmd_target,
	&cmd_fault,
	&cmd_guardian,
	NULL
};

/* Everything a command prints passes through here: no password a parser
 * found (lib/redact.h) reaches a terminal or a log. */
static void
put(FILE *f, const char *fmt, va_list ap)
{
	char *s, *r;

	if (vasprintf(&s, fmt, ap) < 0)
		return;
	r = redact_text(s);
	fputs(r, f);
	free(r);
	free(s);
}

void
cmd_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("shakedown: ", stderr);
	va_start(ap, fmt);
	put(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cmd_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put(stdout, fmt, ap);
	va_end(ap);
}

void
cmd_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put(stderr, fmt, ap);
	va_end(ap);
}

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
		fputs("shakedown: ", stderr);
		va_start(ap, fmt);
		put(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
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

/* Exact name or alias first, then a unique prefix. */
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
		fprintf(stderr, "shakedown: ambiguous command: %s, could be:", name);
		for (const struct cmd_entry *const *c = cmd_table; *c; c++)
			if (!(*c)->hidden && strncmp((*c)->name, name, len) == 0)
				fprintf(stderr, " %s", (*c)->name);
		fputc('\n', stderr);
		return NULL;
	}
	if (found == NULL)
		fprintf(stderr, "shakedown: unknown command '%s'\n", name);
	return found;
}

static int
finish(int rc)
{
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
			fprintf(stderr, "shakedown: unknown option '%s'\n", a);
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
