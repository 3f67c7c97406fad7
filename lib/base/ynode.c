/*
 * ynode.c — see ynode.h. libyaml's marks are 0-based; ours are 1-based, as
 * editors count. libyaml reports bad bytes at 1:1 (its reader checks the
 * whole buffer before it counts lines), so the text is checked here first.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "units.h"
#include "ynode.h"

const char *
ynode_type_name(enum ynode_type t)
{
	return t == Y_SCALAR ? "a scalar" : t == Y_MAP ? "a mapping" :
	    "a list";
}

static struct ynode *
node_new(enum ynode_type t, const yaml_mark_t *m)
{
	struct ynode *n = xcalloc(1, sizeof *n);

	n->type = t;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

void
ynode_free(struct ynode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			ynode_free(n->keys[i]);
		ynode_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->hidx);
	free(n->value);
	free(n->vars);
	free(n->raw);
	free(n);
}

struct ynode *
ynode_new(enum ynode_type t, int line, int col, const char *value)
{
	struct ynode *n = xcalloc(1, sizeof *n);

	n->type = t;
	n->line = line;
	n->col = col;
	if (t == Y_SCALAR) {
		n->value = xstrdup(value ? value : "");
		n->plain = 1;
	}
	return n;
}

void
ynode_move(struct ynode *n, int line, int dcol)
{
	n->line = line;
	n->col += dcol;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			ynode_move(n->keys[i], line, dcol);
		ynode_move(n->items[i], line, dcol);
	}
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of key in map's index: where it is, or the empty one to use. */
static size_t
hslot(const struct ynode *map, const char *key)
{
	size_t mask = map->hcap - 1, i = hash_str(key) & mask;

	while (map->hidx[i] != 0 &&
	    strcmp(map->keys[map->hidx[i] - 1]->value, key) != 0)
		i = (i + 1) & mask;
	return i;
}

static void
hindex(struct ynode *map, size_t i)
{
	/* keep the load under a half: probes stay short */
	if ((map->n + 1) * 2 > map->hcap) {
		size_t cap = map->hcap ? map->hcap * 2 : 16;
		free(map->hidx);
		map->hidx = xcalloc(cap, sizeof *map->hidx);
		map->hcap = cap;
		for (size_t k = 0; k < map->n; k++)
			if (k != i)
				map->hidx[hslot(map, map->keys[k]->value)] =
				    (uint32_t)k + 1;
	}
	map->hidx[hslot(map, map->keys[i]->value)] = (uint32_t)i + 1;
}

struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	uint32_t at;

	if (map == NULL || map->type != Y_MAP || map->n == 0)
		return NULL;
	at = map->hidx[hslot(map, key)];
	return at ? map->items[at - 1] : NULL;
}

/* Expand from *pp up to the closing brace (or end); depth guards nesting. */
static int
expand_into(struct sbuf *out, struct sbuf *vars, const char **pp,
    int in_default, int depth, struct sd_err *e)
{
	const char *p = *pp;
	int braces = 0;		/* a default's own {…}, as in {user} */

	if (depth > 8)
		return err_set(e, "variables nested too deeply");
	while (*p != '\0') {
		if (in_default && *p == '}' && braces-- == 0)
			break;
		if (in_default && *p == '{')
			braces++;
		if (p[0] == '$' && p[1] == '$') {	/* $$ is a literal $ */
			sb_add(out, "$");
			p += 2;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			sb_addn(out, p, 1);
			p++;
			continue;
		}
		const char *name = p + 2, *q = name;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		if (q == name)
			return err_set(e, "bad variable reference '%.20s'", p);
		char *var = xstrndup(name, (size_t)(q - name));
		const char *val = getenv(var);
		sb_addf(vars, "%s%s", vars->len ? " " : "", var);
		if (*q == '}') {
			if (val == NULL) {
				err_set(e, "variable '%s' is not set (use ${%s:-default})",
				    var, var);
				free(var);
				return -1;
			}
			sb_add(out, val);
			p = q + 1;
		} else if ((q[0] == ':' && q[1] == '-') || q[0] == '-') {
			/* ${VAR:-x}: x when VAR is unset or empty; ${VAR-x}: x only
			 * when it is unset — set to empty, it is empty (a check a
			 * drill makes optional is then off) */
			int colon = q[0] == ':';
			struct sbuf def;
			const char *d = q + (colon ? 2 : 1);
			sb_init(&def);
			if (expand_into(&def, vars, &d, 1, depth + 1, e) == -1) {
				sb_free(&def);
				free(var);
				return -1;
			}
			if (*d != '}') {
				sb_free(&def);
				err_set(e, "unclosed '${%s%s'", var, colon ? ":-" : "-");
				free(var);
				return -1;
			}
			sb_add(out, val != NULL && (*val != '\0' || !colon) ? val :
			    def.buf);
			sb_free(&def);
			p = d + 1;
		} else {
			err_set(e, "bad variable reference '${%s%.1s' (expected"
			    " ${%s}, ${%s:-default} or ${%s-default})", var, q, var,
			    var, var);
			free(var);
			return -1;
		}
		free(var);
	}
	*pp = p;
	return 0;
}

