/*
 * bandwidth.c — the bandwidth kind: a token bucket (TBF) on a device's
 * egress through libnl (lib/base/nltc.h) — rate, burst, and limit or latency —
 * for all its traffic or only TCP to a port and/or address (or to a
 * service named with service:). Reverted by deleting root 1: on the device.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../lib/base/units.h"
#include "net.h"

static int
bw_parse(const struct fault_parse *p, struct fault *f)
{
	struct net_opts *o = xcalloc(1, sizeof *o);
	struct nltc_tbf *b = &o->leaf.tbf;
	const struct ynode *n;
	int64_t ms = 0;

	f->opts = o;
	o->leaf.kind = NLTC_TBF;
	if (p->args == NULL || (n = ynode_get(p->args, "rate")) == NULL)
		return yerr(p->y, p->args ? p->args : p->key, "bandwidth: needs"
		    " rate: (1mbit, 500kbit, 100KB/s)");
	if (ybitrate(p->y, p->args, "rate", &b->rate) == -1 ||
	    net_parse(p, f, &o->t) == -1 ||
	    ydur(p->y, p->args, "latency", &ms, 1, 60000) == -1)
		return -1;
	if (ysize(p->y, p->args, "burst", &b->burst) == -1 ||
	    ysize(p->y, p->args, "limit", &b->limit) == -1)
		return -1;
	if (b->limit && ms)
		return yerr(p->y, ynode_get(p->args, "latency"), "latency: or"
		    " limit:, not both");
	/* a burst of a tenth of a second's worth, at least a few packets */
	if (b->burst == 0)
		b->burst = b->rate / 10 > 5000 ? b->rate / 10 : 5000;
	b->latency_us = (ms ? ms : 50) * 1000;
	return net_scoped(p, &o->t);
}

static const struct fault_verb verbs[] = {
	{ "bandwidth", 1, NULL, "a token bucket (TBF) on a device's egress" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "dev", "port",
    "address", "rate", "burst", "limit", "latency", "scope", NULL };

const struct fault_kind fault_bandwidth = {
	.name = "bandwidth",
	.summary = "limit bandwidth with TBF through libnl",
	.verbs = verbs,
	.keys = keys,
	.parse = bw_parse,
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
