/*
 * preflight.h — what is checked before a run applies anything (and by
 * validate and plan, which apply nothing): every host a drill would talk
 * to is loopback or allowed; every process a drill watches has a pid that
 * can be known now (else the verdict would be a lie about a live process);
 * and no fault of an earlier, dead run is still applied (a drill on top of
 * it would measure the wrong thing). Each returns -1 with a message that
 * says what to do.
 */
#ifndef SD_PREFLIGHT_H
#define SD_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

int pre_hosts(const struct scenario *s, char *const *extra, size_t nextra,
    struct sd_err *e);
int pre_pids(const struct scenario *s, struct sd_err *e);
/* The load generators' connections fit the open-files limit together. */
int pre_loads(const struct scenario *s, struct sd_err *e);
/* Open faults of dead runners, after waiting up to wait_ms for their
 * guardians to finish reverting them. */
int pre_leftovers(const char *journal, int64_t wait_ms, struct sd_err *e);

#endif
