/*
 * proxy.c — the proxy kind: toxics on a TCP route (lib/io/tproxy.h) — latency
 * with jitter, bandwidth, slicer, limit_data, hang (Toxiproxy's timeout),
 * reset, slow_close, down — per direction, with a toxicity. On a running
 * proxy's route (the sandbox puts one in front of PostgreSQL and Redis) or
 * on a proxy of its own (listen:, upstream:). Needs neither root nor netem.
 * Also the route helpers of proxy.h, which partition uses.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/base/hosts.h"
#include "../lib/base/units.h"
#include "proxy.h"

struct proxy_opts {
	struct proxy_route r;
	struct toxic tx[PX_MAX_TOXICS];
	size_t n;
};

static int
split_route(const char *s, struct proxy_route *r)
{
	const char *h = strrchr(s, '#');

	if (h == NULL || h == s || h[1] == '\0')
		return -1;
	r->sock = strndup(s, (size_t)(h - s));
	r->name = xstrdup(h + 1);
	return 0;
}

/* HOST:PORT with a port from 1 to 65535, at the key that gives it */
static int
addr_ok(const struct fault_parse *p, const char *key, const char *v)
{
	struct sd_err e;
	char host[256];
	int port;

	if (hosts_split(v, host, sizeof host, &port, &e) == -1)
		return yerr(p->y, ynode_get(p->args, key), "%s: %s", key, e.msg);
	return 0;
}

int
proxy_parse_route(const struct fault_parse *p, struct fault *f,
    struct proxy_route *r, int own)
{
	const struct ynode *n = ynode_get(p->args, "route");
	const struct ynode *l = ynode_get(p->args, "listen");
	char *route = NULL;

	if (n != NULL) {
		if (ystr(p->y, p->args, "route", &route) == -1)
			return -1;
		int bad = split_route(route, r);
		free(route);
		if (bad)
			return yerr(p->y, n, "route: SOCKET#NAME (a proxy's control"
			    " socket and the route's name)");
	} else if (f->svc != NULL && f->svc->route != NULL) {
		split_route(f->svc->route, r);	/* checked when it was parsed */
	} else if (f->svc != NULL && l == NULL) {
		return yerr(p->y, ynode_get(p->args, "service"), "service '%s' has"
		    " no route: (no proxy in front of it)", f->svc->name);
	}
	if (!own || l == NULL)
		return r->sock == NULL;
	if (r->sock != NULL)
		return yerr(p->y, l, "listen: makes a proxy of its own: not with"
		    " route: or a service's route");
	if (ystr(p->y, p->args, "listen", &r->listen) == -1 ||
	    ystr(p->y, p->args, "upstream", &r->upstream) == -1)
		return -1;
	if (r->upstream == NULL)
		return yerr(p->y, l, "listen: needs upstream: (HOST:PORT)");
	if (addr_ok(p, "listen", r->listen) == -1 ||
	    addr_ok(p, "upstream", r->upstream) == -1)
		return -1;
	if (tproxy_same_route(r->listen, r->upstream))
		return yerr(p->y, ynode_get(p->args, "upstream"), "upstream: %s is"
		    " the proxy's own listen address %s: every connection would"
		    " connect to itself", r->upstream, r->listen);
	return 0;
}

void
proxy_route_free(struct proxy_route *r)
{
	free(r->sock);
	free(r->name);
	free(r->listen);
	free(r->upstream);
}

char *
proxy_where(const struct proxy_route *r)
{
	return r->sock ? xasprintf("route %s of the proxy at %s", r->name,
	    r->sock) : xasprintf("a proxy on %s to %s", r->listen, r->upstream);
}