char *
yexpand(const char *s, char **vars, struct sd_err *e)
{
	struct sbuf out, v;
	const char *p = s;

	sb_init(&out);
	sb_init(&v);
	if (expand_into(&out, &v, &p, 0, 0, e) == -1) {
		sb_free(&out);
		sb_free(&v);
		return NULL;
	}
	if (vars != NULL)
		*vars = v.len ? sb_detach(&v) : NULL;
	sb_free(&v);
	return sb_detach(&out);
}

static void
add_child(struct ynode *parent, struct ynode *key, struct ynode *val)
{
	size_t cap = parent->cap;

	parent->items = xgrow(parent->items, &cap, parent->n + 1,
	    sizeof *parent->items);
	if (parent->type == Y_MAP) {
		size_t kcap = parent->cap;
		parent->keys = xgrow(parent->keys, &kcap, parent->n + 1,
		    sizeof *parent->keys);
		parent->keys[parent->n] = key;
		hindex(parent, parent->n);
	}
	parent->cap = cap;
	parent->items[parent->n++] = val;
}

int
ynode_add(struct ynode *parent, struct ynode *key, struct ynode *val)
{
	if (parent->type == Y_MAP && ynode_get(parent, key->value) != NULL)
		return -1;
	add_child(parent, parent->type == Y_MAP ? key : NULL, val);
	return 0;
}

/* Length of the UTF-8 sequence at p (at most left bytes) and its code
 * point; 0 when it is not valid UTF-8 (overlong, surrogate, > U+10FFFF). */
static size_t
utf8_char(const unsigned char *p, size_t left, uint32_t *cp)
{
	size_t n;
	uint32_t c = p[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * What YAML may contain (its c-printable set), checked with real positions:
 * no NUL, no invalid UTF-8, no control characters but tab/LF/CR (and NEL),
 * no tab in indentation (libyaml says something cryptic about those).
 */
static int
check_text(const char *name, const char *text, size_t len, struct sd_err *e)
{
	const unsigned char *p = (const unsigned char *)text;
	int line = 1, col = 1, lead = 1;
	size_t i = 0;

	/* a byte-order mark is allowed at the start */
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < len) {
		uint32_t c;
		size_t n = utf8_char(p + i, len - i, &c);
		if (n == 0)
			return err_set(e, "%s:%d:%d: invalid UTF-8 (byte 0x%02x);"
			    " a drill is UTF-8 text", name, line, col, p[i]);
		if (c == 0)
			return err_set(e, "%s:%d:%d: NUL byte; a drill is text",
			    name, line, col);
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f || (c >= 0x80 && c <= 0x9f && c != 0x85) ||
		    c == 0xfffe || c == 0xffff)
			return err_set(e, "%s:%d:%d: control character U+%04X is"
			    " not allowed in YAML", name, line, col, (unsigned)c);
		if (c == '\t' && lead)
			return err_set(e, "%s:%d:%d: tab in indentation (YAML"
			    " indents with spaces)", name, line, col);
		if (c == '\n') {
			line++;
			col = 1;
			lead = 1;
		} else {
			if (c != ' ')
				lead = 0;
			col++;
		}
		i += n;
	}
	return 0;
}

