/*
 * load_raw.c — the load engine's transport for plain http://: non-blocking
 * sockets on one epoll loop per worker thread, as wrk does it, with what
 * libcurl costs per transfer taken out.
 *
 * Each slot (connection) has its request built once at start — method,
 * path, Host, the drill's headers and body with {user} and {n} substituted —
 * and sends those bytes as they are for every request, keep-alive. The
 * answer is read into the worker's one buffer and fed to http-parser
 * (Debian's libhttp-parser, the parser wrk uses), which keeps a slot's
 * parsing state in 32 bytes between reads: Content-Length and chunked
 * bodies, and bodies that end with the connection. A slot is a few hundred
 * bytes; nothing is allocated per request.
 *
 * The sockets are registered once, edge-triggered for both directions: a
 * request is written at once (the socket has room: it has nothing else in
 * flight), and a readable edge is read until the answer is complete or the
 * socket is empty, so a request costs a write, a read and its share of one
 * epoll_wait — no epoll_ctl per request.
 *
 * https: OpenSSL over the same non-blocking sockets, as wrk does: one
 * SSL_CTX for the run (the CA store loaded once), a handshake on each new
 * connection that resumes the slot's last session, SSL_read/SSL_write for
 * the bytes; a handshake that fails is its own error class (tls), backed
 * off like a refused connect, and its reason kept for people.
 *
 * Failures as libcurl names them: refused (connect, with backoff), no
 * answer within the timeout, reset (the connection closed or reset before
 * the answer was complete; a reused connection that closes before any byte
 * of the answer is tried again once on a fresh one, as curl and browsers
 * do: an idle keep-alive connection the server closed says nothing about
 * the request), and other (an answer that does not parse).
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <errno.h>
#include <stdatomic.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "load_int.h"
#include "../base/tls.h"

enum { RS_IDLE, RS_QUEUED, RS_CONNECTING, RS_HANDSHAKE, RS_WRITING,
	RS_READING };

/* https: handshakes in flight per worker. 10 000 connections opened at once
 * would otherwise each hold a handshake's buffers (tens of KiB) while a
 * server works through them: 10 000 x 28 KiB. The rest wait their turn
 * without a socket; the wait is the tool's, not the service's, and is not
 * counted as the request's (turns). */
#define HS_LIVE 256

#define TAG_STOP	((uint64_t)2 << 62)
#define RBUF		(64 * 1024)
#define TIMEOUT_SCAN_MS	20	/* and 1 ms more per 100 connections */

static int new_session(SSL *ssl, SSL_SESSION *sess);

/* One read buffer per worker thread: answers are only counted. */
static _Thread_local char rbuf[RBUF];

/* Which engine: raw for http:// without a proxy (1), libcurl (0), -1 with
 * e when the URL's host cannot be resolved. */
static int
raw_prepare(struct load *l, struct sd_err *e)
{
	const char *eng = getenv("SHAKEDOWN_LOAD_ENGINE");
	struct addrinfo hints, *ai;
	char *host = NULL, *port = NULL, *scheme = NULL, *url;
	CURLU *u;
	int rc = 0, g;

	if (l->spec.proxy != NULL || (eng != NULL && strcmp(eng, "curl") == 0))
		return 0;
	url = render_template(l->spec.url, 1, 0);
	u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") !=
	    0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    strchr(host, '{') != NULL ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;	/* libcurl will say what is wrong */
	/* [::1] -> ::1 */
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((g = getaddrinfo(host, port, &hints, &ai)) != 0) {
		rc = err_set(e, "load: cannot resolve '%s': %s", host,
		    gai_strerror(g));
		goto out;
	}
	memcpy(&l->addr, ai->ai_addr, ai->ai_addrlen);
	l->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	rc = 1;
	if (strcasecmp(scheme, "https") == 0) {
		if ((l->ssl_ctx = tls_ctx_new(l->spec.tls, e)) == NULL)
			rc = -1;
		else
			SSL_CTX_sess_set_new_cb(l->ssl_ctx, new_session);
		l->tls_host = xstrdup(host);
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	free(url);
	return rc;
}

static int
raw_worker_init(struct worker *w, struct sd_err *e)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return err_set(e, "load: epoll: %s", strerror(errno));
	ev.data.u64 = TAG_STOP;
	epoll_ctl(w->ep, EPOLL_CTL_ADD, w->stop_efd, &ev);
	return 0;
}

