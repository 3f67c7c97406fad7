/*
 * probe.c — see probe.h. The loop follows libcurl's multi-event example:
 * the socket callback keeps epoll interest in step with what curl wants,
 * the timer callback arms a timerfd, and both feed curl_multi_socket_action;
 * finished transfers are drained with curl_multi_info_read and mapped back
 * to their sample with CURLOPT_PRIVATE.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "probe.h"

#define BODY_MAX (64 * 1024)
#define HEADERS_MAX (16 * 1024)

struct probe {
	struct probe_def def;
	struct curl_slist *hdrs;
	struct sample *samples;
	size_t n, cap;
	int64_t next_ms;	/* next intended send, absolute mono */
};

struct xfer {
	struct xfer *prev, *next;	/* in flight, for abandoning at the end */
	CURL *h;
	struct probe_set *ps;
	size_t probe, idx;
	struct sbuf body, headers;
	char errbuf[CURL_ERROR_SIZE];
};

struct probe_set {
	struct probe *p;
	size_t np;
	int64_t t0_ms;
	CURLM *multi;
	int ep, curl_tfd, sched_tfd, stop_efd;
	pthread_t thread;
	int running;
	struct xfer *inflight;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void
arm(int tfd, int64_t abs_ms)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (abs_ms >= 0) {
		if (abs_ms == 0)
			abs_ms = 1;	/* 0 would disarm */
		its.it_value.tv_sec = abs_ms / 1000;
		its.it_value.tv_nsec = (abs_ms % 1000) * 1000000;
	}
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int
on_socket(CURL *h, curl_socket_t s, int what, void *u, void *sockp)
{
	struct probe_set *ps = u;
	struct epoll_event ev = { 0 };

	(void)h;
	(void)sockp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(ps->ep, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
	    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	ev.data.fd = s;
	if (epoll_ctl(ps->ep, EPOLL_CTL_MOD, s, &ev) == -1 && errno == ENOENT)
		epoll_ctl(ps->ep, EPOLL_CTL_ADD, s, &ev);
	return 0;
}

static int
on_timer(CURLM *m, long timeout_ms, void *u)
{
	struct probe_set *ps = u;

	(void)m;
	arm(ps->curl_tfd, timeout_ms < 0 ? -1 : mono_ms() + timeout_ms);
	return 0;
}

static size_t
on_body(char *ptr, size_t sz, size_t nm, void *u)
{
	struct xfer *x = u;
	size_t n = sz * nm;

	if (x->body.len < BODY_MAX)
		sb_addn(&x->body, ptr, n < BODY_MAX - x->body.len ? n :
		    BODY_MAX - x->body.len);
	return n;
}

static size_t
on_header(char *ptr, size_t sz, size_t nm, void *u)
{
	struct xfer *x = u;
	size_t n = sz * nm;

	/* a new status line (redirects, 100-continue) starts a new block */
	if (n > 5 && strncmp(ptr, "HTTP/", 5) == 0)
		x->headers.len = 0;
	if (x->headers.len + n < HEADERS_MAX)
		sb_addn(&x->headers, ptr, n);
	return n;
}

static const char *
error_class(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return "connect refused";
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_COULDNT_RESOLVE_HOST:
		return "dns";
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return "reset";
	case CURLE_GOT_NOTHING:
		return "empty reply";
	default:
		return curl_easy_strerror(rc);
	}
}

/* Called in the loop thread: start one request of probe i. */
static void
fire(struct probe_set *ps, size_t i, int64_t now)
{
	struct probe *p = &ps->p[i];
	struct xfer *x = xcalloc(1, sizeof *x);
	CURL *h = curl_easy_init();

	pthread_mutex_lock(&ps->mu);
	p->samples = xgrow(p->samples, &p->cap, p->n + 1, sizeof *p->samples);
	memset(&p->samples[p->n], 0, sizeof p->samples[p->n]);
	p->samples[p->n].sent_ms = now - ps->t0_ms;
	p->samples[p->n].done_ms = -1;
	x->idx = p->n++;
	pthread_mutex_unlock(&ps->mu);
	x->ps = ps;
	x->probe = i;
	sb_init(&x->body);
	sb_init(&x->headers);
	curl_easy_setopt(h, CURLOPT_URL, p->def.url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)p->def.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)p->def.timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "shakedown-probe");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (p->hdrs != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, p->hdrs);
	if (strcmp(p->def.method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(p->def.method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, p->def.method);
	if (p->def.body != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, p->def.body);
	x->h = h;
	x->next = ps->inflight;
	if (ps->inflight != NULL)
		ps->inflight->prev = x;
	ps->inflight = x;
	curl_multi_add_handle(ps->multi, h);
}

static void
xfer_free(struct probe_set *ps, struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		ps->inflight = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	curl_multi_remove_handle(ps->multi, x->h);
	curl_easy_cleanup(x->h);
	sb_free(&x->body);
	sb_free(&x->headers);
	free(x);
}

static void
finish(struct probe_set *ps, CURL *h, CURLcode rc)
{
	struct xfer *x;
	struct sample *s;
	long code = 0;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	pthread_mutex_lock(&ps->mu);
	s = &ps->p[x->probe].samples[x->idx];
	s->done_ms = mono_ms() - ps->t0_ms;
	if (rc == CURLE_OK) {
		s->status = (int)code;
		s->body = sb_detach(&x->body);
		s->headers = sb_detach(&x->headers);
	} else {
		s->status = 0;
		s->error = xstrdup(error_class(rc));
	}
	pthread_cond_broadcast(&ps->cv);
	pthread_mutex_unlock(&ps->mu);
	xfer_free(ps, x);
}

static void
drain(struct probe_set *ps)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(ps->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE)
			finish(ps, m->easy_handle, m->data.result);
}

