/*
 * runner.h — runs one drill from its plan: steady state before, the steps
 * in order, every fault still applied reverted in reverse order whatever
 * happened, steady state after. Probes sample from the first check to the
 * end; every expectation is decided from those samples on one monotonic
 * timeline.
 *
 * The runner is split along its seams: runner.c sequences, stack.c keeps
 * the fault stack with its journal and guardian, evaluate.c decides
 * expectations, phases.c runs load generators and bursts, timeline.c turns
 * samples into the result's series and events. They share run_int.h.
 */
#ifndef SD_RUNNER_H
#define SD_RUNNER_H

#include "../model/plan.h"
#include "../base/result.h"
#include "runopts.h"

struct result *run_drill(const struct plan *p, const struct run_opts *o);

#endif
