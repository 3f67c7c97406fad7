/*
 * load.c — see load.h. This file starts and stops a load: it picks the
 * transport (a table of functions, load_int.h: raw sockets, libcurl),
 * gives each worker thread its share of the connections, and adds their
 * statistics up at the end. What the transports share is load_core.c.
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

#include "load.h"
#include "load_int.h"

const char *
load_err_name(enum load_err e)
{
	static const char *n[] = { "connect", "timeout", "reset", "dns", "other",
	    "tls" };

	return n[e];
}

const char *
load_phase_name(enum load_phase p)
{
	static const char *n[] = { "before", "fault", "after", "all" };

	return n[p];
}


static void
worker_free(struct worker *w)
{
	const struct load_transport *t = w->l->t;

	for (int i = 0; t != NULL && i < w->nslots; i++)
		t->slot_free(w, &w->slots[i]);
	if (t != NULL && w->inited)
		t->worker_free(w);
	free(w->slots);
	free(w->freel);
	free(w->sleep);
	free(w->hs_wait);
	for (size_t i = 0; i < w->nsecs; i++)
		free(w->secs[i].b);
	free(w->secs);
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

/* The transports, in the order they are asked: plain http:// on raw
 * sockets; libcurl for the rest (and when SHAKEDOWN_LOAD_ENGINE=curl asks
 * for it, to compare). */
static const struct load_transport *const transports[] = { &load_raw, &load_curl,
    NULL };

static int
pick_transport(struct load *l, struct sd_err *e)
{
	for (const struct load_transport *const *t = transports; *t; t++) {
		int rc = (*t)->prepare(l, e);
		if (rc == -1)
			return -1;
		if (rc == 1) {
			l->t = *t;
			return 0;
		}
	}
	return err_set(e, "load: no transport for '%s'", l->spec.url);
}

/* Worker t: its timer, stop event and loop, and its share of the slots
 * (global indexes from *idx on). */
static int
worker_setup(struct load *l, int t, int *idx, struct sd_err *e)
{
	struct worker *w = &l->w[t];
	int conns = l->spec.connections;

	w->l = l;
	w->id = t;
	w->ep = -1;
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	w->armed = -2;
	w->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->tfd == -1 || w->stop_efd == -1)
		return err_set(e, "load: %s", strerror(errno));
	if (l->t->worker_init(w, e) == -1)
		return -1;
	w->inited = 1;
	w->nslots = conns / l->nw + (t < conns % l->nw);
	w->slots = xcalloc((size_t)w->nslots, sizeof *w->slots);
	w->freel = xcalloc((size_t)w->nslots, sizeof *w->freel);
	w->sleep = xcalloc((size_t)w->nslots, sizeof *w->sleep);
	w->hs_wait = xcalloc((size_t)w->nslots, sizeof *w->hs_wait);
	for (int i = 0; i < w->nslots; i++) {
		w->slots[i].w = w;
		w->slots[i].fd = -1;
		if (l->t->slot_setup(w, &w->slots[i], (*idx)++, e) == -1)
			return -1;
		w->freel[w->nfree++] = w->nslots - 1 - i;
	}
	w->rate = l->spec.rate > 0 ? l->spec.rate / l->nw : 0;
	/* from 1,000/s a worker, a send due within 500 µs of one being sent
	 * goes with it, early: one wake for both, neither late */
	w->batch_ns = w->rate >= 1000 ? 500000 : 0;
	for (int p = 0; p < LP_N; p++) {
		hist_reset(&w->st[p].lat);
		if (p == 0)
			hist_reset(&w->late);
		hist_reset(&w->st[p].raw);
		hist_reset(&w->st[p].ok);
	}
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
	pthread_mutex_init(&l->tls_mu, NULL);
	if (l->spec.timeout_ms <= 0)
		l->spec.timeout_ms = 5000;
	if (l->spec.method == NULL)
		l->spec.method = "GET";
	l->nw = nt;
	l->w = xcalloc((size_t)nt, sizeof *l->w);
	l->start_ms = mono_ms();
	l->spec.connections = conns;
	if (pick_transport(l, e) == -1) {
		l->nw = 0;
		load_free(l);
		return NULL;
	}
	for (int t = 0; t < nt; t++) {
		if (worker_setup(l, t, &idx, e) == -1) {
			l->nw = t + 1;
			load_free(l);
			return NULL;
		}
	}
	for (int t = 0; t < nt; t++) {
		l->w[t].start_ns = mono_ns();
		int rc = pthread_create(&l->w[t].thread, NULL, l->t->work, &l->w[t]);
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
	/* what was sent (or due and waiting for its connection) and never
	 * answered: abandoned now, never silently dropped from the count */
	for (int t = 0; t < l->nw; t++)
		for (int i = 0; i < l->w[t].nslots; i++)
			l->unanswered += l->w[t].slots[i].busy != 0;
	l->running = 0;
}

