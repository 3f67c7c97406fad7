/*
 * expect_int.h — what expect.c shares with expect_abort.c (the abort:
 * conditions, in the same vocabulary): comparisons with their units, name
 * lookups, a probe's matchers, a part a variable switched off.
 */
#ifndef SD_EXPECT_INT_H
#define SD_EXPECT_INT_H

#include "expect.h"

/* "< 1%": the operator ('<', 'L', '>', 'G'); *p is left after it. */
int expect_parse_op(const struct yctx *y, const struct ynode *n, const char **p,
    int *op);
/* "< 1%", ">= 100", "<= 500ms": kind 'p' a share, 'd' a duration (ms),
 * 'n' a number; *op '<', 'L', '>', 'G'. */
int expect_parse_cmp(const struct yctx *y, const struct ynode *n, int kind,
    int *op, double *v);
/* A probe ('p'), load ('l') or service ('s') by name: its index, -1. */
int expect_lookup(const struct expect_names *nm, char what, const char *name,
    struct scen_expect *x, struct expect_ref *out);
/* status:, json:, body:, header:, latency:, metric: into x->m. */
int expect_parse_matchers(const struct yctx *y, const struct ynode *n,
    struct scen_expect *x);
/* n is a value a variable left empty: noted in x->off_parts (1), or 0. */
int expect_part_off(struct scen_expect *x, const struct ynode *n,
    const char *what);

/* expect_mon.c: a promql: probe's value:, rises:, absent:, labels:, an
 * alert: probe's state: */
int expect_mon_matchers(const struct yctx *y, const struct ynode *n,
    struct scen_expect *x);
/* the matcher into x (a copy: x owns what it points to from now) */
void expect_add_matcher(struct scen_expect *x, const struct matcher *m);

#endif
