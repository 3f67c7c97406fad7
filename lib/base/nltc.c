/*
 * nltc.c — see nltc.h.
 *
 * HTB, TBF, pfifo and u32 requests are libnl's. netem's is put together
 * here with libnl's message API (see netem_options: libnl 3.7's netem
 * module mislays the length and has no rate). The socket asks for extended
 * ACKs, which libnl does not, so an error carries the kernel's own words
 * ("Specified qdisc kind is unknown").
 */
#define _GNU_SOURCE
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <net/if.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/fifo.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include "nltc.h"
#include "units.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define ROOT TC_HANDLE(1, 0)
#define CLASS TC_HANDLE(1, 1)
#define LEAF TC_HANDLE(0x10, 0)
#define FAST 1250000000u	/* 10 Gbit/s in bytes: a class that never shapes */

int
nltc_ifindex(const char *dev, struct sd_err *e)
{
	unsigned idx = if_nametoindex(dev);

	if (idx == 0)
		return err_set(e, "no network device '%s'", dev);
	return (int)idx;
}

static uint32_t
frac(double f)
{
	return (uint32_t)rint(f * UINT32_MAX);	/* as tc's set_percent */
}

/*
 * netem's options, laid out as tc lays them out (tc/q_netem.c): the
 * tc_netem_qopt, then CORR (when a correlation is given — reorder's too, as
 * tc does), REORDER, CORRUPT, RATE; TCA_OPTIONS spans all of them, which is
 * how sch_netem reads it. Not libnl's netem module: it stretches the
 * message by the nested attributes' length a second time (trailing zero
 * bytes) and knows no rate.
 */
static int
netem_options(struct nl_msg *msg, const struct nltc_netem *o)
{
	struct tc_netem_qopt opt = {
		.latency = nl_us2ticks((uint32_t)o->delay_us),
		.jitter = nl_us2ticks((uint32_t)o->jitter_us),
		.limit = o->limit ? (uint32_t)o->limit : 1000,
		.loss = frac(o->loss), .duplicate = frac(o->dup),
		.gap = (uint32_t)o->gap,
	};
	struct tc_netem_corr cor = { frac(o->delay_corr), frac(o->loss_corr),
	    frac(o->dup_corr) };
	struct tc_netem_reorder ro = { frac(o->reorder), frac(o->reorder_corr) };
	struct tc_netem_corrupt cr = { frac(o->corrupt), frac(o->corrupt_corr) };
	struct tc_netem_rate rate = { .rate = o->rate > UINT32_MAX ?
	    UINT32_MAX : (uint32_t)o->rate };
	uint64_t rate64 = (uint64_t)o->rate;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	size_t at = NLMSG_ALIGN(h->nlmsg_len);
	struct nlattr *opts;

	if (o->reorder > 0 && opt.gap == 0)
		opt.gap = 1;		/* as tc: reordering every packet */
	if (nla_put(msg, TCA_OPTIONS, sizeof opt, &opt) < 0 ||
	    ((o->delay_corr > 0 || o->loss_corr > 0 || o->dup_corr > 0 ||
	    o->reorder_corr > 0) &&
	    nla_put(msg, TCA_NETEM_CORR, sizeof cor, &cor) < 0) ||
	    (o->reorder > 0 &&
	    nla_put(msg, TCA_NETEM_REORDER, sizeof ro, &ro) < 0) ||
	    (o->corrupt > 0 &&
	    nla_put(msg, TCA_NETEM_CORRUPT, sizeof cr, &cr) < 0) ||
	    (rate64 > UINT32_MAX &&
	    nla_put(msg, TCA_NETEM_RATE64, sizeof rate64, &rate64) < 0) ||
	    (o->rate > 0 &&
	    nla_put(msg, TCA_NETEM_RATE, sizeof rate, &rate) < 0))
		return -1;
	h = nlmsg_hdr(msg);
	opts = (struct nlattr *)((char *)h + at);
	opts->nla_len = (uint16_t)(h->nlmsg_len - at);
	return 0;
}

