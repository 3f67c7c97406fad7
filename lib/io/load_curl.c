/*
 * load_curl.c — the load engine's libcurl transport: https://, requests
 * through a drill's proxy, and the engine to compare with
 * (SHAKEDOWN_LOAD_ENGINE=curl). A slot is one easy handle, set up once
 * (its URL, headers and body rendered for its user at start), and re-added
 * to the worker's multi handle for every request, so a request allocates
 * nothing of ours and curl keeps the connection alive.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load_int.h"
#include "../base/tls.h"

static size_t
discard(char *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}


static int
curl_slot_setup(struct worker *w, struct slot *s, int global_idx,
    struct sd_err *e)
{
	const struct load_spec *sp = &w->l->spec;
	int user = sp->users > 0 ? global_idx % sp->users + 1 : 0;

	s->w = w;
	s->h = curl_easy_init();
	s->url = render_template(sp->url, user, global_idx);
	s->body = render_template(sp->body, user, global_idx);
	for (char **hp = sp->headers; hp && *hp; hp++) {
		char *hv = render_template(*hp, user, global_idx);
		s->hdrs = curl_slist_append(s->hdrs, hv);
		free(hv);
	}
	tls_curl_url(s->h, s->url, sp->tls, &s->connect_to);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT_MS, (long)sp->timeout_ms);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS, (long)sp->timeout_ms);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->h, CURLOPT_USERAGENT, "shakedown-load");
	curl_easy_setopt(s->h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* never http_proxy and the like: only the drill's own proxy */
	curl_easy_setopt(s->h, CURLOPT_PROXY, sp->proxy ? sp->proxy : "");
	curl_easy_setopt(s->h, CURLOPT_TCP_NODELAY, 1L);
	tls_curl(s->h, sp->tls);
	/* 16 KiB per handle by default: with 10 000 connections that alone is
	 * 160 MiB; responses we only count need little */
	curl_easy_setopt(s->h, CURLOPT_BUFFERSIZE, 4096L);
	if (s->hdrs)
		curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdrs);
	if (strcmp(sp->method, "HEAD") == 0)
		curl_easy_setopt(s->h, CURLOPT_NOBODY, 1L);
	else if (strcmp(sp->method, "GET") != 0)
		curl_easy_setopt(s->h, CURLOPT_CUSTOMREQUEST, sp->method);
	if (s->body)
		curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, s->body);
	(void)e;
	return 0;
}

static enum load_err
classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return LE_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return LE_TIMEOUT;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return LE_RESET;
	case CURLE_COULDNT_RESOLVE_HOST:
		return LE_DNS;
	default:
		return LE_OTHER;
	}
}

static void
curl_record(struct worker *w, struct slot *s, CURLcode rc)
{
	long code = 0;
	int retry = 0;

	if (rc == CURLE_OK) {
		struct curl_header *hd;
		curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
		retry = code == 429 && curl_easy_header(s->h, "Retry-After", 0,
		    CURLH_HEADER, -1, &hd) == CURLHE_OK;
		load_record(w, s, code, -1, retry);
		return;
	}
	enum load_err k = classify(rc);
	long sent = 0;
	/* curl sends a request again on a new connection when the reused
	 * one died before any answer: refused then means the server went
	 * away with this request in flight — cut */
	if (k == LE_CONNECT && curl_easy_getinfo(s->h, CURLINFO_REQUEST_SIZE,
	    &sent) == CURLE_OK && sent > 0)
		k = LE_RESET;
	load_record(w, s, 0, (int)k, 0);
}

static void
done(void *arg, CURL *h, CURLcode rc)
{
	struct worker *w = arg;
	struct slot *s;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&s);
	curl_multi_remove_handle(w->loop.multi, h);
	curl_record(w, s, rc);
	load_finished(w, s);
}

static void *
curl_work(void *arg)
{
	struct worker *w = arg;
	int ready[2], stop = 0, running;
	uint64_t ticks;
	int64_t end = w->l->spec.duration_ms > 0 ? w->l->start_ms +
	    w->l->spec.duration_ms : 0;

	load_arm(w, load_schedule(w));
	curl_multi_socket_action(w->loop.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	while (!stop) {
		int n = cloop_once(&w->loop, 100, ready, 2, done, w);
		for (int i = 0; i < n; i++) {
			if (ready[i] == w->stop_efd)
				stop = 1;
			else if (read(ready[i], &ticks, sizeof ticks) > 0)
				w->armed = -2;	/* it fired: no longer armed */
		}
		if (end > 0 && mono_ms() >= end)
			stop = 1;
		if (!stop)
			load_arm(w, load_schedule(w));
	}
	w->stopping = 1;
	return NULL;
}

static void
curl_send(struct worker *w, struct slot *s)
{
	curl_multi_add_handle(w->loop.multi, s->h);
}

static int
curl_worker_init(struct worker *w, struct sd_err *e)
{
	if (cloop_init(&w->loop, e) == -1)
		return -1;
	cloop_watch(&w->loop, w->tfd);
	cloop_watch(&w->loop, w->stop_efd);
	/* keep the connections we asked for open, not curl's */
	curl_multi_setopt(w->loop.multi, CURLMOPT_MAXCONNECTS,
	    (long)(w->l->spec.connections / w->l->nw + 1));
	return 0;
}

static void
curl_slot_free(struct worker *w, struct slot *s)
{
	if (s->h == NULL)
		return;
	if (s->busy)
		curl_multi_remove_handle(w->loop.multi, s->h);
	curl_easy_cleanup(s->h);
	curl_slist_free_all(s->hdrs);
	curl_slist_free_all(s->connect_to);
	free(s->url);
	free(s->body);
}

static void
curl_worker_free(struct worker *w)
{
	cloop_free(&w->loop);
}

/* libcurl takes whatever the raw engine does not */
static int
curl_prepare(struct load *l, struct sd_err *e)
{
	(void)l, (void)e;
	return 1;
}

const struct load_transport load_curl = {
	.name = "libcurl",
	.prepare = curl_prepare,
	.worker_init = curl_worker_init,
	.slot_setup = curl_slot_setup,
	.send = curl_send,
	.work = curl_work,
	.slot_free = curl_slot_free,
	.worker_free = curl_worker_free,
};