static void
raw_worker_free(struct worker *w)
{
	if (w->ep >= 0)
		close(w->ep);
	w->ep = -1;
}

/* Does the drill give this header itself (a default then steps aside)? */
static int
given(char **headers, const char *name)
{
	size_t n = strlen(name);

	for (char **h = headers; h && *h; h++)
		if (strncasecmp(*h, name, n) == 0 && (*h)[n] == ':')
			return 1;
	return 0;
}

/* The request's bytes, as libcurl would send them. */
static int
raw_slot_setup(struct worker *w, struct slot *s, int global_idx,
    struct sd_err *e)
{
	const struct load_spec *sp = &w->l->spec;
	int user = sp->users > 0 ? global_idx % sp->users + 1 : 0;
	char *url = render_template(sp->url, user, global_idx);
	char *body = render_template(sp->body, user, global_idx);
	char *path = NULL, *query = NULL, *host = NULL, *port = NULL;
	CURLU *u = curl_url();
	struct sbuf sb;

	s->w = w;
	s->fd = -1;
	s->head = strcmp(sp->method, "HEAD") == 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		free(url);
		free(body);
		return err_set(e, "load: bad URL for connection %d", global_idx);
	}
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	sb_init(&sb);
	sb_addf(&sb, "%s %s%s%s HTTP/1.1\r\n", sp->method, path, query ? "?" :
	    "", query ? query : "");
	if (!given(sp->headers, "Host"))
		sb_addf(&sb, "Host: %s%s%s\r\n", host, port ? ":" : "", port ?
		    port : "");
	if (!given(sp->headers, "User-Agent"))
		sb_add(&sb, "User-Agent: shakedown-load\r\n");
	if (!given(sp->headers, "Accept"))
		sb_add(&sb, "Accept: */*\r\n");
	for (char **hp = sp->headers; hp && *hp; hp++) {
		char *hv = render_template(*hp, user, global_idx);
		const char *colon = strchr(hv, ':');
		/* "Name:" with nothing after it removes a header, in curl */
		if (colon != NULL && colon[1 + strspn(colon + 1, " \t")] != '\0')
			sb_addf(&sb, "%s\r\n", hv);
		if (strncasecmp(hv, "Connection:", 11) == 0 && strcasestr(hv + 11,
		    "close") != NULL)
			s->close_after = 1;
		free(hv);
	}
	if (body != NULL) {
		if (!given(sp->headers, "Content-Type"))
			sb_add(&sb, "Content-Type: application/x-www-form-urlencoded"
			    "\r\n");
		sb_addf(&sb, "Content-Length: %zu\r\n", strlen(body));
	}
	sb_add(&sb, "\r\n");
	if (body != NULL)
		sb_add(&sb, body);
	s->reqlen = (uint32_t)sb.len;
	s->req = sb_detach(&sb);
	curl_free(path);
	curl_free(query);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	free(url);
	free(body);
	return 0;
}

static void
conn_close(struct slot *s)
{
	if (s->in_hs) {		/* a handshake's place frees up */
		s->in_hs = 0;
		s->w->hs_live--;
	}
	if (s->ssl != NULL) {
		/* quiet: no close_notify goes out, but the session is not
		 * dropped as one of a broken connection (SSL_free would) */
		if (SSL_is_init_finished(s->ssl))
			SSL_shutdown(s->ssl);
		/* the next connection resumes this session: no full handshake */
		SSL_SESSION *ss = SSL_is_init_finished(s->ssl) ?
		    SSL_get1_session(s->ssl) : NULL;
		if (ss != NULL && SSL_SESSION_is_resumable(ss) && s->sess == NULL)
			s->sess = ss;	/* TLS 1.2 (1.3's come by ticket) */
		else if (ss != NULL)
			SSL_SESSION_free(ss);
		SSL_free(s->ssl);
		s->ssl = NULL;
	}
	if (s->fd >= 0)
		close(s->fd);	/* leaves the epoll set with it */
	s->fd = -1;
	s->state = RS_IDLE;
}

static void
raw_slot_free(struct worker *w, struct slot *s)
{
	(void)w;
	if (s->req == NULL)
		return;		/* never set up */
	conn_close(s);
	if (s->sess != NULL)
		SSL_SESSION_free(s->sess);
	s->sess = NULL;
	free(s->req);
	s->req = NULL;
}

