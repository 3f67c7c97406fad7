/*
 * journal.h — the record of every fault shakedown applies, so none is ever
 * left behind. Before a fault takes effect a line is appended and fsynced:
 * the run, the runner's and its guardian's pids, what is done, how it is
 * undone (for people), and the fault kind's record (lib/fault/fault.h) from
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

#include "../base/util.h"

/* The state dir (created); NULL with e set. */
char *journal_state_dir(struct sd_err *e);
/* The journal's path (state dir created); NULL with e set. */
char *journal_path(struct sd_err *e);
/* Where the halt marker is (lib/check/halt.h writes and reads it). */
char *journal_halt_path(struct sd_err *e);
/* A new run id: wall time and pid. */
char *journal_run_id(void);

struct journal_apply {
	const char *run, *id;
	const char *what;	/* describe(apply) */
	const char *undo;	/* describe(revert), or NULL for a one-shot */
	pid_t guardian;		/* 0: none */
	json_t *rec;		/* the kind's record; borrowed */
};
/* {"op":"apply", id, run, pid, guardian, t, at, what, undo, record};
 * fsynced before returning. */
int journal_apply(const char *path, const struct journal_apply *a, struct sd_err *e);
/* The apply returned (successfully or not): what is recorded is all. */
int journal_done(const char *path, const char *id, struct sd_err *e);
int journal_reverted(const char *path, const char *id, struct sd_err *e);

/*
 * Every apply without its revert, oldest first, as a JSON array of the apply
 * records, each with "done": true when its apply returned; run may be NULL
 * for all runs. *torn counts lines that were skipped.
 */
json_t *journal_open_entries(const char *path, const char *run, int *torn,
    struct sd_err *e);
/* The same from text in memory (for tests and the fuzzer). */
json_t *journal_parse(const char *text, size_t len, const char *run, int *torn);

/* One open entry, typed: what its readers need of an apply line. The
 * strings and the record are borrowed from the array. */
struct journal_entry {
	const char *id, *run, *what;	/* "" when the line lacks them */
	pid_t pid;			/* the runner */
	pid_t guardian;			/* 0: none */
	int64_t t_wall_ms;		/* when it was applied */
	int done;			/* its apply returned */
	const json_t *record;		/* the kind's record, for its revert */
	const json_t *line;		/* the whole apply line */
};
/* The i-th entry of journal_open_entries()'s array, typed into *out: 1,
 * or 0 past the end. for (i = 0; journal_entry(open, i, &en); i++) */
int journal_entry(const json_t *open, size_t i, struct journal_entry *out);

#endif
