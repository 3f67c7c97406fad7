/*
 * load.c — see load.h.
 *
 * A worker owns `nconn` slots. A slot is one easy handle, set up once (its
 * URL, headers and body rendered for its user at start), and re-added to the
 * worker's multi handle for every request, so a request allocates nothing
 * of ours and curl keeps the connection alive.
 *
 * The per-second series are kept per worker as small log histograms (8
 * buckets per octave: coarse, ~6 %, enough for a chart) and merged at the
 * end; the per-phase histograms are the precise ones (hist.h).
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load_int.h"

const char *
load_err_name(enum load_err e)
{
	static const char *n[] = { "connect", "timeout", "reset", "dns", "other" };

	return n[e];
}

const char *
load_phase_name(enum load_phase p)
{
	static const char *n[] = { "before", "fault", "after", "all" };

	return n[p];
}

static size_t
discard(char *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}


static void
slot_setup(struct worker *w, struct slot *s, int global_idx)
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
	curl_easy_setopt(s->h, CURLOPT_URL, s->url);
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
}

static void
send_slot(struct worker *w, struct slot *s, int64_t intended_ns)
{
	s->busy = 1;
	s->intended_ns = intended_ns;
	s->sent_ns = mono_ns();
	w->sent++;
	if (w->raw)
		raw_send(w, s);
	else
		curl_multi_add_handle(w->loop.multi, s->h);
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

static int
sec_bucket(int64_t us)
{
	int o;

	if (us < 8)
		return us < 0 ? 0 : (int)us;
	o = 63 - __builtin_clzll((unsigned long long)us);	/* >= 3 */
	int b = (o - 2) * 8 + (int)((us >> (o - 3)) & 7);
	return b < SEC_BUCKETS ? b : SEC_BUCKETS - 1;
}

static int64_t
sec_value(int b)
{
	int o;

	if (b < 8)
		return b;
	o = b / 8 + 2;
	return ((int64_t)(8 + b % 8) << (o - 3)) + ((int64_t)1 << (o - 4 > 0 ?
	    o - 4 : 0));
}

/* The second being counted is over: its buckets, sparse, into its place
 * in the series. */
static void
sec_close(struct worker *w)
{
	struct sec *sc;
	uint32_t n = 0, k = 0;

	if (!w->cur_any || w->cur_sec >= w->nsecs)
		return;
	sc = &w->secs[w->cur_sec];
	for (int i = 0; i < SEC_BUCKETS; i++)
		n += w->cur[i] != 0;
	w->cur_any = 0;
	if (n == 0)
		return;
	sc->b = xrealloc(sc->b, (sc->nb + n) * sizeof *sc->b);
	for (int i = 0; i < SEC_BUCKETS; i++)
		if (w->cur[i] != 0) {
			sc->b[sc->nb + k].bucket = (uint32_t)i;
			sc->b[sc->nb + k++].count = w->cur[i];
			w->cur[i] = 0;
		}
	sc->nb += n;
}

/* One answer, or its failure (err: an enum load_err, -1 for none), into
 * the statistics of the phase now and of this second. */
