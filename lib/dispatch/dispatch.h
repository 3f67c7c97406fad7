/*
 * dispatch.h — reaching the fault kinds through their table (drills/kinds.c):
 * a step's kind from its verb, parsing it, the journal record's envelope,
 * reverting or checking a record by its "kind". Everything above the kinds
 * (the scenario, the plan, the runner, the guardian, `recover`) goes
 * through here; the kinds themselves only know lib/fault/fault.h.
 */
#ifndef SD_DISPATCH_H
#define SD_DISPATCH_H

#include "../fault/fault.h"

/*
 * A table of kinds (NULL-terminated) is drills/kinds.c's fault_kinds
 * wherever kinds is NULL; a test passes its own (a fake kind) to the
 * scenario parser, and every fault parsed keeps its kind: from then on a
 * fault is reached through the functions below, never its kind's table.
 * Records in the journal name their kind, looked up among the shipped.
 */
const struct fault_kind *dispatch_kind_named(const char *name);
/* Every verb of every kind in kinds, each once, into out (at most max):
 * how many. */
size_t dispatch_verb_names(const struct fault_kind *const *kinds,
    const char **out, size_t max);
/* A shipped kind's verb by name (NULL: none); *on: some kind with it acts
 * on services; *own: the keys of a kind with it that acts on none. */
const struct fault_verb *dispatch_verb_info(const char *name, int *on,
    const char *const **own);
/* Does a step with verb `by` revert an open fault `f`? */
int dispatch_undoes(const struct fault *by, const struct fault *f);

/*
 * Parse the fault step key: value. find looks a service up by name (arg is
 * passed along); the kind is the first in the table that has the verb and
 * acts on the named service's kind. step_timeout_ms: the step's own
 * timeout: (0: none). On error *out may hold a partly parsed fault.
 */
typedef const struct svc *(*fault_svc_fn)(const void *arg, const char *name);
int dispatch_parse_step(const struct fault_kind *const *kinds,
    const struct yctx *y, const struct ynode *key, const struct ynode *value,
    fault_svc_fn find, const void *arg, int64_t step_timeout_ms,
    struct fault **out);
void dispatch_free(const struct fault *f);

/* The kind's endpoints (0 when it has none) and preflight (0 when it has
 * nothing to check). */
size_t dispatch_endpoints(const struct fault *f, struct fault_endpoint *out);
int dispatch_preflight(const struct fault *f, struct sd_err *e);

/* The journal record: kind, verb and target, and what prepare recorded. */
json_t *dispatch_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e);
/* Revert / check from a record alone, dispatching on its "kind". */
int dispatch_revert_record(const json_t *rec, const struct fault_env *env,
    char **note, struct sd_err *e);
int dispatch_in_effect_record(const json_t *rec, const struct fault_env *env);

/* A parsed fault's kind at work (fault.h says what each does). */
const char *dispatch_kind_name(const struct fault *f);
char *dispatch_describe(const struct fault *f, int revert);
char *dispatch_raw(const struct fault *f);	/* NULL: the kind has none */
char *dispatch_proves(const struct fault *f);	/* NULL: it measures nothing */
int dispatch_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e);
int dispatch_revert(const struct fault *f, const json_t *rec, void *state,
    const struct fault_env *env, char **note, struct sd_err *e);
/* 0: the kind measures nothing (c untouched); 1: c holds its finding. */
int dispatch_confirm(const struct fault *f, const json_t *rec, void *state,
    enum fault_phase ph, const struct fault_env *env, struct fault_check *c);
void dispatch_free_state(const struct fault *f, void *state);

#endif