static int
yaml_error(const char *name, const yaml_parser_t *p, struct sd_err *e)
{
	return err_set(e, "%s:%d:%d: %s%s%s", name,
	    (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
	    p->problem ? p->problem : "syntax error", p->context ? " " : "",
	    p->context ? p->context : "");
}

static int
at(const char *name, const yaml_mark_t *m, struct sd_err *e, const char *msg)
{
	return err_set(e, "%s:%d:%d: %s", name, (int)m->line + 1,
	    (int)m->column + 1, msg);
}

struct build {
	const char *name;
	struct ynode *stack[YNODE_MAX_DEPTH], *pending[YNODE_MAX_DEPTH];
	struct ynode *root;
	int depth;
};

/* Attach a new node (a scalar, or a collection as it opens) to its parent:
 * a list item, a mapping's key, or the value of the key before it. */
static int
attach(struct build *b, struct ynode *n, struct sd_err *e)
{
	struct ynode *parent = b->depth > 0 ? b->stack[b->depth - 1] : NULL;
	struct ynode **key = b->depth > 0 ? &b->pending[b->depth - 1] : NULL;

	if (parent == NULL) {
		b->root = n;
	} else if (parent->type == Y_SEQ) {
		add_child(parent, NULL, n);
	} else if (*key == NULL) {
		if (n->type != Y_SCALAR) {
			err_set(e, "%s:%d:%d: a key must be a plain scalar",
			    b->name, n->line, n->col);
			ynode_free(n);
			return -1;
		}
		if (ynode_get(parent, n->value) != NULL) {
			err_set(e, "%s:%d:%d: duplicate key '%s'", b->name, n->line,
			    n->col, n->value);
			ynode_free(n);
			return -1;
		}
		*key = n;
	} else {
		add_child(parent, *key, n);
		*key = NULL;
	}
	return 0;
}

static struct ynode *
scalar(const char *name, const yaml_event_t *ev, struct sd_err *e)
{
	struct ynode *n = node_new(Y_SCALAR, &ev->start_mark);
	struct sd_err xe;

	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (strstr((const char *)ev->data.scalar.value, "${") != NULL)
		n->raw = xstrdup((const char *)ev->data.scalar.value);
	n->value = yexpand((const char *)ev->data.scalar.value, &n->vars, &xe);
	if (n->value == NULL) {
		err_set(e, "%s:%d:%d: %s", name, n->line, n->col, xe.msg);
		ynode_free(n);
		return NULL;
	}
	return n;
}

/* One event; 1 at the end of the stream, -1 on error. */
static int
event(struct build *b, const yaml_event_t *ev, int *docs, struct sd_err *e)
{
	struct ynode *n;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return at(b->name, &ev->start_mark, e, "more than one"
			    " document (one drill per file)");
		return 0;
	case YAML_ALIAS_EVENT:
		return at(b->name, &ev->start_mark, e, "aliases are not"
		    " supported");
	case YAML_SCALAR_EVENT:
		if ((n = scalar(b->name, ev, e)) == NULL)
			return -1;
		return attach(b, n, e);
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (b->depth == YNODE_MAX_DEPTH)
			return at(b->name, &ev->start_mark, e, "nested too deeply");
		n = node_new(ev->type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ,
		    &ev->start_mark);
		/* attached now, so that a later error frees it with the root */
		if (attach(b, n, e) == -1)
			return -1;
		b->pending[b->depth] = NULL;
		b->stack[b->depth++] = n;
		return 0;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		b->depth--;
		return 0;
	default:
		return 0;
	}
}

struct ynode *
ynode_parse(const char *name, const char *text, size_t len, struct sd_err *e)
{
	struct build b = { .name = name };
	yaml_parser_t p;
	yaml_event_t ev;
	int rc = 0, docs = 0;

	if (len > YNODE_MAX_BYTES)
		return err_set(e, "%s: %zu bytes: a drill is at most %d MiB",
		    name, len, YNODE_MAX_BYTES >> 20), NULL;
	if (check_text(name, text, len, e) == -1)
		return NULL;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = yaml_error(name, &p, e);
			break;
		}
		rc = event(&b, &ev, &docs, e);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (rc == -1) {
		for (int i = 0; i < b.depth; i++)
			ynode_free(b.pending[i]);
		ynode_free(b.root);
		return NULL;
	}
	if (b.root == NULL)
		return err_set(e, "%s:1:1: empty file", name), NULL;
	return b.root;
}

