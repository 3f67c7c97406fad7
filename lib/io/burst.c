/*
 * burst.c — see burst.h. Plain sockets and a minimal HTTP/1.1 reader
 * (status line, Content-Length or connection close), because a client
 * library would not let us hold the last byte back. https goes through
 * OpenSSL on the same sockets (lib/base/tls.h): the handshake done while
 * connecting, the last byte a TLS record of its own.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>

#include "burst.h"
#include "../base/tls.h"

#define RESP_MAX (16 * 1024)

struct conn {
	int fd;
	SSL *ssl;		/* https; NULL: http */
	char *req;
	size_t reqlen;
	struct sbuf resp;
	int done;
	int64_t final_ns;
};


/* http://host[:port]/path?query → host, port, path?query, with the URL
 * parser curl and the blast-radius check use. *path is allocated. */
static int
split_url(const char *url, char *host, size_t hl, char *port, size_t pl,
    char **path, struct sd_err *e)
{
	CURLU *h = curl_url();
	char *v = NULL, *p = NULL, *q = NULL;
	int rc = 0;

	*path = NULL;
	if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &v, 0) != CURLUE_OK) {
		curl_url_cleanup(h);
		return err_set(e, "burst: not an http:// or https:// URL");
	}
	size_t n = strlen(v);
	int br = v[0] == '[' && n > 2;
	snprintf(host, hl, "%.*s", (int)(n - 2 * br), v + br);
	curl_free(v);
	v = NULL;
	if (curl_url_get(h, CURLUPART_PORT, &v, CURLU_DEFAULT_PORT) == CURLUE_OK)
		snprintf(port, pl, "%s", v);
	else
		rc = err_set(e, "burst: no port");
	curl_url_get(h, CURLUPART_PATH, &p, 0);
	curl_url_get(h, CURLUPART_QUERY, &q, 0);
	*path = xasprintf("%s%s%s", p && *p ? p : "/", q ? "?" : "", q ? q : "");
	curl_free(v);
	curl_free(p);
	curl_free(q);
	curl_url_cleanup(h);
	return rc;
}