json_t *
proxy_prepare(const struct proxy_route *r, size_t ntox)
{
	static unsigned seq;
	json_t *ids;

	if (r->sock == NULL)
		return json_pack("{s:s,s:s}", "how", "own", "listen", r->listen);
	ids = json_array();
	for (size_t i = 0; i < ntox; i++)
		json_array_append_new(ids, json_sprintf("shakedown-%d-%lld-%u",
		    (int)getpid(), (long long)(mono_ns() / 1000), seq++));
	return json_pack("{s:s,s:s,s:s,s:o}", "how", "route", "sock", r->sock,
	    "route", r->name, "ids", ids);
}

static json_t *
call(const char *sock, json_t *req, struct sd_err *e)
{
	return tproxy_call(sock, req, 3000, e);
}

static int
remove_ids(const char *sock, const char *route, const json_t *ids,
    size_t upto, size_t *removed, struct sd_err *e)
{
	int rc = 0;

	*removed = 0;
	for (size_t i = 0; i < upto && i < json_array_size(ids); i++) {
		json_t *a = call(sock, json_pack("{s:s,s:s,s:O}", "op", "remove",
		    "route", route, "id", json_array_get(ids, i)), e);
		if (a == NULL)
			rc = -1;
		else if (json_is_true(json_object_get(a, "removed")))
			(*removed)++;
		json_decref(a);
	}
	return rc;
}

static int
apply_own(const struct proxy_route *r, const struct toxic *tx, size_t n,
    void **state, char **note, struct sd_err *e)
{
	struct tproxy *p = tproxy_new(e);

	if (p == NULL)
		return FAULT_FINAL;
	if (tproxy_route(p, "fault", r->listen, r->upstream, e) == -1 ||
	    tproxy_start(p, e) == -1) {
		tproxy_free(p);
		return FAULT_FINAL;
	}
	for (size_t i = 0; i < n; i++) {
		struct toxic t = tx[i];
		snprintf(t.id, sizeof t.id, "%s-%zu", toxic_type_name(t.type), i);
		tproxy_add(p, "fault", &t, e);
	}
	*state = p;
	fault_note(note, "proxy on %s to %s", r->listen, r->upstream);
	return 0;
}

int
proxy_apply(const struct proxy_route *r, const struct toxic *tx, size_t n,
    json_t *rec, void **state, char **note, struct sd_err *e)
{
	const json_t *ids = json_object_get(rec, "ids");
	size_t i, gone;
	struct sd_err ig;

	if (r->sock == NULL)
		return apply_own(r, tx, n, state, note, e);
	for (i = 0; i < n; i++) {
		struct toxic t = tx[i];
		snprintf(t.id, sizeof t.id, "%s",
		    json_string_value(json_array_get(ids, i)));
		json_t *a = call(r->sock, json_pack("{s:s,s:s,s:o}", "op", "add",
		    "route", r->name, "toxic", toxic_json(&t)), e);
		if (a == NULL)
			break;
		json_decref(a);
	}
	if (i == n) {
		fault_note(note, "%zu toxic(s) on route %s", n, r->name);
		return 0;
	}
	/* take back what was added: nothing is left half applied */
	if (remove_ids(r->sock, r->name, ids, i, &gone, &ig) == -1)
		return -1;
	return FAULT_FINAL;
}

/* Is the proxy there at all? Its toxics die with it. */
static int
proxy_gone(const char *sock)
{
	struct sd_err e;
	json_t *a = call(sock, json_pack("{s:s}", "op", "list"), &e);

	json_decref(a);
	return a == NULL && (access(sock, F_OK) == -1 ||
	    strstr(e.msg, "refused") != NULL);
}

