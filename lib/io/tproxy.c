/*
 * tproxy.c — see tproxy.h.
 *
 * One thread runs an epoll loop over the routes' listeners and every
 * connection's two sockets; a timerfd wakes it for the next chunk due and
 * an eventfd when a toxic changes. All state is under one mutex: the loop
 * holds it while it pumps, the control calls while they change toxics.
 * Every wake-up pumps every connection (read what is there, pass on what is
 * due): a fault proxy has tens of connections, not thousands.
 *
 * Data read from a socket becomes a chunk with the time it is due to go
 * out, worked out from the toxics the direction rolled: latency and jitter
 * push it back, bandwidth paces it, a slicer cuts it in pieces; chunks
 * leave in order, so a jittered chunk never overtakes the one before it.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/hosts.h"

#include "tproxy_int.h"

int64_t
tproxy_now_us(void)
{
	return mono_ns() / 1000;
}

/* xorshift: jitter and toxicity rolls need no more */
static double
rnd(struct tproxy *p)
{
	p->seed ^= p->seed << 13;
	p->seed ^= p->seed >> 7;
	p->seed ^= p->seed << 17;
	return (double)(p->seed >> 11) / 9007199254740992.0;
}

static int
parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    struct sd_err *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV }, *ai;
	char host[256], serv[8];
	int rc, port;

	/* the port checked to be 1..65535 first: getaddrinfo would take
	 * 70000 and wrap it to 4464 */
	if (hosts_split(s, host, sizeof host, &port, e) == -1)
		return -1;
	snprintf(serv, sizeof serv, "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &ai)) != 0)
		return err_set(e, "'%s': %s", s, gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int
tproxy_loops(const struct sockaddr_storage *l, const struct sockaddr_storage *u)
{
	if (l->ss_family != u->ss_family)
		return 0;
	if (l->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)l, *b = (const void *)u;
		return a->sin_port == b->sin_port && (a->sin_addr.s_addr ==
		    b->sin_addr.s_addr || a->sin_addr.s_addr == htonl(INADDR_ANY));
	}
	if (l->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)l, *b = (const void *)u;
		return a->sin6_port == b->sin6_port && (memcmp(&a->sin6_addr,
		    &b->sin6_addr, sizeof a->sin6_addr) == 0 ||
		    IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr));
	}
	return 0;
}

int
tproxy_same_route(const char *listen, const char *upstream)
{
	struct sockaddr_storage l, u;
	socklen_t ll, ul;

	return parse_addr(listen, &l, &ll, NULL) == 0 && parse_addr(upstream,
	    &u, &ul, NULL) == 0 && tproxy_loops(&l, &u);
}

static void
watch(struct tproxy *p, int fd, struct ev *ev, unsigned events, int op)
{
	struct epoll_event ee = { .events = events, .data.ptr = ev };

	epoll_ctl(p->ep, op, fd, &ee);
}

int
tproxy_open_listener(struct tproxy *p, struct route *r, struct sd_err *e)
{
	int one = 1, fd = socket(r->listen.ss_family, SOCK_STREAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return err_set(e, "route %s: socket: %s", r->name, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&r->listen, r->llen) == -1 ||
	    listen(fd, 128) == -1) {
		err_set(e, "route %s: listen on %s: %s", r->name, r->listen_s,
		    strerror(errno));
		close(fd);
		return -1;
	}
	r->lfd = fd;
	r->lev = (struct ev){ EV_LISTEN, r };
	if (p->ep >= 0)
		watch(p, fd, &r->lev, EPOLLIN, EPOLL_CTL_ADD);
	return 0;
}

struct tproxy *
tproxy_new(struct sd_err *e)
{
	struct tproxy *p = xcalloc(1, sizeof *p);

	pthread_mutex_init(&p->mu, NULL);
	p->seed = (uint64_t)mono_ns() | 1;
	p->ep = epoll_create1(EPOLL_CLOEXEC);
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	p->wfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->ep == -1 || p->tfd == -1 || p->wfd == -1) {
		err_set(e, "proxy: %s", strerror(errno));
		tproxy_free(p);
		return NULL;
	}
	p->wev = (struct ev){ EV_WAKE, NULL };
	watch(p, p->tfd, &p->wev, EPOLLIN, EPOLL_CTL_ADD);
	watch(p, p->wfd, &p->wev, EPOLLIN, EPOLL_CTL_ADD);
	return p;
}

