/*
 * tproxy_int.h — what the fault proxy's two halves share: tproxy.c (the
 * loop: listeners, connections, shaping, pumping) and tproxy_toxics.c
 * (changing a route's toxics while it runs). One mutex guards it all.
 */
#ifndef SD_TPROXY_INT_H
#define SD_TPROXY_INT_H

#include <sys/socket.h>

#include <pthread.h>
#include <stdint.h>

#include "tproxy.h"

#define READ_CHUNK 16384
#define QUEUE_MAX (1024 * 1024)	/* stop reading a direction past this */
#define MAX_ROLLS 32

enum ev_kind { EV_LISTEN, EV_CLIENT, EV_UPSTREAM, EV_WAKE };

struct ev {
	enum ev_kind kind;
	void *p;
};

struct chunk {
	struct chunk *next;
	int64_t due_us;
	int64_t read_us;	/* when it was read: how long it was held */
	int close;		/* pass EOF on instead of data */
	size_t len, off;
	char data[];
};

struct roll {
	char id[64];
	int on;
	int64_t since_us;	/* when the direction first met it */
};

struct pipe_ {
	int *src, *dst;		/* the connection's fds, by direction */
	unsigned dir;
	struct chunk *head, *tail;
	size_t queued;
	int eof;		/* src said EOF (or is being ignored) */
	int shut;		/* EOF passed on to dst */
	int lost;		/* a timeout toxic dropped some of its data */
	uint64_t passed;	/* bytes passed (limit_data) */
	int64_t bw_next_us;
	struct roll rolls[MAX_ROLLS];
	int nrolls;
};

struct conn {
	struct conn *next;
	struct route *r;
	int cfd, ufd;
	int connecting;
	struct ev cev, uev;
	struct pipe_ up, down;	/* client→upstream, upstream→client */
	int64_t end_at_us;	/* when a toxic ends it; 0: none */
	int end_reset;		/* with a reset (RST), else a close */
	int end_limit;		/* limit_data set end_at_us: it stays */
	int dead;
};

struct route {
	char name[64];
	char *listen_s, *upstream_s;
	struct sockaddr_storage listen, upstream;
	socklen_t llen, ulen;
	int lfd;
	struct ev lev;
	struct toxic *tox;
	size_t ntox, captox;
	struct conn *conns;
	size_t nconns;
	/* what passed through, since the route began: a fault on it proves
	 * it landed by these moving while it holds */
	uint64_t accepted, bytes;
	/* how long data read since its toxics last changed (epoch_us) was
	 * held before it was passed on, by direction (0: to the upstream, 1:
	 * to the client): a latency toxic proves what it added */
	int64_t epoch_us;
	struct tproxy_held {
		uint64_t n;
		int64_t sum_us, min_us, max_us;
	} held[2];
};

struct tproxy {
	pthread_mutex_t mu;
	int ep, tfd, wfd;
	struct ev wev;
	pthread_t th;
	int running, stop;
	struct route *routes;
	size_t nroutes, caproutes;
	uint64_t seed;
};

/* tproxy.c, each called with the mutex held */
int64_t tproxy_now_us(void);
void tproxy_wake(struct tproxy *p);		/* the loop, to look again */
void tproxy_conn_close(struct tproxy *p, struct conn *c, int reset);
int tproxy_open_listener(struct tproxy *p, struct route *r, struct sd_err *e);
struct route *tproxy_route_named(struct tproxy *p, const char *name);

#endif
