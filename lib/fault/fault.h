/*
 * fault.h — the fault-kind interface, in the spirit of tc's qdisc_util: each
 * kind is one file in drills/ exporting one `const struct fault_kind`, and
 * drills/kinds.c lists them in one table. Nothing outside a kind's file
 * knows its options or its journal record; the runner, plan, guardian and
 * `recover` reach every kind through the table alone (dispatch.h). This
 * header is what a kind is written against: the interface, and the helpers
 * kinds share (fault.c). It is below the kinds; dispatch is above them.
 *
 * Life of a fault:
 *   parse      a step's value into the kind's private options (f->opts),
 *              with file:line:col errors; no side effects
 *   check      cross-field checks once parsed (optional)
 *   describe   the exact operations (argv, signals, statements, netlink
 *              messages) apply — or, with revert, undoing — will perform
 *   raw        the raw requests apply sends (netlink bytes in hex, a line
 *              each), for `plan --raw` (optional: kinds that send none)
 *   prepare    resolve what apply will act on and return the journal record:
 *              everything a revert needs, self-contained (no scenario). The
 *              runner writes it (fsync) before apply, with a guardian
 *              watching, so a fault is covered from before it takes effect
 *   apply      do it; may keep in-process state (held connections)
 *   revert     undo exactly what the record says — from the record alone
 *              when state is NULL (guardian, recover) — idempotently, and
 *              fine when it is already undone or was only partly applied
 *   in_effect  is what the record describes still in effect? 1 yes, 0 no,
 *              -1 cannot tell; the guardian re-checks after a revert
 *   endpoints  the addresses apply will listen on or connect to itself
 *              (optional), for the blast-radius rule every host obeys
 *   preflight  what run checks before anything is applied, short of acting
 *              (optional): the process it will act on resolves (and is
 *              trusted) now, the device exists. plan and -n check it too
 *   confirm    did it land? The effect the kind promises, measured
 *              independently of the service's own answers (the port
 *              refuses, the pid changed, packets went through the filter,
 *              the cgroup was throttled, the route carried the service's
 *              connections): asked right after apply, just before the
 *              revert of a lasting fault, and after it; each phase may
 *              overrule the last. Quick (under 100 ms of its own) and a few
 *              requests at most. A fault that is not confirmed makes the
 *              drill INVALID: it says nothing of the service
 *   proves     what confirm will measure, for plan and -n (a sentence)
 *
 * apply and revert return 0, or -1 with e set, or FAULT_FINAL with e set:
 * from apply, "failed before changing anything" (nothing to revert); from
 * revert, "this record can never be reverted" (a torn or edited journal),
 * so nobody retries it. A revert may also return FAULT_NOOP: it did
 * nothing because the fault looked undone already — which, for an apply
 * that was under way when its runner died, is watched a moment longer.
 *
 * Verbs: the step keys a kind handles ("stop", "pause"). A lasting verb
 * leaves something applied until it is reverted: by a later step whose verb
 * `undoes` it on the same target ("start" undoes "stop"), else at the end of
 * the drill, in reverse order. Other verbs are one-shots.
 */
#ifndef SD_FAULT_H
#define SD_FAULT_H

#include <signal.h>
#include <stdint.h>

#include <jansson.h>

#include "svc.h"
#include "../base/util.h"
#include "../base/ynode.h"

struct fault_kind;

#define FAULT_FINAL (-2)
#define FAULT_NOOP 1

/* What apply and revert may need from whoever runs them. */
struct fault_env {
	const char *self_exe;		/* "shakedown" in a command means us */
	volatile sig_atomic_t *stop;	/* set when interrupted; may be NULL */
};

struct fault_verb {
	const char *name;		/* the step key */
	int lasting;			/* leaves something applied */
	const char *undoes;		/* verbs (space-separated) of an open
					 * fault on the same target that this
					 * verb reverts, or NULL */
	const char *summary;		/* for `fault --list` and the man page */
};

/*
 * A parsed fault step: immutable once parsed. kind and verb are never NULL;
 * svc is set when the kind acts on services (kind->on != 0), and for other
 * kinds when the step names a service it aims at (a network fault on the
 * way to a dependency); borrowed from the scenario; opts belongs to the
 * kind (its free releases it); target names what the fault acts on, for pairing an undoing step
 * with the fault it undoes (the service's name unless the kind says).
 */
struct fault {
	const struct fault_kind *kind;
	const struct fault_verb *verb;
	const struct svc *svc;
	char *target;
	void *opts;
	int64_t timeout_ms;		/* bounds apply, and the recorded revert */
	int sends;			/* the signal it sends the service's
					 * process (a signal step), 0: none */
	int line, col;
};