int
proxy_revert(const json_t *rec, void *state, char **note, struct sd_err *e)
{
	const char *how, *sock, *route;
	size_t removed;

	if (fault_rec_str(rec, "how", &how, e) == -1)
		return FAULT_FINAL;
	if (strcmp(how, "own") == 0) {
		if (state == NULL) {
			fault_note(note, "its proxy ran in the run and ended with it");
			return FAULT_NOOP;
		}
		tproxy_stop(state);	/* freed with the run's state */
		fault_note(note, "proxy stopped");
		return 0;
	}
	if (fault_rec_str(rec, "sock", &sock, e) == -1 ||
	    fault_rec_str(rec, "route", &route, e) == -1 ||
	    !json_is_array(json_object_get(rec, "ids")))
		return FAULT_FINAL;
	if (proxy_gone(sock)) {
		fault_note(note, "the proxy at %s is gone, and its toxics with it",
		    sock);
		return FAULT_NOOP;
	}
	if (remove_ids(sock, route, json_object_get(rec, "ids"), SIZE_MAX,
	    &removed, e) == -1)
		return -1;
	fault_note(note, "%zu toxic(s) removed from route %s", removed, route);
	return removed ? 0 : FAULT_NOOP;
}

int
proxy_in_effect(const json_t *rec)
{
	const char *how = json_string_value(json_object_get(rec, "how"));
	const char *sock = json_string_value(json_object_get(rec, "sock"));
	const char *route = json_string_value(json_object_get(rec, "route"));
	const json_t *ids = json_object_get(rec, "ids"), *rt, *tx;
	struct sd_err e;
	size_t i, j, k;
	int found = 0;

	if (how == NULL || strcmp(how, "own") == 0)
		return how ? 0 : -1;
	if (sock == NULL || route == NULL)
		return -1;
	json_t *a = call(sock, json_pack("{s:s}", "op", "list"), &e);
	if (a == NULL)
		return proxy_gone(sock) ? 0 : -1;
	json_array_foreach(json_object_get(a, "routes"), i, rt) {
		const char *name = json_string_value(json_object_get(rt, "name"));
		if (name == NULL || strcmp(name, route) != 0)
			continue;
		json_array_foreach(json_object_get(rt, "toxics"), j, tx)
			for (k = 0; k < json_array_size(ids); k++)
				found |= json_equal(json_object_get(tx, "id"),
				    json_array_get(ids, k));
	}
	json_decref(a);
	return found;
}

void
proxy_free_state(void *state)
{
	tproxy_free(state);
}

/* The route's traffic now: open connections, accepted since it began,
 * bytes through it; *route_out (when not NULL) its whole entry, the
 * caller's. -1 when it cannot be read. */
static int
px_traffic(const json_t *rec, void *state, int64_t v[3], json_t **route_out)
{
	const char *how = json_string_value(json_object_get(rec, "how"));
	const char *sock = json_string_value(json_object_get(rec, "sock"));
	const char *route = json_string_value(json_object_get(rec, "route"));
	json_t *a = NULL, *rt;
	struct sd_err e;
	size_t i;
	int rc = -1;

	if (how != NULL && strcmp(how, "own") == 0 && state != NULL)
		a = tproxy_list(state);
	else if (sock != NULL && route != NULL)
		a = call(sock, json_pack("{s:s}", "op", "list"), &e);
	json_array_foreach(json_object_get(a, "routes"), i, rt) {
		const char *name = json_string_value(json_object_get(rt, "name"));
		if (route != NULL && (name == NULL || strcmp(name, route) != 0))
			continue;
		v[0] = json_integer_value(json_object_get(rt, "connections"));
		v[1] = json_integer_value(json_object_get(rt, "accepted"));
		v[2] = json_integer_value(json_object_get(rt, "bytes"));
		if (route_out != NULL)
			*route_out = json_incref(rt);
		rc = 0;
		break;
	}
	json_decref(a);
	return rc;
}

/*
 * What the latency toxics on the route add, against what its data was
 * held, by direction: every piece of the service's data read since the
 * toxics last changed must have been held at least the latency asked,
 * less its jitter (and 2 ms for the clock). Toxics on a share of the
 * connections are not measured. Appends to fig; 0 when within, -1 not.
 */
