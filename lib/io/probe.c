/*
 * probe.c — see probe.h. The curl/epoll plumbing is cloop.c; here is the
 * schedule (a timerfd per probe set) and the samples. A finished transfer
 * is mapped back to its sample with CURLOPT_PRIVATE.
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cloop.h"
#include "probe.h"

#define BODY_MAX (64 * 1024)
#define HEADERS_MAX (16 * 1024)

struct probe {
	struct probe_def def;
	struct curl_slist *hdrs;
	struct sample *samples;
	size_t n, cap;
	int64_t next_ms;	/* next intended send, absolute mono */
	atomic_int fast;	/* sampled every fast_ms */
	int busy;		/* a request of its own is in flight (the
				 * loop's thread only) */
	int overdue;		/* it fell due while busy: sent on the answer */
};

struct xfer {
	struct xfer *prev, *next;	/* in flight, for abandoning at the end */
	CURL *h;
	struct probe_set *ps;
	size_t probe, idx;
	struct sbuf body, headers;
	size_t body_seen;		/* the answer's size, kept or not */
	char *url, *post;		/* a writer's, rendered with its key */
	struct curl_slist *connect_to;	/* tls server_name: where to connect */
	char errbuf[CURL_ERROR_SIZE];
};

struct probe_set {
	struct probe *p;
	size_t np;
	int64_t t0_ms;
	struct cloop loop;
	int sched_tfd, stop_efd, resched_efd;
	pthread_t thread;
	int running;
	struct xfer *inflight;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	CURLSH *share;		/* TLS sessions and DNS, across the handles
				 * (all in the loop's thread: no locks) */
};

