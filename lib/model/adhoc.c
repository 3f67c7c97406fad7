/*
 * adhoc.c — see adhoc.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dispatch/dispatch.h"
#include "adhoc.h"

static int
in(const char *const *set, const char *k)
{
	for (; *set != NULL; set++)
		if (strcmp(*set, k) == 0)
			return 1;
	return 0;
}

static int
at(struct sd_err *e, int line, int col, const char *msg)
{
	return err_set(e, "%s:%d:%d: %s", ADHOC_NAME, line, col, msg);
}

/*
 * Values that YAML would misread but a command line means as they are: an
 * IPv6 address in brackets with its port ("[::1]:5432" reads as a flow
 * list), and a value that starts with '#' (a comment to YAML: "route=#x"
 * would be empty).
 */
static int
literal(const char *t)
{
	size_t n;

	if (*t == '#')
		return 1;
	if (*t != '[' || (n = strspn(t + 1, "0123456789abcdefABCDEF:.")) == 0 ||
	    t[1 + n] != ']')
		return 0;
	t += n + 2;
	return *t == '\0' || (*t == ':' && t[1] != '\0' &&
	    t[1 + strspn(t + 1, "0123456789")] == '\0');
}

/* A value read as YAML, placed at argument line, column col. */
static struct ynode *
value_node(const char *text, int line, int col, struct sd_err *e)
{
	struct ynode *n;
	struct sd_err pe;
	int l = 0, c = 0, off = 0;

	if (text[strspn(text, " ")] == '\0')
		return ynode_new(Y_SCALAR, line, col, "");
	if (literal(text))
		return ynode_new(Y_SCALAR, line, col, text);
	if ((n = ynode_parse(ADHOC_NAME, text, strlen(text), &pe)) != NULL) {
		ynode_move(n, line, col - 1);
		return n;
	}
	/* "argument:L:C: reason" of the value alone: point into the argument */
	if (sscanf(pe.msg, ADHOC_NAME ":%d:%d: %n", &l, &c, &off) == 2 &&
	    off > 0)
		at(e, line, col + c - 1, pe.msg + off);
	else
		at(e, line, col, pe.msg);
	return NULL;
}

static void
add_scalar(struct ynode *map, const char *key, const char *value, int line)
{
	ynode_add(map, ynode_new(Y_SCALAR, line, 1, key),
	    ynode_new(Y_SCALAR, line, 1, value));
}

/* Sort key=value arguments into the service's map and the fault's. */
static int
split_args(char *const *args, const int *pos, int nargs,
    const char *const *own, struct ynode *svc, struct ynode *fault,
    struct ynode *step, char **name, struct sd_err *e)
{
	for (int i = 0; i < nargs; i++) {
		const char *a = args[i], *eq = strchr(a, '=');
		int line = pos[i];
		struct ynode *key, *val, *into;
		char *k;

		if (eq == NULL || eq == a)
			return at(e, line, 1, "expected KEY=VALUE (see 'shakedown"
			    " fault --list' for the keys)");
		k = strndup(a, (size_t)(eq - a));
		if ((val = value_node(eq + 1, line, (int)(eq - a) + 2, e)) == NULL) {
			free(k);
			return -1;
		}
		if (strcmp(k, "service") == 0 && val->type == Y_SCALAR) {
			free(*name);
			*name = xstrdup(val->value);
		}
		/* the step's timeout, not a service's */
		into = strcmp(k, "timeout") == 0 ? step : own && in(own, k) ? fault :
		    in(svc_keys, k) ? svc :
		    strcmp(k, "service") == 0 ? NULL : fault;
		key = ynode_new(Y_SCALAR, line, 1, k);
		free(k);
		if (into == NULL || ynode_add(into, key, val) == -1) {
			int dup = into != NULL;
			ynode_free(key);
			ynode_free(val);
			if (dup)
				return at(e, line, 1, "this key is given twice");
		}
	}
	return 0;
}

/* The step: VERB: NAME, or VERB: { service: NAME, key: value... };
 * takes fault. */