static int
px_latency(const json_t *rt, char *fig, size_t len)
{
	static const char *const dn[2] = { "upstream", "downstream" };
	int64_t want[2] = { 0, 0 }, jit[2] = { 0, 0 };
	const json_t *t;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(rt, "toxics"), i, t) {
		const char *type = json_string_value(json_object_get(t, "type"));
		const char *d = json_string_value(json_object_get(t, "direction"));
		if (type == NULL || d == NULL || strcmp(type, "latency") != 0)
			continue;
		if (json_real_value(json_object_get(t, "toxicity")) < 1.0)
			return 0;	/* a share: some data is not held at all */
		for (int k = 0; k < 2; k++)
			if (strcmp(d, "both") == 0 || strcmp(d, k ? "down" : "up") ==
			    0) {
				want[k] += json_integer_value(json_object_get(t,
				    "latency_ms"));
				jit[k] += json_integer_value(json_object_get(t,
				    "jitter_ms"));
			}
	}
	for (int k = 0; k < 2; k++) {
		const json_t *h = json_object_get(json_object_get(rt, "held"), dn[k]);
		int64_t n = json_integer_value(json_object_get(h, "chunks"));
		int64_t lo = json_integer_value(json_object_get(h, "min_us"));
		int64_t mean = json_integer_value(json_object_get(h, "mean_us"));
		size_t at = strlen(fig);
		if (want[k] == 0 || n == 0 || at + 1 >= len)
			continue;
		int ok = lo >= (want[k] - jit[k]) * 1000 - 2000;
		snprintf(fig + at, len - at, "; %s, latency %lldms asked: %lld"
		    " piece(s) held %.1f-%.1fms, mean %.1f%s", dn[k],
		    (long long)want[k], (long long)n, lo / 1000.0,
		    json_integer_value(json_object_get(h, "max_us")) / 1000.0,
		    mean / 1000.0, ok ? "" : " — less than asked");
		if (!ok)
			rc = -1;
	}
	return rc;
}

/* A route taken down (its "down" toxic): 1 when its listen address
 * refuses a connection now, 0 when it takes one, -1 cannot tell. */
static int
refuses(const json_t *rt)
{
	const char *listen = json_string_value(json_object_get(rt, "listen"));
	const json_t *t;
	char host[256], serv[16];
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	    .ai_socktype = SOCK_STREAM }, *ai;
	struct sd_err e;
	size_t i;
	int port, fd, rc = -1, down = 0;

	json_array_foreach(json_object_get(rt, "toxics"), i, t)
		down |= json_string_value(json_object_get(t, "type")) != NULL &&
		    strcmp(json_string_value(json_object_get(t, "type")), "down") ==
		    0;
	if (!down)
		return -2;
	if (listen == NULL || hosts_split(listen, host, sizeof host, &port,
	    &e) == -1)
		return -1;
	snprintf(serv, sizeof serv, "%d", port);
	if (getaddrinfo(host, serv, &hints, &ai) != 0)
		return -1;
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) >= 0) {
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			rc = 0;
		else if (errno == ECONNREFUSED)
			rc = 1;
		else if (errno == EINPROGRESS) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			int err = 0;
			socklen_t len = sizeof err;
			if (poll(&pfd, 1, 100) == 1 && getsockopt(fd, SOL_SOCKET,
			    SO_ERROR, &err, &len) == 0)
				rc = err == 0 ? 0 : err == ECONNREFUSED ? 1 : -1;
		}
		close(fd);
	}
	freeaddrinfo(ai);
	return rc;
}

void
proxy_confirm(const json_t *rec, void *state, enum fault_phase ph,
    struct fault_check *c)
{
	int64_t v[3];
	json_t *rt = NULL;

