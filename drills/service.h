/*
 * service.h — what the service kind's two files share: service.c (parse,
 * apply, revert) and service_proof.c (did it land: confirm and proves).
 */
#ifndef SD_DRILLS_SERVICE_H
#define SD_DRILLS_SERVICE_H

#include <sys/types.h>

#include "../lib/fault/fault.h"

/* The process a fault acts on, as it is now, for its record: its pid and
 * start time, and the processes outside its tree that serve a port it
 * listens on too (a gunicorn master when the pidfile names a worker;
 * another server bound with SO_REUSEPORT): if one still serves it while
 * the fault holds, the service never went down. pid 1 (a
 * socket-activating init) is not one. */
json_t *service_who(pid_t pid);
/* fault.h's confirm and proves, for the kind's table */
void service_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c);
char *service_proves(const struct fault *f);

#endif