int
tproxy_route(struct tproxy *p, const char *name, const char *listen,
    const char *upstream, struct sd_err *e)
{
	struct route *r;

	if (strlen(name) == 0 || strlen(name) >= sizeof r->name)
		return err_set(e, "bad route name '%.40s'", name);
	p->routes = xgrow(p->routes, &p->caproutes, p->nroutes + 1,
	    sizeof *p->routes);
	r = &p->routes[p->nroutes];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->lfd = -1;
	if (parse_addr(listen, &r->listen, &r->llen, e) == -1 ||
	    parse_addr(upstream, &r->upstream, &r->ulen, e) == -1)
		return err_prefix(e, "route %s", name);
	if (tproxy_loops(&r->listen, &r->upstream))
		return err_set(e, "route %s: upstream %s is its own listen address"
		    " %s: every connection would connect to itself", name, upstream,
		    listen);
	r->listen_s = xstrdup(listen);
	r->upstream_s = xstrdup(upstream);
	p->nroutes++;
	/* routes are not moved once the loop runs: add them all first */
	return 0;
}

struct route *
tproxy_route_named(struct tproxy *p, const char *name)
{
	for (size_t i = 0; i < p->nroutes; i++)
		if (strcmp(p->routes[i].name, name) == 0)
			return &p->routes[i];
	return NULL;
}

static void
chunk_free_all(struct pipe_ *pp)
{
	while (pp->head != NULL) {
		struct chunk *c = pp->head;
		pp->head = c->next;
		free(c);
	}
	pp->tail = NULL;
	pp->queued = 0;
}

