/*
 * escape.c — see escape.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

void
esc_xml(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sb_add(sb, "&lt;"); break;
		case '>': sb_add(sb, "&gt;"); break;
		case '&': sb_add(sb, "&amp;"); break;
		case '"': sb_add(sb, "&quot;"); break;
		case '\'': sb_add(sb, "&apos;"); break;
		default:
			/* XML 1.0 forbids most control characters */
			if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') ||
			    *s == 0x7f)
				sb_add(sb, " ");
			else
				sb_addn(sb, s, 1);
		}
	}
}

static int
alnum(char c)
{
	return isalnum((unsigned char)c) || ((unsigned char)c & 0x80);
}

/*
 * Escaped only where the character could mean something: '<' before what
 * could open a tag or an autolink, '&' before what could make an entity,
 * '_' where it could open or close emphasis (never inside a word, as in
 * metric names). Ordinary text ("errors < 1%", "db_up") stays as it was.
 */
void
esc_md(struct sbuf *sb, const char *s)
{
	for (const char *p = s; p && *p; p++) {
		char c = *p, next = p[1];
		switch (c) {
		case '\n': case '\r': case '\t':
			sb_add(sb, " ");
			break;
		case '|':
			sb_add(sb, "\\|");
			break;
		case '\\': case '`': case '*': case '[': case ']': case '~':
			sb_addf(sb, "\\%c", c);
			break;
		case '<':
			sb_add(sb, isalpha((unsigned char)next) || next == '/' ||
			    next == '!' || next == '?' ? "&lt;" : "<");
			break;
		case '&':
			sb_add(sb, isalnum((unsigned char)next) || next == '#' ?
			    "&amp;" : "&");
			break;
		case '!':
			sb_add(sb, next == '[' ? "\\!" : "!");
			break;
		case '_':
			sb_add(sb, p > s && alnum(p[-1]) && alnum(next) ? "_" : "\\_");
			break;
		case '#':
			sb_add(sb, p == s ? "\\#" : "#");
			break;
		default:
			if ((unsigned char)c < 0x20 || c == 0x7f)
				sb_add(sb, " ");
			else
				sb_addn(sb, p, 1);
		}
	}
}

static size_t
longest_ticks(const char *s)
{
	size_t best = 0, run = 0;

	for (; s && *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

void
esc_md_code(struct sbuf *sb, const char *s)
{
	size_t n = longest_ticks(s) + 1;
	int pad = s != NULL && (*s == '`' || (*s && s[strlen(s) - 1] == '`'));

	for (size_t i = 0; i < n; i++)
		sb_add(sb, "`");
	if (pad)
		sb_add(sb, " ");
	for (const char *p = s; p && *p; p++) {
		if (*p == '|')
			sb_add(sb, "\\|");
		else if (*p == '\n' || *p == '\r' || (unsigned char)*p < 0x20 ||
		    *p == 0x7f)
			sb_add(sb, " ");
		else
			sb_addn(sb, p, 1);
	}
	if (pad)
		sb_add(sb, " ");
	for (size_t i = 0; i < n; i++)
		sb_add(sb, "`");
}

const char *
esc_md_fence(const char *const *lines, size_t n, char *buf, size_t len)
{
	size_t want = 3;

	for (size_t i = 0; i < n; i++) {
		size_t t = longest_ticks(lines[i]) + 1;
		if (t > want)
			want = t;
	}
	if (want >= len)
		want = len - 1;
	memset(buf, '`', want);
	buf[want] = '\0';
	return buf;
}

/* The length of the UTF-8 character at p (1..4), 0 when it is not one. */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	/* overlong and surrogate forms are not UTF-8 either */
	if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) ||
	    (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))
		return 0;
	return n;
}

void
esc_term(struct sbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, plain = 0;

	while (i < len) {
		size_t n = utf8_len(p + i, len - i);
		int bad = n == 0 || (n == 1 && ((p[i] < 0x20 && p[i] != '\t' &&
		    p[i] != '\n') || p[i] == 0x7f)) || (n == 2 && p[i] == 0xC2 &&
		    p[i + 1] < 0xA0);
		if (!bad) {
			i += n;
			continue;
		}
		sb_addn(sb, s + plain, i - plain);
		if (n == 2)
			sb_addf(sb, "\\u%04x", p[i + 1]);
		else
			sb_addf(sb, "\\x%02x", p[i]);
		i += n ? n : 1;
		plain = i;
	}
	sb_addn(sb, s + plain, len - plain);
}
