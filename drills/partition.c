/*
 * partition.c — the partition kind: traffic between the service and a
 * dependency stops; connections hang, they are not refused. Through the
 * fault proxy where the dependency is behind one (its service's route:, or
 * route:) — a hang toxic both ways, which holds open connections too — else
 * through tc: an HTB leaf that drops every packet of TCP to the
 * dependency's port (and address) on dev (default lo), so a connect waits
 * on SYNs that never arrive. via: proxy or tc forces one. Reverted by
 * removing the toxic, or deleting root 1: on the device.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "proxy.h"

struct pt_opts {
	int tc;
	struct proxy_route r;
	struct toxic hang;
	struct net_target t;
	struct nltc_leaf leaf;
};

static int
pt_parse(const struct fault_parse *p, struct fault *f)
{
	struct pt_opts *o = xcalloc(1, sizeof *o);
	const struct ynode *via = ynode_get(p->args, "via");
	int rc;

	f->opts = o;
	if (p->args == NULL)
		return yerr(p->y, p->key, "partition: needs a mapping (service:,"
		    " or route:, or port: on dev:)");
	if (via != NULL && (ywant(p->y, via, Y_SCALAR, "via") == -1 ||
	    (strcmp(via->value, "proxy") != 0 && strcmp(via->value, "tc") != 0)))
		return via->type == Y_SCALAR ? yerr(p->y, via, "via: proxy or tc") :
		    -1;
	o->tc = via != NULL && strcmp(via->value, "tc") == 0;
	if (!o->tc) {
		const struct svc *sv = f->svc;
		if (via == NULL && sv != NULL && sv->route == NULL &&
		    ynode_get(p->args, "route") == NULL)
			o->tc = 1;	/* no proxy in front of it */
		else if ((rc = proxy_parse_route(p, f, &o->r, 0)) == -1)
			return -1;
		else if (rc == 1 && via != NULL)
			return yerr(p->y, via, "via: proxy needs a route (route:, or a"
			    " service with one)");
		else if (rc == 1)
			o->tc = 1;
	}
	if (o->tc) {
		o->leaf.kind = NLTC_DROP;
		if (net_parse(p, f, &o->t) == -1)
			return -1;
		if (o->t.scope.port == 0 && !o->t.scope.has_addr)
			return yerr(p->y, p->key, "partition: from what? service:,"
			    " port: or address: (a whole device is never cut)");
		return 0;
	}
	o->hang.type = TX_TIMEOUT;
	o->hang.dirs = TX_UP | TX_DOWNSTREAM;
	o->hang.toxicity = 1;
	free(f->target);
	f->target = xasprintf("route %s#%s", o->r.sock, o->r.name);
	return 0;
}

static char *
pt_describe(const struct fault *f, int revert)
{
	const struct pt_opts *o = f->opts;
	char *where, *d;

	if (o->tc)
		return net_describe(&o->t, &o->leaf, revert);
	where = proxy_where(&o->r);
	d = revert ? xasprintf("remove the hang from %s", where) :
	    xasprintf("on %s: hang both ways (nothing passes; connections"
	    " stay open)", where);
	free(where);
	return d;
}

static char *
pt_raw(const struct fault *f)
{
	const struct pt_opts *o = f->opts;

	return o->tc ? net_raw(&o->t, &o->leaf) : NULL;
}

static json_t *
pt_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct pt_opts *o = f->opts;

	(void)env;
	return o->tc ? net_prepare(&o->t, e) : proxy_prepare(&o->r, 1);
}

static int
pt_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const struct pt_opts *o = f->opts;

	(void)env;
	return o->tc ? net_apply(&o->t, &o->leaf, note, e) :
	    proxy_apply(&o->r, &o->hang, 1, rec, state, note, e);
}

static int
pt_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	const char *how = json_string_value(json_object_get(rec, "how"));

	(void)env;
	return how && strcmp(how, "qdisc") == 0 ? net_revert(rec, note, e) :
	    proxy_revert(rec, state, note, e);
}

static int
pt_in_effect(const json_t *rec, const struct fault_env *env)
{
	const char *how = json_string_value(json_object_get(rec, "how"));

	(void)env;
	return how && strcmp(how, "qdisc") == 0 ? net_in_effect(rec) :
	    proxy_in_effect(rec);
}

static int
pt_preflight(const struct fault *f, struct sd_err *e)
{
	const struct pt_opts *o = f->opts;

	return o->tc ? net_preflight(&o->t, e) : 0;
}

static void
pt_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	const char *how = json_string_value(json_object_get(rec, "how"));

	(void)env;
	if (how && strcmp(how, "qdisc") == 0)
		net_confirm(rec, ph, c);
	else
		proxy_confirm(rec, state, ph, c);
}

static char *
pt_proves(const struct fault *f)
{
	const struct pt_opts *o = f->opts;

	return o->tc ? xasprintf("packets to it are dropped on dev %s while it"
	    " holds (tc statistics)", o->t.dev) : xstrdup("the service's"
	    " connections pass through the route while it holds");
}

static void
pt_free(void *opts)
{
	struct pt_opts *o = opts;

	proxy_route_free(&o->r);
	free(o);
}

static const struct fault_verb verbs[] = {
	{ "partition", 1, NULL, "cut the service off from a dependency:"
	    " connections hang (proxy, or a dropping tc leaf)" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "route", "via",
    "dev", "port", "address", NULL };

const struct fault_kind fault_partition = {
	.name = "partition",
	.summary = "traffic to a dependency stops: connections hang, not"
	    " refused",
	.verbs = verbs,
	.keys = keys,
	.parse = pt_parse,
	.describe = pt_describe,
	.raw = pt_raw,
	.prepare = pt_prepare,
	.apply = pt_apply,
	.revert = pt_revert,
	.in_effect = pt_in_effect,
	.preflight = pt_preflight,
	.confirm = pt_confirm,
	.proves = pt_proves,
	.free_state = proxy_free_state,
	.free = pt_free,
};