/* The request is over: counted, and the slot goes on (load.c). A
 * closed-model slot goes out again at the end of this turn of the loop,
 * with every other slot answered in it, as wrk does: the server then reads
 * a batch of requests per wakeup, not one (a single-worker server answers
 * more that way), and a target that fails every request at once cannot make
 * this a recursion. */
static void
finish(struct worker *w, struct slot *s, long code, int err)
{
	if (err >= 0 || s->close_after || !http_should_keep_alive(&s->hp))
		conn_close(s);
	else
		s->state = RS_IDLE;
	load_record(w, s, code, err, s->retry_after);
	if (w->rate == 0 && s->next_ms == 0 && !w->stopping) {
		s->busy = 0;
		w->freel[w->nfree++] = (int)(s - w->slots);
		return;
	}
	load_finished(w, s);
}

static void try_write(struct worker *w, struct slot *s);

/* The first TLS failure of the run, kept for people. */
static void
tls_failed(struct worker *w, struct slot *s, int r)
{
	struct load *l = w->l;
	char why[256];

	tls_why(s->ssl, r, why, sizeof why);
	pthread_mutex_lock(&l->tls_mu);
	if (l->tls_error[0] == '\0')
		snprintf(l->tls_error, sizeof l->tls_error, "%s", why);
	pthread_mutex_unlock(&l->tls_mu);
}

/* The handshake goes as far as the socket lets it; done: the request. */
static void
handshake(struct worker *w, struct slot *s)
{
	int r = SSL_connect(s->ssl), err;

	if (r == 1) {
		s->in_hs = 0;
		w->hs_live--;
		struct load_stats *st = &w->st[atomic_load_explicit(&w->l->phase,
		    memory_order_relaxed)];
		st->tls_handshakes++;
		st->tls_resumed += (uint64_t)SSL_session_reused(s->ssl);
		st->tls_handshake_us += (double)(mono_ns() - s->hs_ns) / 1000.0;
		try_write(w, s);
		return;
	}
	err = SSL_get_error(s->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return;		/* the socket's next edge brings us back */
	tls_failed(w, s, r);
	finish(w, s, 0, LE_TLS);
}

/* A TLS 1.3 session ticket: the slot keeps the newest to resume with. */
static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct slot *s = SSL_get_app_data(ssl);

	if (s == NULL)
		return 0;
	if (s->sess != NULL)
		SSL_SESSION_free(s->sess);
	s->sess = sess;
	return 1;		/* ours now */
}

/* Connected: over TLS for https, the request at once for http. */
static void
connected(struct worker *w, struct slot *s)
{
	if (w->l->ssl_ctx == NULL) {
		try_write(w, s);
		return;
	}
	s->ssl = tls_client(w->l->ssl_ctx, s->fd, w->l->tls_host, w->l->spec.tls,
	    s->sess);
	if (s->ssl == NULL) {
		finish(w, s, 0, LE_OTHER);
		return;
	}
	SSL_set_app_data(s->ssl, s);
	s->hs_ns = mono_ns();
	s->state = RS_HANDSHAKE;
	handshake(w, s);
}

/* send(2) or SSL_write: bytes written, or -1 with *again set when the
 * socket has no room now. */
static ssize_t
io_write(struct slot *s, const char *p, size_t n, int *again)
{
	*again = 0;
	if (s->ssl == NULL) {
		ssize_t r;
		do
			r = send(s->fd, p, n, MSG_NOSIGNAL);
		while (r < 0 && errno == EINTR);
		*again = r < 0 && errno == EAGAIN;
		return r;
	}
	int r = SSL_write(s->ssl, p, (int)n);
	if (r > 0)
		return r;
	int err = SSL_get_error(s->ssl, r);
	*again = err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ;
	ERR_clear_error();
	errno = ECONNRESET;
	return -1;
}

/* recvmsg with the kernel's receive time of the bytes (SO_TIMESTAMPNS,
 * CLOCK_REALTIME), kept in s->rx_ns as mono. */