/* ---- accessors ---- */

int
yerr(const struct yctx *y, const struct ynode *n, const char *fmt, ...)
{
	char msg[SD_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(y->e, "%s:%d:%d: %s", y->file, n ? n->line : 1,
	    n ? n->col : 1, msg);
}

int
ywant(const struct yctx *y, const struct ynode *n, enum ynode_type t,
    const char *what)
{
	if (n->type == t)
		return 0;
	return yerr(y, n, "%s must be %s, not %s", what, ynode_type_name(t),
	    ynode_type_name(n->type));
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof prev);
	}
	return prev[lb];
}

static const char *
nearest(const char *word, const char *const *cands)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (; *cands; cands++) {
		size_t d = edit_distance(word, *cands);
		if (d < bestd) {
			bestd = d;
			best = *cands;
		}
	}
	return best;
}

int
ykeys(const struct yctx *y, const struct ynode *map, const char *const *keys,
    const char *what)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *k = map->keys[i]->value, *near;
		int known = 0;
		for (const char *const *p = keys; *p && !known; p++)
			known = strcmp(*p, k) == 0;
		if (known)
			continue;
		if ((near = nearest(k, keys)) != NULL)
			return yerr(y, map->keys[i], "unknown key '%s' in %s (did"
			    " you mean '%s'?)", k, what, near);
		return yerr(y, map->keys[i], "unknown key '%s' in %s", k, what);
	}
	return 0;
}

int
ystr(const struct yctx *y, const struct ynode *map, const char *key,
    char **out)
{
	const struct ynode *n = ynode_get(map, key);

	if (n == NULL)
		return 0;
	if (ywant(y, n, Y_SCALAR, key) == -1)
		return -1;
	free(*out);
	*out = xstrdup(n->value);
	return 0;
}

int
ydur_node(const struct yctx *y, const struct ynode *n, const char *what,
    int64_t *ms, int64_t lo_ms, int64_t hi_ms)
{
	char a[32], b[32];
	struct sd_err e;
	int64_t v;

	if (ywant(y, n, Y_SCALAR, what) == -1)
		return -1;
	if (units_duration_ms(n->value, &v, &e) == -1)
		return yerr(y, n, "%s: %s", what, e.msg);
	if (v < lo_ms)
		return yerr(y, n, "%s: %s is too short (at least %s)", what,
		    n->value, units_fmt_ms(lo_ms, a, sizeof a));
	if (v > hi_ms)
		return yerr(y, n, "%s: %s is too long (at most %s)", what,
		    n->value, units_fmt_ms(hi_ms, b, sizeof b));
	*ms = v;
	return 0;
}

int
ydur(const struct yctx *y, const struct ynode *map, const char *key,
    int64_t *ms, int64_t lo_ms, int64_t hi_ms)
{
	const struct ynode *n = ynode_get(map, key);

	return n == NULL ? 0 : ydur_node(y, n, key, ms, lo_ms, hi_ms);
}

int
yint(const struct yctx *y, const struct ynode *map, const char *key,
    long lo, long hi, int *out)
{
	const struct ynode *n = ynode_get(map, key);
	char *end;
	long v;

	if (n == NULL)
		return 0;
	if (ywant(y, n, Y_SCALAR, key) == -1)
		return -1;
	errno = 0;
	v = strtol(n->value, &end, 10);
	if (*end != '\0' || end == n->value || errno != 0 || v < lo || v > hi)
		return yerr(y, n, "%s: a number from %ld to %ld, not '%s'", key,
		    lo, hi, n->value);
	*out = (int)v;
	return 0;
}

/* The scalar under key, 1; absent, 0; not a scalar, -1. */
static int
unit_node(const struct yctx *y, const struct ynode *map, const char *key,
    const struct ynode **n)
{
	if ((*n = ynode_get(map, key)) == NULL)
		return 0;
	return ywant(y, *n, Y_SCALAR, key) == -1 ? -1 : 1;
}

