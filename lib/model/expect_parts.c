/*
 * expect_parts.c — what every part of the expectations' parser shares,
 * below them all (expect.c, expect_mon.c, expect_abort.c): a comparison
 * with its unit, a name looked up through the drill, a matcher added, a
 * value a variable switched off.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "expect_int.h"
#include "../base/units.h"

/* "< 1%": the operator; p is left after it. */
int
expect_parse_op(const struct yctx *y, const struct ynode *n, const char **p, int *op)
{
	const char *s = n->value;

	while (*s == ' ')
		s++;
	if (s[0] != '<' && s[0] != '>')
		return yerr(y, n, "'%s': expected a bound such as \"< 1%%\","
		    " \"<= 500ms\" or \">= 100\"", n->value);
	*op = s[1] == '=' ? (s[0] == '<' ? 'L' : 'G') : s[0];
	s += s[1] == '=' ? 2 : 1;
	while (*s == ' ')
		s++;
	*p = s;
	return 0;
}

/* "< 1%", "<= 500ms", ">= 100", "< 32MiB": kind p(ercent), d(uration, to
 * ms), s(ize), n(umber or rate). */
int
expect_parse_cmp(const struct yctx *y, const struct ynode *n, int kind, int *op,
    double *v)
{
	const char *p = NULL;
	struct sd_err e;
	int64_t i;
	char *end;

	if (ywant(y, n, Y_SCALAR, "a bound") == -1 || expect_parse_op(y, n, &p, op) == -1)
		return -1;
	if (kind == 'p') {
		if (units_percent(p, v, &e) == -1)
			return yerr(y, n, "%s", e.msg);
	} else if (kind == 'd') {
		if (units_duration_us(p, &i, &e) == -1)
			return yerr(y, n, "%s", e.msg);
		*v = (double)i / 1000.0;
	} else if (kind == 's') {
		if (units_size(p, &i, &e) == -1)
			return yerr(y, n, "%s", e.msg);
		*v = (double)i;
	} else {
		*v = strtod(p, &end);
		if (end == p || (*end != '\0' && strcmp(end, "/s") != 0) ||
		    !(*v >= 0 && *v < 1e15))
			return yerr(y, n, "'%s': expected a number", n->value);
	}
	return 0;
}

/* A name the expectation refers to, looked up through the drill's names:
 * its index (-1: none); x keeps its name and whether it is off. */
int
expect_lookup(const struct expect_names *nm, char what, const char *name,
    struct scen_expect *x, struct expect_ref *out)
{
	struct expect_ref r = { -1, NULL, NULL, 0, 0, NULL };

	if (nm->find(nm->arg, what, name, &r) < 0)
		return -1;
	x->ref = r.name;
	x->ref_off = r.off;
	if (out != NULL)
		*out = r;
	return r.index;
}

void
expect_add_matcher(struct scen_expect *x, const struct matcher *m)
{
	size_t cap = x->nm;

	x->m = xgrow(x->m, &cap, x->nm + 1, sizeof *x->m);
	x->m[x->nm++] = *m;
}

/*
 * A matcher whose value (or JSON path) a variable set empty is off: it is
 * not added, and what it would have checked goes into x->off_parts with
 * the reason — `json: { status: "${READY_STATUS-ready}" }` with
 * READY_STATUS= checks no status, and says so. 1 when off.
 */
int
expect_part_off(struct scen_expect *x, const struct ynode *n, const char *what)
{
	char *p;

	if (n == NULL || n->type != Y_SCALAR || n->value[0] != '\0' ||
	    n->vars == NULL)
		return 0;
	p = xasprintf("%s%s%s (%.*s is set empty)", x->off_parts ?
	    x->off_parts : "", x->off_parts ? "; " : "", what,
	    (int)strcspn(n->vars, " "), n->vars);
	free(x->off_parts);
	x->off_parts = p;
	return 1;
}
