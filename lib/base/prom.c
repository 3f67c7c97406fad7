/*
 * prom.c — see prom.h. The exposition is read a line at a time: comments
 * and blank lines skipped, a sample line is NAME, optional {labels}, a
 * value (a float, +Inf, -Inf, NaN) and an optional timestamp. Label values
 * unescape \\, \" and \n.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

static int
name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':';
}

static int
name_char(int c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* A metric or label name at *p; advances. NULL when there is none. */
static char *
read_name(const char **p, int label)
{
	const char *s = *p;

	if (!name_start((unsigned char)*s) || (label && *s == ':'))
		return NULL;
	while (name_char((unsigned char)*s) && !(label && *s == ':'))
		s++;
	char *n = strndup(*p, (size_t)(s - *p));
	*p = s;
	return n;
}

static void
skip_sp(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* {l="v",...} at *p (which points at '{'); -1 on a malformed set. */
static int
read_labels(const char **p, struct prom_label **out, size_t *n)
{
	const char *s = *p + 1;
	size_t cap = 0;

	for (;;) {
		struct sbuf v;
		char *name;

		skip_sp(&s);
		if (*s == '}') {
			*p = s + 1;
			return 0;
		}
		if ((name = read_name(&s, 1)) == NULL)
			return -1;
		skip_sp(&s);
		if (*s++ != '=') {
			free(name);
			return -1;
		}
		skip_sp(&s);
		if (*s++ != '"') {
			free(name);
			return -1;
		}
		sb_init(&v);
		sb_add(&v, "");
		while (*s != '"') {
			if (*s == '\0' || *s == '\n') {
				free(name);
				sb_free(&v);
				return -1;
			}
			if (*s == '\\' && (s[1] == '\\' || s[1] == '"' || s[1] == 'n')) {
				sb_addn(&v, s[1] == 'n' ? "\n" : s + 1, 1);
				s += 2;
			} else {
				sb_addn(&v, s++, 1);
			}
		}
		s++;
		*out = xgrow(*out, &cap, *n + 1, sizeof **out);
		(*out)[(*n)++] = (struct prom_label){ name, sb_detach(&v) };
		skip_sp(&s);
		if (*s == ',')
			s++;
		else if (*s != '}')
			return -1;
	}
}

static void
free_labels(struct prom_label *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].name);
		free(l[i].value);
	}
	free(l);
}

int
prom_sel_parse(const char *text, struct prom_sel *sel, struct sd_err *e)
{
	const char *p = text;

	memset(sel, 0, sizeof *sel);
	skip_sp(&p);
	if ((sel->name = read_name(&p, 0)) == NULL)
		return err_set(e, "'%s': expected a metric name, then labels in"
		    " braces if any (http_requests_total{status=\"503\"})", text);
	skip_sp(&p);
	if (*p == '{' && read_labels(&p, &sel->labels, &sel->nlabels) == -1) {
		prom_sel_free(sel);
		return err_set(e, "'%s': labels are name=\"value\" pairs, comma"
		    " separated, in braces", text);
	}
	skip_sp(&p);
	if (*p != '\0') {
		prom_sel_free(sel);
		return err_set(e, "'%s': unexpected text after the selector", text);
	}
	return 0;
}

void
prom_sel_free(struct prom_sel *sel)
{
	free(sel->name);
	free_labels(sel->labels, sel->nlabels);
	memset(sel, 0, sizeof *sel);
}

char *
prom_sel_text(const struct prom_sel *sel)
{
	struct sbuf sb;

	sb_init(&sb);
	sb_add(&sb, sel->name);
	for (size_t i = 0; i < sel->nlabels; i++)
		sb_addf(&sb, "%s%s=\"%s\"", i ? "," : "{", sel->labels[i].name,
		    sel->labels[i].value);
	if (sel->nlabels)
		sb_add(&sb, "}");
	return sb_detach(&sb);
}

static int
has_labels(const struct prom_sel *sel, const struct prom_label *l, size_t n)
{
	for (size_t i = 0; i < sel->nlabels; i++) {
		size_t k = 0;
		while (k < n && strcmp(l[k].name, sel->labels[i].name) != 0)
			k++;
		if (k == n ? sel->labels[i].value[0] != '\0' :
		    strcmp(l[k].value, sel->labels[i].value) != 0)
			return 0;
	}
	return 1;
}

/* The value after the labels; 0 with *v, -1 when it is not a number. */
static int
read_value(const char *p, double *v)
{
	char *end;

	skip_sp(&p);
	if (strncmp(p, "+Inf", 4) == 0 || strncmp(p, "Inf", 3) == 0)
		*v = INFINITY;
	else if (strncmp(p, "-Inf", 4) == 0)
		*v = -INFINITY;
	else if (strncmp(p, "NaN", 3) == 0)
		*v = NAN;
	else if ((*v = strtod(p, &end)), end == p ||
	    !(*end == '\0' || *end == ' ' || *end == '\t' || *end == '\n' ||
	    *end == '\r'))
		return -1;
	return 0;
}

size_t
prom_value(const char *body, const struct prom_sel *sel, double *v)
{
	size_t found = 0;
	double sum = 0;

	for (const char *line = body; line != NULL && *line != '\0'; ) {
		const char *nl = strchr(line, '\n'), *p = line;
		char *l = nl ? strndup(line, (size_t)(nl - line)) : strdup(line);
		struct prom_label *labels = NULL;
		size_t nlabels = 0;
		char *name;
		double x;

		line = nl ? nl + 1 : NULL;
		p = l;
		skip_sp(&p);
		if (*p == '#' || (name = read_name(&p, 0)) == NULL) {
			free(l);
			continue;
		}
		if (strcmp(name, sel->name) == 0 &&
		    (*p != '{' || read_labels(&p, &labels, &nlabels) == 0) &&
		    has_labels(sel, labels, nlabels) && read_value(p, &x) == 0) {
			sum += x;
			found++;
		}
		free_labels(labels, nlabels);
		free(name);
		free(l);
	}
	if (found)
		*v = sum;
	return found;
}
