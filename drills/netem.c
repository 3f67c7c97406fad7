/*
 * netem.c — the netem kind: delay (with jitter and correlation), loss,
 * duplication, corruption, reordering and a rate on a device's egress,
 * through libnl (lib/base/nltc.h), for all its traffic or only TCP to a port
 * and/or address — or to a service named with service:, whose port scopes
 * it. Reverted by deleting root 1: on the device. On a kernel without
 * sch_netem (this one) it says so, leaves nothing changed, and names the
 * proxy fault, which adds latency anywhere.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "net.h"

static int
us(const struct fault_parse *p, const char *key, int64_t *out)
{
	int64_t ms = 0;

	if (ydur(p->y, p->args, key, &ms, 1, 60 * 60 * 1000) == -1)
		return -1;
	if (ms)
		*out = ms * 1000;
	return 0;
}

/* tc's cross-field checks, at the keys that break them */
static int
needs(const struct fault_parse *p, const char *key, int ok, const char *why)
{
	const struct ynode *n = ynode_get(p->args, key);

	return n != NULL && !ok ? yerr(p->y, n, "%s: %s", key, why) : 0;
}

static int
ne_parse(const struct fault_parse *p, struct fault *f)
{
	struct net_opts *o = xcalloc(1, sizeof *o);
	struct nltc_netem *n = &o->leaf.netem;
	f->opts = o;
	o->leaf.kind = NLTC_NETEM;
	if (p->args == NULL)
		return yerr(p->y, p->key, "netem: needs a mapping (dev:, delay:,"
		    " loss: ...)");
	if (net_parse(p, f, &o->t) == -1 ||
	    us(p, "delay", &n->delay_us) == -1 || us(p, "jitter", &n->jitter_us) == -1 ||
	    ypercent(p->y, p->args, "correlation", &n->delay_corr) == -1 ||
	    ypercent(p->y, p->args, "loss", &n->loss) == -1 ||
	    ypercent(p->y, p->args, "loss_correlation", &n->loss_corr) == -1 ||
	    ypercent(p->y, p->args, "duplicate", &n->dup) == -1 ||
	    ypercent(p->y, p->args, "duplicate_correlation", &n->dup_corr) == -1 ||
	    ypercent(p->y, p->args, "corrupt", &n->corrupt) == -1 ||
	    ypercent(p->y, p->args, "corrupt_correlation", &n->corrupt_corr) == -1 ||
	    ypercent(p->y, p->args, "reorder", &n->reorder) == -1 ||
	    ypercent(p->y, p->args, "reorder_correlation", &n->reorder_corr) == -1 ||
	    yint(p->y, p->args, "gap", 1, 1 << 30, &n->gap) == -1 ||
	    yint(p->y, p->args, "limit", 1, 1 << 30, &n->limit) == -1)
		return -1;
	if (ybitrate(p->y, p->args, "rate", &n->rate) == -1)
		return -1;
	if (needs(p, "jitter", n->delay_us, "goes with delay:") == -1 ||
	    needs(p, "correlation", n->jitter_us, "needs jitter:") == -1 ||
	    needs(p, "loss_correlation", n->loss > 0, "needs loss:") == -1 ||
	    needs(p, "duplicate_correlation", n->dup > 0, "needs duplicate:") == -1 ||
	    needs(p, "corrupt_correlation", n->corrupt > 0, "needs corrupt:") == -1 ||
	    needs(p, "reorder", n->delay_us, "needs delay: (reordering holds"
	    " the other packets back)") == -1 ||
	    needs(p, "reorder_correlation", n->reorder > 0, "needs reorder:") == -1 ||
	    needs(p, "gap", n->reorder > 0, "needs reorder:") == -1)
		return -1;
	if (!n->delay_us && n->loss <= 0 && n->dup <= 0 && n->corrupt <= 0 &&
	    !n->rate)
		return yerr(p->y, p->key, "netem: set delay:, loss:, duplicate:,"
		    " corrupt: or rate:");
	return net_scoped(p, &o->t);
}

static const struct fault_verb verbs[] = {
	{ "netem", 1, NULL, "netem on a device's egress: delay, loss, duplicate,"
	    " corrupt, reorder, rate" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "dev", "port",
    "address", "delay", "jitter", "correlation", "loss", "loss_correlation",
    "duplicate", "duplicate_correlation", "corrupt", "corrupt_correlation",
    "reorder", "reorder_correlation", "gap", "rate", "limit", "scope", NULL };

const struct fault_kind fault_netem = {
	.name = "netem",
	.summary = "netem through libnl: delay, loss, duplication, corruption,"
	    " reordering, rate",
	.verbs = verbs,
	.keys = keys,
	.parse = ne_parse,
	.describe = net_kind_describe,
	.raw = net_kind_raw,
	.prepare = net_kind_prepare,
	.apply = net_kind_apply,
	.revert = net_kind_revert,
	.in_effect = net_kind_in_effect,
	.preflight = net_kind_preflight,
	.confirm = net_kind_confirm,
	.proves = net_kind_proves,
	.free = free,
};
