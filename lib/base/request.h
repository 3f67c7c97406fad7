/*
 * request.h — the request part shared by probes, load generators and
 * bursts: a method, an absolute URL (the drill's target + a path), headers
 * and a body, where {user} and {n} may be substituted per user/request.
 *
 * Parsed from one of get/post/put/delete/head (the path or URL in that key)
 * or method: with path:/url:, then headers: and body:. Every URL is checked
 * with the parser curl sends it with; header names must be HTTP tokens and
 * no name or value may hold CR, LF or another control character, so a
 * drill cannot smuggle extra headers onto the wire.
 */
#ifndef SD_REQUEST_H
#define SD_REQUEST_H

#include "util.h"
#include "ynode.h"

struct tls_opts;

struct request {
	char *method;
	char *url;		/* absolute; a template */
	char **headers;		/* "Name: value", NULL-terminated; templates */
	char *body;		/* NULL: none; a template */
	struct tls_opts *tls;	/* tls: its own, or the drill's; NULL: the
				 * defaults (the system's CAs) */
	char *off;		/* its path a variable set empty ("DATA_PATH
				 * is set empty"): what sends it is off;
				 * NULL: on */
};

/* n: the request's mapping; target: the drill's base URL (may be NULL);
 * what/name for messages ("probe 'ready'"). */
int request_parse(const struct yctx *y, const struct ynode *key,
    const struct ynode *n, const char *target, const char *what,
    struct request *rq);
void request_free(struct request *rq);
/* headers: { Name: value } into rq->headers, each checked; -1 (yerr). */
int request_parse_headers(const struct yctx *y, const struct ynode *h,
    struct request *rq);
/* An "http://" or "https://" URL curl can parse (templates rendered for
 * user 1, request 1 first); -1 with e. */
int request_check_url(const char *url, struct sd_err *e);
/* A "Name: value" header fit for the wire; -1 with e. */
int request_check_header(const char *name, const char *value, struct sd_err *e);
/* The same for one "Name: value" string (a command's --header). */
int request_check_header_line(const char *line, struct sd_err *e);
/* The keys request_parse reads, for the callers' key lists. */
extern const char *const request_keys[];

#endif
