/*
 * ynode.c — see ynode.h. libyaml's marks are 0-based; ours are 1-based, as
 * editors count.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

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
	free(n->value);
	free(n);
}

struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	if (map == NULL || map->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->value, key) == 0)
			return map->items[i];
	return NULL;
}

/* Expand from *pp up to the closing brace (or end); depth guards nesting. */
static int
expand_into(struct sbuf *out, const char **pp, int in_default, int depth,
    struct sd_err *e)
{
	const char *p = *pp;

	if (depth > 8)
		return err_set(e, "variables nested too deeply");
	while (*p != '\0') {
		if (in_default && *p == '}')
			break;
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
		if (*q == '}') {
			if (val == NULL) {
				err_set(e, "variable '%s' is not set (use ${%s:-default})",
				    var, var);
				free(var);
				return -1;
			}
			sb_add(out, val);
			p = q + 1;
		} else if (q[0] == ':' && q[1] == '-') {
			struct sbuf def;
			const char *d = q + 2;
			sb_init(&def);
			if (expand_into(&def, &d, 1, depth + 1, e) == -1) {
				sb_free(&def);
				free(var);
				return -1;
			}
			if (*d != '}') {
				sb_free(&def);
				err_set(e, "unclosed '${%s:-'", var);
				free(var);
				return -1;
			}
			/* ${VAR:-x}: the default also when VAR is set but empty */
			sb_add(out, val != NULL && *val != '\0' ? val : def.buf);
			sb_free(&def);
			p = d + 1;
		} else {
			err_set(e, "bad variable reference '${%s%.1s' (expected"
			    " ${%s} or ${%s:-default})", var, q, var, var);
			free(var);
			return -1;
		}
		free(var);
	}
	*pp = p;
	return 0;
}

char *
yexpand(const char *s, struct sd_err *e)
{
	struct sbuf out;
	const char *p = s;

	sb_init(&out);
	if (expand_into(&out, &p, 0, 0, e) == -1) {
		sb_free(&out);
		return NULL;
	}
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
	}
	parent->cap = cap;
	parent->items[parent->n++] = val;
}

/* A tab in indentation makes libyaml say something cryptic; say it plainly. */
static int
check_tabs(const char *name, const char *text, size_t len, struct sd_err *e)
{
	int line = 1, col = 1, lead = 1;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n') {
			line++;
			col = 1;
			lead = 1;
			continue;
		}
		if (c == '\t' && lead)
			return err_set(e, "%s:%d:%d: tab in indentation (YAML"
			    " indents with spaces)", name, line, col);
		if (c != ' ')
			lead = 0;
		col++;
	}
	return 0;
}

struct ynode *
ynode_parse(const char *name, const char *text, size_t len, struct sd_err *e)
{
	struct ynode *stack[64], *root = NULL, *pending_key[64] = { 0 };
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, done = 0, docs = 0;

	if (check_tabs(name, text, len, e) == -1)
		return NULL;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		struct ynode *n = NULL;

		if (!yaml_parser_parse(&p, &ev)) {
			err_set(e, "%s:%d:%d: %s%s%s", name,
			    (int)p.problem_mark.line + 1,
			    (int)p.problem_mark.column + 1,
			    p.problem ? p.problem : "syntax error",
			    p.context ? " " : "", p.context ? p.context : "");
			goto fail;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				err_set(e, "%s:%d:%d: more than one document (one"
				    " drill per file)", name,
				    (int)ev.start_mark.line + 1,
				    (int)ev.start_mark.column + 1);
				yaml_event_delete(&ev);
				goto fail;
			}
			break;
		case YAML_ALIAS_EVENT:
			err_set(e, "%s:%d:%d: aliases are not supported", name,
			    (int)ev.start_mark.line + 1,
			    (int)ev.start_mark.column + 1);
			yaml_event_delete(&ev);
			goto fail;
		case YAML_SCALAR_EVENT: {
			struct sd_err xe;
			n = node_new(Y_SCALAR, &ev.start_mark);
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			n->value = yexpand((const char *)ev.data.scalar.value, &xe);
			if (n->value == NULL) {
				err_set(e, "%s:%d:%d: %s", name, n->line, n->col,
				    xe.msg);
				ynode_free(n);
				yaml_event_delete(&ev);
				goto fail;
			}
			break;
		}
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			n = node_new(ev.type == YAML_MAPPING_START_EVENT ? Y_MAP :
			    Y_SEQ, &ev.start_mark);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			n = stack[--depth];
			break;
		default:
			break;
		}
		int opened = ev.type == YAML_MAPPING_START_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT;
		yaml_event_delete(&ev);
		if (n == NULL)
			continue;
		if (opened) {
			if (depth == 64) {
				err_set(e, "%s:%d:%d: nested too deeply", name,
				    n->line, n->col);
				ynode_free(n);
				goto fail;
			}
			/* attach now so that a later error frees it with root */
		}
		/* attach a new node to its parent (closing events re-visit) */
		if (opened || n->type == Y_SCALAR) {
			struct ynode *parent = depth > 0 ? stack[depth - 1] : NULL;
			if (parent == NULL) {
				root = n;
			} else if (parent->type == Y_SEQ) {
				add_child(parent, NULL, n);
			} else if (pending_key[depth - 1] == NULL) {
				if (n->type != Y_SCALAR) {
					err_set(e, "%s:%d:%d: a key must be a plain"
					    " scalar", name, n->line, n->col);
					ynode_free(n);
					goto fail;
				}
				if (ynode_get(parent, n->value) != NULL) {
					err_set(e, "%s:%d:%d: duplicate key '%s'",
					    name, n->line, n->col, n->value);
					ynode_free(n);
					goto fail;
				}
				pending_key[depth - 1] = n;
			} else {
				add_child(parent, pending_key[depth - 1], n);
				pending_key[depth - 1] = NULL;
			}
			if (opened) {
				pending_key[depth] = NULL;
				stack[depth++] = n;
			}
		}
	}
	yaml_parser_delete(&p);
	if (root == NULL) {
		err_set(e, "%s:1:1: empty file", name);
		return NULL;
	}
	return root;
fail:
	for (int i = 0; i < depth; i++)
		ynode_free(pending_key[i]);
	yaml_parser_delete(&p);
	ynode_free(root);
	return NULL;
}
