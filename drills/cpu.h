/*
 * cpu.h — what the cpu kind's two files share: cpu.c (parse, apply,
 * revert) and cpu_proof.c (did the limit bite: confirm and proves).
 */
#ifndef SD_DRILLS_CPU_H
#define SD_DRILLS_CPU_H

#include <sys/types.h>

#include "../lib/fault/fault.h"

#define PERIOD_US 100000	/* the CFS period the quota is set in */

struct cpu_opts {
	double limit;		/* of one CPU: 0.5 = 50 % */
	int children;
	int via;
	pid_t pid;		/* pid: given, else 0 */
	char *pidfile;		/* pidfile: given, else NULL */
	char *unit;		/* unit: given, else NULL */
	int machine;		/* scope: machine — a unit that holds many
				 * services (a slice, init.scope) is meant */
};

/* The unit's quota now (µs of CPU per second; -1: none), or -2 with e set. */
int64_t cpu_unit_quota(const char *unit, int must_be_loaded, struct sd_err *e);
/* fault.h's confirm and proves, for the kind's table */
void cpu_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c);
char *cpu_proves(const struct fault *f);

#endif
