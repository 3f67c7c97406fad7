/*
 * journal.h — the record of every fault shakedown applies, so none is ever
 * left behind. Before a fault takes effect a line is appended and fsynced:
 * the run, the runner's pid, what is done and a self-contained revert spec
 * (what to run or signal to undo it); once reverted, another line marks it.
 * Concurrent runs take an exclusive flock for each append. Lines are JSON;
 * a torn last line (a crash mid-write) is skipped when reading.
 *
 * The state dir is $SHAKEDOWN_STATE_DIR, else /var/lib/shakedown as root,
 * else $XDG_STATE_HOME/shakedown (~/.local/state/shakedown); it is created
 * mode 0700 because a revert spec may hold a service URL with a password.
 */
#ifndef SD_JOURNAL_H
#define SD_JOURNAL_H

#include <sys/types.h>

#include <jansson.h>

#include "util.h"

/* The journal's path (state dir created); NULL with e set. */
char *jrnl_path(struct sd_err *e);
/* A new run id: wall time and pid. */
char *jrnl_run_id(void);
/* Append {"op":"apply", id, run, pid, t, what, revert: spec}; fsynced.
 * Takes spec over (the caller must not release it). */
int jrnl_apply(const char *path, const char *run, const char *id,
    const char *what, json_t *spec, struct sd_err *e);
int jrnl_reverted(const char *path, const char *id, struct sd_err *e);
/* Every apply without its revert, oldest first, as a JSON array of the
 * apply records; run may be NULL for all runs. *torn counts skipped lines. */
json_t *jrnl_open_entries(const char *path, const char *run, int *torn,
    struct sd_err *e);

#endif
