/*
 * toxic.h — a fault proxy's toxics as data: their kinds, what each
 * carries, and their JSON (the control protocol's and the journal's), every
 * field range-checked where it enters. Below the proxy (tproxy.h), which
 * applies them, and its control socket (tproxy_ctl.c), which receives them.
 */
#ifndef SD_TOXIC_H
#define SD_TOXIC_H

#include <stdint.h>

#include <jansson.h>

#include "util.h"

enum toxic_type { TX_LATENCY, TX_BANDWIDTH, TX_SLICER, TX_LIMIT_DATA,
	TX_TIMEOUT, TX_RESET_PEER, TX_SLOW_CLOSE, TX_DOWN, TX_NTYPES };
#define TX_UP 1		/* client → upstream */
#define TX_DOWNSTREAM 2	/* upstream → client */

struct toxic {
	char id[64];
	enum toxic_type type;
	unsigned dirs;		/* TX_UP | TX_DOWNSTREAM */
	double toxicity;	/* 0..1 */
	int64_t latency_ms, jitter_ms;
	int64_t rate;		/* bandwidth: bytes per second */
	int64_t timeout_ms;	/* timeout, reset_peer, slow_close */
	int64_t bytes;		/* limit_data; slicer: slice size */
	int64_t delay_ms;	/* slicer: between slices */
};

const char *toxic_type_name(enum toxic_type t);
int toxic_type_parse(const char *s, enum toxic_type *t);
json_t *toxic_json(const struct toxic *t);
/* -1 with e on a malformed object. */
int toxic_from_json(const json_t *j, struct toxic *t, struct sd_err *e);

#endif
