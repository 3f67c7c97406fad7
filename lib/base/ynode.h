/*
 * ynode.h — a YAML document as a small tree that remembers where every node
 * came from, so every later error can say file:line:col, and the accessors
 * every parser of drills uses (the scenario and each fault kind alike).
 *
 * Built from libyaml's event parser. Before libyaml sees a byte the text is
 * checked: at most YNODE_MAX_BYTES, valid UTF-8, no NUL or control
 * characters, no tab in indentation — each refused at its real line:col.
 * Anchors/aliases and multi-document streams are refused (a drill is one
 * plain document); a mapping's keys are unique (checked in linear time: each
 * mapping keeps a hash index, which ynode_get uses too). Scalars have
 * ${VAR} / ${VAR:-default} expanded (defaults may nest) when the tree is
 * built, and remember which variables they came from, so a message can say
 * which one to set.
 */
#ifndef SD_YNODE_H
#define SD_YNODE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define YNODE_MAX_BYTES (4 * 1024 * 1024)
#define YNODE_MAX_DEPTH 64

enum ynode_type { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ynode_type type;
	int line, col;		/* 1-based, of the node's start */
	char *value;		/* scalar text, expanded; never NULL for scalars */
	char *vars;		/* variables its text came from ("A B"), or NULL */
	char *raw;		/* its text before expansion, when it had a
				 * ${...} (for `shakedown vars`), or NULL */
	int plain;		/* scalar was unquoted (true/42 are typed) */
	/* map: keys[i] → items[i] (keys are scalars); seq: items[i] */
	struct ynode **keys;
	struct ynode **items;
	size_t n, cap;
	uint32_t *hidx;		/* map: open-addressing index of keys, i+1 */
	size_t hcap;
};

/* Parse text (name for messages). NULL with e = "name:line:col: reason". */
struct ynode *ynode_parse(const char *name, const char *text, size_t len,
    struct sd_err *e);
void ynode_free(struct ynode *n);

/* Building a tree by hand (a drill from command-line arguments): a node at
 * line:col (a scalar's value is copied, typed as if unquoted); add val
 * under key to a map (-1 if the key is there already: nothing added) or
 * val to a list (key NULL); move a parsed tree to line, its columns
 * shifted by dcol. */
struct ynode *ynode_new(enum ynode_type t, int line, int col,
    const char *value);
int ynode_add(struct ynode *parent, struct ynode *key, struct ynode *val);
void ynode_move(struct ynode *n, int line, int dcol);
/* The value under key in a map, or NULL (also for a NULL or non-map). */
struct ynode *ynode_get(const struct ynode *map, const char *key);
const char *ynode_type_name(enum ynode_type t);

/* Expand ${VAR} and ${VAR:-default} in s; NULL with e set when a variable
 * without a default is unset or a brace is unclosed. *vars (may be NULL)
 * gets the names used, space-separated, or NULL. */
char *yexpand(const char *s, char **vars, struct sd_err *e);

/*
 * Accessors. Each returns 0 (also when the key is absent: the output is
 * left alone) or -1 with "file:line:col: message" in y->e.
 */
struct yctx {
	const char *file;
	struct sd_err *e;
};

int yerr(const struct yctx *y, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* n must be of type t; what names it in the message. */
int ywant(const struct yctx *y, const struct ynode *n, enum ynode_type t,
    const char *what);
/* Every key of map is in keys (NULL-terminated), or "unknown key, did you
 * mean". */
int ykeys(const struct yctx *y, const struct ynode *map,
    const char *const *keys, const char *what);
/* A scalar string (replaces *out). */
int ystr(const struct yctx *y, const struct ynode *map, const char *key,
    char **out);
/* A duration within [lo_ms, hi_ms]: zero or absurd values are errors. */
int ydur(const struct yctx *y, const struct ynode *map, const char *key,
    int64_t *ms, int64_t lo_ms, int64_t hi_ms);
/* The same for a node already in hand. */
int ydur_node(const struct yctx *y, const struct ynode *n, const char *what,
    int64_t *ms, int64_t lo_ms, int64_t hi_ms);
/* A whole number within [lo, hi]. */
int yint(const struct yctx *y, const struct ynode *map, const char *key,
    long lo, long hi, int *out);
/* A percentage (fraction 0..1), a size in bytes (at least 1), a bit rate
 * (bytes per second), as lib/base/units.h reads them. */
int ypercent(const struct yctx *y, const struct ynode *map, const char *key,
    double *out);
int ysize(const struct yctx *y, const struct ynode *map, const char *key,
    int64_t *out);
int ybitrate(const struct yctx *y, const struct ynode *map, const char *key,
    int64_t *out);
/* true or false. */
int ybool(const struct yctx *y, const struct ynode *map, const char *key,
    int *out);
/* A name of [a-z0-9-] (and, with loose, [A-Za-z0-9_.-]), not empty, at most
 * 64 characters. */
int yname(const struct yctx *y, const struct ynode *n, const char *what,
    int loose);
/* " (from $A)" when n's text came from variables, else "". For messages
 * that should say which variable to set. */
const char *yfrom(const struct ynode *n, char *buf, size_t len);
/*
 * when: — a check, probe, load or step that needs something a service may
 * not have is switched off by its variable: `when: "${METRICS_PATH-/metrics}"`
 * is on unless the value is empty, false, off or no (set METRICS_PATH= to
 * turn it off; unset, the default keeps it on). *off gets NULL when on,
 * else the reason people read ("METRICS_PATH is set empty"); -1 when
 * when: is not a scalar.
 */
int ywhen(const struct yctx *y, const struct ynode *map, char **off);

#endif
