/*
 * svc.h — a service a drill may break, as the scenario declares it:
 * what kind it is (a plain process, Redis, PostgreSQL), how to reach it
 * (URL/DSN), its pid or pidfile, and its own commands (stop, start, kill,
 * restart — argv arrays, never run by a shell). Fault kinds act on these;
 * they are parsed once, checked (hosts are not checked here: see hosts.h),
 * and never change during a run.
 */
#ifndef SD_SVC_H
#define SD_SVC_H

#include <sys/types.h>

#include <stdint.h>

#include "../base/util.h"
#include "../base/ynode.h"

enum svc_kind { SVC_PROCESS = 1, SVC_REDIS = 2, SVC_POSTGRES = 4 };
enum svc_cmd { CMD_STOP, CMD_START, CMD_KILL, CMD_RESTART, SVC_NCMDS };

struct svc {
	char *name;
	enum svc_kind kind;
	char *url;			/* redis URL / postgres DSN: secret */
	char *pidfile;			/* NULL: none */
	pid_t pid;			/* 0: none */
	char *pid_hint;			/* " (set VAR)": where pid/pidfile came from */
	char *route;			/* "SOCKET#NAME": the fault proxy route in
					 * front of it, or NULL */
	char *exe, *comm;		/* what its process must be, or NULL:
					 * /proc/PID/exe (a path, or a base
					 * name) and /proc/PID/comm */
	char *manager;			/* postgres: what runs its postmaster and
					 * would start it again in place (patroni):
					 * a kill by role kills it too; NULL */
	int cluster;			/* postgres: several hosts in its DSN (or
					 * target_session_attrs=read-write): the
					 * primary is found by role (pgrole.h) */
	char **cmd[SVC_NCMDS];		/* argv arrays, NULL if not given */
	int64_t timeout_ms;		/* per command */
	int64_t ready_timeout_ms;	/* wait until it answers after start */
	int line, col;
};

/* key: the service's name node; n: its mapping. */
/* The keys of a service's mapping, NULL-terminated. */
extern const char *const svc_keys[];
int svc_parse(const struct yctx *y, const struct ynode *key,
    const struct ynode *n, struct svc *sv);
void svc_free(struct svc *sv);
const char *svc_kind_name(enum svc_kind k);
int svc_kind_parse(const char *name, enum svc_kind *k);
const char *svc_cmd_name(enum svc_cmd c);
int svc_has_pid(const struct svc *sv);
/* Its pid, checked (pid_check; a pidfile as pidfile_read_checked trusts
 * it), alive, and the process exe: and comm: name; 0 with e saying why,
 * and which variable to set when the pidfile came from one. */
pid_t svc_pid(const struct svc *sv, struct sd_err *e);
/* "pid 1234 (postgres, /usr/lib/postgresql/15/bin/postgres)": the process
 * its pid names now, for the plan and the report; NULL when none. */
char *svc_process(const struct svc *sv);
/* What a drill can see of its pid without it running: a pid that may not
 * be touched, a pidfile that is there but not a regular file, not a pid,
 * or not trusted. 0 when nothing is wrong so far. */
int svc_pid_static(const struct svc *sv, struct sd_err *e);

#endif
