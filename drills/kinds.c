/*
 * kinds.c — the table of fault kinds. Adding a kind is one file in drills/
 * and one line here. Order matters only where two kinds share a verb: the
 * first that acts on the named service's kind takes the step (Redis's own
 * pause before a process's SIGSTOP).
 */
#include <stddef.h>

#include "../lib/fault/fault.h"

extern const struct fault_kind fault_bandwidth;
extern const struct fault_kind fault_burn;
extern const struct fault_kind fault_cpu;
extern const struct fault_kind fault_memory;
extern const struct fault_kind fault_netem;
extern const struct fault_kind fault_partition;
extern const struct fault_kind fault_proxy;
extern const struct fault_kind fault_redis;
extern const struct fault_kind fault_postgres;
extern const struct fault_kind fault_service;

const struct fault_kind *const fault_kinds[] = {
	&fault_redis,
	&fault_postgres,
	&fault_service,
	&fault_netem,
	&fault_bandwidth,
	&fault_proxy,
	&fault_partition,
	&fault_cpu,
	&fault_memory,
	&fault_burn,
	NULL
};