	if (ph == FC_REVERTED)
		return;
	if (px_traffic(rec, state, v, &rt) == -1) {
		fault_proved(c, FP_INCONCLUSIVE, "the route's counters cannot be"
		    " read");
		return;
	}
	int down = refuses(rt);
	if (down != -2) {
		/* down: nothing passes, so no counter moves; its listener
		 * refuses, measured by a connection of our own */
		fault_proved(c, down == 1 ? FP_CONFIRMED : down == 0 ? FP_MISMATCH :
		    FP_INCONCLUSIVE, "the route %s connections %s", down == 1 ?
		    "refuses" : down == 0 ? "still takes" : "cannot be told to refuse",
		    ph == FC_APPLIED ? "once applied" : "before the revert");
		json_decref(rt);
		return;
	}
	if (ph == FC_APPLIED) {
		c->v[1] = v[1];
		c->v[2] = v[2];
		fault_proved(c, v[0] > 0 ? FP_CONFIRMED : FP_INCONCLUSIVE,
		    "%lld connection(s) open on the route", (long long)v[0]);
		json_decref(rt);
		return;
	}
	if (v[0] > 0 || v[1] > c->v[1]) {
		char lat[200] = "";
		int ok = px_latency(rt, lat, sizeof lat) == 0;
		fault_proved(c, ok ? FP_CONFIRMED : FP_MISMATCH, "the service's"
		    " traffic went through it while it held: %lld connection(s)"
		    " open, %lld new, %lld byte(s)%s", (long long)v[0],
		    (long long)(v[1] - c->v[1]), (long long)(v[2] - c->v[2]), lat);
	} else
		fault_proved(c, FP_MISMATCH, "no connection on the route while it"
		    " held: the service does not connect through the proxy");
	json_decref(rt);
}

/* --- the proxy kind --- */

/* true (0: at once / never) or a duration; *set 0 when false or absent */
static int
now_or_after(const struct fault_parse *p, const char *key, int *set,
    int64_t *ms)
{
	const struct ynode *n = ynode_get(p->args, key);

	*set = 0;
	if (n == NULL)
		return 0;
	if (ywant(p->y, n, Y_SCALAR, key) == -1)
		return -1;
	if (n->plain && (strcmp(n->value, "true") == 0 ||
	    strcmp(n->value, "false") == 0)) {
		*set = n->value[0] == 't';
		*ms = 0;
		return 0;
	}
	*set = 1;
	return ydur_node(p->y, n, key, ms, 1, 24LL * 3600 * 1000);
}

static struct toxic *
add(struct proxy_opts *o, enum toxic_type type, unsigned dirs)
{
	struct toxic *t = &o->tx[o->n++];

	t->type = type;
	t->dirs = dirs;
	t->toxicity = 1;
	return t;
}

static int
direction(const struct fault_parse *p, unsigned *dirs, int *given)
{
	const struct ynode *n = ynode_get(p->args, "direction");

	*dirs = TX_DOWNSTREAM;
	if ((*given = n != NULL) == 0)
		return 0;
	if (ywant(p->y, n, Y_SCALAR, "direction") == -1)
		return -1;
	*dirs = strcmp(n->value, "down") == 0 ? TX_DOWNSTREAM :
	    strcmp(n->value, "up") == 0 ? TX_UP : strcmp(n->value, "both") == 0 ?
	    TX_UP | TX_DOWNSTREAM : 0;
	if (*dirs == 0)
		return yerr(p->y, n, "direction: up (client to upstream), down"
		    " (upstream to client) or both");
	return 0;
}