/* RTM_NEWQDISC for netem: the header and kind by hand, so that the
 * options are exactly tc's. */
static int
netem_msg(int ifindex, uint32_t parent, uint32_t handle,
    const struct nltc_netem *o, struct nl_msg **out)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
	    .tcm_handle = handle, .tcm_parent = parent };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWQDISC,
	    NLM_F_CREATE | NLM_F_EXCL);

	if (msg == NULL)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &t, sizeof t, NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, TCA_KIND, "netem") < 0 ||
	    netem_options(msg, o) == -1) {
		nlmsg_free(msg);
		return -NLE_MSGSIZE;
	}
	*out = msg;
	return 0;
}

static struct rtnl_qdisc *
qdisc(int ifindex, uint32_t parent, uint32_t handle, const char *kind)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), parent);
	rtnl_tc_set_handle(TC_CAST(q), handle);
	rtnl_tc_set_kind(TC_CAST(q), kind);
	return q;
}

static int
leaf_msg(int ifindex, uint32_t parent, uint32_t handle,
    const struct nltc_leaf *l, struct nl_msg **out, struct sd_err *e)
{
	static const char *const kinds[] = { "netem", "tbf", "pfifo" };
	struct rtnl_qdisc *q;
	int rc;

	if (l->kind == NLTC_NETEM) {
		if ((rc = netem_msg(ifindex, parent, handle, &l->netem, out)) < 0)
			return err_set(e, "netem: %s", nl_geterror(rc));
		return 0;
	}
	q = qdisc(ifindex, parent, handle, kinds[l->kind]);
	if (l->kind == NLTC_TBF) {
		rtnl_qdisc_tbf_set_rate(q, (int)l->tbf.rate, (int)l->tbf.burst, 0);
		if (l->tbf.limit > 0)
			rtnl_qdisc_tbf_set_limit(q, (int)l->tbf.limit);
		else
			rtnl_qdisc_tbf_set_limit_by_latency(q, (int)l->tbf.latency_us);
	} else {
		rtnl_qdisc_fifo_set_limit(q, 0);	/* every packet dropped */
	}
	rc = rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, out);
	rtnl_qdisc_put(q);
	if (rc < 0)
		return err_set(e, "%s: %s", kinds[l->kind], nl_geterror(rc));
	return 0;
}

static int
htb_msgs(int ifindex, struct nl_msg **root, struct nl_msg **cls,
    struct sd_err *e)
{
	struct rtnl_qdisc *q = qdisc(ifindex, TC_H_ROOT, ROOT, "htb");
	struct rtnl_class *c = rtnl_class_alloc();
	int rc;

	rtnl_htb_set_defcls(q, 0);
	rc = rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, root);
	rtnl_qdisc_put(q);
	rtnl_tc_set_ifindex(TC_CAST(c), ifindex);
	rtnl_tc_set_parent(TC_CAST(c), ROOT);
	rtnl_tc_set_handle(TC_CAST(c), CLASS);
	rtnl_tc_set_kind(TC_CAST(c), "htb");
	rtnl_htb_set_rate(c, FAST);
	rtnl_htb_set_ceil(c, FAST);
	/* buckets as tc would size them (rate/HZ + an MTU): 0 would throttle */
	rtnl_htb_set_rbuffer(c, FAST / 1000 + 1600);
	rtnl_htb_set_cbuffer(c, FAST / 1000 + 1600);
	if (rc == 0)
		rc = rtnl_class_build_add_request(c, NLM_F_CREATE | NLM_F_EXCL, cls);
	rtnl_class_put(c);
	if (rc < 0)
		return err_set(e, "htb: %s", nl_geterror(rc));
	return 0;
}

static int
u32_msg(int ifindex, const struct nltc_scope *s, struct nl_msg **out,
    struct sd_err *e)
{
	struct rtnl_cls *c = rtnl_cls_alloc();
	int rc;

