/*
 * ynode.h — a YAML document as a small tree that remembers where every node
 * came from, so every later error can say file:line:col. Built from libyaml's
 * event parser; anchors/aliases and multi-document streams are refused (a
 * drill is one plain document). Scalars have ${VAR} / ${VAR:-default}
 * expanded (defaults may nest) when the tree is built.
 */
#ifndef SD_YNODE_H
#define SD_YNODE_H

#include <stddef.h>

#include "util.h"

enum ynode_type { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ynode_type type;
	int line, col;		/* 1-based, of the node's start */
	char *value;		/* scalar text, expanded */
	int plain;		/* scalar was unquoted (true/42 are typed) */
	/* map: keys[i] → items[i]; seq: items[i] */
	struct ynode **keys;
	struct ynode **items;
	size_t n, cap;
};

/* Parse text (name for messages). NULL with e = "name:line:col: reason". */
struct ynode *ynode_parse(const char *name, const char *text, size_t len,
    struct sd_err *e);
void ynode_free(struct ynode *n);
/* The value under key in a map, or NULL. */
struct ynode *ynode_get(const struct ynode *map, const char *key);
const char *ynode_type_name(enum ynode_type t);

/* Expand ${VAR} and ${VAR:-default} in s; NULL with e set when a variable
 * without a default is unset or a brace is unclosed. */
char *yexpand(const char *s, struct sd_err *e);

#endif