int
ypercent(const struct yctx *y, const struct ynode *map, const char *key,
    double *out)
{
	const struct ynode *n;
	struct sd_err e;
	int rc = unit_node(y, map, key, &n);

	if (rc == 1 && units_percent(n->value, out, &e) == -1)
		return yerr(y, n, "%s: %s", key, e.msg);
	return rc == -1 ? -1 : 0;
}

int
ysize(const struct yctx *y, const struct ynode *map, const char *key,
    int64_t *out)
{
	const struct ynode *n;
	struct sd_err e;
	int rc = unit_node(y, map, key, &n);

	if (rc == 1 && units_size(n->value, out, &e) == -1)
		return yerr(y, n, "%s: %s", key, e.msg);
	if (rc == 1 && *out < 1)
		return yerr(y, n, "%s: more than 0 bytes", key);
	return rc == -1 ? -1 : 0;
}

int
ybitrate(const struct yctx *y, const struct ynode *map, const char *key,
    int64_t *out)
{
	const struct ynode *n;
	struct sd_err e;
	int rc = unit_node(y, map, key, &n);

	if (rc == 1 && units_bitrate(n->value, out, &e) == -1)
		return yerr(y, n, "%s: %s", key, e.msg);
	return rc == -1 ? -1 : 0;
}

int
ybool(const struct yctx *y, const struct ynode *map, const char *key,
    int *out)
{
	const struct ynode *n = ynode_get(map, key);

	if (n == NULL)
		return 0;
	if (n->type != Y_SCALAR || (strcmp(n->value, "true") != 0 &&
	    strcmp(n->value, "false") != 0))
		return yerr(y, n, "%s: true or false", key);
	*out = strcmp(n->value, "true") == 0;
	return 0;
}

int
yname(const struct yctx *y, const struct ynode *n, const char *what,
    int loose)
{
	const char *p = n->value;

	if (ywant(y, n, Y_SCALAR, what) == -1)
		return -1;
	if (*p == '\0')
		return yerr(y, n, "empty %s name", what);
	if (strlen(p) > 64)
		return yerr(y, n, "%s name longer than 64 characters", what);
	for (; *p; p++) {
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || (loose && (isalnum((unsigned char)*p) ||
		    *p == '_' || *p == '.'));
		if (!ok)
			return yerr(y, n, "bad %s name '%s' (%s only)", what,
			    n->value, loose ? "letters, digits, - _ ." :
			    "a-z, 0-9 and -");
	}
	if (!loose && n->value[0] == '-')
		return yerr(y, n, "bad %s name '%s' (starts with -)", what,
		    n->value);
	return 0;
}

int
ywhen(const struct yctx *y, const struct ynode *map, char **off)
{
	static const char *const no[] = { "false", "off", "no", NULL };
	const struct ynode *n = ynode_get(map, "when");
	const char *v;
	int is_off;

	*off = NULL;
	if (n == NULL)
		return 0;
	if (ywant(y, n, Y_SCALAR, "when") == -1)
		return -1;
	v = n->value;
	is_off = *v == '\0';
	for (size_t i = 0; no[i] != NULL && !is_off; i++)
		is_off = strcasecmp(v, no[i]) == 0;
	if (!is_off)
		return 0;
	if (n->vars == NULL) {
		*off = xasprintf("when: %s", *v ? v : "is empty");
		return 0;
	}
	/* the variable that made it so: the outermost one */
	char *var = xstrndup(n->vars, strcspn(n->vars, " "));
	*off = *v ? xasprintf("%s=%s", var, v) : xasprintf("%s is set empty",
	    var);
	free(var);
	return 0;
}

const char *
yfrom(const struct ynode *n, char *buf, size_t len)
{
	if (n == NULL || n->vars == NULL) {
		if (len > 0)
			buf[0] = '\0';
		return buf;
	}
	/* the outermost variable is the one to set */
	snprintf(buf, len, " (set %.*s)", (int)strcspn(n->vars, " "), n->vars);
	return buf;
}