	rtnl_tc_set_ifindex(TC_CAST(c), ifindex);
	rtnl_tc_set_parent(TC_CAST(c), ROOT);
	rtnl_tc_set_kind(TC_CAST(c), "u32");
	rtnl_cls_set_prio(c, 1);
	rtnl_cls_set_protocol(c, ETH_P_IP);
	/* IPv4 TCP (protocol, byte 9); destination address (16); destination
	 * port (22, past a 20-byte header) */
	rc = rtnl_u32_add_key_uint8(c, 6, 0xff, 9, 0);
	if (rc == 0 && s->has_addr) {
		uint32_t mask = s->prefix ? htonl(~0u << (32 - s->prefix)) : 0;
		rc = rtnl_u32_add_key_uint32(c, ntohl(s->addr.s_addr), ntohl(mask),
		    16, 0);
	}
	if (rc == 0 && s->port)
		rc = rtnl_u32_add_key_uint16(c, (uint16_t)s->port, 0xffff, 22, 0);
	if (rc == 0)
		rc = rtnl_u32_set_classid(c, CLASS);
	if (rc == 0)
		rc = rtnl_u32_set_cls_terminal(c);
	if (rc == 0)
		rc = rtnl_cls_build_add_request(c, NLM_F_CREATE | NLM_F_EXCL, out);
	rtnl_cls_put(c);
	if (rc < 0)
		return err_set(e, "u32: %s", nl_geterror(rc));
	return 0;
}

int
nltc_build(int ifindex, const struct nltc_leaf *leaf,
    const struct nltc_scope *scope, struct nl_msg **msgs, int *n,
    struct sd_err *e)
{
	int scoped = scope != NULL && (scope->port || scope->has_addr);

	*n = 0;
	if (!scoped) {
		if (leaf_msg(ifindex, TC_H_ROOT, ROOT, leaf, &msgs[0], e) == -1)
			return -1;
		*n = 1;
		return 0;
	}
	if (htb_msgs(ifindex, &msgs[0], &msgs[1], e) == -1)
		return -1;
	*n = 2;
	if (leaf_msg(ifindex, CLASS, LEAF, leaf, &msgs[2], e) == -1) {
		nltc_free_msgs(msgs, *n);
		return -1;
	}
	*n = 3;
	if (u32_msg(ifindex, scope, &msgs[3], e) == -1) {
		nltc_free_msgs(msgs, *n);
		return -1;
	}
	*n = 4;
	return 0;
}

void
nltc_free_msgs(struct nl_msg **msgs, int n)
{
	for (int i = 0; i < n; i++)
		nlmsg_free(msgs[i]);
}

static void
describe_leaf(struct sbuf *sb, const struct nltc_leaf *l)
{
	const struct nltc_netem *o = &l->netem;
	char b[32];

	if (l->kind == NLTC_DROP) {
		sb_add(sb, "pfifo limit 0");
		return;
	}
	if (l->kind == NLTC_TBF) {
		sb_addf(sb, "tbf rate %lldbit burst %lld", (long long)l->tbf.rate * 8,
		    (long long)l->tbf.burst);
		if (l->tbf.limit)
			sb_addf(sb, " limit %lld", (long long)l->tbf.limit);
		else
			sb_addf(sb, " latency %s", units_fmt_ms(l->tbf.latency_us / 1000,
			    b, sizeof b));
		return;
	}
	sb_add(sb, "netem");
	if (o->limit)
		sb_addf(sb, " limit %d", o->limit);
	if (o->delay_us) {
		sb_addf(sb, " delay %s", units_fmt_ms(o->delay_us / 1000, b, sizeof b));
		if (o->jitter_us)
			sb_addf(sb, " %s", units_fmt_ms(o->jitter_us / 1000, b, sizeof b));
		if (o->delay_corr > 0)
			sb_addf(sb, " %g%%", o->delay_corr * 100);
	}
	if (o->loss > 0)
		sb_addf(sb, " loss %g%%", o->loss * 100);
	if (o->dup > 0)
		sb_addf(sb, " duplicate %g%%", o->dup * 100);
	if (o->corrupt > 0)
		sb_addf(sb, " corrupt %g%%", o->corrupt * 100);
	if (o->reorder > 0)
		sb_addf(sb, " reorder %g%%", o->reorder * 100);
	if (o->gap)
		sb_addf(sb, " gap %d", o->gap);
	if (o->rate)
		sb_addf(sb, " rate %lldbit", (long long)o->rate * 8);
}

