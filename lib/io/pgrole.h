/*
 * pgrole.h — PostgreSQL by role. A failover cluster (Patroni, repmgr, a
 * multi-host URL behind HAProxy or a VIP) has a primary that moves: after
 * one failover a fixed pidfile names a replica, and a standby answers
 * SELECT 1 as well as a primary does. So the nodes are read from the DSN
 * itself (libpq's host=a,b port=1,2, or postgresql://a:1,b:2/db) and each
 * is asked what it is — NOT pg_is_in_recovery(), its timeline, its
 * postmaster — and "back" means a primary accepts a write.
 */
#ifndef SD_PGROLE_H
#define SD_PGROLE_H

#include <stdint.h>
#include <sys/types.h>

#include "../base/util.h"

#define PG_MAX_NODES 16

struct pg_node {
	char host[256];
	char port[16];
	int up;			/* it answered */
	int primary;		/* not in recovery */
	int64_t timeline;	/* pg_control_checkpoint(); 0: unknown */
	pid_t postmaster;	/* on this machine: our backend's parent; 0 */
	pid_t manager;		/* the postmaster's parent, when it is the
				 * named manager (patroni); 0 */
	char started[48];	/* pg_postmaster_start_time() */
};

struct pg_cluster {
	struct pg_node node[PG_MAX_NODES];
	int n;
	int primary;		/* index; -1: no node answered as one */
};

/* Is this DSN a cluster (several hosts, or target_session_attrs asking
 * for a primary)? */
int pgrole_is_cluster(const char *dsn);
/* Ask every node of the DSN, each bounded by timeout_ms. manager (may be
 * NULL): the name of the process that runs the postmaster (patroni). -1
 * with e only when the DSN cannot be read. */
int pgrole_survey(const char *dsn, const char *manager, int64_t timeout_ms,
    struct pg_cluster *c, struct sd_err *e);
/* "127.0.0.1:5433" of node i. */
const char *pgrole_node_name(const struct pg_node *n, char *buf, size_t len);
/* The replicas as the primary sees them (pg_stat_replication): how far
 * each is behind, in bytes and time — what explains a loss. NULL when
 * there is no primary or it cannot say. */
char *pgrole_lag(const char *dsn, const struct pg_cluster *c, int64_t timeout_ms);
/* A primary accepts a write now (a session of its own, not read-only:
 * SELECT txid_current() assigns a transaction id, which a standby
 * refuses). 0, or -1 with e. */
int pgrole_accepts_write(const char *dsn, int64_t timeout_ms, struct sd_err *e);
/* Some node of a cluster's DSN is a primary that accepts a write. */
int pgrole_primary_writes(const char *dsn, int64_t timeout_ms, struct sd_err *e);
/* The DSN of node i alone (its host and port over the DSN's). */
char *pgrole_node_dsn(const char *dsn, const struct pg_node *n);

#endif
