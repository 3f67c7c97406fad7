/*
 * net.c — see net.h.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/base/hosts.h"
#include "net.h"

#define ROOT_HANDLE 0x10000u

const char *const net_keys[] = { "dev", "port", "address", NULL };

static int
parse_address(const struct fault_parse *p, const struct ynode *n,
    struct net_target *t)
{
	char buf[64], *slash;

	if (ywant(p->y, n, Y_SCALAR, "address") == -1)
		return -1;
	snprintf(buf, sizeof buf, "%s", n->value);
	t->scope.prefix = 32;
	if ((slash = strchr(buf, '/')) != NULL) {
		char *end;
		*slash = '\0';
		t->scope.prefix = (int)strtol(slash + 1, &end, 10);
		if (*end != '\0' || t->scope.prefix < 1 || t->scope.prefix > 32)
			return yerr(p->y, n, "address: a prefix from 1 to 32");
	}
	if (inet_pton(AF_INET, buf, &t->scope.addr) != 1)
		return yerr(p->y, n, "address: an IPv4 address or prefix, not '%s'",
		    n->value);
	t->scope.has_addr = 1;
	return 0;
}

/* The kernel's rule for a device name (dev_valid_name): 1 to 15 bytes,
 * not "." or "..", no '/', ':' or white space. */
static int
dev_name_ok(const char *d)
{
	if (*d == '\0' || strlen(d) >= IF_NAMESIZE || strcmp(d, ".") == 0 ||
	    strcmp(d, "..") == 0)
		return 0;
	for (; *d; d++)
		if (*d == '/' || *d == ':' || (unsigned char)*d <= ' ' ||
		    (unsigned char)*d == 0x7f)
			return 0;
	return 1;
}

/* The device the service's traffic leaves by: lo for loopback hosts;
 * else the device holding the source address the kernel picks for it (a
 * UDP socket's connect, which sends nothing). -1 when it cannot tell. */
static int
route_dev(const struct svc *sv, char *dev, size_t len)
{
	struct hostrule none = { 0 };
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype =
	    SOCK_DGRAM }, *ai = NULL;
	struct sockaddr_storage me;
	socklen_t ml = sizeof me;
	struct ifaddrs *ifs = NULL;
	char host[256];
	struct sd_err e;
	int rc = -1, fd = -1;

	int r = sv->kind == SVC_POSTGRES ? hosts_check_dsn(sv->url, &none, host,
	    sizeof host, &e) : hosts_check_url(sv->url, &none, host, sizeof host,
	    &e);
	if (r == 0) {
		snprintf(dev, len, "lo");
		return 0;
	}
	if (r != 1 || getaddrinfo(host, "9", &hints, &ai) != 0)
		return -1;
	if ((fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    getsockname(fd, (struct sockaddr *)&me, &ml) == -1 ||
	    getifaddrs(&ifs) == -1)
		goto out;
	for (struct ifaddrs *i = ifs; i != NULL && rc == -1; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != me.ss_family)
			continue;
		if ((me.ss_family == AF_INET && memcmp(&((struct sockaddr_in *)
		    i->ifa_addr)->sin_addr, &((struct sockaddr_in *)&me)->sin_addr,
		    4) == 0) || (me.ss_family == AF_INET6 && memcmp(
		    &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
		    &((struct sockaddr_in6 *)&me)->sin6_addr, 16) == 0)) {
			snprintf(dev, len, "%s", i->ifa_name);
			rc = 0;
		}
	}
out:
	if (fd != -1)
		close(fd);
	if (ifs != NULL)
		freeifaddrs(ifs);
	freeaddrinfo(ai);
	return rc;
}

int
net_parse(const struct fault_parse *p, struct fault *f, struct net_target *t)
{
	const struct ynode *n;
	char *dev = NULL;

	if (ystr(p->y, p->args, "dev", &dev) == -1)
		return -1;
	snprintf(t->dev, sizeof t->dev, "%s", dev ? dev : "lo");
	if (dev != NULL && !dev_name_ok(dev)) {
		free(dev);
		return yerr(p->y, ynode_get(p->args, "dev"), "dev: a network device"
		    " name (1 to %d characters, no '/', ':' or space)",
		    IF_NAMESIZE - 1);
	}
	free(dev);
	if (yint(p->y, p->args, "port", 1, 65535, &t->scope.port) == -1)
		return -1;
	if ((n = ynode_get(p->args, "address")) != NULL &&
	    parse_address(p, n, t) == -1)
		return -1;
	/* aimed at a service: its traffic must leave by that device, or the
	 * fault would shape nothing of it (a database on 127.0.0.1 is reached
	 * over lo, never eth0) */
	char via[IF_NAMESIZE];
	if (f->svc != NULL && f->svc->url != NULL && route_dev(f->svc, via,
	    sizeof via) == 0 && strcmp(via, t->dev) != 0)
		return yerr(p->y, ynode_get(p->args, "dev") ? ynode_get(p->args,
		    "dev") : p->key, "service '%s' is reached over dev %s, not %s:"
		    " a fault there would touch none of its traffic", f->svc->name,
		    via, t->dev);
	/* aimed at a service: only the traffic to its port */
	if (t->scope.port == 0 && f->svc != NULL && f->svc->url != NULL &&
	    (t->scope.port = hosts_port(f->svc->url)) == 0)
		return yerr(p->y, p->key, "%s: the port of service '%s' is not"
		    " known (a Unix socket?): give port:", p->key->value,
		    f->svc->name);
	free(f->target);
	f->target = xasprintf("dev %s", t->dev);
	return 0;
}