static int
toxics(const struct fault_parse *p, struct proxy_opts *o)
{
	int64_t lat = 0, jit = 0, v = 0, sdelay = 0, ms;
	unsigned dirs, all;
	int given, set;
	double tox = 1;

	if (direction(p, &dirs, &given) == -1)
		return -1;
	all = given ? dirs : TX_UP | TX_DOWNSTREAM;
	if (ydur(p->y, p->args, "latency", &lat, 1, 3600000) == -1 ||
	    ydur(p->y, p->args, "delay", &lat, 1, 3600000) == -1 ||
	    ydur(p->y, p->args, "jitter", &jit, 1, 3600000) == -1 ||
	    ydur(p->y, p->args, "slice_delay", &sdelay, 1, 60000) == -1)
		return -1;
	if (ynode_get(p->args, "latency") && ynode_get(p->args, "delay"))
		return yerr(p->y, ynode_get(p->args, "delay"), "delay: is latency:"
		    " by another name: give one");
	if (jit && !lat)
		return yerr(p->y, ynode_get(p->args, "jitter"), "jitter: goes with"
		    " latency:");
	if (lat) {
		struct toxic *t = add(o, TX_LATENCY, dirs);
		t->latency_ms = lat;
		t->jitter_ms = jit;
	}
	if (ybitrate(p->y, p->args, "bandwidth", &v) == -1)
		return -1;
	if (v)
		add(o, TX_BANDWIDTH, dirs)->rate = v;
	v = 0;
	if (ysize(p->y, p->args, "slicer", &v) == -1)
		return -1;
	if (v) {
		struct toxic *t = add(o, TX_SLICER, dirs);
		t->bytes = v;
		t->delay_ms = sdelay;
	} else if (sdelay) {
		return yerr(p->y, ynode_get(p->args, "slice_delay"),
		    "slice_delay: goes with slicer:");
	}
	v = 0;
	if (ysize(p->y, p->args, "limit_data", &v) == -1)
		return -1;
	if (v)
		add(o, TX_LIMIT_DATA, dirs)->bytes = v;
	if (now_or_after(p, "hang", &set, &ms) == -1)
		return -1;
	if (set)
		add(o, TX_TIMEOUT, all)->timeout_ms = ms;
	if (now_or_after(p, "reset", &set, &ms) == -1)
		return -1;
	if (set)
		add(o, TX_RESET_PEER, all)->timeout_ms = ms;
	if (now_or_after(p, "slow_close", &set, &ms) == -1)
		return -1;
	if (set)
		add(o, TX_SLOW_CLOSE, all)->timeout_ms = ms;
	if (now_or_after(p, "down", &set, &ms) == -1)
		return -1;
	if (set)
		add(o, TX_DOWN, all);
	if (ypercent(p->y, p->args, "toxicity", &tox) == -1)
		return -1;
	for (size_t i = 0; i < o->n; i++)
		o->tx[i].toxicity = tox;
	if (o->n == 0)
		return yerr(p->y, p->key, "proxy: set latency:, bandwidth:,"
		    " slicer:, limit_data:, hang:, reset:, slow_close: or down:");
	return 0;
}

static int
pr_parse(const struct fault_parse *p, struct fault *f)
{
	struct proxy_opts *o = xcalloc(1, sizeof *o);
	int rc;

	f->opts = o;
	if (p->args == NULL)
		return yerr(p->y, p->key, "proxy: needs a mapping (service: or"
		    " route:, or listen: and upstream:; then latency: ...)");
	if ((rc = proxy_parse_route(p, f, &o->r, 1)) == -1)
		return -1;
	if (rc == 1)
		return yerr(p->y, p->key, "proxy: on which route? service: (one"
		    " with route:), route: SOCKET#NAME, or listen: and upstream:");
	if (toxics(p, o) == -1)
		return -1;
	free(f->target);
	f->target = o->r.sock ? xasprintf("route %s#%s", o->r.sock, o->r.name) :
	    xasprintf("listen %s", o->r.listen);
	return 0;
}

