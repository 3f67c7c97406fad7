/*
 * tproxy.h — a userspace TCP fault proxy in the spirit of Toxiproxy: routes
 * (listen → upstream) relayed on one epoll loop in a thread of their own,
 * with toxics added to and removed from running routes. It needs neither
 * root nor netem, so it is how latency, bandwidth and partitions reach a
 * dependency on any kernel.
 *
 * Toxics act on a direction: "down" is upstream → client (the default, as
 * in Toxiproxy), "up" is client → upstream. Each is rolled once per
 * connection and direction against its toxicity (1 = always), the first time
 * the connection meets it, so toxics added later reach connections already
 * open too.
 *
 *   latency     hold each chunk latency ± jitter before passing it on
 *   bandwidth   pace to rate bytes per second
 *   slicer      cut data into slices of slice_bytes, slice_delay apart
 *   limit_data  close the connection after bytes have passed
 *   timeout     pass nothing (the peer hangs); close after timeout, or never
 *   reset_peer  reset (RST) the connection after timeout
 *   slow_close  delay passing a close on by timeout
 *   down        the route refuses new connections and cuts open ones
 */
#ifndef SD_TPROXY_H
#define SD_TPROXY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../base/toxic.h"
#include "../base/util.h"

struct tproxy;

struct tproxy *tproxy_new(struct sd_err *e);
/* "HOST:PORT" (IPv4, IPv6 in brackets, or localhost) for both. */
int tproxy_route(struct tproxy *p, const char *name, const char *listen,
    const char *upstream, struct sd_err *e);
/* Would a route from listen to upstream connect to itself (the same
 * address and port, once resolved)? A route that does is refused: its
 * first connection would loop until every file descriptor is used. */
int tproxy_same_route(const char *listen, const char *upstream);
struct sockaddr_storage;
int tproxy_loops(const struct sockaddr_storage *l,
    const struct sockaddr_storage *u);
int tproxy_start(struct tproxy *p, struct sd_err *e);
/* Thread-safe. An id already there is replaced. */
int tproxy_add(struct tproxy *p, const char *route, const struct toxic *t,
    struct sd_err *e);
/* 1 removed, 0 there was none, -1 no such route. */
int tproxy_remove(struct tproxy *p, const char *route, const char *id,
    struct sd_err *e);
/* {"routes":[{name, listen, upstream, connections, toxics:[...]}]} */
json_t *tproxy_list(struct tproxy *p);
/* Stop relaying: listeners closed, connections cut (idempotent). */
void tproxy_stop(struct tproxy *p);
void tproxy_free(struct tproxy *p);

/*
 * The control protocol of a proxy daemon (`shakedown proxy`): one JSON
 * object a line on a Unix socket, one answer a line:
 *   {"op":"add","route":R,"toxic":{...}}   {"op":"remove","route":R,"id":I}
 *   {"op":"list"}                          → {"ok":true, ...} or
 *                                            {"ok":false,"error":...}
 */
json_t *tproxy_handle(struct tproxy *p, const json_t *req);
/* Send one request to the daemon at sock and return its answer; NULL with
 * e set when it cannot be reached or says ok: false. req is taken over
 * (decref'd), so a call can pack its request in place. */
json_t *tproxy_call(const char *sock, json_t *req, int64_t timeout_ms,
    struct sd_err *e);

#endif