char *
nltc_describe(const char *dev, const struct nltc_leaf *leaf,
    const struct nltc_scope *s)
{
	struct sbuf sb;
	char addr[INET_ADDRSTRLEN];

	sb_init(&sb);
	if (s == NULL || (!s->port && !s->has_addr)) {
		sb_addf(&sb, "tc qdisc add dev %s root handle 1: ", dev);
		describe_leaf(&sb, leaf);
		return sb_detach(&sb);
	}
	sb_addf(&sb, "tc qdisc add dev %s root handle 1: htb default 0; tc class"
	    " add dev %s parent 1: classid 1:1 htb rate 10gbit ceil 10gbit;"
	    " tc qdisc add dev %s parent 1:1 handle 10: ", dev, dev, dev);
	describe_leaf(&sb, leaf);
	sb_addf(&sb, "; tc filter add dev %s parent 1: protocol ip prio 1 u32"
	    " match ip protocol 6 0xff", dev);
	if (s->has_addr)
		sb_addf(&sb, " match ip dst %s/%d", inet_ntop(AF_INET, &s->addr, addr,
		    sizeof addr), s->prefix);
	if (s->port)
		sb_addf(&sb, " match ip dport %d 0xffff", s->port);
	sb_add(&sb, " flowid 1:1");
	return sb_detach(&sb);
}

char *
nltc_hex(struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	const unsigned char *p = (const unsigned char *)h;
	uint16_t flags = h->nlmsg_flags | NLM_F_REQUEST | NLM_F_ACK;
	struct sbuf sb;

	sb_init(&sb);
	for (uint32_t i = 0; i < h->nlmsg_len; i++) {
		unsigned char b = p[i];
		if (i == 6 || i == 7)	/* the flags, as they go out */
			b = (unsigned char)(flags >> (8 * (i - 6)));
		sb_addf(&sb, "%s%02x", i ? " " : "", b);
	}
	return sb_detach(&sb);
}

/* The kernel's extended ACK message, when it sends one. */
static int
on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	char *msg = arg;

	(void)nla;
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* capped: the request's header alone follows the error */
		struct nlattr *a = (struct nlattr *)((char *)err + sizeof *err);
		int left = (int)h->nlmsg_len - (int)((char *)a - (char *)h);
		for (; nla_ok(a, left); a = nla_next(a, &left))
			if (nla_type(a) == NLMSGERR_ATTR_MSG)
				snprintf(msg, 256, "%.*s", nla_len(a), (char *)nla_data(a));
	}
	return NL_STOP;
}

static struct nl_sock *
open_sock(char *kmsg, struct sd_err *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, rc;

	if (sk == NULL)
		return err_set(e, "netlink: out of memory"), NULL;
	if ((rc = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		err_set(e, "netlink: %s", nl_geterror(rc));
		nl_socket_free(sk);
		return NULL;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
	    sizeof one);
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
	    sizeof one);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, kmsg);
	return sk;
}

static int
send_one(struct nl_sock *sk, struct nl_msg *msg, char *kmsg)
{
	int rc;

	kmsg[0] = '\0';
	if ((rc = nl_send_auto(sk, msg)) < 0)
		return rc;
	return nl_wait_for_ack(sk);
}

