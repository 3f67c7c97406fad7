/*
 * redisurl.h — redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], parsed once with
 * libcurl's URL API (the parser the blast-radius check uses too, so what is
 * checked is what is connected to), and a connection made from it with a
 * timeout (connect and every reply), AUTH and SELECT. Shared by the
 * reference target, the redis fault kind and every readiness check.
 */
#ifndef SD_REDISURL_H
#define SD_REDISURL_H

#include <stdint.h>

#include <hiredis/hiredis.h>

#include "util.h"

struct rurl {
	char host[256];	/* without IPv6 brackets */
	int port;
	char *user;	/* NULL: none (AUTH with the password alone) */
	char *pass;	/* NULL: none */
	int db;
};

/* -1 with e set (never showing the password) when url is not a redis URL
 * with a host, a port in 1..65535 and a db number, and nothing else. */
int redisurl_parse(const char *url, struct rurl *u, struct sd_err *e);
void redisurl_free(struct rurl *u);
/* NULL with e set; the context's reply timeout is timeout_ms too. */
redisContext *redisurl_connect(const struct rurl *u, int64_t timeout_ms,
    struct sd_err *e);

#endif
