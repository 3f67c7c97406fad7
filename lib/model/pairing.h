/*
 * pairing.h — which step reverts which fault, from the steps alone: a step
 * whose verb undoes an open lasting fault on the same target ("start"
 * after "stop") or a revert: step naming it takes the newest one; what is
 * left open is reverted at the end, newest first; a step that is off
 * (when:), or would undo one that is, is skipped. The drill's parser
 * (scenario.c: a revert: with nothing to revert is an error) and the
 * planner (plan.c) both ask here, so neither needs the other.
 */
#ifndef SD_PAIRING_H
#define SD_PAIRING_H

#include <stddef.h>

#include "../fault/fault.h"

enum pair_kind { PS_OTHER, PS_FAULT, PS_REVERT };

struct pair_step {
	enum pair_kind kind;
	const struct fault *fault;	/* PS_FAULT */
	const char *revert;		/* PS_REVERT: the name it reverts */
	const char *off;		/* when: off — why; NULL: on */
};

enum pair_op { PAIR_NONE, PAIR_APPLY, PAIR_REVERT, PAIR_SKIP };

struct pair_out {
	enum pair_op op;
	size_t undoes;			/* PAIR_REVERT: the step it reverts */
	const char *skip;		/* PAIR_SKIP: why */
};

struct pairing {
	struct pair_out *out;		/* a step each */
	size_t n;
	size_t *at_end;			/* lasting applies left, newest first */
	size_t nend;
	size_t unpaired;		/* a revert: with nothing to revert, or n */
};

/* out and at_end are the caller's to free. */
void pair_steps(const struct pair_step *in, size_t n, struct pairing *pr);

#endif