int
nltc_delete_root(int ifindex, struct sd_err *e)
{
	char kmsg[256];
	struct nl_sock *sk = open_sock(kmsg, e);
	struct rtnl_qdisc *q;
	struct nl_msg *msg;
	int rc;

	if (sk == NULL)
		return -1;
	q = qdisc(ifindex, TC_H_ROOT, ROOT, NULL);
	rc = rtnl_qdisc_build_delete_request(q, &msg);
	rtnl_qdisc_put(q);
	if (rc == 0) {
		rc = send_one(sk, msg, kmsg);
		nlmsg_free(msg);
	}
	nl_socket_free(sk);
	/* none there (or already the default): nothing to undo */
	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_INVAL || rc == -NLE_NODEV)
		return 0;
	if (rc < 0)
		return err_set(e, "delete root qdisc: %s%s%s", nl_geterror(rc),
		    kmsg[0] ? ": " : "", kmsg);
	return 1;
}

int
nltc_send(int ifindex, struct nl_msg **msgs, int n, struct sd_err *e)
{
	char kmsg[256];
	struct nl_sock *sk = open_sock(kmsg, e);
	struct sd_err ignore;
	int rc = 0, i;

	if (sk == NULL)
		return -1;
	for (i = 0; i < n && rc >= 0; i++)
		rc = send_one(sk, msgs[i], kmsg);
	nl_socket_free(sk);
	if (rc >= 0)
		return 0;
	/* half applied: take back what was added */
	if (i > 1)
		nltc_delete_root(ifindex, &ignore);
	return err_set(e, "%s%s%s", nl_geterror(rc), kmsg[0] ? ": " : "", kmsg);
}

int
nltc_root(int ifindex, char *kind, size_t len, uint32_t *handle,
    struct sd_err *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	int rc;

	kind[0] = '\0';
	*handle = 0;
	if (sk == NULL || (rc = nl_connect(sk, NETLINK_ROUTE)) < 0 ||
	    (rc = rtnl_qdisc_alloc_cache(sk, &cache)) < 0) {
		nl_socket_free(sk);
		return err_set(e, "netlink: cannot list qdiscs");
	}
	struct rtnl_qdisc *q = rtnl_qdisc_get_by_parent(cache, ifindex, TC_H_ROOT);
	if (q != NULL) {
		snprintf(kind, len, "%s", rtnl_tc_get_kind(TC_CAST(q)));
		*handle = rtnl_tc_get_handle(TC_CAST(q));
		rtnl_qdisc_put(q);
	}
	nl_cache_free(cache);
	nl_socket_free(sk);
	return 0;
}

int
nltc_stats(int ifindex, struct nltc_stats *st, struct sd_err *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	struct rtnl_qdisc *q;

	memset(st, 0, sizeof *st);
	if (sk == NULL || nl_connect(sk, NETLINK_ROUTE) < 0 ||
	    rtnl_qdisc_alloc_cache(sk, &cache) < 0) {
		nl_socket_free(sk);
		return err_set(e, "netlink: cannot list qdiscs");
	}
	/* scoped: the fault is the leaf 10: under HTB 1:; unscoped, root 1: */
	q = rtnl_qdisc_get(cache, ifindex, LEAF);
	if (q == NULL)
		q = rtnl_qdisc_get(cache, ifindex, ROOT);
	if (q != NULL) {
		st->found = 1;
		st->packets = rtnl_tc_get_stat(TC_CAST(q), RTNL_TC_PACKETS);
		st->bytes = rtnl_tc_get_stat(TC_CAST(q), RTNL_TC_BYTES);
		st->drops = rtnl_tc_get_stat(TC_CAST(q), RTNL_TC_DROPS);
		st->overlimits = rtnl_tc_get_stat(TC_CAST(q), RTNL_TC_OVERLIMITS);
		rtnl_qdisc_put(q);
	}
	nl_cache_free(cache);
	nl_socket_free(sk);
	return 0;
}