int
net_scoped(const struct fault_parse *p, const struct net_target *t)
{
	const struct ynode *n = ynode_get(p->args, "scope");

	if (n != NULL && (ywant(p->y, n, Y_SCALAR, "scope") == -1 ||
	    strcmp(n->value, "device") != 0))
		return n->type == Y_SCALAR ? yerr(p->y, n, "scope: device (the only"
		    " value: every packet on the device, said on purpose)") : -1;
	if (n != NULL && (t->scope.port != 0 || t->scope.has_addr))
		return yerr(p->y, n, "scope: device goes without port:, address:"
		    " and service:");
	if (n == NULL && t->scope.port == 0 && !t->scope.has_addr)
		return yerr(p->y, p->key, "%s on dev %s with no port:, address: or"
		    " service: would shape every packet on the device (the whole"
		    " uplink, or all of loopback): scope it, or say scope: device",
		    p->key->value, t->dev);
	return 0;
}

int
net_preflight(const struct net_target *t, struct sd_err *e)
{
	return nltc_ifindex(t->dev, e) == -1 ? -1 : 0;
}

int
net_kind_preflight(const struct fault *f, struct sd_err *e)
{
	const struct net_opts *o = f->opts;

	return net_preflight(&o->t, e);
}

/* The requests as hex, a line each (the device's index as it is now, or
 * 0 when it does not exist here). */
char *
net_raw(const struct net_target *t, const struct nltc_leaf *leaf)
{
	struct nl_msg *msgs[NLTC_MAX_MSGS];
	struct sd_err e;
	struct sbuf sb;
	int n, idx = nltc_ifindex(t->dev, &e);

	if (nltc_build(idx < 0 ? 0 : idx, leaf, &t->scope, msgs, &n, &e) == -1)
		return xasprintf("(%s)", e.msg);
	sb_init(&sb);
	for (int i = 0; i < n; i++) {
		char *h = nltc_hex(msgs[i]);
		sb_addf(&sb, "%snetlink %s", i ? "\n" : "", h);
		free(h);
	}
	nltc_free_msgs(msgs, n);
	return sb_detach(&sb);
}

char *
net_describe(const struct net_target *t, const struct nltc_leaf *leaf,
    int revert)
{
	if (revert)
		return xasprintf("tc qdisc del dev %s root handle 1: (the kernel's"
		    " default comes back)", t->dev);
	return nltc_describe(t->dev, leaf, &t->scope);
}

json_t *
net_prepare(const struct net_target *t, struct sd_err *e)
{
	char kind[32];
	uint32_t handle;
	int idx = nltc_ifindex(t->dev, e);

	if (idx == -1 || nltc_root(idx, kind, sizeof kind, &handle, e) == -1)
		return NULL;
	if (handle != 0)
		return err_set(e, "dev %s already has a root qdisc (%s %x:) that"
		    " shakedown did not put there for this fault (an admin's, or"
		    " another fault's): it is never replaced", t->dev, kind,
		    handle >> 16), NULL;
	return json_pack("{s:s,s:s,s:i}", "how", "qdisc", "dev", t->dev,
	    "ifindex", idx);
}

int
net_apply(const struct net_target *t, const struct nltc_leaf *leaf,
    char **note, struct sd_err *e)
{
	struct nl_msg *msgs[NLTC_MAX_MSGS];
	struct sd_err se;
	int n, idx = nltc_ifindex(t->dev, e);

	if (idx == -1 || nltc_build(idx, leaf, &t->scope, msgs, &n, e) == -1)
		return FAULT_FINAL;
	int rc = nltc_send(idx, msgs, n, &se);
	nltc_free_msgs(msgs, n);
	if (rc == -1 && leaf->kind == NLTC_NETEM &&
	    strstr(se.msg, "kind is unknown") != NULL)
		return err_set(e, "netem is not available in this kernel (%s);"
		    " the proxy fault adds latency without it (a drill's proxy:"
		    " step, or shakedown fault proxy)", se.msg);
	if (rc == -1)
		return err_set(e, "dev %s: %s", t->dev, se.msg);
	fault_note(note, "root 1: on dev %s", t->dev);
	return 0;
}