static void
build_step(const char *verb, int vline, int on, int has_svc,
    struct ynode *fault, struct ynode *step, const char *name)
{
	struct ynode *key = ynode_new(Y_SCALAR, vline, 1, verb);

	if (on && has_svc && fault->n == 0) {
		ynode_free(fault);
		ynode_add(step, key, ynode_new(Y_SCALAR, vline, 1, name));
		return;
	}
	if (has_svc)
		add_scalar(fault, "service", name, vline);
	ynode_add(step, key, fault);
}

static struct ynode *
tree(const char *verb, int vline, char *const *args, const int *pos,
    int nargs, int64_t for_ms, struct sd_err *e)
{
	int on, has_svc, first = nargs ? pos[0] : vline;
	struct ynode *root = ynode_new(Y_MAP, 1, 1, NULL);
	struct ynode *svc = ynode_new(Y_MAP, first, 1, NULL);
	struct ynode *fault = ynode_new(Y_MAP, vline, 1, NULL);
	struct ynode *step = ynode_new(Y_MAP, vline, 1, NULL);
	struct ynode *steps = ynode_new(Y_SEQ, vline, 1, NULL);
	const struct fault_verb *v;
	const char *const *own;
	char *name = NULL, buf[64];

	if ((v = dispatch_verb_info(verb, &on, &own)) == NULL) {
		at(e, vline, 1, "no fault of that name (see 'shakedown fault"
		    " --list')");
		goto fail;
	}
	if (split_args(args, pos, nargs, own, svc, fault, step, &name, e) == -1)
		goto fail;
	if (on && svc->n == 0) {
		at(e, vline, 1, "this fault acts on a service: say which with"
		    " its keys (kind=redis url=redis://127.0.0.1:6379, or"
		    " kind=process pidfile=PATH, ...)");
		goto fail;
	}
	if (name != NULL && svc->n == 0) {
		at(e, vline, 1, "service= names the service its keys define"
		    " (kind=, url=, pidfile= ...): none given");
		goto fail;
	}
	if (name == NULL)
		name = xstrdup("it");
	snprintf(buf, sizeof buf, "fault-%s", verb);
	for (char *c = buf; *c; c++)	/* cpu_burn: a drill's name has none */
		if (*c == '_')
			*c = '-';
	add_scalar(root, "drill", buf, 1);
	snprintf(buf, sizeof buf, "%lldms", (long long)(for_ms ? for_ms :
	    ADHOC_HOLD_MS) + 30 * 60 * 1000);
	add_scalar(root, "max_duration", buf, 1);
	if ((has_svc = svc->n > 0)) {
		struct ynode *svcs = ynode_new(Y_MAP, first, 1, NULL);
		ynode_add(svcs, ynode_new(Y_SCALAR, first, 1, name), svc);
		ynode_add(root, ynode_new(Y_SCALAR, first, 1, "services"), svcs);
	} else {
		ynode_free(svc);
	}
	svc = NULL;
	build_step(verb, vline, on, has_svc, fault, step, name);
	fault = NULL;
	ynode_add(steps, NULL, step);
	step = NULL;
	if (v->lasting) {
		struct ynode *w = ynode_new(Y_MAP, vline, 1, NULL);
		snprintf(buf, sizeof buf, "%lldms", (long long)(for_ms ? for_ms :
		    ADHOC_HOLD_MS));
		add_scalar(w, "wait", buf, vline);
		ynode_add(steps, NULL, w);
	}
	ynode_add(root, ynode_new(Y_SCALAR, vline, 1, "steps"), steps);
	free(name);
	return root;
fail:
	ynode_free(svc);
	ynode_free(fault);
	ynode_free(step);
	ynode_free(steps);
	ynode_free(root);
	free(name);
	return NULL;
}

struct scenario *
adhoc_scenario(const char *verb, int vpos, char *const *args,
    const int *pos, int nargs, int64_t for_ms, struct sd_err *e)
{
	struct ynode *root = tree(verb, vpos, args, pos, nargs, for_ms, e);
	struct scenario *s;

	if (root == NULL)
		return NULL;
	s = scen_from_tree(ADHOC_NAME, root, NULL, e);
	ynode_free(root);
	return s;
}
