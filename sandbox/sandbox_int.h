/*
 * sandbox_int.h — what the sandbox's modules share, each calling only
 * down: sandbox.c (the parts' state, start, stop and `up`), sandbox_spawn.c
 * (how each part is started: PostgreSQL as an unprivileged user with its
 * cluster made on first use, Redis, the fault proxy, the target in its own
 * memory cgroup), sandbox_mon.c (Prometheus and Alertmanager),
 * sandbox_conf.c (names, paths, the saved configuration).
 */
#ifndef SD_SANDBOX_INT_H
#define SD_SANDBOX_INT_H

#include <sys/types.h>

#include "../lib/base/proc.h"
#include "sandbox.h"

/* the target's memory limit unless the configuration says otherwise */
#define DEFAULT_TARGET_MEMORY (1024LL * 1024 * 1024)

/* sandbox_conf.c: names and paths */
extern const char *const sbx_part_names[SBX_NPARTS];
/* what /proc/PID/comm says for each part */
extern const char *const sbx_part_comm[SBX_NPARTS];
char *sbx_path_in(const struct sbx_config *c, const char *name);
char *sbx_pid_path(const struct sbx_config *c, enum sbx_part p);
char *sbx_db_url_at(int port);

/* sandbox_spawn.c */
void sbx_log_tail(const char *path, struct sbuf *sb);
char *sbx_pg_data_dir(const struct sbx_config *c, const struct spawn_opts *o);
char *sbx_private_dir(const struct sbx_config *c, const struct spawn_opts *o,
    const char *name);
/* path and all below it to uid:gid; -1 with e at the first that fails. */
int sbx_chown_tree(const char *path, uid_t uid, gid_t gid, struct sd_err *e);
int sbx_pg_user(struct spawn_opts *o, struct sd_err *e);
pid_t sbx_spawn_postgres(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e);
pid_t sbx_spawn_redis(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e);
pid_t sbx_spawn_proxy(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e);
pid_t sbx_spawn_target(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e);

/* sandbox_mon.c: Prometheus (scraping the target, the shipped rules) and
 * Alertmanager, as the PostgreSQL user, their files in DIR/monitoring */
pid_t sbx_spawn_prometheus(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e);
pid_t sbx_spawn_alertmanager(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e);

#endif