static size_t
on_body(char *ptr, size_t sz, size_t nm, void *u)
{
	struct xfer *x = u;
	size_t n = sz * nm, max = x->ps->p[x->probe].def.body_max;

	if (max == 0)
		max = BODY_MAX;
	x->body_seen += n;
	if (x->body.len < max)
		sb_addn(&x->body, ptr, n < max - x->body.len ? n :
		    max - x->body.len);
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
		return ERR_REFUSED;
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
	char *key = NULL;

	pthread_mutex_lock(&ps->mu);
	p->samples = xgrow(p->samples, &p->cap, p->n + 1, sizeof *p->samples);
	memset(&p->samples[p->n], 0, sizeof p->samples[p->n]);
	p->samples[p->n].sent_ms = now - ps->t0_ms;
	p->samples[p->n].done_ms = -1;
	if (p->def.key_prefix != NULL)
		key = p->samples[p->n].key = xasprintf("%s-%zu", p->def.key_prefix,
		    p->n + 1);
	x->idx = p->n++;
	pthread_mutex_unlock(&ps->mu);
	if (key != NULL) {
		x->url = render_key(p->def.url, key);
		x->post = render_key(p->def.body, key);
	}
	x->ps = ps;
	x->probe = i;
	sb_init(&x->body);
	sb_init(&x->headers);
	tls_curl_url(h, x->url ? x->url : p->def.url, p->def.tls,
	    &x->connect_to);
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
	/* https: the CA store cached in the multi handle, the sessions in
	 * the share: a probe every 10 ms neither reloads nor renegotiates */
	tls_curl(h, p->def.tls);
	if (ps->share != NULL)
		curl_easy_setopt(h, CURLOPT_SHARE, ps->share);
	/* http_proxy and the like would carry drill traffic off the machine:
	 * only the proxy the drill names is used */
	curl_easy_setopt(h, CURLOPT_PROXY, p->def.proxy ? p->def.proxy : "");
	if (p->hdrs != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, p->hdrs);
	if (strcmp(p->def.method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(p->def.method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, p->def.method);
	if (p->def.body != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->post ? x->post :
		    p->def.body);
	x->h = h;
	x->next = ps->inflight;
	if (ps->inflight != NULL)
		ps->inflight->prev = x;
	ps->inflight = x;
	curl_multi_add_handle(ps->loop.multi, h);
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
	curl_multi_remove_handle(ps->loop.multi, x->h);
	curl_easy_cleanup(x->h);
	curl_slist_free_all(x->connect_to);
	sb_free(&x->body);
	sb_free(&x->headers);
	free(x->url);
	free(x->post);
	free(x);
}

static void
finish(void *arg, CURL *h, CURLcode rc)
{
	struct probe_set *ps = arg;
	struct xfer *x;
	struct sample *s;
	long code = 0;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
	ps->p[x->probe].busy = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	pthread_mutex_lock(&ps->mu);
	s = &ps->p[x->probe].samples[x->idx];
	s->done_ms = mono_ms() - ps->t0_ms;
	if (rc == CURLE_OK) {
		s->status = (int)code;
		if (x->body_seen > x->body.len)
			s->body_cut = x->body_seen;
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

static int64_t
interval(struct probe *p)
{
	return atomic_load(&p->fast) && p->def.fast_ms > 0 ?
	    p->def.fast_ms : p->def.every_ms;
}

/*
 * Fire what is due. A probe never has more than one request in flight: one
 * that falls due while its last request is unanswered is sent when that
 * answer comes (so a slow service is asked as fast as it answers, never
 * faster — the probes never become load), and a key time's resolution is
 * then that answer's latency, which the samples show.
 */
static void
schedule(struct probe_set *ps, int resched)
{
	int64_t now = mono_ms(), next = -1;

	for (size_t i = 0; i < ps->np; i++) {
		struct probe *p = &ps->p[i];
		int64_t every = interval(p);
		if (p->def.off)
			continue;
		/* a new interval: the next sample is due within it */
		if (resched && p->next_ms > now + every)
			p->next_ms = now + every;
		if (p->next_ms <= now && p->busy) {
			p->overdue = 1;
			continue;	/* its answer sends the next */
		}
		if (p->next_ms <= now) {
			p->busy = 1;
			p->overdue = 0;
			fire(ps, i, now);
			p->next_ms += every;
			/* fell behind (stopped machine, slow answers): skip,
			 * do not burst */
			if (p->next_ms <= now)
				p->next_ms = now + every;
		}
		if (next < 0 || p->next_ms < next)
			next = p->next_ms;
	}
	cloop_arm(ps->sched_tfd, next);
}

/* After answers came in: a probe that fell due meanwhile goes now. */
static void
answered(struct probe_set *ps)
{
	for (size_t i = 0; i < ps->np; i++)
		if (ps->p[i].overdue && !ps->p[i].busy) {
			schedule(ps, 0);
			return;
		}
}

static void *
loop(void *arg)
{
	struct probe_set *ps = arg;
	int ready[3], running, stop = 0;
	uint64_t ticks;

	schedule(ps, 0);
	curl_multi_socket_action(ps->loop.multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	while (!stop) {
		int n = cloop_once(&ps->loop, 1000, ready, 3, finish, ps);
		answered(ps);
		for (int i = 0; i < n; i++) {
			if (ready[i] == ps->stop_efd)
				stop = 1;
			else if (read(ready[i], &ticks, sizeof ticks) > 0)
				schedule(ps, ready[i] == ps->resched_efd);
		}
	}
	return NULL;
}

struct probe_set *
probes_new(const struct probe_def *defs, size_t n, int64_t t0_ms,
    struct sd_err *e)
{
	struct probe_set *ps = xcalloc(1, sizeof *ps);
	pthread_condattr_t ca;

	ps->p = xcalloc(n ? n : 1, sizeof *ps->p);
	ps->np = n;
	ps->t0_ms = t0_ms;
	for (size_t i = 0; i < n; i++) {
		ps->p[i].def = defs[i];
		for (char *const *h = defs[i].headers; h && *h; h++)
			ps->p[i].hdrs = curl_slist_append(ps->p[i].hdrs, *h);
		ps->p[i].next_ms = mono_ms();
	}
	if ((ps->share = curl_share_init()) != NULL) {
		curl_share_setopt(ps->share, CURLSHOPT_SHARE,
		    CURL_LOCK_DATA_SSL_SESSION);
		curl_share_setopt(ps->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	}
	pthread_mutex_init(&ps->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ps->cv, &ca);
	pthread_condattr_destroy(&ca);
	ps->sched_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	ps->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ps->resched_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ps->sched_tfd == -1 || ps->stop_efd == -1 || ps->resched_efd == -1 ||
	    cloop_init(&ps->loop, e) == -1) {
		if (ps->sched_tfd == -1 || ps->stop_efd == -1 ||
		    ps->resched_efd == -1)
			err_set(e, "probes: cannot create timers: %s",
			    strerror(errno));
		probes_free(ps);
		return NULL;
	}
	cloop_watch(&ps->loop, ps->sched_tfd);
	cloop_watch(&ps->loop, ps->stop_efd);
	cloop_watch(&ps->loop, ps->resched_efd);
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
	/* abandon transfers still in flight */
	while (ps->loop.multi != NULL && ps->inflight != NULL)
		xfer_free(ps, ps->inflight);
	cloop_free(&ps->loop);
	if (ps->share != NULL)
		curl_share_cleanup(ps->share);	/* every handle is gone */
	for (size_t i = 0; i < ps->np; i++) {
		for (size_t j = 0; j < ps->p[i].n; j++)
			sample_free(&ps->p[i].samples[j]);
		free(ps->p[i].samples);
		curl_slist_free_all(ps->p[i].hdrs);
	}
	free(ps->p);
	if (ps->sched_tfd > 0)
		close(ps->sched_tfd);
	if (ps->stop_efd > 0)
		close(ps->stop_efd);
	if (ps->resched_efd > 0)
		close(ps->resched_efd);
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

void
probes_fast(struct probe_set *ps, size_t probe, int on)
{
	uint64_t one = 1;
	struct probe *p = &ps->p[probe];

	atomic_store(&p->fast, on != 0);
	if (write(ps->resched_efd, &one, sizeof one) < 0) {
		/* the counter is full: a reschedule is pending anyway */
	}
}
