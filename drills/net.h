/*
 * net.h — what the kinds that put a qdisc on a device share (netem,
 * bandwidth, partition through tc): the device and scope keys (dev, port,
 * address; or a service to aim at, whose port scopes the fault), the record
 * of root 1: on that device, its revert (delete root 1:) and its in-effect
 * check. A device whose root qdisc someone else set — an admin, or another
 * fault — is refused, never replaced.
 */
#ifndef SD_NET_H
#define SD_NET_H

#include <net/if.h>

#include "../lib/base/nltc.h"
#include "../lib/fault/fault.h"

struct net_target {
	char dev[IF_NAMESIZE];
	struct nltc_scope scope;
};

/* dev (default lo), port (default the service's), address; sets f's
 * target to "dev DEV". */
int net_parse(const struct fault_parse *p, struct fault *f,
    struct net_target *t);
/* netem and bandwidth: an unscoped fault (no port, address or service)
 * shapes a whole device — refused unless the step says scope: device. */
int net_scoped(const struct fault_parse *p, const struct net_target *t);
/* Before anything is applied: the device exists here. */
int net_preflight(const struct net_target *t, struct sd_err *e);
char *net_describe(const struct net_target *t, const struct nltc_leaf *leaf,
    int revert);
/* {how: "qdisc", dev, ifindex}; refuses a device whose root is taken. */
/* The requests apply sends, in hex, a line each. */
char *net_raw(const struct net_target *t, const struct nltc_leaf *leaf);
json_t *net_prepare(const struct net_target *t, struct sd_err *e);
/* Build and send; what is added is taken back if a request fails. */
int net_apply(const struct net_target *t, const struct nltc_leaf *leaf,
    char **note, struct sd_err *e);
int net_revert(const json_t *rec, char **note, struct sd_err *e);
int net_in_effect(const json_t *rec);
extern const char *const net_keys[];	/* dev, port, address */

/* A kind that is one qdisc leaf on a device (netem, bandwidth): its parse
 * fills a struct net_opts in f->opts; the rest of its life is these. */
struct net_opts {
	struct net_target t;
	struct nltc_leaf leaf;
};
char *net_kind_describe(const struct fault *f, int revert);
char *net_kind_raw(const struct fault *f);
json_t *net_kind_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e);
int net_kind_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e);
int net_kind_revert(const json_t *rec, void *state,
    const struct fault_env *env, char **note, struct sd_err *e);
int net_kind_in_effect(const json_t *rec, const struct fault_env *env);
int net_kind_preflight(const struct fault *f, struct sd_err *e);
/* Did it land? Packets went through the fault's qdisc while it held (tc
 * statistics: sent and dropped); none is a mismatch. */
void net_confirm(const json_t *rec, enum fault_phase ph,
    struct fault_check *c);
void net_kind_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c);
char *net_kind_proves(const struct fault *f);

#endif