static void
schedule(struct probe_set *ps)
{
	int64_t now = mono_ms(), next = -1;

	for (size_t i = 0; i < ps->np; i++) {
		struct probe *p = &ps->p[i];
		if (p->next_ms <= now) {
			fire(ps, i, now);
			p->next_ms += p->def.every_ms;
			/* fell behind (stopped machine): skip, do not burst */
			if (p->next_ms <= now)
				p->next_ms = now + p->def.every_ms;
		}
		if (next < 0 || p->next_ms < next)
			next = p->next_ms;
	}
	arm(ps->sched_tfd, next);
}

static void *
loop(void *arg)
{
	struct probe_set *ps = arg;
	struct epoll_event evs[32];
	int running, stop = 0;
	uint64_t ticks;

	schedule(ps);
	curl_multi_socket_action(ps->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	drain(ps);
	while (!stop) {
		int n = epoll_wait(ps->ep, evs, 32, 1000);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ps->stop_efd) {
				stop = 1;
			} else if (fd == ps->sched_tfd) {
				if (read(fd, &ticks, sizeof ticks) > 0)
					schedule(ps);
			} else if (fd == ps->curl_tfd) {
				if (read(fd, &ticks, sizeof ticks) > 0)
					curl_multi_socket_action(ps->multi,
					    CURL_SOCKET_TIMEOUT, 0, &running);
			} else {
				int what = (evs[i].events & EPOLLIN ?
				    CURL_CSELECT_IN : 0) | (evs[i].events &
				    EPOLLOUT ? CURL_CSELECT_OUT : 0) |
				    (evs[i].events & (EPOLLERR | EPOLLHUP) ?
				    CURL_CSELECT_ERR : 0);
				curl_multi_socket_action(ps->multi, fd, what,
				    &running);
			}
		}
		drain(ps);
	}
	return NULL;
}

struct probe_set *
probes_new(const struct probe_def *defs, size_t n, int64_t t0_ms,
    struct sd_err *e)
{
	struct probe_set *ps = xcalloc(1, sizeof *ps);
	struct epoll_event ev = { .events = EPOLLIN };
	pthread_condattr_t ca;