static char *
pr_describe(const struct fault *f, int revert)
{
	const struct proxy_opts *o = f->opts;
	char *where = proxy_where(&o->r), b1[32], b2[32];
	struct sbuf sb;

	sb_init(&sb);
	if (revert) {
		sb_addf(&sb, "%s the toxics from %s", o->r.sock ? "remove" :
		    "stop the proxy, and", where);
		free(where);
		return sb_detach(&sb);
	}
	sb_addf(&sb, "on %s:", where);
	free(where);
	for (size_t i = 0; i < o->n; i++) {
		const struct toxic *t = &o->tx[i];
		sb_addf(&sb, "%s %s", i ? "," : "", toxic_type_name(t->type));
		if (t->type == TX_LATENCY)
			sb_addf(&sb, " %s", units_fmt_ms(t->latency_ms, b1, sizeof b1));
		if (t->type == TX_LATENCY && t->jitter_ms)
			sb_addf(&sb, " ± %s", units_fmt_ms(t->jitter_ms, b2, sizeof b2));
		if (t->type == TX_BANDWIDTH)
			sb_addf(&sb, " %lld B/s", (long long)t->rate);
		if (t->type == TX_SLICER || t->type == TX_LIMIT_DATA)
			sb_addf(&sb, " %lld bytes", (long long)t->bytes);
		if (t->type == TX_SLICER && t->delay_ms)
			sb_addf(&sb, " every %s", units_fmt_ms(t->delay_ms, b1,
			    sizeof b1));
		if ((t->type == TX_TIMEOUT || t->type == TX_RESET_PEER ||
		    t->type == TX_SLOW_CLOSE) && t->timeout_ms)
			sb_addf(&sb, " after %s", units_fmt_ms(t->timeout_ms, b1,
			    sizeof b1));
		sb_addf(&sb, " (%s%s)", t->dirs == TX_UP ? "up" : t->dirs ==
		    TX_DOWNSTREAM ? "down" : "both ways", t->toxicity < 1 ?
		    ", some connections" : "");
	}
	return sb_detach(&sb);
}

static json_t *
pr_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct proxy_opts *o = f->opts;

	(void)env, (void)e;
	return proxy_prepare(&o->r, o->n);
}

static int
pr_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const struct proxy_opts *o = f->opts;

	(void)env;
	return proxy_apply(&o->r, o->tx, o->n, rec, state, note, e);
}

static int
pr_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	(void)env;
	return proxy_revert(rec, state, note, e);
}

static int
pr_in_effect(const json_t *rec, const struct fault_env *env)
{
	(void)env;
	return proxy_in_effect(rec);
}

static void
pr_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	(void)env;
	proxy_confirm(rec, state, ph, c);
}

static char *
pr_proves(const struct fault *f)
{
	(void)f;
	return xstrdup("the service's connections pass through the route while"
	    " the toxics hold (its counters: open, new, bytes)");
}

/* a proxy of its own listens and connects: both obey the blast radius */
static size_t
pr_endpoints(const struct fault *f, struct fault_endpoint *out)
{
	const struct proxy_opts *o = f->opts;

	if (o->r.listen == NULL)
		return 0;
	out[0] = (struct fault_endpoint){ "listen", o->r.listen, 1 };
	out[1] = (struct fault_endpoint){ "upstream", o->r.upstream, 0 };
	return 2;
}

static void
pr_free(void *opts)
{
	struct proxy_opts *o = opts;

	proxy_route_free(&o->r);
	free(o);
}

static const struct fault_verb verbs[] = {
	{ "proxy", 1, NULL, "toxics on a TCP route: latency, bandwidth, slicer,"
	    " limit_data, hang, reset, slow_close, down" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "route", "listen",
    "upstream", "latency", "delay", "jitter", "bandwidth", "slicer",
    "slice_delay", "limit_data", "hang", "reset", "slow_close", "down",
    "direction", "toxicity", NULL };

const struct fault_kind fault_proxy = {
	.name = "proxy",
	.summary = "a userspace TCP fault proxy (no root, no netem): latency,"
	    " bandwidth, hangs, resets, a route down",
	.verbs = verbs,
	.keys = keys,
	.parse = pr_parse,
	.describe = pr_describe,
	.prepare = pr_prepare,
	.apply = pr_apply,
	.revert = pr_revert,
	.in_effect = pr_in_effect,
	.endpoints = pr_endpoints,
	.confirm = pr_confirm,
	.proves = pr_proves,
	.free_state = proxy_free_state,
	.free = pr_free,
};
