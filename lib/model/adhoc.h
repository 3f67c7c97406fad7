/*
 * adhoc.h — one fault from command-line arguments (`shakedown fault VERB
 * key=value...`) as a drill: the same tree a scenario file gives, so the
 * scenario's keys, parser, planner, runner, journal and guardian are the
 * ones used. Each value is read as YAML (200ms, [a, b], "quoted"); errors
 * point at "argument:N:COL" — the argument's place on the command line and
 * the column within it.
 *
 * The keys of a service (kind, url, dsn, pid, pidfile, stop, start, kill,
 * restart, ready_timeout, route) define the service the fault acts on or
 * aims at, named by service= (default "it"); timeout= is the step's;
 * every other key is the fault's. A lasting fault is held for for_ms, or
 * (for_ms 0) until a signal; a one-shot fault is applied and that is all.
 */
#ifndef SD_ADHOC_H
#define SD_ADHOC_H

#include <stdint.h>

#include "scenario.h"

#define ADHOC_NAME "argument"
/* What "until a signal" means: the longest wait a drill may have. */
#define ADHOC_HOLD_MS (23LL * 60 * 60 * 1000)

/* The verb is argument number vpos on the command line, args[i] number
 * pos[i] (what errors call their line). */
struct scenario *adhoc_scenario(const char *verb, int vpos,
    char *const *args, const int *pos, int nargs, int64_t for_ms,
    struct sd_err *e);

#endif