	ps->p = xcalloc(n ? n : 1, sizeof *ps->p);
	ps->np = n;
	ps->t0_ms = t0_ms;
	for (size_t i = 0; i < n; i++) {
		ps->p[i].def = defs[i];
		for (char **h = defs[i].headers; h && *h; h++)
			ps->p[i].hdrs = curl_slist_append(ps->p[i].hdrs, *h);
		ps->p[i].next_ms = mono_ms();
	}
	pthread_mutex_init(&ps->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ps->cv, &ca);
	pthread_condattr_destroy(&ca);
	ps->ep = epoll_create1(EPOLL_CLOEXEC);
	ps->curl_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	ps->sched_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	ps->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ps->ep == -1 || ps->curl_tfd == -1 || ps->sched_tfd == -1 ||
	    ps->stop_efd == -1) {
		err_set(e, "probes: cannot create event loop: %s", strerror(errno));
		probes_free(ps);
		return NULL;
	}
	ev.data.fd = ps->curl_tfd;
	epoll_ctl(ps->ep, EPOLL_CTL_ADD, ps->curl_tfd, &ev);
	ev.data.fd = ps->sched_tfd;
	epoll_ctl(ps->ep, EPOLL_CTL_ADD, ps->sched_tfd, &ev);
	ev.data.fd = ps->stop_efd;
	epoll_ctl(ps->ep, EPOLL_CTL_ADD, ps->stop_efd, &ev);
	ps->multi = curl_multi_init();
	curl_multi_setopt(ps->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(ps->multi, CURLMOPT_SOCKETDATA, ps);
	curl_multi_setopt(ps->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(ps->multi, CURLMOPT_TIMERDATA, ps);
	return ps;
}

int
probes_start(struct probe_set *ps, struct sd_err *e)
{
	int rc;

	if (ps->np == 0)
		return 0;
	if ((rc = pthread_create(&ps->thread, NULL, loop, ps)) != 0)
		return err_set(e, "probes: cannot start thread: %s", strerror(rc));
	ps->running = 1;
	return 0;
}

void
probes_stop(struct probe_set *ps)
{
	uint64_t one = 1;
	ssize_t n;

	if (ps == NULL || !ps->running)
		return;
	n = write(ps->stop_efd, &one, sizeof one);
	(void)n;
	pthread_join(ps->thread, NULL);
	ps->running = 0;
}

void
probes_free(struct probe_set *ps)
{
	if (ps == NULL)
		return;
	probes_stop(ps);
	if (ps->multi != NULL) {
		/* abandon transfers still in flight */
		while (ps->inflight != NULL)
			xfer_free(ps, ps->inflight);
		curl_multi_cleanup(ps->multi);
	}
	for (size_t i = 0; i < ps->np; i++) {
		for (size_t j = 0; j < ps->p[i].n; j++)
			sample_free(&ps->p[i].samples[j]);
		free(ps->p[i].samples);
		curl_slist_free_all(ps->p[i].hdrs);
	}
	free(ps->p);
	for (int *fd = &ps->ep; fd <= &ps->stop_efd; fd++)
		if (*fd > 0)
			close(*fd);
	pthread_mutex_destroy(&ps->mu);
	pthread_cond_destroy(&ps->cv);
	free(ps);
}

void probes_lock(struct probe_set *ps) { pthread_mutex_lock(&ps->mu); }
void probes_unlock(struct probe_set *ps) { pthread_mutex_unlock(&ps->mu); }

size_t
probes_count(struct probe_set *ps, size_t probe)
{
	return ps->p[probe].n;
}

struct sample *
probes_sample(struct probe_set *ps, size_t probe, size_t i)
{
	return &ps->p[probe].samples[i];
}

void
probes_wait(struct probe_set *ps, int64_t deadline_ms)
{
	struct timespec ts;

	if (deadline_ms <= mono_ms())
		return;
	ts.tv_sec = deadline_ms / 1000;
	ts.tv_nsec = (deadline_ms % 1000) * 1000000;
	pthread_cond_timedwait(&ps->cv, &ps->mu, &ts);
}

void
probes_kick(struct probe_set *ps)
{
	pthread_mutex_lock(&ps->mu);
	pthread_cond_broadcast(&ps->cv);
	pthread_mutex_unlock(&ps->mu);
}
