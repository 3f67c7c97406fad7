/*
 * preflight.h — what is checked before a run applies anything (and by
 * validate and plan, which apply nothing): every host a drill would talk
 * to is loopback or allowed; every process a drill watches has a pid that
 * can be known now (else the verdict would be a lie about a live process);
 * and no fault of an earlier, dead run is still applied (a drill on top of
 * it would measure the wrong thing). Each returns -1 with a message that
 * says what to do.
 */
#ifndef SD_PREFLIGHT_H
#define SD_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "../model/scenario.h"

int preflight_hosts(const struct scenario *s, char *const *extra, size_t nextra,
    struct sd_err *e);
int preflight_pids(const struct scenario *s, struct sd_err *e);
/* What can be seen of the pids without the services running: a pidfile
 * that is there must be a trusted regular file holding a pid. */
int preflight_pids_static(const struct scenario *s, struct sd_err *e);
/* Each fault's own preflight (the process it acts on resolves and is
 * trusted, its device exists) — for steps before any step that replaces
 * the service's process. */
int preflight_faults(const struct scenario *s, struct sd_err *e);
/* The load generators' connections fit the open-files limit together. */
int preflight_loads(const struct scenario *s, struct sd_err *e);
/* Open faults of dead runners, after waiting up to wait_ms for their
 * guardians to finish reverting them. */
int preflight_leftovers(const char *journal, int64_t wait_ms, struct sd_err *e);

/*
 * One check for validate, plan, run -n and run: PRE_STATIC is what a file
 * shows without the services (validate: hosts, static pid checks);
 * PRE_LIVE everything run checks short of acting (hosts, every pid it
 * watches or acts on, devices, the open-files limit) — so what -n or plan
 * accepts, run never refuses for a reason they could have seen.
 */
enum preflight_level { PRE_STATIC, PRE_LIVE };
int preflight_check(const struct scenario *s, char *const *allow, size_t nallow,
    enum preflight_level level, struct sd_err *e);
/* Load and check every file; bad(arg, message) for each that fails (its
 * out[i] is NULL). Returns how many failed: each is checked, whatever the
 * others did. */
size_t preflight_load_all(char *const *files, size_t n, char *const *allow,
    size_t nallow, enum preflight_level level, struct scenario **out,
    void (*bad)(void *arg, const char *msg), void *arg);

#endif
