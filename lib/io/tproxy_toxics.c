/*
 * tproxy_toxics.c — a route's toxics changed while the proxy runs: added
 * or replaced, removed (with what the removed toxic held let go), listed;
 * a down toxic closes the listener and every connection.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tproxy_int.h"

static int
is_down(const struct route *r)
{
	for (size_t i = 0; i < r->ntox; i++)
		if (r->tox[i].type == TX_DOWN)
			return 1;
	return 0;
}

/* down: no listener and no connection; up again: listen again */
static void
apply_down(struct tproxy *p, struct route *r)
{
	struct sd_err e;

	if (is_down(r)) {
		if (r->lfd >= 0) {
			epoll_ctl(p->ep, EPOLL_CTL_DEL, r->lfd, NULL);
			close(r->lfd);
			r->lfd = -1;
		}
		for (struct conn *c = r->conns; c; c = c->next)
			tproxy_conn_close(p, c, 1);
	} else if (r->lfd < 0 && p->running) {
		tproxy_open_listener(p, r, &e);
	}
}

/* The toxics changed: what data is held from now on is theirs. */
static void
new_epoch(struct route *r)
{
	r->epoch_us = tproxy_now_us();
	memset(r->held, 0, sizeof r->held);
}

static json_t *
held_json(const struct tproxy_held *s)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "chunks", (json_int_t)s->n,
	    "min_us", (json_int_t)s->min_us, "mean_us", (json_int_t)(s->n ?
	    s->sum_us / (int64_t)s->n : 0), "max_us", (json_int_t)s->max_us);
}

int
tproxy_add(struct tproxy *p, const char *route, const struct toxic *t,
    struct sd_err *e)
{
	struct route *r;
	size_t i;

	pthread_mutex_lock(&p->mu);
	if ((r = tproxy_route_named(p, route)) == NULL) {
		pthread_mutex_unlock(&p->mu);
		return err_set(e, "no route '%.60s'", route);
	}
	for (i = 0; i < r->ntox && strcmp(r->tox[i].id, t->id) != 0; i++)
		;
	if (i == r->ntox) {
		r->tox = xgrow(r->tox, &r->captox, r->ntox + 1, sizeof *r->tox);
		r->ntox++;
	}
	r->tox[i] = *t;
	new_epoch(r);
	apply_down(p, r);
	pthread_mutex_unlock(&p->mu);
	tproxy_wake(p);
	return 0;
}

/* A direction forgets its roll of a toxic that is gone (a long-lived
 * connection would otherwise fill its MAX_ROLLS and miss new toxics). */
static void
forget_roll(struct pipe_ *pp, const char *id)
{
	for (int i = 0; i < pp->nrolls; i++)
		if (strcmp(pp->rolls[i].id, id) == 0) {
			pp->rolls[i] = pp->rolls[--pp->nrolls];
			return;
		}
}

static int
delays(enum toxic_type t)
{
	return t == TX_LATENCY || t == TX_BANDWIDTH || t == TX_SLICER ||
	    t == TX_SLOW_CLOSE;
}

/*
 * The route as if the removed toxic had never been there: what it held
 * goes now (when no other toxic delays the route), a reset or close it
 * had scheduled is called off, and a connection a hang broke — it dropped
 * data, so neither end can make sense of the stream — is closed both ways
 * rather than left half-dead (its client waiting for ever, its upstream
 * holding a slot).
 */
static void
after_removal(struct tproxy *p, struct route *r, const struct toxic *gone)
{
	int still_delayed = 0, still_hung = 0;
	int64_t now = tproxy_now_us();

	for (size_t i = 0; i < r->ntox; i++) {
		still_delayed |= delays(r->tox[i].type);
		still_hung |= r->tox[i].type == TX_TIMEOUT;
	}
	for (struct conn *c = r->conns; c; c = c->next) {
		if (c->dead)
			continue;
		forget_roll(&c->up, gone->id);
		forget_roll(&c->down, gone->id);
		if (!c->end_limit)
			c->end_at_us = 0;	/* endings() works it out again */
		if (gone->type == TX_TIMEOUT && !still_hung &&
		    (c->up.lost || c->down.lost)) {
			tproxy_conn_close(p, c, 0);
			continue;
		}
		if (delays(gone->type) && !still_delayed)
			for (int d = 0; d < 2; d++) {
				struct pipe_ *pp = d ? &c->down : &c->up;
				for (struct chunk *ch = pp->head; ch; ch = ch->next)
					if (ch->due_us > now)
						ch->due_us = now;
				pp->bw_next_us = 0;
			}
	}
}

int
tproxy_remove(struct tproxy *p, const char *route, const char *id,
    struct sd_err *e)
{
	struct route *r;
	int found = 0;

	pthread_mutex_lock(&p->mu);
	if ((r = tproxy_route_named(p, route)) == NULL) {
		pthread_mutex_unlock(&p->mu);
		return err_set(e, "no route '%.60s'", route);
	}
	for (size_t i = 0; i < r->ntox; i++)
		if (strcmp(r->tox[i].id, id) == 0) {
			struct toxic gone = r->tox[i];
			r->tox[i] = r->tox[--r->ntox];
			after_removal(p, r, &gone);
			new_epoch(r);
			found = 1;
			break;
		}
	apply_down(p, r);
	pthread_mutex_unlock(&p->mu);
	tproxy_wake(p);
	return found;
}

json_t *
tproxy_list(struct tproxy *p)
{
	json_t *routes = json_array();

	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->nroutes; i++) {
		const struct route *r = &p->routes[i];
		json_t *tox = json_array();
		for (size_t k = 0; k < r->ntox; k++)
			json_array_append_new(tox, toxic_json(&r->tox[k]));
		json_array_append_new(routes, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,"
		    "s:o,s:{s:o,s:o}}", "name", r->name, "listen", r->listen_s,
		    "upstream", r->upstream_s, "connections", (json_int_t)r->nconns,
		    "accepted", (json_int_t)r->accepted, "bytes",
		    (json_int_t)r->bytes, "toxics", tox, "held", "upstream",
		    held_json(&r->held[0]), "downstream", held_json(&r->held[1])));
	}
	pthread_mutex_unlock(&p->mu);
	return json_pack("{s:b,s:o}", "ok", 1, "routes", routes);
}