void
tproxy_conn_close(struct tproxy *p, struct conn *c, int reset)
{
	struct linger lg = { 1, 0 };

	if (c->dead)
		return;
	c->dead = 1;
	for (int i = 0; i < 2; i++) {
		int fd = i ? c->ufd : c->cfd;
		if (fd < 0)
			continue;
		if (reset)	/* SO_LINGER 0: close sends RST */
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		epoll_ctl(p->ep, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
	}
	c->cfd = c->ufd = -1;
	chunk_free_all(&c->up);
	chunk_free_all(&c->down);
}

static void
accept_all(struct tproxy *p, struct route *r)
{
	for (;;) {
		int cfd = accept4(r->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int one = 1;
		if (cfd == -1)
			return;
		int ufd = socket(r->upstream.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (ufd == -1 || (connect(ufd, (struct sockaddr *)&r->upstream,
		    r->ulen) == -1 && errno != EINPROGRESS)) {
			/* the dependency refuses: so does its route */
			struct linger lg = { 1, 0 };
			setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			close(cfd);
			if (ufd != -1)
				close(ufd);
			continue;
		}
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = xcalloc(1, sizeof *c);
		c->r = r;
		c->cfd = cfd;
		c->ufd = ufd;
		c->connecting = 1;
		c->up = (struct pipe_){ .src = &c->cfd, .dst = &c->ufd, .dir = TX_UP };
		c->down = (struct pipe_){ .src = &c->ufd, .dst = &c->cfd,
		    .dir = TX_DOWNSTREAM };
		c->cev = (struct ev){ EV_CLIENT, c };
		c->uev = (struct ev){ EV_UPSTREAM, c };
		/* the client waits (no interest) until the upstream connects */
		watch(p, cfd, &c->cev, 0, EPOLL_CTL_ADD);
		watch(p, ufd, &c->uev, EPOLLOUT, EPOLL_CTL_ADD);
		c->next = r->conns;
		r->conns = c;
		r->nconns++;
		r->accepted++;
	}
}

/* Does this direction have toxic t on? Rolled the first time it is met. */
static struct roll *
rolled(struct tproxy *p, struct pipe_ *pp, const struct toxic *t)
{
	for (int i = 0; i < pp->nrolls; i++)
		if (strcmp(pp->rolls[i].id, t->id) == 0)
			return pp->rolls[i].on ? &pp->rolls[i] : NULL;
	if (pp->nrolls == MAX_ROLLS)
		return NULL;
	struct roll *r = &pp->rolls[pp->nrolls++];
	snprintf(r->id, sizeof r->id, "%s", t->id);
	r->on = (t->dirs & pp->dir) && rnd(p) < t->toxicity;
	r->since_us = tproxy_now_us();
	return r->on ? r : NULL;
}

static void
enqueue(struct pipe_ *pp, const char *data, size_t len, int64_t due, int close)
{
	struct chunk *c = xmalloc(sizeof *c + len);

	c->next = NULL;
	c->read_us = tproxy_now_us();
	c->due_us = pp->tail && pp->tail->due_us > due ? pp->tail->due_us : due;
	c->close = close;
	c->len = len;
	c->off = 0;
	memcpy(c->data, data, len);
	if (pp->tail)
		pp->tail->next = c;
	else
		pp->head = c;
	pp->tail = c;
	pp->queued += len;
}

/* Data just read: when each piece of it is due, after the toxics. */
static void
shape(struct tproxy *p, struct conn *c, struct pipe_ *pp, const char *buf,
    size_t n)
{
	const struct route *r = c->r;
	int64_t now = tproxy_now_us(), due = now, slice = (int64_t)n, gap = 0, rate = 0;
	struct roll *ro;

	for (size_t i = 0; i < r->ntox; i++) {
		const struct toxic *t = &r->tox[i];
		if ((ro = rolled(p, pp, t)) == NULL)
			continue;
		switch (t->type) {
		case TX_TIMEOUT:
			pp->lost = 1;	/* nothing passes: this stream is broken */
			return;
		case TX_LATENCY:
			due += t->latency_ms * 1000 + (int64_t)((rnd(p) * 2 - 1) *
			    (double)t->jitter_ms * 1000);
			break;
		case TX_BANDWIDTH:
			rate = t->rate;
			break;
		case TX_SLICER:
			slice = t->bytes;
			gap = t->delay_ms * 1000;
			break;
		case TX_LIMIT_DATA:
			if (pp->passed + n > (uint64_t)t->bytes) {
				n = (uint64_t)t->bytes > pp->passed ? (size_t)((uint64_t)
				    t->bytes - pp->passed) : 0;
				c->end_at_us = now;	/* then close: enough */
				c->end_limit = 1;
			}
			break;
		default:
			break;
		}
	}
	if (due < now)
		due = now;
	for (size_t off = 0; off < n; off += (size_t)slice) {
		size_t len = n - off < (size_t)slice ? n - off : (size_t)slice;
		if (rate > 0) {
			if (pp->bw_next_us > due)
				due = pp->bw_next_us;
			pp->bw_next_us = due + (int64_t)len * 1000000 / rate;
		}
		enqueue(pp, buf + off, len, due, 0);
		due += gap;
	}
	pp->passed += n;
}

/*
 * EOF from src: passed on, after slow_close if it applies. A timeout toxic
 * (hang) drops data but not a close: a client that gives up on a held
 * connection closes it at the upstream too (as Toxiproxy's timeout does),
 * or the proxy would keep both ends open long after — a database's slots
 * filled by connections nobody holds any more.
 */
static void
shape_close(struct tproxy *p, struct conn *c, struct pipe_ *pp)
{
	int64_t due = tproxy_now_us();
	struct roll *ro;

	for (size_t i = 0; i < c->r->ntox; i++) {
		const struct toxic *t = &c->r->tox[i];
		if ((ro = rolled(p, pp, t)) == NULL)
			continue;
		if (t->type == TX_SLOW_CLOSE)
			due += t->timeout_ms * 1000;
	}
	enqueue(pp, "", 0, due, 1);
}

static void
read_side(struct tproxy *p, struct conn *c, struct pipe_ *pp)
{
	char buf[READ_CHUNK];

	while (!pp->eof && !c->dead && pp->queued < QUEUE_MAX) {
		ssize_t n = read(*pp->src, buf, sizeof buf);
		if (n > 0) {
			c->r->bytes += (uint64_t)n;
			shape(p, c, pp, buf, (size_t)n);
		} else if (n == 0) {
			pp->eof = 1;
			shape_close(p, c, pp);
		} else {
			if (errno != EAGAIN && errno != EINTR)
				tproxy_conn_close(p, c, 1);
			return;
		}
	}
}

/* Count one chunk held h µs. */
static void
tproxy_held(struct tproxy_held *s, int64_t h)
{
	if (s->n == 0 || h < s->min_us)
		s->min_us = h;
	if (s->n == 0 || h > s->max_us)
		s->max_us = h;
	s->n++;
	s->sum_us += h;
}

/* Pass on what is due; 1 when this direction is finished. */
static void
write_side(struct tproxy *p, struct conn *c, struct pipe_ *pp)
{
	int64_t now = tproxy_now_us();

	while (pp->head != NULL && pp->head->due_us <= now && !c->dead) {
		struct chunk *ch = pp->head;
		if (ch->close) {
			shutdown(*pp->dst, SHUT_WR);
			pp->shut = 1;
		} else {
			ssize_t n = write(*pp->dst, ch->data + ch->off, ch->len - ch->off);
			if (n < 0) {
				if (errno != EAGAIN && errno != EINTR)
					tproxy_conn_close(p, c, 1);
				return;
			}
			ch->off += (size_t)n;
			if (ch->off < ch->len)
				return;
			if (ch->read_us >= c->r->epoch_us)
				tproxy_held(&c->r->held[pp->dir == TX_UP ? 0 : 1], now -
				    ch->read_us);
		}
		pp->head = ch->next;
		if (pp->head == NULL)
			pp->tail = NULL;
		pp->queued -= ch->len;
		free(ch);
	}
}

/* The toxics that end connections: timeout and reset_peer. */
static void
endings(struct tproxy *p, struct conn *c)
{
	int64_t now = tproxy_now_us();
	struct roll *ro;

	for (size_t i = 0; i < c->r->ntox && !c->dead; i++) {
		const struct toxic *t = &c->r->tox[i];
		if (t->type != TX_TIMEOUT && t->type != TX_RESET_PEER)
			continue;
		for (int d = 0; d < 2; d++) {
			struct pipe_ *pp = d ? &c->down : &c->up;
			if ((ro = rolled(p, pp, t)) == NULL)
				continue;
			if (t->type == TX_TIMEOUT && t->timeout_ms == 0)
				continue;	/* hold forever */
			int64_t at = ro->since_us + t->timeout_ms * 1000;
			if (c->end_at_us == 0 || at < c->end_at_us) {
				c->end_at_us = at;
				c->end_reset = t->type == TX_RESET_PEER;
			}
		}
	}
	if (c->end_at_us != 0 && c->end_at_us <= now)
		tproxy_conn_close(p, c, c->end_reset);
}

static void
pump(struct tproxy *p, struct conn *c)
{
	if (c->connecting) {
		int err = 0;
		socklen_t len = sizeof err;
		struct pollfd pfd = { c->ufd, POLLOUT, 0 };
		if (poll(&pfd, 1, 0) <= 0)
			return;
		if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			tproxy_conn_close(p, c, 1);	/* refused upstream: reset */
			return;
		}
		c->connecting = 0;
	}
	endings(p, c);
	if (!c->dead) {
		read_side(p, c, &c->up);
		read_side(p, c, &c->down);
	}
	if (!c->dead) {
		write_side(p, c, &c->up);
		write_side(p, c, &c->down);
	}
	if (!c->dead && c->up.shut && c->down.shut)
		tproxy_conn_close(p, c, 0);
	if (c->dead)
		return;
	/* read while there is room; write while something is due */
	watch(p, c->cfd, &c->cev, (c->up.eof || c->up.queued >= QUEUE_MAX ? 0 :
	    EPOLLIN) | (c->down.head && c->down.head->due_us <= tproxy_now_us() ?
	    EPOLLOUT : 0), EPOLL_CTL_MOD);
	watch(p, c->ufd, &c->uev, (c->down.eof || c->down.queued >= QUEUE_MAX ?
	    0 : EPOLLIN) | (c->up.head && c->up.head->due_us <= tproxy_now_us() ?
	    EPOLLOUT : 0), EPOLL_CTL_MOD);
}

/* The earliest moment something is due, 0: nothing. */
static int64_t
next_due(struct tproxy *p)
{
	int64_t next = 0;

	for (size_t i = 0; i < p->nroutes; i++)
		for (struct conn *c = p->routes[i].conns; c; c = c->next) {
			int64_t d[3] = { c->up.head ? c->up.head->due_us : 0,
			    c->down.head ? c->down.head->due_us : 0, c->end_at_us };
			for (int k = 0; k < 3; k++)
				if (d[k] && (next == 0 || d[k] < next))
					next = d[k];
		}
	return next;
}

static void
reap(struct route *r)
{
	struct conn **pc = &r->conns;

	while (*pc != NULL) {
		struct conn *c = *pc;
		if (c->dead) {
			*pc = c->next;
			free(c);
			r->nconns--;
		} else {
			pc = &c->next;
		}
	}
}

static void *
loop(void *arg)
{
	struct tproxy *p = arg;
	struct epoll_event evs[64];
	uint64_t drain;

	for (;;) {
		int n = epoll_wait(p->ep, evs, 64, 1000);
		pthread_mutex_lock(&p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			struct ev *ev = evs[i].data.ptr;
			if (ev->kind == EV_LISTEN)
				accept_all(p, ev->p);
			/* a socket hung up both ways (or in error) can take nothing
			 * more: level-triggered, it would wake us for ever */
			else if (ev->kind != EV_WAKE &&
			    (evs[i].events & (EPOLLHUP | EPOLLERR)) &&
			    !((struct conn *)ev->p)->connecting)
				tproxy_conn_close(p, ev->p, 0);
		}
		/* both are non-blocking: drain whichever fired */
		if (read(p->wfd, &drain, sizeof drain) < 0 && errno != EAGAIN)
			drain = 0;
		if (read(p->tfd, &drain, sizeof drain) < 0 && errno != EAGAIN)
			drain = 0;
		for (size_t i = 0; i < p->nroutes; i++) {
			for (struct conn *c = p->routes[i].conns; c; c = c->next)
				pump(p, c);
			reap(&p->routes[i]);
		}
		int64_t next = next_due(p);
		struct itimerspec its = { { 0, 0 }, { 0, 0 } };
		if (next > 0) {
			int64_t d = next - tproxy_now_us();
			if (d < 1)
				d = 1;
			its.it_value.tv_sec = d / 1000000;
			its.it_value.tv_nsec = (d % 1000000) * 1000;
		}
		timerfd_settime(p->tfd, 0, &its, NULL);
		pthread_mutex_unlock(&p->mu);
	}
}

int
tproxy_start(struct tproxy *p, struct sd_err *e)
{
	int rc;

	for (size_t i = 0; i < p->nroutes; i++)
		if (tproxy_open_listener(p, &p->routes[i], e) == -1)
			return -1;
	if ((rc = pthread_create(&p->th, NULL, loop, p)) != 0)
		return err_set(e, "proxy: thread: %s", strerror(rc));
	p->running = 1;
	return 0;
}

void
tproxy_wake(struct tproxy *p)
{
	uint64_t one = 1;

	if (write(p->wfd, &one, sizeof one) < 0) {
		/* the counter is full: a wake-up is pending anyway */
	}
}

void
tproxy_stop(struct tproxy *p)
{
	if (p == NULL)
		return;
	if (p->running) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_mutex_unlock(&p->mu);
		tproxy_wake(p);
		pthread_join(p->th, NULL);
		p->running = 0;
	}
	for (size_t i = 0; i < p->nroutes; i++) {
		struct route *r = &p->routes[i];
		for (struct conn *c = r->conns; c; c = c->next)
			tproxy_conn_close(p, c, 0);
		reap(r);
		if (r->lfd >= 0)
			close(r->lfd);
		r->lfd = -1;
	}
}

void
tproxy_free(struct tproxy *p)
{
	if (p == NULL)
		return;
	tproxy_stop(p);
	for (size_t i = 0; i < p->nroutes; i++) {
		struct route *r = &p->routes[i];
		free(r->tox);
		free(r->listen_s);
		free(r->upstream_s);
	}
	free(p->routes);
	if (p->ep >= 0)
		close(p->ep);
	if (p->tfd >= 0)
		close(p->tfd);
	if (p->wfd >= 0)
		close(p->wfd);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