void
ld_record(struct worker *w, struct slot *s, long code, int err,
    int retry_after)
{
	int64_t now = mono_ns();
	int64_t lat_us = (now - s->intended_ns) / 1000;
	int64_t raw_us = (now - s->sent_ns) / 1000;
	enum load_phase ph = (enum load_phase)atomic_load_explicit(&w->l->phase,
	    memory_order_relaxed);
	struct load_stats *st = &w->st[ph];
	size_t sec = (size_t)((now / 1000000 - w->l->start_ms) / 1000);
	int bad;

	if (err < 0) {
		if (code > 0 && code < 600)
			st->status[code]++;
		bad = code >= 500;
		if (code >= 200 && code < 300)
			hist_record(&st->ok, lat_us);
		if (code == 429 && retry_after)
			st->retry_after++;
	} else {
		st->transport[err]++;
		bad = 1;
	}
	st->requests++;
	st->errors += (uint64_t)bad;
	hist_record(&st->lat, lat_us);
	hist_record(&st->raw, raw_us);
	if (st->first_ms == 0)
		st->first_ms = now / 1000000;
	st->last_ms = now / 1000000;
	if (sec >= w->nsecs) {
		/* one growth per second at most: not per request */
		w->secs = xgrow(w->secs, &w->capsecs, sec + 1, sizeof *w->secs);
		memset(&w->secs[w->nsecs], 0, (sec + 1 - w->nsecs) *
		    sizeof *w->secs);
		w->nsecs = sec + 1;
	}
	if (sec != w->cur_sec)
		sec_close(w);
	w->cur_sec = sec;
	w->cur_any = 1;
	w->secs[sec].requests++;
	w->secs[sec].errors += (uint32_t)bad;
	w->cur[sec_bucket(lat_us)]++;
	if (err == LE_CONNECT) {
		/* the target is down: back off instead of spinning */
		s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_MIN_MS;
		if (s->backoff_ms > BACKOFF_MAX_MS)
			s->backoff_ms = BACKOFF_MAX_MS;
		s->next_ms = now / 1000000 + s->backoff_ms;
	} else {
		s->backoff_ms = 0;
		s->next_ms = 0;
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
		ld_record(w, s, code, -1, retry);
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
	ld_record(w, s, 0, (int)k, 0);
}

static int64_t
intended(struct worker *w, uint64_t i)
{
	return w->start_ns + (int64_t)((double)i * 1e9 / w->rate);
}

/* Send what is due; arm the timer for what comes next. O(due + sleepers). */
void
ld_schedule(struct worker *w)
{
	int64_t now_ns = mono_ns(), now = now_ns / 1000000, next = -1;

	/* sleepers whose backoff is over are ready again */
	for (int i = 0; i < w->nsleep; ) {
		struct slot *s = &w->slots[w->sleep[i]];
		if (s->next_ms <= now) {
			w->freel[w->nfree++] = w->sleep[i];
			w->sleep[i] = w->sleep[--w->nsleep];
		} else {
			if (next < 0 || s->next_ms < next)
				next = s->next_ms;
			i++;
		}
	}
	if (w->rate > 0) {
		while (w->nfree > 0) {
			int64_t due = intended(w, w->next_i);
			if (due > now_ns) {
				int64_t d = due / 1000000;
				if (next < 0 || d < next)
					next = d;
				break;
			}
			w->next_i++;
			send_slot(w, &w->slots[w->freel[--w->nfree]], due);
		}
	} else {
		for (int k = 0; w->nfree > 0 && k < RAMP_PER_TICK; k++)
			send_slot(w, &w->slots[w->freel[--w->nfree]], now_ns);
		if (w->nfree > 0)
			next = now + 1;	/* the rest on the next turn */
	}
	cloop_rearm(w->tfd, &w->armed, next);
}

static void
done(void *arg, CURL *h, CURLcode rc)
{
	struct worker *w = arg;
	struct slot *s;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&s);
	curl_multi_remove_handle(w->loop.multi, h);
	curl_record(w, s, rc);
	ld_finished(w, s);
}

/* A slot's request is over (recorded): back out at once (closed model), to
 * the idle list (open model), or to sleep (backing off). */
void
ld_finished(struct worker *w, struct slot *s)
{
	s->busy = 0;
	if (w->stopping)
		return;
	if (s->next_ms != 0) {
		w->sleep[w->nsleep++] = (int)(s - w->slots);
	} else if (w->rate == 0) {
		/* closed model: straight back out, no scan */
		send_slot(w, s, mono_ns());
	} else {
		w->freel[w->nfree++] = (int)(s - w->slots);
	}
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	int ready[2], stop = 0, running;
	uint64_t ticks;
	int64_t end = w->l->spec.duration_ms > 0 ? w->l->start_ms +
	    w->l->spec.duration_ms : 0;

	ld_schedule(w);
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
			ld_schedule(w);
	}
	w->stopping = 1;
	return NULL;
}

static void
worker_free(struct worker *w)
{
	for (int i = 0; i < w->nslots; i++) {
		struct slot *s = &w->slots[i];
		if (w->raw) {
			raw_slot_free(s);
			continue;
		}
		if (s->h == NULL)
			continue;
		if (s->busy)
			curl_multi_remove_handle(w->loop.multi, s->h);
		curl_easy_cleanup(s->h);
		curl_slist_free_all(s->hdrs);
		free(s->url);
		free(s->body);
	}
	if (w->raw)
		raw_worker_free(w);
	free(w->slots);
	free(w->freel);
	free(w->sleep);
	for (size_t i = 0; i < w->nsecs; i++)
		free(w->secs[i].b);
	free(w->secs);
	if (!w->raw)
		cloop_free(&w->loop);
	if (w->tfd > 0)
		close(w->tfd);
	if (w->stop_efd > 0)
		close(w->stop_efd);
}

