/*
 * journal.h — the record of every fault shakedown applies, so none is ever
 * left behind. Before a fault takes effect a line is appended and fsynced:
 * the run, the runner's and its guardian's pids, what is done, how it is
 * undone (for people), and the fault kind's record (lib/fault.h) from
 * which the kind can revert it with nothing else; once its apply returned,
 * a "done" line; once reverted, a "revert" line. Concurrent runs take an
 * exclusive flock for each append. Lines are JSON objects.
 *
 * Reading never trusts the file: a torn line (a crash mid-write, NUL bytes
 * from a crash on some filesystems, a hand edit) is counted and skipped,
 * and the lines after it are still read; records are matched by id in
 * linear time.
 *
 * The state dir is $SHAKEDOWN_STATE_DIR, else /var/lib/shakedown as root,
 * else $XDG_STATE_HOME/shakedown (~/.local/state/shakedown); it is created
 * mode 0700 and the journal 0600, because a record may hold a service URL
 * with its password (a revert needs it).
 */
#ifndef SD_JOURNAL_H
#define SD_JOURNAL_H

#include <sys/types.h>

#include <jansson.h>

#include "util.h"

/* The state dir (created); NULL with e set. */
char *jrnl_state_dir(struct sd_err *e);
/* The journal's path (state dir created); NULL with e set. */
char *jrnl_path(struct sd_err *e);
/* The halt marker `shakedown halt` writes ({"at_wall_ms": N, "pid": P}):
 * every run started before N stops, reverting everything, ABORTED. */
char *jrnl_halt_path(struct sd_err *e);
/* A new run id: wall time and pid. */
char *jrnl_run_id(void);

struct jrnl_apply {
	const char *run, *id;
	const char *what;	/* describe(apply) */
	const char *undo;	/* describe(revert), or NULL for a one-shot */
	pid_t guardian;		/* 0: none */
	json_t *rec;		/* the kind's record; borrowed */
};
/* {"op":"apply", id, run, pid, guardian, t, at, what, undo, record};
 * fsynced before returning. */
int jrnl_apply(const char *path, const struct jrnl_apply *a, struct sd_err *e);
/* The apply returned (successfully or not): what is recorded is all. */
int jrnl_done(const char *path, const char *id, struct sd_err *e);
int jrnl_reverted(const char *path, const char *id, struct sd_err *e);

/*
 * Every apply without its revert, oldest first, as a JSON array of the apply
 * records, each with "done": true when its apply returned; run may be NULL
 * for all runs. *torn counts lines that were skipped.
 */
json_t *jrnl_open_entries(const char *path, const char *run, int *torn,
    struct sd_err *e);
/* The same from text in memory (for tests and the fuzzer). */
json_t *jrnl_parse(const char *text, size_t len, const char *run, int *torn);

#endif
