/*
 * dispatch.h — reaching the fault kinds through their table (drills/kinds.c):
 * a step's kind from its verb, parsing it, the journal record's envelope,
 * reverting or checking a record by its "kind". Everything above the kinds
 * (the scenario, the plan, the runner, the guardian, `recover`) goes
 * through here; the kinds themselves only know lib/fault.h.
 */
#ifndef SD_DISPATCH_H
#define SD_DISPATCH_H

#include "fault.h"

const struct fault_kind *fault_kind_named(const char *name);
/* Is name a verb of any kind? */
int fault_is_verb(const char *name);
/* Every verb of every kind, NULL-terminated (static storage). */
const char *const *fault_verb_names(void);
/* Does a step with verb `by` revert an open fault `f`? */
int fault_undoes(const struct fault *by, const struct fault *f);

/*
 * Parse the fault step key: value. find looks a service up by name (arg is
 * passed along); the kind is the first in the table that has the verb and
 * acts on the named service's kind. step_timeout_ms: the step's own
 * timeout: (0: none). On error *out may hold a partly parsed fault.
 */
typedef const struct svc *(*fault_svc_fn)(const void *arg, const char *name);
int fault_parse_step(const struct yctx *y, const struct ynode *key,
    const struct ynode *value, fault_svc_fn find, const void *arg,
    int64_t step_timeout_ms, struct fault **out);
void fault_free(const struct fault *f);

/* The kind's endpoints (0 when it has none) and preflight (0 when it has
 * nothing to check). */
size_t fault_endpoints(const struct fault *f, struct fault_endpoint *out);
int fault_preflight(const struct fault *f, struct sd_err *e);

/* The journal record: kind, verb and target, and what prepare recorded. */
json_t *fault_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e);
/* Revert / check from a record alone, dispatching on its "kind". */
int fault_revert_record(const json_t *rec, const struct fault_env *env,
    char **note, struct sd_err *e);
int fault_in_effect_record(const json_t *rec, const struct fault_env *env);

#endif