/* Every connection is a file: refuse what the open-files limit cannot
 * hold, rather than let connects fail by the thousand. */
int
load_check_nofile(long conns, int threads, struct sd_err *e)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t need = (rlim_t)conns + (rlim_t)threads * 4 + FD_RESERVE;
	if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur)
		return err_set(e, "%ld connections need %llu open files, above the"
		    " open-files limit (RLIMIT_NOFILE %llu; ulimit -n raises it up"
		    " to the hard limit, %llu); use at most %llu connections", conns,
		    (unsigned long long)need, (unsigned long long)rl.rlim_cur,
		    (unsigned long long)rl.rlim_max, (unsigned long long)
		    (rl.rlim_cur > (rlim_t)threads * 4 + FD_RESERVE ? rl.rlim_cur -
		    (rlim_t)threads * 4 - FD_RESERVE : 0));
	return 0;
}

struct load *
load_start(const struct load_spec *spec, struct sd_err *e)
{
	struct load *l = xcalloc(1, sizeof *l);
	int nt = spec->threads > 0 ? spec->threads :
	    (int)sysconf(_SC_NPROCESSORS_ONLN);
	int conns = spec->connections > 0 ? spec->connections : 10, idx = 0;

	if (nt < 1)
		nt = 1;
	if (nt > conns)
		nt = conns;
	if (load_check_nofile(conns, nt, e) == -1) {
		free(l);
		return NULL;
	}
	l->spec = *spec;
	if (l->spec.timeout_ms <= 0)
		l->spec.timeout_ms = 5000;
	if (l->spec.method == NULL)
		l->spec.method = "GET";
	l->nw = nt;
	l->w = xcalloc((size_t)nt, sizeof *l->w);
	l->start_ms = mono_ms();
	/* plain http:// on raw sockets; libcurl for the rest (and when
	 * SHAKEDOWN_LOAD_ENGINE=curl asks for it, to compare) */
	if ((l->raw = raw_prepare(l, e)) == -1) {
		l->nw = 0;
		load_free(l);
		return NULL;
	}
	for (int t = 0; t < nt; t++) {
		struct worker *w = &l->w[t];
		w->l = l;
		w->id = t;
		w->raw = l->raw;
		w->ep = -1;
		w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		w->armed = -2;
		w->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (w->tfd == -1 || w->stop_efd == -1 || (w->raw ?
		    raw_worker_init(w, e) : cloop_init(&w->loop, e)) == -1) {
			if (w->tfd == -1 || w->stop_efd == -1)
				err_set(e, "load: %s", strerror(errno));
			l->nw = t + 1;
			load_free(l);
			return NULL;
		}
		if (!w->raw) {
			cloop_watch(&w->loop, w->tfd);
			cloop_watch(&w->loop, w->stop_efd);
			/* keep the connections we asked for open, not curl's */
			curl_multi_setopt(w->loop.multi, CURLMOPT_MAXCONNECTS,
			    (long)(conns / nt + 1));
		}
		w->nslots = conns / nt + (t < conns % nt);
		w->slots = xcalloc((size_t)w->nslots, sizeof *w->slots);
		w->freel = xcalloc((size_t)w->nslots, sizeof *w->freel);
		w->sleep = xcalloc((size_t)w->nslots, sizeof *w->sleep);
		for (int i = 0; i < w->nslots; i++) {
			if (w->raw) {
				if (raw_slot_setup(w, &w->slots[i], idx++, e) == -1) {
					l->nw = t + 1;
					load_free(l);
					return NULL;
				}
			} else {
				slot_setup(w, &w->slots[i], idx++);
			}
			w->freel[w->nfree++] = w->nslots - 1 - i;
		}
		w->rate = spec->rate > 0 ? spec->rate / nt : 0;
		for (int p = 0; p < LP_N; p++) {
			hist_reset(&w->st[p].lat);
			hist_reset(&w->st[p].raw);
			hist_reset(&w->st[p].ok);
		}
	}
	for (int t = 0; t < nt; t++) {
		l->w[t].start_ns = mono_ns();
		int rc = pthread_create(&l->w[t].thread, NULL, l->raw ? raw_work :
		    work, &l->w[t]);
		if (rc != 0) {
			err_set(e, "load: cannot start thread: %s", strerror(rc));
			l->nw = t;
			l->running = 1;
			load_stop(l);
			load_free(l);
			return NULL;
		}
	}
	l->running = 1;
	return l;
}

