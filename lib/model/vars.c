/*
 * vars.c — see vars.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vars.h"
#include "../base/ynode.h"

#define VARS_FILE_MAX (1024 * 1024)

static void
record(struct varset *vs, const char *name, size_t len, const char *from)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strlen(vs->v[i].name) == len &&
		    strncmp(vs->v[i].name, name, len) == 0) {
			free(vs->v[i].from);
			vs->v[i].from = xstrdup(from);
			return;
		}
	vs->v = xgrow(vs->v, &vs->cap, vs->n + 1, sizeof *vs->v);
	vs->v[vs->n].name = xstrndup(name, len);
	vs->v[vs->n].from = xstrdup(from);
	vs->n++;
}

static size_t
name_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

/* One KEY=VALUE: set it, remember where it came from. */
static int
assign(struct varset *vs, const char *key, size_t klen, const char *val,
    size_t vlen, const char *from)
{
	char *k = xstrndup(key, klen), *v = xstrndup(val, vlen);
	int rc = setenv(k, v, 1);

	free(k);
	free(v);
	if (rc == 0)
		record(vs, key, klen, from);
	return rc;
}

/* The folder a profile is in, absolute: what ${PROFILE_DIR} says in it. */
static char *
profile_dir(const char *path)
{
	char *abs = realpath(path, NULL), *slash;

	if (abs == NULL)
		return xstrdup(".");
	if ((slash = strrchr(abs, '/')) != NULL)
		*(slash == abs ? slash + 1 : slash) = '\0';
	return abs;
}

static int lines_of(struct varset *vs, const char *path, char *text,
    size_t len, struct sd_err *e);

int
vars_file(struct varset *vs, const char *path, struct sd_err *e)
{
	size_t len;
	char *text = read_file_max(path, VARS_FILE_MAX, &len, e);
	const char *was = getenv("PROFILE_DIR");
	char *saved = was ? xstrdup(was) : NULL, *dir;
	int rc;

	if (text == NULL) {
		free(saved);
		return -1;
	}
	/* ${PROFILE_DIR} in its values: its own folder, while it is read */
	dir = profile_dir(path);
	setenv("PROFILE_DIR", dir, 1);
	rc = lines_of(vs, path, text, len, e);
	if (saved != NULL)
		setenv("PROFILE_DIR", saved, 1);
	else
		unsetenv("PROFILE_DIR");
	free(saved);
	free(dir);
	free(text);
	return rc;
}

static int
lines_of(struct varset *vs, const char *path, char *text, size_t len,
    struct sd_err *e)
{
	char *line;
	int lineno = 0, rc = 0;

	if (memchr(text, '\0', len) != NULL) {
		free(text);
		return err_set(e, "%s: a NUL byte: not a KEY=VALUE file", path);
	}
	for (char *p = text; rc == 0 && p != NULL && *p != '\0'; ) {
		char *nl = strchr(p, '\n'), from[512];
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		line = p;
		p = nl ? nl + 1 : NULL;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		size_t ws = strspn(line, " \t");
		if (ws >= n || line[ws] == '#')
			continue;	/* blank, or a comment */
		size_t k = name_len(line + ws);
		if (k == 0 || ws + k >= n || line[ws + k] != '=') {
			rc = err_set(e, "%s:%d:%zu: expected KEY=VALUE (KEY of letters,"
			    " digits and _, not starting with a digit)", path, lineno,
			    ws + k + 1);
			break;
		}
		const char *val = line + ws + k + 1;
		size_t vlen = n - ws - k - 1;
		int single = 0;
		/* "..." or '...' around the whole value: the quotes go, as
		 * systemd's EnvironmentFile= takes them */
		if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') &&
		    val[vlen - 1] == val[0]) {
			single = val[0] == '\'';
			val++;
			vlen -= 2;
		}
		snprintf(from, sizeof from, "%s:%d", path, lineno);
		/* ${VAR}, ${VAR:-x}, ${VAR-x} of the environment and the lines
		 * above, and ${PROFILE_DIR}; '...' is taken as it is, as a
		 * shell would, and $$ is a $ */
		char *raw = xstrndup(val, vlen), *exp = raw, *vars = NULL;
		struct sd_err xe;
		if (!single && strchr(raw, '$') != NULL &&
		    (exp = yexpand(raw, &vars, &xe)) == NULL) {
			rc = err_set(e, "%s:%d:%zu: %s", path, lineno, ws + k + 2,
			    xe.msg);
			free(raw);
			break;
		}
		if (assign(vs, line + ws, k, exp, strlen(exp), from) == -1)
			rc = err_set(e, "%s:%d:1: cannot set %.*s", path, lineno,
			    (int)k, line + ws);
		if (exp != raw)
			free(exp);
		free(raw);
		free(vars);
	}
	return rc;
}

int
vars_arg(struct varset *vs, const char *kv, struct sd_err *e)
{
	size_t k = name_len(kv);

	if (k == 0 || kv[k] != '=')
		return err_set(e, "--var '%s': expected KEY=VALUE", kv);
	if (assign(vs, kv, k, kv + k + 1, strlen(kv + k + 1), "--var") == -1)
		return err_set(e, "--var '%s': cannot set it", kv);
	return 0;
}

const char *
vars_from(const struct varset *vs, const char *name)
{
	for (size_t i = 0; vs != NULL && i < vs->n; i++)
		if (strcmp(vs->v[i].name, name) == 0)
			return vs->v[i].from;
	return getenv(name) != NULL ? "environment" : NULL;
}

void
vars_free(struct varset *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].from);
	}
	free(vs->v);
	memset(vs, 0, sizeof *vs);
}

/* From *pp (just past "${") to the reference's closing brace. */
static int
refs_in(const char *s, const char **pp, int depth,
    void (*each)(void *, const struct var_ref *), void *arg)
{
	const char *p = *pp;
	struct var_ref r = { 0 };
	size_t n = name_len(p);

	if (n == 0 || depth > 8)
		return -1;
	r.name = p;
	r.name_len = n;
	p += n;
	if (*p == '}') {
		*pp = p + 1;
		each(arg, &r);
		return 0;
	}
	if (p[0] == ':' && p[1] == '-')
		r.colon = 1, p += 2;
	else if (p[0] == '-')
		p += 1;
	else
		return -1;
	r.has_default = 1;
	r.def = p;
	/* the default runs to the matching brace; refs inside it count */
	for (int braces = 0; *p != '\0'; ) {
		if (p[0] == '$' && p[1] == '{') {
			p += 2;
			if (refs_in(s, &p, depth + 1, each, arg) == -1)
				return -1;
			continue;
		}
		if (*p == '{')
			braces++;
		if (*p == '}' && braces-- == 0)
			break;
		p++;
	}
	if (*p != '}')
		return -1;
	r.def_len = (size_t)(p - r.def);
	*pp = p + 1;
	each(arg, &r);
	return 0;
}

void
vars_refs(const char *s, void (*each)(void *, const struct var_ref *),
    void *arg)
{
	for (const char *p = s; p != NULL && *p != '\0'; ) {
		if (p[0] == '$' && p[1] == '$') {
			p += 2;
			continue;
		}
		if (p[0] == '$' && p[1] == '{') {
			p += 2;
			if (refs_in(s, &p, 0, each, arg) == -1)
				return;	/* the parser says what is wrong */
			continue;
		}
		p++;
	}
}
