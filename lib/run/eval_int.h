/*
 * eval_int.h — what evaluate.c shares with the checks it dispatches to:
 * eval_process.c (alive, RSS growth, RSS trend, exit codes) and
 * eval_writes.c (the writer's acknowledged writes against its database).
 */
#ifndef SD_EVAL_INT_H
#define SD_EVAL_INT_H

#include "run_int.h"

/* eval_process.c: a process: expectation, from `from` (monotonic ms) */
enum outcome eval_process(struct run *c, const struct scen_expect *x,
    int64_t from, struct res_expect *rx);
/* eval_writes.c: a writes: expectation */
enum outcome eval_writes(struct run *c, const struct scen_expect *x,
    struct res_expect *rx);

#endif