void
load_set_phase(struct load *l, enum load_phase p)
{
	if (l != NULL)
		atomic_store(&l->phase, (int)p);
}

void
load_stop(struct load *l)
{
	uint64_t one = 1;

	if (l == NULL || !l->running)
		return;
	for (int t = 0; t < l->nw; t++)
		if (write(l->w[t].stop_efd, &one, sizeof one) < 0)
			continue;
	for (int t = 0; t < l->nw; t++)
		pthread_join(l->w[t].thread, NULL);
	l->running = 0;
}

void
load_wait(struct load *l, volatile int *stop_flag)
{
	int64_t end = l->spec.duration_ms > 0 ? l->start_ms +
	    l->spec.duration_ms : 0;

	while ((end == 0 || mono_ms() < end) && !(stop_flag && *stop_flag)) {
		int64_t left = end ? end - mono_ms() : 20;
		sleep_ms(left < 20 ? (left > 0 ? left : 0) : 20);
	}
	load_stop(l);
}

struct load_stats *
load_stats(struct load *l, enum load_phase p)
{
	struct load_stats *st = xcalloc(1, sizeof *st);

	hist_reset(&st->lat);
	hist_reset(&st->raw);
	hist_reset(&st->ok);
	for (int t = 0; t < l->nw; t++) {
		for (int ph = 0; ph < LP_N; ph++) {
			const struct load_stats *s = &l->w[t].st[ph];
			if (p != LP_N && ph != (int)p)
				continue;
			hist_merge(&st->lat, &s->lat);
			hist_merge(&st->raw, &s->raw);
			hist_merge(&st->ok, &s->ok);
			st->retry_after += s->retry_after;
			st->requests += s->requests;
			st->errors += s->errors;
			for (int i = 0; i < LE_N; i++)
				st->transport[i] += s->transport[i];
			for (int i = 0; i < 600; i++)
				st->status[i] += s->status[i];
			if (s->first_ms && (!st->first_ms || s->first_ms < st->first_ms))
				st->first_ms = s->first_ms;
			if (s->last_ms > st->last_ms)
				st->last_ms = s->last_ms;
		}
	}
	return st;
}

struct load_second *
load_series(struct load *l, size_t *n)
{
	size_t max = 0;
	struct load_second *out;
	uint32_t b[SEC_BUCKETS];

	for (int t = 0; t < l->nw; t++) {
		if (!l->running)
			sec_close(&l->w[t]);	/* the last second, once stopped */
		if (l->w[t].nsecs > max)
			max = l->w[t].nsecs;
	}
	out = xcalloc(max ? max : 1, sizeof *out);
	for (size_t s = 0; s < max; s++) {
		uint64_t total = 0, seen = 0;
		memset(b, 0, sizeof b);
		for (int t = 0; t < l->nw; t++) {
			if (s >= l->w[t].nsecs)
				continue;
			const struct sec *sc = &l->w[t].secs[s];
			out[s].requests += sc->requests;
			out[s].errors += sc->errors;
			for (uint32_t i = 0; i < sc->nb; i++)
				b[sc->b[i].bucket] += sc->b[i].count;
		}
		total = out[s].requests;
		for (int i = 0; i < SEC_BUCKETS && total > 0; i++) {
			seen += b[i];
			if (out[s].p50_us == 0 && seen * 2 >= total)
				out[s].p50_us = sec_value(i);
			if (seen * 100 >= total * 99) {
				out[s].p99_us = sec_value(i);
				break;
			}
		}
	}
	*n = max;
	return out;
}

void
load_totals(struct load *l, uint64_t *sent, int64_t *elapsed_ms)
{
	*sent = 0;
	for (int t = 0; t < l->nw; t++)
		*sent += l->w[t].sent;
	*elapsed_ms = mono_ms() - l->start_ms;
}

void
load_free(struct load *l)
{
	if (l == NULL)
		return;
	load_stop(l);
	for (int t = 0; t < l->nw; t++)
		worker_free(&l->w[t]);
	free(l->w);
	free(l);
}
