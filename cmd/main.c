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

#include "../lib/escape.h"
#include "../lib/redact.h"
#include "../lib/scenario.h"
#include "../lib/tls.h"
#include "cmd.h"

#ifndef SD_VERSION
#define SD_VERSION "0.0.0"
#endif

struct global_opts g_opts;
volatile sig_atomic_t cmd_interrupted;
char cmd_reverting[CMD_REVERTING_LEN];
struct varset cmd_vars;
static volatile sig_atomic_t drill_signals;

int
cmd_var_option(int ch, const char *arg)
{
	struct sd_err e;

	if ((ch == CMD_OPT_VARS ? vars_file(&cmd_vars, arg, &e) :
	    vars_arg(&cmd_vars, arg, &e)) == -1) {
		cmd_error("%s", e.msg);
		return -1;
	}
	return 0;
}

int
cmd_tls_option(int ch, const char *arg, struct tls_opts *o, struct sd_err *e)
{
	char **slot = ch == CMD_OPT_CACERT ? &o->ca : ch == CMD_OPT_CERT ?
	    &o->cert : ch == CMD_OPT_KEY ? &o->key : NULL;

	if (ch == CMD_OPT_INSECURE) {
		o->insecure = 1;
		return 1;
	}
	if (slot == NULL)
		return 0;
	if (*arg == '\0')
		return err_set(e, "--%s: a file's path, not empty", ch ==
		    CMD_OPT_CACERT ? "cacert" : ch == CMD_OPT_CERT ? "cert" : "key");
	free(*slot);
	*slot = xstrdup(arg);
	return 1;
}

int
cmd_tls_done(struct tls_opts *o, struct sd_err *e)
{
	const char *pw = getenv("SHAKEDOWN_TLS_KEY_PASSWORD");

	if ((o->cert != NULL) != (o->key != NULL))
		return err_set(e, "a client certificate needs --cert and --key");
	if (o->insecure && o->ca != NULL)
		return err_set(e, "--insecure verifies nothing: --cacert with it"
		    " would be ignored");
	if (pw != NULL && *pw != '\0' && o->key != NULL) {
		o->key_password = xstrdup(pw);
		redact_learn_secret(pw);
	}
	/* read and checked now, before anything is sent: never a prompt,
	 * never a FIFO waited on */
	if (tls_load(o, e) == -1) {
		const char *opt = strncmp(e->msg, "ca:", 3) == 0 ? "--cacert" :
		    strncmp(e->msg, "cert:", 5) == 0 ? "--cert" : "--key";
		char *m = xstrdup(strchr(e->msg, ':') + 1);
		err_set(e, "%s:%s", opt, m);
		free(m);
		return -1;
	}
	return 0;
}

void
cmd_append(const char *path, const char *text)
{
	struct sd_err e;
	int fd = open_append(path, 0644, &e);
	size_t len = strlen(text), off = 0;

	if (fd == -1) {
		cmd_error("%s", e.msg);
		return;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			cmd_error("%s: %s", path, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	close(fd);
}

static char *abort_ifs[CMD_MAX_ABORT_IF];
static size_t nabort_ifs;

int
cmd_add_abort_ifs(struct scenario **sc, char *const *files, size_t n)
{
	struct sd_err e;
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < nabort_ifs && sc[i] != NULL; k++) {
			char *origin = n > 1 ? xasprintf("--abort-if (for %s)",
			    files[i]) : xstrdup("--abort-if");
			if (scen_add_abort(sc[i], origin, abort_ifs[k], &e) == -1) {
				cmd_error("%s", e.msg);
				scen_free(sc[i]);	/* not this drill */
				sc[i] = NULL;
				bad++;
			}
			free(origin);
		}
	return bad;
}

int
cmd_drill_option(const struct cmd_entry *self, int ch, char *arg,
    char **allow, size_t *nallow, enum cmd_retval *rc)
{
	struct sd_err e;

	*rc = CMD_OK;
	if (ch == CMD_OPT_ABORT_IF) {
		if (nabort_ifs == CMD_MAX_ABORT_IF)
			*rc = cmd_usage_error(self, "at most %d --abort-if",
			    CMD_MAX_ABORT_IF);
		else
			abort_ifs[nabort_ifs++] = arg;
		return 1;
	}
	if (ch == CMD_OPT_VARS || ch == CMD_OPT_VAR) {
		if (cmd_var_option(ch, arg) == -1)
			*rc = CMD_USAGE;
		return 1;
	}
	if (ch != 'A')
		return 0;
	if (cmd_allow_host(arg, allow, nallow, &e) == -1)
		*rc = cmd_usage_error(self, "%s", e.msg);
	return 1;
}

/* The one signal handler: it only sets the flag (and, while a drill
 * reverts, says so with write(2)); whoever runs notices and stops. */
static void
on_signal(int sig)
{
	static const char msg[] = "\nshakedown: interrupted: reverting every"
	    " fault, please wait\n";
	static const char again[] = "\nshakedown: still reverting faults;"
	    " they will all be undone before exit\n";
	ssize_t n;

	(void)sig;
	if (drill_signals) {
		/* a second Ctrl-C never skips a revert: it only says what is
		 * left */
		n = write(STDERR_FILENO, cmd_interrupted ? again : msg,
		    cmd_interrupted ? sizeof again - 1 : sizeof msg - 1);
		if (cmd_interrupted && cmd_reverting[0] != '\0')
			n = write(STDERR_FILENO, cmd_reverting, strnlen(cmd_reverting,
			    sizeof cmd_reverting));
		(void)n;
	}
	cmd_interrupted = 1;
}

void
cmd_catch_signals(int drill)
{
	struct sigaction sa;

	drill_signals = drill;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
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

/* Everything a command prints passes through here: no password a parser
 * found (lib/redact.h) reaches a terminal or a log, and no control
 * character from a drill file, a result.json or a service's answer drives
 * the terminal (lib/escape.h: they are shown as \x1b and the like). */
static void
put(FILE *f, const char *fmt, va_list ap)
{
	struct sbuf sb;
	char *s, *r;

	if (vasprintf(&s, fmt, ap) < 0)
		return;
	r = redact_text(s);
	sb_init(&sb);
	esc_term(&sb, r, strlen(r));
	fputs(sb.buf, f);
	sb_free(&sb);
	free(r);
	free(s);
}

void
cmd_term_ctl(const char *seq)
{
	fputs(seq, stderr);
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
cmd_error_cb(void *arg, const char *msg)
{
	(void)arg;
	cmd_error("%s", msg);
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
