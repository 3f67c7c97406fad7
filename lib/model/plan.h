/*
 * plan.h — what a run will do, in order, worked out from the scenario alone
 * (nothing is touched): which steps apply a fault, which revert an earlier
 * one ("start" after "stop"), which faults are still applied at the end and
 * in what order they are reverted, which probes sample fast while a key
 * time is being measured. `shakedown plan`, `run --dry-run` and the runner
 * all work from this one object, so what is shown is what is done.
 *
 * Invariants: steps[i] corresponds to scenario step i+1. op PO_REVERT has
 * undoes < i naming a PO_APPLY step whose fault is lasting, and fault set
 * to that step's fault when the step is a revert: by name; each lasting
 * PO_APPLY is reverted exactly once: by one PO_REVERT or in at_end (newest
 * first). fast lists probe indexes.
 */
#ifndef SD_PLAN_H
#define SD_PLAN_H

#include <stddef.h>

#include "scenario.h"

/* PO_SKIP: a step that is off (when:), or one that would undo a fault
 * that is off; its reason in skip. */
enum plan_op { PO_APPLY, PO_REVERT, PO_WAIT, PO_EXPECT, PO_BURST, PO_SKIP };

struct plan_step {
	enum plan_op op;
	const struct scen_step *st;
	const struct fault *fault;	/* PO_APPLY, PO_REVERT: the step's */
	size_t undoes;			/* PO_REVERT: the PO_APPLY it reverts */
	const char *skip;		/* PO_SKIP: why (the scenario's) */
	int *fast;			/* probes to sample fast from here */
	size_t nfast, capfast;
};

struct plan {
	const struct scenario *s;
	struct plan_step *steps;
	size_t n;
	size_t *at_end;			/* lasting applies left, newest first */
	size_t nend;
	size_t unpaired;		/* a revert: step with nothing to
					 * revert (its op is PO_WAIT), or n */
};

struct plan *plan_build(const struct scenario *s);
void plan_free(struct plan *p);
/* Everything a run would do, in order, with every revert; for people. */
char *plan_text(const struct plan *p, int raw);
const char *plan_op_name(enum plan_op op);

#endif
