/*
 * nltc.h — traffic control through libnl-route-3 (no tc, no shell): the
 * netlink requests that put a fault qdisc — netem, TBF, or a queue that
 * drops everything — on a device's egress, for all of its traffic or only
 * for TCP to one port and/or address, and the one request that takes it
 * away again.
 *
 * Scoped, the requests are the ones peers use with prio, built on HTB since
 * this kernel has no prio: root HTB 1: (default 0: unclassified traffic
 * leaves unshaped), a class 1:1 far faster than the link, the fault as its
 * leaf 10:, and a u32 filter sending matching packets (IPv4 TCP, dport
 * and/or destination) to 1:1. Unscoped, the fault is the root qdisc 1:.
 * Either way the fault is everything under root 1:, and deleting root 1:
 * restores the kernel's default.
 *
 * Requests are built without the kernel (libnl's build_*_request), so a
 * plan can print them and a test can compare them byte for byte with what
 * tc sends.
 */
#ifndef SD_NLTC_H
#define SD_NLTC_H

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct nl_msg;

struct nltc_netem {
	int64_t delay_us, jitter_us;
	double delay_corr;		/* fractions 0..1 */
	double loss, loss_corr, dup, dup_corr, corrupt, corrupt_corr;
	double reorder, reorder_corr;
	int gap;
	int64_t rate;			/* bytes per second, 0: none */
	int limit;			/* packets, 0: 1000 */
};

struct nltc_tbf {
	int64_t rate;			/* bytes per second */
	int64_t burst;			/* bytes */
	int64_t limit;			/* bytes, or 0: from latency */
	int64_t latency_us;
};

enum nltc_kind { NLTC_NETEM, NLTC_TBF, NLTC_DROP };

struct nltc_leaf {
	enum nltc_kind kind;
	struct nltc_netem netem;
	struct nltc_tbf tbf;
};

struct nltc_scope {
	int port;			/* TCP destination port, 0: any */
	int has_addr;
	struct in_addr addr;		/* destination, with prefix bits */
	int prefix;
};

#define NLTC_MAX_MSGS 4

/* The device's index; -1 with e. */
int nltc_ifindex(const char *dev, struct sd_err *e);
/* The requests that apply leaf, in order (up to NLTC_MAX_MSGS). */
int nltc_build(int ifindex, const struct nltc_leaf *leaf,
    const struct nltc_scope *scope, struct nl_msg **msgs, int *n,
    struct sd_err *e);
void nltc_free_msgs(struct nl_msg **msgs, int n);
/* What they do, as the tc commands that would do the same. */
char *nltc_describe(const char *dev, const struct nltc_leaf *leaf,
    const struct nltc_scope *scope);
/* A request's bytes in hex (flags as sent: REQUEST and ACK set; the
 * sequence number and port are 0 until it is sent). */
char *nltc_hex(struct nl_msg *msg);
/* Send them in order; if one fails, root 1: is deleted again (nothing is
 * left changed) and e carries the kernel's own message. */
int nltc_send(int ifindex, struct nl_msg **msgs, int n, struct sd_err *e);
/* Delete root 1:. 1 deleted, 0 there was none, -1 with e. */
int nltc_delete_root(int ifindex, struct sd_err *e);
/* The root qdisc: its kind ("" when none could be read) and handle (0:
 * the kernel's default, not set by anyone). -1 with e. */
int nltc_root(int ifindex, char *kind, size_t len, uint32_t *handle,
    struct sd_err *e);

/* The fault qdisc's statistics (the leaf 10: when scoped, else root 1:):
 * what went through it, and what it dropped — a fault that matched
 * nothing shows none. found 0: no such qdisc. -1 with e. */
struct nltc_stats {
	int found;
	uint64_t packets, bytes, drops, overlimits;
};
int nltc_stats(int ifindex, struct nltc_stats *st, struct sd_err *e);

#endif