uint64_t
load_unanswered(struct load *l)
{
	return l->unanswered;
}

void
load_send_late(struct load *l, struct load_late *out)
{
	struct hist *h = hist_new();

	out->over_1ms = 0;
	for (int t = 0; t < l->nw; t++) {
		hist_merge(h, &l->w[t].late);
		out->over_1ms += l->w[t].late_1ms;
	}
	out->p50_us = hist_percentile(h, 50);
	out->p99_us = hist_percentile(h, 99);
	out->p999_us = hist_percentile(h, 99.9);
	out->max_us = h->count ? h->max_us : 0;
	hist_free(h);
}

void
load_wait(struct load *l, volatile int *stop_flag)
{
	int64_t end = l->spec.duration_ms > 0 ? l->start_ms +
	    l->spec.duration_ms : 0;

	/* one sleep to the end: a signal (what sets stop_flag) cuts it short
	 * (EINTR), so this thread costs nothing while the load runs */
	while ((end == 0 || mono_ms() < end) && !(stop_flag && *stop_flag)) {
		int64_t left = end ? end - mono_ms() : 1000;
		if (left <= 0)
			break;
		struct timespec ts = { (time_t)(left / 1000), (long)(left % 1000) *
		    1000000 };
		nanosleep(&ts, NULL);
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
			st->tls_handshakes += s->tls_handshakes;
			st->tls_resumed += s->tls_resumed;
			st->tls_handshake_us += s->tls_handshake_us;
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

void
load_live(struct load *l, struct load_live *out)
{
	memset(out, 0, sizeof *out);
	for (int t = 0; t < l->nw; t++) {
		struct worker *w = &l->w[t];
		out->requests += atomic_load_explicit(&w->live_requests,
		    memory_order_relaxed);
		out->errors += atomic_load_explicit(&w->live_errors,
		    memory_order_relaxed);
		for (int i = 0; i < LOAD_LIVE_BUCKETS; i++)
			out->b[i] += atomic_load_explicit(&w->live_b[i],
			    memory_order_relaxed);
	}
}

int64_t
load_live_percentile(const struct load_live *a, const struct load_live *b,
    double p)
{
	uint64_t total = 0, seen = 0;

	for (int i = 0; i < LOAD_LIVE_BUCKETS; i++)
		total += b->b[i] - (a ? a->b[i] : 0);
	if (total == 0)
		return 0;
	for (int i = 0; i < LOAD_LIVE_BUCKETS; i++) {
		seen += b->b[i] - (a ? a->b[i] : 0);
		if ((double)seen >= (double)total * p / 100.0)
			return load_sec_value(i);
	}
	return load_sec_value(LOAD_LIVE_BUCKETS - 1);
}

struct load_second *
load_series(struct load *l, size_t *n)
{
	size_t max = 0;
	struct load_second *out;
	uint32_t b[SEC_BUCKETS];

	for (int t = 0; t < l->nw; t++) {
		if (!l->running)
			load_sec_close(&l->w[t]);	/* the last second, once stopped */
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
				out[s].p50_us = load_sec_value(i);
			if (seen * 100 >= total * 99) {
				out[s].p99_us = load_sec_value(i);
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
	if (l->ssl_ctx != NULL)
		SSL_CTX_free(l->ssl_ctx);
	free(l->tls_host);
	pthread_mutex_destroy(&l->tls_mu);
	free(l);
}

const char *
load_tls_error(struct load *l)
{
	return l->tls_error[0] ? l->tls_error : NULL;
}