int
burst_loopback(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, s, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, s, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* Bind to the source address from (a loopback literal) before connecting. */
static int
bind_from(int fd, int family, const char *from, struct sd_err *e)
{
	struct sockaddr_storage ss;
	socklen_t len;

	memset(&ss, 0, sizeof ss);
	if (!burst_loopback(from))
		return err_set(e, "burst: from: %s is not a loopback address", from);
	if (family == AF_INET && inet_pton(AF_INET, from,
	    &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		len = sizeof(struct sockaddr_in);
	} else if (family == AF_INET6 && inet_pton(AF_INET6, from,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		len = sizeof(struct sockaddr_in6);
	} else {
		return err_set(e, "burst: from: %s is not of the target's address"
		    " family", from);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		return err_set(e, "burst: bind %s: %s", from, strerror(errno));
	return 0;
}

static int
dial(const char *host, const char *port, const char *from, int64_t timeout_ms,
    struct sd_err *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int fd, rc, one = 1, soerr = 0;
	socklen_t sl = sizeof soerr;
	struct pollfd pfd;

	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		return err_set(e, "burst: %s: %s", host, gai_strerror(rc));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		freeaddrinfo(ai);
		return err_set(e, "burst: socket: %s", strerror(errno));
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (from != NULL && bind_from(fd, ai->ai_family, from, e) == -1) {
		freeaddrinfo(ai);
		close(fd);
		return -1;
	}
	rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (rc == -1 && errno != EINPROGRESS)
		goto fail;
	pfd = (struct pollfd){ fd, POLLOUT, 0 };
	if (poll(&pfd, 1, (int)timeout_ms) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1 || soerr) {
		errno = soerr ? soerr : ETIMEDOUT;
		goto fail;
	}
	return fd;
fail:
	err_set(e, "burst: connect %s:%s: %s", host, port, strerror(errno));
	close(fd);
	return -1;
}

/* write(2) or SSL_write; 0 with *wait_for set (POLLIN/POLLOUT) when the
 * socket is not ready, -1 on an error. */
static ssize_t
c_write(struct conn *c, const char *p, size_t n, short *wait_for)
{
	*wait_for = POLLOUT;
	if (c->ssl == NULL) {
		ssize_t w = write(c->fd, p, n);
		return w > 0 ? w : w == -1 && (errno == EAGAIN || errno == EINTR) ?
		    0 : -1;
	}
	int w = SSL_write(c->ssl, p, (int)n), err;
	if (w > 0)
		return w;
	err = SSL_get_error(c->ssl, w);
	if (err == SSL_ERROR_WANT_READ)
		*wait_for = POLLIN;
	return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

static int
write_all(struct conn *c, const char *p, size_t n, int64_t deadline_ms)
{
	while (n > 0) {
		short wait_for;
		ssize_t w = c_write(c, p, n, &wait_for);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1)
			return -1;
		struct pollfd pfd = { c->fd, wait_for, 0 };
		if (poll(&pfd, 1, (int)(deadline_ms - mono_ms())) <= 0)
			return -1;
	}
	return 0;
}

/* read(2) or SSL_read: bytes, 0 at the end, -1 on an error, -2: nothing
 * yet. */
static ssize_t
c_read(struct conn *c, char *buf, size_t n)
{
	if (c->ssl == NULL) {
		ssize_t r = read(c->fd, buf, n);
		return r >= 0 ? r : errno == EAGAIN || errno == EINTR ? -2 : -1;
	}
	int r = SSL_read(c->ssl, buf, (int)n), err;
	if (r > 0)
		return r;
	err = SSL_get_error(c->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return -2;
	return err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL &&
	    errno == 0) ? 0 : -1;
}

/* Complete once the headers are in and Content-Length bytes follow. */
static int
complete(struct sbuf *r)
{
	char *hend = r->buf ? strstr(r->buf, "\r\n\r\n") : NULL, *cl;

	if (hend == NULL)
		return 0;
	cl = strcasestr(r->buf, "\r\nContent-Length:");
	if (cl == NULL || cl > hend)
		return 0;	/* wait for the close */
	return (size_t)(hend + 4 - r->buf) + strtoul(cl + 17, NULL, 10) <= r->len;
}

/* The value of header name in the response head [buf, hend), or NULL. */
static const char *
header(const char *buf, const char *hend, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(buf, "\r\n"); p != NULL && p < hend;
	    p = strstr(p + 2, "\r\n"))
		if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
			const char *v = p + 3 + n;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
	return NULL;
}

/* A non-negative integer at v (up to CR), else -2. */
static int
header_int(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end == v || n < 0 || n > 1 << 30 || (*end != '\r' && *end != ' ' &&
	    *end != ';' && *end != ','))
		return -2;
	return (int)n;
}

/* "limit=100, remaining=0, reset=1" (draft-7's RateLimit): the item. */
static int
item_int(const char *v, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = v; *p != '\0' && *p != '\r'; p++)
		if ((p == v || p[-1] == ' ' || p[-1] == ',') &&
		    strncasecmp(p, key, n) == 0 && p[n] == '=')
			return header_int(p + n + 1);
	return -1;
}

static void
parse_limits(const char *buf, const char *hend, struct burst_req *q)
{
	const char *v;

	q->retry_after = q->rl_limit = q->rl_remaining = -1;
	if ((v = header(buf, hend, "Retry-After")) != NULL) {
		q->retry_after = header_int(v);
		/* an HTTP-date is allowed too: present, its delay unread */
		if (q->retry_after == -2 && strchr(v, ',') != NULL &&
		    strstr(v, "GMT") != NULL)
			q->retry_after = 0;
	}
	if ((v = header(buf, hend, "RateLimit")) != NULL) {
		q->rl_limit = item_int(v, "limit");
		q->rl_remaining = item_int(v, "remaining");
	}
	if ((v = header(buf, hend, "RateLimit-Limit")) != NULL)
		q->rl_limit = header_int(v);
	if ((v = header(buf, hend, "RateLimit-Remaining")) != NULL)
		q->rl_remaining = header_int(v);
}

static void
parse(struct conn *c, struct burst_req *q)
{
	char *hend;

	q->retry_after = q->rl_limit = q->rl_remaining = -1;

	if (c->resp.buf == NULL || strncmp(c->resp.buf, "HTTP/1.", 7) != 0 ||
	    c->resp.len < 12) {
		snprintf(q->error, sizeof q->error, "%s", c->resp.len ?
		    "malformed response" : "no answer");
		return;
	}
	q->status = atoi(c->resp.buf + 9);
	hend = strstr(c->resp.buf, "\r\n\r\n");
	if (hend != NULL)
		parse_limits(c->resp.buf, hend + 2, q);
	q->body = xstrndup(hend ? hend + 4 : "", hend ? strnlen(hend + 4, 4096) : 0);
}

/* The request of connection i, all but sent: rendered for its user. */
static int
prepare(const struct burst_spec *sp, struct conn *c, size_t i, int user,
    char *host, size_t hl, char *port, size_t pl, struct sd_err *e)
{
	char *body = render_template(sp->body ? sp->body : "", user, (int)i);
	char *url = render_template(sp->url, user, (int)i), *path = NULL;
	struct sbuf rq;

	if (split_url(url, host, hl, port, pl, &path, e) == -1) {
		free(url);
		free(body);
		free(path);
		return -1;
	}
	sb_init(&rq);
	sb_addf(&rq, "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n"
	    "User-Agent: shakedown-burst\r\n", sp->method, path, host, port);
	for (char **h = sp->headers; h && *h; h++) {
		char *hv = render_template(*h, user, (int)i);
		sb_addf(&rq, "%s\r\n", hv);
		free(hv);
	}
	sb_addf(&rq, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	free(body);
	free(url);
	free(path);
	c->reqlen = rq.len;
	c->req = sb_detach(&rq);
	return 0;
}

/* Connect everything (over TLS when ctx) and send all but the last byte. */
static int
connect_all(const struct burst_spec *sp, SSL_CTX *ctx, struct conn *c,
    size_t n, struct burst_result *r, int64_t deadline, struct sd_err *e)
{
	char host[256], port[16];

	for (size_t i = 0; i < n; i++) {
		int user = (int)(i / (size_t)sp->per_user) + 1;
		r->req[i].user = user;
		if (prepare(sp, &c[i], i, user, host, sizeof host, port,
		    sizeof port, e) == -1)
			return -1;
		char *from = sp->from ? render_template(sp->from, user, (int)i) :
		    NULL;
		c[i].fd = dial(host, port, from, deadline - mono_ms(), e);
		free(from);
		if (c[i].fd == -1)
			return -1;
		if (ctx != NULL) {
			if ((c[i].ssl = tls_client(ctx, c[i].fd, host, sp->tls,
			    NULL)) == NULL)
				return err_set(e, "burst: tls: no memory");
			if (tls_handshake_until(c[i].ssl, c[i].fd, deadline, e) == -1)
				return err_prefix(e, "burst: %s:%s", host, port);
		}
		if (write_all(&c[i], c[i].req, c[i].reqlen - 1, deadline) == -1)
			return err_set(e, "burst: cannot send to %s:%s", host, port);
	}
	return 0;
}

/*
 * The last byte of every request, one user after another. After each, was
 * an earlier request of this user already accepted and answered? Then it no
 * longer held the guard when this one arrived, and the burst would prove
 * nothing. (Rejections arriving early are the guard at work.)
 */
static int
release(const struct burst_spec *sp, struct conn *c, size_t n,
    struct burst_result *r, int64_t deadline, struct sd_err *e)
{
	int64_t t0 = mono_ns();

	r->concurrent = 1;
	for (size_t i = 0; i < n; i++) {
		if (write_all(&c[i], c[i].req + c[i].reqlen - 1, 1, deadline) == -1)
			return err_set(e, "burst: cannot send: %s", strerror(errno));
		c[i].final_ns = mono_ns();
		size_t first = i - i % (size_t)sp->per_user;
		for (size_t k = first; k < i && r->concurrent && sp->need_concurrent;
		    k++) {
			char head[16];
			ssize_t got = c[k].ssl ? SSL_peek(c[k].ssl, head,
			    sizeof head - 1) : recv(c[k].fd, head, sizeof head - 1,
			    MSG_PEEK | MSG_DONTWAIT);
			if (c[k].ssl != NULL)
				ERR_clear_error();
			if (got >= 10 && strncmp(head, "HTTP/1.", 7) == 0 &&
			    head[9] == '2') {
				r->concurrent = 0;
				snprintf(r->why, sizeof r->why, "user %d: request %zu was"
				    " accepted and answered before request %zu was sent",
				    r->req[i].user, k - first + 1, i - first + 1);
			}
		}
	}
	r->release_us = (mono_ns() - t0) / 1000;
	return 0;
}

/* Read every answer until all are in or the deadline passes. */
static void
read_all(struct conn *c, size_t n, struct pollfd *pfd,
    struct burst_result *r, int64_t deadline)
{
	size_t left = n;

	for (size_t i = 0; i < n; i++)
		sb_init(&c[i].resp);
	while (left > 0 && mono_ms() < deadline) {
		for (size_t i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ c[i].done ? -1 : c[i].fd, POLLIN, 0 };
		if (poll(pfd, (nfds_t)n, (int)(deadline - mono_ms())) <= 0)
			break;
		for (size_t i = 0; i < n; i++) {
			char buf[4096];
			if (c[i].done || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* all there is now (TLS may hold more than one read) */
			for (;;) {
				ssize_t got = c_read(&c[i], buf, sizeof buf);
				if (got == -2)
					break;
				if (got > 0 && c[i].resp.len < RESP_MAX)
					sb_addn(&c[i].resp, buf, (size_t)got);
				if (got <= 0 || complete(&c[i].resp)) {
					c[i].done = 1;
					left--;
					r->req[i].latency_us = (mono_ns() - c[i].final_ns) /
					    1000;
					break;
				}
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		parse(&c[i], &r->req[i]);
}

int
burst_run(const struct burst_spec *sp, struct burst_result *r, struct sd_err *e)
{
	size_t n = (size_t)sp->users * (size_t)sp->per_user;
	int64_t deadline = mono_ms() + sp->timeout_ms;
	struct conn *c = xcalloc(n, sizeof *c);
	struct pollfd *pfd = xcalloc(n, sizeof *pfd);
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->req = xcalloc(n, sizeof *r->req);
	r->n = n;
	SSL_CTX *ctx = NULL;

	for (size_t i = 0; i < n; i++)
		c[i].fd = -1;
	if (strncmp(sp->url, "https://", 8) == 0 &&
	    (ctx = tls_ctx_new(sp->tls, e)) == NULL)
		goto out;
	if (connect_all(sp, ctx, c, n, r, deadline, e) == 0 &&
	    release(sp, c, n, r, deadline, e) == 0) {
		read_all(c, n, pfd, r, deadline);
		rc = 0;
	}
out:
	for (size_t i = 0; i < n; i++) {
		if (c[i].ssl != NULL)
			SSL_free(c[i].ssl);
		if (c[i].fd != -1)
			close(c[i].fd);
		free(c[i].req);
		sb_free(&c[i].resp);
	}
	free(c);
	free(pfd);
	if (ctx != NULL)
		SSL_CTX_free(ctx);
	if (rc == -1)
		burst_result_free(r);
	return rc;
}

void
burst_result_free(struct burst_result *r)
{
	for (size_t i = 0; r->req != NULL && i < r->n; i++)
		free(r->req[i].body);
	free(r->req);
	r->req = NULL;
	r->n = 0;
}
