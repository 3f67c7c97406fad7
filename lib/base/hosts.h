/*
 * hosts.h — the blast radius. Every host a drill sends traffic to is checked
 * with the parser that will connect to it: libcurl's URL API for http(s)://
 * and redis:// (curl sends the requests; hiredis gets the host curl's
 * parser found), libpq's own PQconninfoParse for PostgreSQL URIs and
 * key/value DSNs (every host= and hostaddr=, and PGHOST/PGHOSTADDR when
 * the DSN names none). A host is fine when it is loopback (127.0.0.0/8,
 * ::1, ::ffff:127.x, "localhost", a Unix socket) or named in the allowed
 * list. DNS names are never resolved: only an allowed name passes.
 */
#ifndef SD_HOSTS_H
#define SD_HOSTS_H

#include <stddef.h>

#include "util.h"

struct hostrule {
	char *const *allow;	/* the scenario's allow: */
	size_t nallow;
	char *const *extra;	/* --allow-host */
	size_t nextra;
};

int hosts_is_loopback(const char *host);
/*
 * 0 when every host of url (http, https or redis) is fine; 1 when one is not
 * (its name in host); -1 when url cannot be parsed (e says why, without a
 * password).
 */
int hosts_check_url(const char *url, const struct hostrule *r, char *host,
    size_t hostlen, struct sd_err *e);
/* "HOST:PORT" or "[IPV6]:PORT" (a proxy's listen and upstream): host
 * into host, the port checked to be 1..65535. -1 with e. */
int hosts_split(const char *s, char *host, size_t hostlen, int *port,
    struct sd_err *e);
/* hosts_check_url for such an address: a listening one too must be
 * loopback or allowed (0.0.0.0 would open a database to the network). */
int hosts_check_hostport(const char *s, const struct hostrule *r,
    char *host, size_t hostlen, struct sd_err *e);
/* The same for a PostgreSQL URI or key/value DSN. */
int hosts_check_dsn(const char *dsn, const struct hostrule *r, char *host,
    size_t hostlen, struct sd_err *e);
/* The port a redis URL, PostgreSQL URI/DSN or http(s) URL connects to
 * (its first, for a host list); 0 when it cannot tell (a Unix socket). */
int hosts_port(const char *url_or_dsn);
/* A PostgreSQL URI or DSN libpq accepts, with sane ports: -1 with e. */
int hosts_dsn_valid(const char *dsn, struct sd_err *e);

#endif