int
net_revert(const json_t *rec, char **note, struct sd_err *e)
{
	const char *dev;
	int idx, rc;

	if (fault_rec_str(rec, "dev", &dev, e) == -1)
		return FAULT_FINAL;
	if ((idx = nltc_ifindex(dev, e)) == -1) {
		fault_note(note, "dev %s is gone, and its qdiscs with it", dev);
		return FAULT_NOOP;
	}
	if ((rc = nltc_delete_root(idx, e)) == -1)
		return -1;
	fault_note(note, rc ? "root 1: deleted on dev %s" : "nothing on dev %s"
	    " to delete", dev);
	return rc ? 0 : FAULT_NOOP;
}

int
net_in_effect(const json_t *rec)
{
	const char *dev = json_string_value(json_object_get(rec, "dev"));
	char kind[32];
	uint32_t handle;
	struct sd_err e;
	int idx;

	if (dev == NULL || (idx = nltc_ifindex(dev, &e)) == -1)
		return dev == NULL ? -1 : 0;
	if (nltc_root(idx, kind, sizeof kind, &handle, &e) == -1)
		return -1;
	return handle == ROOT_HANDLE;
}

char *
net_kind_describe(const struct fault *f, int revert)
{
	const struct net_opts *o = f->opts;

	return net_describe(&o->t, &o->leaf, revert);
}

char *
net_kind_raw(const struct fault *f)
{
	const struct net_opts *o = f->opts;

	return net_raw(&o->t, &o->leaf);
}

json_t *
net_kind_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct net_opts *o = f->opts;
	json_t *rec;

	(void)env;
	rec = net_prepare(&o->t, e);
	/* a rate to measure what went through against (confirm) */
	if (rec != NULL && o->leaf.kind == NLTC_TBF)
		json_object_set_new(rec, "rate", json_integer(o->leaf.tbf.rate));
	return rec;
}

int
net_kind_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const struct net_opts *o = f->opts;

	(void)rec, (void)state, (void)env;
	return net_apply(&o->t, &o->leaf, note, e);
}

int
net_kind_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	(void)state, (void)env;
	return net_revert(rec, note, e);
}

int
net_kind_in_effect(const json_t *rec, const struct fault_env *env)
{
	(void)env;
	return net_in_effect(rec);
}

void
net_confirm(const json_t *rec, enum fault_phase ph, struct fault_check *c)
{
	int idx = (int)json_integer_value(json_object_get(rec, "ifindex"));
	const char *dev = json_string_value(json_object_get(rec, "dev"));
	struct nltc_stats st;
	struct sd_err e;

	if (ph == FC_REVERTED || dev == NULL)
		return;
	if (nltc_stats(idx, &st, &e) == -1 || !st.found) {
		fault_proved(c, FP_MISMATCH, "no fault qdisc on dev %s", dev);
		return;
	}
	uint64_t seen = st.packets + st.drops;
	int64_t rate = json_integer_value(json_object_get(rec, "rate"));
	if (ph == FC_APPLIED) {
		c->v[0] = (int64_t)seen;
		c->v[1] = (int64_t)st.bytes;
		c->v[2] = mono_ms();
		fault_proved(c, FP_CONFIRMED, "on dev %s", dev);
		return;
	}
	uint64_t n = seen - (uint64_t)c->v[0];
	double secs = (double)(mono_ms() - c->v[2]) / 1000.0;
	double got = secs > 0 ? (double)((int64_t)st.bytes - c->v[1]) / secs : 0;
	/* a rate: what went through may not exceed it (by more than 20%,
	 * and a burst's worth at the start) */
	int over = rate > 0 && secs >= 0.5 && got > (double)rate * 1.2 +
	    (double)rate / 10 / secs;
	char r[96] = "";
	if (rate > 0 && secs > 0)
		snprintf(r, sizeof r, "; %.0f byte(s)/s through it, limit %lld",
		    got, (long long)rate);
	if (n > 0)
		fault_proved(c, over ? FP_MISMATCH : FP_CONFIRMED, "%llu packet(s)"
		    " went through it on dev %s while it held (%llu dropped, %llu"
		    " over the limit)%s%s", (unsigned long long)n, dev,
		    (unsigned long long)st.drops, (unsigned long long)st.overlimits,
		    r, over ? ": more than the limit" : "");
	else
		fault_proved(c, FP_MISMATCH, "no packet matched it on dev %s while"
		    " it held: the traffic it aims at does not go there", dev);
}

void
net_kind_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	(void)state;
	(void)env;
	net_confirm(rec, ph, c);
}

char *
net_kind_proves(const struct fault *f)
{
	const struct net_opts *o = f->opts;

	return xasprintf("packets go through its qdisc on dev %s while it holds"
	    " (tc statistics)", o->t.dev);
}