static ssize_t
recv_stamped(struct worker *w, struct slot *s, char *p, size_t n)
{
	struct iovec iov = { p, n };
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} c;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = c.buf, .msg_controllen = sizeof c.buf };
	ssize_t r = recvmsg(s->fd, &m, 0);

	if (r > 0)
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h != NULL;
		    h = CMSG_NXTHDR(&m, h))
			if (h->cmsg_level == SOL_SOCKET &&
			    h->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(h), sizeof ts);
				s->rx_ns = (int64_t)ts.tv_sec * 1000000000 +
				    ts.tv_nsec - w->real_off_ns;
			}
	return r;
}

/* recv(2) or SSL_read: bytes, 0 at the end, or -1 (*again: nothing now). */
static ssize_t
io_read(struct worker *w, struct slot *s, char *p, size_t n, int *again)
{
	*again = 0;
	if (s->ssl == NULL) {
		ssize_t r;
		do
			r = w->stamped ? recv_stamped(w, s, p, n) :
			    recv(s->fd, p, n, 0);
		while (r < 0 && errno == EINTR);
		*again = r < 0 && errno == EAGAIN;
		return r;
	}
	int r = SSL_read(s->ssl, p, (int)n);
	if (r > 0)
		return r;
	int err = SSL_get_error(s->ssl, r);
	*again = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
	ERR_clear_error();
	if (err == SSL_ERROR_ZERO_RETURN)
		return 0;
	if (err == SSL_ERROR_SYSCALL && errno == 0)
		return 0;	/* closed without a close_notify */
	errno = ECONNRESET;
	return -1;
}

