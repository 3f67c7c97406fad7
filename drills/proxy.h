/*
 * proxy.h — what the proxy kind and the partition kind share: where the
 * toxics go, and adding them to a route / taking them away again.
 *
 * A route is either a running proxy's (route: SOCKET#NAME, or the route of
 * the service named with service:) — the toxics are added to it through
 * its control socket under ids chosen before apply and kept in the record,
 * so the guardian and `recover` remove exactly those — or, for the proxy
 * kind alone, a proxy of its own (listen: and upstream:) that runs in this
 * process for as long as the fault lasts and dies with it.
 */
#ifndef SD_DRILL_PROXY_H
#define SD_DRILL_PROXY_H

#include "../lib/io/tproxy.h"
#include "../lib/fault/fault.h"

#define PX_MAX_TOXICS 8

struct proxy_route {
	char *sock, *name;		/* a running proxy's route, or NULL */
	char *listen, *upstream;	/* a proxy of its own, or NULL */
};

/* service: (with a route) or route:, or with own, listen: and upstream:.
 * 0, 1 when none is given (the caller decides), -1 on error. */
int proxy_parse_route(const struct fault_parse *p, struct fault *f,
    struct proxy_route *r, int own);
void proxy_route_free(struct proxy_route *r);
char *proxy_where(const struct proxy_route *r);
json_t *proxy_prepare(const struct proxy_route *r, size_t ntox);
int proxy_apply(const struct proxy_route *r, const struct toxic *tx, size_t n,
    json_t *rec, void **state, char **note, struct sd_err *e);
int proxy_revert(const json_t *rec, void *state, char **note, struct sd_err *e);
int proxy_in_effect(const json_t *rec);
void proxy_free_state(void *state);
/* Did toxics on a route land? The service's connections went through it
 * while they held (its counters), else a mismatch. */
void proxy_confirm(const json_t *rec, void *state, enum fault_phase ph,
    struct fault_check *c);

#endif
