/*
 * guardrail.h — a drill stops itself when it hurts more than it may. One
 * thread per run watches, from the first fault to the last revert:
 *
 *   abort: conditions  every probe sample as it completes (a run of
 *                      matching answers lasting for:), and each load's
 *                      running totals every 100 ms (error share,
 *                      percentiles, rate over the last for:; the SLO's burn
 *                      rate likewise) — never on fewer than
 *                      EXPECT_MIN_LOAD requests in the window;
 *   max_fault_time     the oldest fault still in effect;
 *
 * and for the whole run: the halt marker `shakedown halt` writes (a halt
 * newer than the run's start) and the drill's halt_file:.
 *
 * When one holds it records the trip (what, the value seen, when), sets the
 * run's stop flag and wakes every wait: the runner's steps end at once and
 * it reverts everything; the verdict is ABORTED (exit 5).
 */
#ifndef SD_GUARDRAIL_H
#define SD_GUARDRAIL_H

#include "run_int.h"

/* Start watching (halts at once; conditions from guardrail_arm on). -1 and e. */
int guardrail_start(struct run *c, struct sd_err *e);
/* Faults begin: the conditions count from now. */
void guardrail_arm(struct run *c);
/* The faults are being reverted: conditions off, and a trip (a halt) from
 * now on stops nothing mid-revert — it only ends the run ABORTED. */
void guardrail_disarm(struct run *c);
/* After the revert: a trip stops the run again (steady after). */
void guardrail_rearm_halts(struct run *c);
/* Did a guardrail trip? Then *at_ms is when (monotonic). */
int guardrail_tripped(struct run *c, int64_t *at_ms);
/* Why, for the result's reason and timeline (NULL: no trip). */
char *guardrail_reason(struct run *c);
/* Stop and join the watcher (before the loads are freed); what tripped,
 * if anything, into the result. Safe to call twice. */
void guardrail_stop(struct run *c);

#endif