/* Send the slot's request: on its kept-alive connection, or on a new one. */
static void
raw_send(struct worker *w, struct slot *s)
{
	struct epoll_event ev;
	int one = 1, fd;

	http_parser_init(&s->hp, HTTP_RESPONSE);
	s->hp.data = s;
	s->complete = s->retry_after = s->in_value = 0;
	s->hmatch = 0;
	s->off = 0;
	s->answered = 0;
	if (s->fd >= 0) {
		s->fresh = 0;
		try_write(w, s);
		return;
	}
	s->fresh = 1;
	if (w->l->ssl_ctx != NULL) {
		if (w->hs_live >= HS_LIVE) {
			/* its turn comes when a handshake ends (raw_work) */
			s->state = RS_QUEUED;
			/* one that timed out while it waited is still on
			 * the list: the list never holds a slot twice */
			if (!s->in_wait) {
				s->in_wait = 1;
				w->hs_wait[w->nhs_wait++] = (int)(s - w->slots);
			}
			return;
		}
		w->hs_live++;
		s->in_hs = 1;
	}
	fd = socket(w->l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		if (s->in_hs) {
			s->in_hs = 0;
			w->hs_live--;
		}
		load_record(w, s, 0, LE_OTHER, 0);
		load_finished(w, s);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (w->stamped)
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
	s->fd = fd;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = s;
	epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
	if (connect(fd, (struct sockaddr *)&w->l->addr, w->l->addrlen) == 0) {
		connected(w, s);
	} else if (errno == EINPROGRESS) {
		s->state = RS_CONNECTING;
	} else {
		int err = errno == ECONNREFUSED || errno == ENETUNREACH ||
		    errno == EHOSTUNREACH ? LE_CONNECT : LE_OTHER;
		finish(w, s, 0, err);
	}
}

/* A reused connection the server closed before answering a byte: the
 * request goes again on a fresh one, once. */
static int
retry_fresh(struct worker *w, struct slot *s)
{
	if (s->fresh || s->answered > 0)
		return 0;
	conn_close(s);
	raw_send(w, s);
	return 1;
}

static void
try_write(struct worker *w, struct slot *s)
{
	s->state = RS_WRITING;
	while (s->off < s->reqlen) {
		int again;
		ssize_t n = io_write(s, s->req + s->off, s->reqlen - s->off,
		    &again);
		if (n > 0) {
			s->off += (uint32_t)n;
			continue;
		}
		if (again)
			return;		/* the EPOLLOUT edge brings us back */
		if (!retry_fresh(w, s))
			finish(w, s, 0, errno == ECONNREFUSED ? LE_CONNECT :
			    LE_RESET);
		return;
	}
	s->state = RS_READING;
}

/* Read until the answer is complete or the socket is empty. */
static void
try_read(struct worker *w, struct slot *s)
{
	for (;;) {
		int again;
		ssize_t n = io_read(w, s, rbuf, sizeof rbuf, &again);
		if (again)
			return;
		if (n <= 0) {
			/* closed: the end of a body that runs to it, or a cut */
			if (n == 0 && s->answered > 0) {
				http_parser_execute(&s->hp, &load_http_settings, rbuf, 0);
				if (s->complete) {
					finish(w, s, s->hp.status_code, -1);
					return;
				}
			}
			if (!retry_fresh(w, s))
				finish(w, s, 0, n < 0 && errno == ECONNREFUSED ?
				    LE_CONNECT : LE_RESET);
			return;
		}
		s->answered += (uint32_t)n;
		size_t used = http_parser_execute(&s->hp, &load_http_settings, rbuf,
		    (size_t)n);
		if (s->complete) {
			/* bytes after the answer are not HTTP we asked for:
			 * the answer counts, the connection does not go on */
			if (used < (size_t)n)
				conn_close(s);
			finish(w, s, s->hp.status_code, -1);
			return;
		}
		if (HTTP_PARSER_ERRNO(&s->hp) != HPE_OK) {
			finish(w, s, 0, LE_OTHER);
			return;
		}
	}
}

static void
on_event(struct worker *w, struct slot *s, uint32_t events)
{
	if (!s->busy) {
		/* the server closed an idle keep-alive connection: the next
		 * request opens a fresh one rather than finding out by a cut */
		if (s->fd >= 0 && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
			conn_close(s);
		return;
	}
	if (s->fd < 0)
		return;		/* an edge left over from a closed request */
	if (s->state == RS_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof err;
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0) {
			finish(w, s, 0, err == ECONNREFUSED || err == ENETUNREACH ||
			    err == EHOSTUNREACH ? LE_CONNECT : err == ETIMEDOUT ?
			    LE_TIMEOUT : LE_OTHER);
			return;
		}
		connected(w, s);
		if (s->state != RS_READING)
			return;
	} else if (s->state == RS_HANDSHAKE) {
		handshake(w, s);
		if (s->state != RS_READING)
			return;
	} else if (s->state == RS_WRITING && (events & EPOLLOUT)) {
		try_write(w, s);
		if (s->state != RS_READING)
			return;
	}
	if (s->state == RS_READING && (events & (EPOLLIN | EPOLLRDHUP |
	    EPOLLERR | EPOLLHUP)))
		try_read(w, s);
}

/* Requests past their timeout fail as curl's would. */
static void
timeouts(struct worker *w, int64_t now_ns)
{
	int64_t limit = w->l->spec.timeout_ms * 1000000;

	for (int i = 0; i < w->nslots; i++) {
		struct slot *s = &w->slots[i];
		/* one waiting its turn to connect has not been sent: its
		 * clock starts with its turn (turns) */
		if (s->busy && s->state != RS_QUEUED &&
		    now_ns - s->sent_ns >= limit)
			finish(w, s, 0, LE_TIMEOUT);
	}
}

/* https: the slots waiting to connect, as handshakes end. */
static void
turns(struct worker *w)
{
	int k = 0;

	while (k < w->nhs_wait && w->hs_live < HS_LIVE) {
		struct slot *s = &w->slots[w->hs_wait[k++]];
		s->in_wait = 0;
		if (s->busy && s->state == RS_QUEUED) {
			/* the wait was ours, not the service's: the request
			 * is sent now (an open model still counts from the
			 * time it was due) */
			s->sent_ns = mono_ns();
			if (w->rate == 0)
				s->intended_ns = s->sent_ns;
			s->state = RS_IDLE;
			raw_send(w, s);
		}
	}
	if (k == 0)
		return;
	memmove(w->hs_wait, w->hs_wait + k, (size_t)(w->nhs_wait - k) *
	    sizeof *w->hs_wait);
	w->nhs_wait -= k;
}

/*
 * The worker's loop. Plain http: every answer carries the kernel's time of
 * its arrival (SO_TIMESTAMPNS), so nothing needs to wake for an answer the
 * moment it comes: in the open model the worker sleeps until the next send
 * is due (clock_nanosleep, to the nanosecond), then takes every answer that
 * came meanwhile in one epoll_pwait2 that does not wait, and sends what is
 * due — one wake a send, or one for several at high rates (batch_ns). In
 * the closed model it waits for answers, and after a turn lets more gather
 * for a sixteenth of their latency before the next wait. https (no arrival time through
 * TLS), or nothing due soon: it waits in epoll_pwait2 with a timeout to the
 * nanosecond for whatever comes first — the next send, the timeout scan,
 * the end. No timer of its own either way: a request is a write, a read
 * and its share of one wake.
 */
#define NAP_MAX_NS 20000000	/* sleep blind at most this long */
#define COALESCE_MAX_NS 100000

static int
wait_turn(struct worker *w, struct epoll_event *evs, int64_t at, int send)
{
	int64_t now = mono_ns(), d = at > now ? at - now : 0;
	struct timespec z = { 0, 0 };

	/* a send is what is due next (a free slot for it: else an answer
	 * must free one first, and is waited for) */
	if (send && w->stamped && w->rate > 0 && d <= NAP_MAX_NS) {
		struct timespec t = { (time_t)(at / 1000000000), (long)(at %
		    1000000000) };
		if (d > 0)
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		return epoll_pwait2(w->ep, evs, 256, &z, NULL);
	}
	struct timespec ts = { (time_t)(d / 1000000000), (long)(d % 1000000000) };
	int n = epoll_pwait2(w->ep, evs, 256, &ts, NULL);
	/* the closed model: a sixteenth of the latency (100 µs at most)
	 * for more answers to come, so one wait takes several — each timed
	 * by the kernel, and a connection's next request later by no more
	 * than that: under 7 % of its turn */
	int64_t co = w->lat_ewma_ns / 16 < COALESCE_MAX_NS ? w->lat_ewma_ns /
	    16 : COALESCE_MAX_NS;
	if (n > 0 && n < 256 && w->rate == 0 && w->stamped && co >= 10000) {
		struct timespec c = { 0, (long)co };
		nanosleep(&c, NULL);
		int more = epoll_pwait2(w->ep, evs + n, 256 - n, &z, NULL);
		n += more > 0 ? more : 0;
	}
	return n;
}

static void *
raw_work(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	int64_t end = w->l->spec.duration_ms > 0 ? (w->l->start_ms +
	    w->l->spec.duration_ms) * 1000000 : 0;
	/* requests past their timeout are looked for a twentieth of it late
	 * at most (from 20 ms, plus 1 ms per 100 connections, to 1 s): an
	 * idle load wakes for nothing else */
	int64_t scan_ns = w->l->spec.timeout_ms * 1000000LL / 20;
	if (scan_ns < (TIMEOUT_SCAN_MS + w->nslots / 100) * 1000000LL)
		scan_ns = (TIMEOUT_SCAN_MS + w->nslots / 100) * 1000000LL;
	if (scan_ns > 1000000000LL)
		scan_ns = 1000000000LL;
	int64_t next_scan = mono_ns() + scan_ns;
	struct timespec rt;
	int stop = 0;

	/* the kernel may wake us this much late to wake others with us:
	 * 50 µs by default, within what a send may be late */
	prctl(PR_SET_TIMERSLACK, 20000UL, 0, 0, 0);
	w->stamped = w->l->ssl_ctx == NULL;
	clock_gettime(CLOCK_REALTIME, &rt);
	w->real_off_ns = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec - mono_ns();
	int64_t next = load_schedule(w);
	while (!stop) {
		int64_t at = next_scan;
		int send = 0;
		if (next >= 0 && next < at) {
			at = next;
			send = w->nfree > 0;
		}
		if (end > 0 && end < at)
			at = end;
		int n = wait_turn(w, evs, at, send);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u64 == TAG_STOP)
				stop = 1;
			else
				on_event(w, evs[i].data.ptr, evs[i].events);
		}
		int64_t now = mono_ns();
		if (end > 0 && now >= end)
			stop = 1;
		if (now >= next_scan) {
			timeouts(w, now);
			next_scan = now + scan_ns;
			/* the wall clock may have been stepped */
			clock_gettime(CLOCK_REALTIME, &rt);
			w->real_off_ns = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec -
			    mono_ns();
		}
		if (!stop)
			turns(w);
		if (!stop)
			next = load_schedule(w);
	}
	w->stopping = 1;
	return NULL;
}

const struct load_transport load_raw = {
	.name = "raw",
	.prepare = raw_prepare,
	.worker_init = raw_worker_init,
	.slot_setup = raw_slot_setup,
	.send = raw_send,
	.work = raw_work,
	.slot_free = raw_slot_free,
	.worker_free = raw_worker_free,
};
