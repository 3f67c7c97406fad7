/*
 * revert.h — undoing what the journal says is still applied, from the
 * records alone: by the guardian (its runner died), by `recover` (a crash
 * left something), and before a run (it must not drill on top of a dead
 * run's fault). One loop for all three: newest first, each revert verified
 * with the kind's in-effect check after it settles and retried (with
 * backoff) until it holds or the patience runs out. An apply that never
 * returned (its runner died during it, while a stop command was taking a
 * service down) is watched longer, since it may still be taking effect.
 */
#ifndef SD_REVERT_H
#define SD_REVERT_H

#include <jansson.h>

#include "../dispatch/dispatch.h"
#include "../base/util.h"

struct revert_event {
	int ok;
	const char *id, *what;
	const char *detail;	/* what the revert did, or why it failed */
	int attempts;
};

struct revert_opts {
	const char *run;	/* only this run's entries; NULL: all */
	int force;		/* also those whose runner is alive */
	int64_t patience_ms;	/* retry a failing revert this long */
	const struct fault_env *env;
	void (*say)(void *arg, const struct revert_event *ev);
	void *arg;
};

struct journal_entry;
/* Is the entry's runner still a running shakedown? */
int revert_runner_alive(const struct journal_entry *en);
/* And its guardian, which will revert it when the runner is gone? */
int revert_guardian_alive(const struct journal_entry *en);
/*
 * Revert the open entries o selects. Returns how many are left applied (0:
 * all reverted); *skipped (may be NULL) counts those left to a live
 * runner. -1 with e when the journal cannot be read.
 */
int revert_journal(const char *path, const struct revert_opts *o, int *skipped,
    struct sd_err *e);
/* Open entries of runners that are gone and whose guardian is gone too
 * (waiting up to wait_ms for working guardians to finish). */
json_t *revert_orphans(const char *path, int64_t wait_ms, struct sd_err *e);

#endif
