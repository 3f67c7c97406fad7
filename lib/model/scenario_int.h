/*
 * scenario_int.h — what scenario.c shares with scen_limits.c (the slo: and the
 * guardrails: abort:, max_fault_time:, halt_file:, --abort-if).
 */
#ifndef SD_SCENARIO_INT_H
#define SD_SCENARIO_INT_H

#include "scenario.h"
#include "../base/ynode.h"

#define HOUR_MS (60 * 60 * 1000)
#define DAY_MS (24 * HOUR_MS)

/* A parse in progress: where errors go, the drill, its names. */
struct pctx {
	struct yctx y;
	struct scenario *s;
	struct expect_names names;
	const struct fault_kind *const *kinds;	/* NULL: the shipped */
};

/* The drill's names for its expectations (struct expect_names' find). */
int scen_find_name(const void *arg, char what, const char *name,
    struct expect_ref *r);

/* scen_limits.c */
int scen_parse_slo(struct pctx *c, const struct ynode *n);
int scen_parse_guardrails(struct pctx *c, const struct ynode *root);

#endif