/* What parse gets: the step's key (the verb) and, when the step's value is
 * a mapping, that mapping (already checked against kind->keys). */
struct fault_parse {
	const struct yctx *y;
	const struct ynode *key;
	const struct ynode *args;	/* NULL when the value is a name */
	const struct ynode *value;	/* the step's value, whatever its form */
};

/* An address a fault itself uses: "HOST:PORT" (IPv6 in brackets). */
struct fault_endpoint {
	const char *what;		/* "listen", "upstream" */
	const char *addr;
	int listen;			/* 1: it listens there */
};
#define FAULT_MAX_ENDPOINTS 4

/* What a fault measured of its own effect. */
enum fault_proof { FP_NONE, FP_CONFIRMED, FP_MISMATCH, FP_INCONCLUSIVE };
enum fault_phase { FC_APPLIED, FC_HOLDING, FC_REVERTED };
struct fault_check {
	enum fault_proof proof;
	char figure[320];		/* what was measured, for people */
	/* the kind's own notes between phases (a counter's value at apply,
	 * a start time) */
	int64_t v[4];
	int64_t at_ms;			/* mono ms of the last phase */
	int said;			/* fault_proved was called this phase */
};
/* Set the proof and its figure (printf-style). */
void fault_proved(struct fault_check *c, enum fault_proof p, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
const char *fault_proof_name(enum fault_proof p);

struct fault_kind;

/* drills/kinds.c: the table of every kind, NULL-terminated. Only dispatch
 * (and `fault --list`) walks it. */
extern const struct fault_kind *const fault_kinds[];

struct fault_kind {
	const char *name;
	const char *summary;
	const struct fault_verb *verbs;	/* ends with { NULL } */
	unsigned on;			/* SVC_* kinds it acts on; 0: none */
	const char *const *keys;	/* keys of its mapping form */
	int (*parse)(const struct fault_parse *p, struct fault *f);
	int (*check)(const struct fault *f, const struct yctx *y);
	char *(*describe)(const struct fault *f, int revert);
	char *(*raw)(const struct fault *f);
	json_t *(*prepare)(const struct fault *f, const struct fault_env *env,
	    struct sd_err *e);
	int (*apply)(const struct fault *f, json_t *rec, void **state,
	    const struct fault_env *env, char **note, struct sd_err *e);
	int (*revert)(const json_t *rec, void *state,
	    const struct fault_env *env, char **note, struct sd_err *e);
	int (*in_effect)(const json_t *rec, const struct fault_env *env);
	size_t (*endpoints)(const struct fault *f, struct fault_endpoint *out);
	int (*preflight)(const struct fault *f, struct sd_err *e);
	void (*confirm)(const json_t *rec, void *state, enum fault_phase phase,
	    const struct fault_env *env, struct fault_check *c);
	char *(*proves)(const struct fault *f);
	void (*free_state)(void *state);
	void (*free)(void *opts);
};

/*
 * Helpers for kinds.
 */
/* Run argv ("shakedown" as argv[0] means env->self_exe) within the timeout;
 * a non-zero exit or the timeout is an error naming the command and the
 * end of its output; on success *note (may be NULL) gets what ran. */
int fault_run_argv(char *const *argv, const struct fault_env *env,
    int64_t timeout_ms, char **note, struct sd_err *e);
/* One byte from a child of the kind's (its progress), within timeout_ms;
 * 0 on EOF, timeout, or when env->stop is set. */
char fault_hear(int fd, int64_t timeout_ms, const struct fault_env *env);
/* pid: of a kind's mapping: a pid a fault may act on (pid_check), 0 when
 * absent; -1 with a file:line:col error. */
int fault_parse_pid(const struct fault_parse *p, pid_t *pid);
/* The process a kind acts on: its service's pid, else pidfile's (trusted:
 * pidfile_read_checked), else pid; checked and running. 0 with e. */
pid_t fault_target_pid(const struct svc *sv, const char *pidfile, pid_t pid,
    struct sd_err *e);
/* Append "; text" to *note. */
void fault_note(char **note, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Fields of a record, checked: a record may come from a journal file that
 * was torn or edited by hand. -1 with e naming the field. */
int fault_rec_str(const json_t *rec, const char *key, const char **out,
    struct sd_err *e);
int fault_rec_int(const json_t *rec, const char *key, int64_t lo, int64_t hi,
    int64_t *out, struct sd_err *e);
/* An argv array field; NULL with e set. Free with argv_free. */
char **fault_rec_argv(const json_t *rec, const char *key, struct sd_err *e);
json_t *fault_argv_json(char *const *argv);

#endif
