/*
 * redisurl.h — redis://[:PASSWORD@]HOST[:PORT][/DB], parsed once, and a
 * connection made from it with a timeout (connect and every reply), AUTH and
 * SELECT. Shared by the reference target, the redis fault kind and the
 * readiness wait, so there is one parser and one way to connect.
 */
#ifndef SD_REDISURL_H
#define SD_REDISURL_H

#include <stdint.h>

#include <hiredis/hiredis.h>

#include "util.h"

struct rurl {
	char host[256];
	int port;
	char *pass;	/* NULL: none */
	int db;
};

int rurl_parse(const char *url, struct rurl *u, struct sd_err *e);
void rurl_free(struct rurl *u);
/* NULL with e set; the context's reply timeout is timeout_ms too. */
redisContext *rurl_connect(const struct rurl *u, int64_t timeout_ms,
    struct sd_err *e);

#endif
