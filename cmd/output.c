/*
 * output.c — everything a command prints, through one function: no password
 * a parser found reaches a terminal or a log, and no control character from
 * a drill file, a result.json or a service's answer drives the terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/base/escape.h"
#include "../lib/base/redact.h"
#include "cmd.h"

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

/* Everything a command prints passes through here: no password a parser
 * found (lib/base/redact.h) reaches a terminal or a log, and no control
 * character from a drill file, a result.json or a service's answer drives
 * the terminal (lib/base/escape.h: they are shown as \x1b and the like). */
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
cmd_verror(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("shakedown: ", stderr);
	put(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cmd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_verror(fmt, ap);
	va_end(ap);
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

