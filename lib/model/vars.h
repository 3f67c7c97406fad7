/*
 * vars.h — one profile for every drill. A team writes its service's
 * variables once (target, paths, status words, pidfile, commands, metric
 * names) as KEY=VALUE lines in the format of systemd's EnvironmentFile=
 * and docker's --env-file (`#` comments, blank lines, optional quotes
 * around the whole value, nothing expanded) and runs every shipped drill
 * with it: the environment is the base, files override it in the order
 * given, --var KEY=VALUE overrides both. Each value set remembers where it
 * came from, for `shakedown vars`.
 */
#ifndef SD_VARS_H
#define SD_VARS_H

#include <stddef.h>

#include "../base/util.h"

struct varset {
	struct {
		char *name;
		char *from;		/* "FILE:LINE" or "--var" */
	} *v;
	size_t n, cap;
};

/* Set every KEY=VALUE of the file; "file:line:col: ..." on a bad line
 * (what came before it is set). */
int vars_file(struct varset *vs, const char *path, struct sd_err *e);
/* --var KEY=VALUE. */
int vars_arg(struct varset *vs, const char *kv, struct sd_err *e);
/* Where NAME's value comes from: "FILE:LINE", "--var", "environment", or
 * NULL when it is not set. */
const char *vars_from(const struct varset *vs, const char *name);
void vars_free(struct varset *vs);

/* A reference ${NAME}, ${NAME:-DEFAULT} or ${NAME-DEFAULT} in a drill's
 * text (pointers into it, not terminated). */
struct var_ref {
	const char *name, *def;
	size_t name_len, def_len;
	int has_default;
	int colon;		/* :- (the default also when set empty) */
};
/* Every reference in s, nested ones in defaults too, innermost first. */
void vars_refs(const char *s, void (*each)(void *, const struct var_ref *),
    void *arg);

#endif
