/*
 * load_core.c — what every transport of the load engine shares (see
 * load_int.h): a request sent through the transport's table, an answer
 * or failure recorded into the phase's statistics and the second's
 * series, the open model's schedule (each request's intended send time,
 * so latency counts from it: coordinated omission corrected), and a
 * slot's way back to the idle list or to a backoff after a refusal.
 *
 * The per-second series are kept per worker as small log histograms (8
 * buckets per octave: coarse, ~6 %, enough for a chart) and merged at the
 * end; the per-phase histograms are the precise ones (hist.h).
 */
#define _GNU_SOURCE
#include <sys/timerfd.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "load_int.h"

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

int64_t
load_sec_value(int b)
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
void
load_sec_close(struct worker *w)
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
load_record(struct worker *w, struct slot *s, long code, int err,
    int retry_after)
{
	/* the answer's arrival: the kernel's time for it when the transport
	 * has it (read later than it came, in a batch), else now */
	int64_t now = mono_ns();
	if (s->rx_ns > s->sent_ns && s->rx_ns <= now)
		now = s->rx_ns;	/* (outside: the wall clock was stepped) */
	s->rx_ns = 0;
	int64_t lat_us = (now - s->intended_ns) / 1000;
	w->lat_ewma_ns += (now - s->sent_ns - w->lat_ewma_ns) / 16;
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
		load_sec_close(w);
	w->cur_sec = sec;
	w->cur_any = 1;
	w->secs[sec].requests++;
	w->secs[sec].errors += (uint32_t)bad;
	int b = sec_bucket(lat_us);
	w->cur[b]++;
	/* the only writer: a load and a store, no locked instruction */
	atomic_store_explicit(&w->live_requests, atomic_load_explicit(
	    &w->live_requests, memory_order_relaxed) + 1, memory_order_relaxed);
	if (bad)
		atomic_store_explicit(&w->live_errors, atomic_load_explicit(
		    &w->live_errors, memory_order_relaxed) + 1,
		    memory_order_relaxed);
	atomic_store_explicit(&w->live_b[b], atomic_load_explicit(&w->live_b[b],
	    memory_order_relaxed) + 1, memory_order_relaxed);
	if (err == LE_CONNECT || err == LE_TLS) {
		/* the target is down, or its certificate is not one we trust:
		 * back off instead of spinning (a handshake costs CPU) */
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
send_slot(struct worker *w, struct slot *s, int64_t intended_ns,
    int64_t now_ns)
{
	s->busy = 1;
	s->intended_ns = intended_ns;
	s->sent_ns = now_ns;
	w->sent++;
	w->l->t->send(w, s);
}

static int64_t
intended(struct worker *w, uint64_t i)
{
	return w->start_ns + (int64_t)((double)i * 1e9 / w->rate);
}

static int64_t
earliest(int64_t a, int64_t b)
{
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

/*
 * Send what is due; say when something next is. O(due + sleepers), and no
 * system call of its own: the transport sleeps until then in the wait it
 * makes anyway (raw: a nap or epoll_pwait2's timeout, to the nanosecond),
 * so a request costs no timer. In the open model a wake comes when a send
 * is due, and the sends due within batch_ns after it go in the same pass,
 * that much early at most (their latency counts from when they went); a
 * late one keeps its intended time, so its latency counts from it
 * (coordinated omission corrected), and how late each went is measured.
 */
int64_t
load_schedule(struct worker *w)
{
	int64_t now_ns = mono_ns(), now = now_ns / 1000000, next = -1;

	/* sleepers whose backoff is over are ready again */
	for (int i = 0; i < w->nsleep; ) {
		struct slot *s = &w->slots[w->sleep[i]];
		if (s->next_ms <= now) {
			w->freel[w->nfree++] = w->sleep[i];
			w->sleep[i] = w->sleep[--w->nsleep];
		} else {
			next = earliest(next, s->next_ms * 1000000);
			i++;
		}
	}
	if (w->rate > 0) {
		while (w->nfree > 0) {
			int64_t due = intended(w, w->next_i);
			if (due > now_ns + w->batch_ns) {
				next = earliest(next, due);
				break;
			}
			w->next_i++;
			if (due > now_ns) {
				/* due within batch_ns: it goes with this wake, a
				 * little early, its latency from when it went */
				send_slot(w, &w->slots[w->freel[--w->nfree]], now_ns,
				    now_ns);
				continue;
			}
			hist_record(&w->late, (now_ns - due) / 1000);
			w->late_1ms += now_ns - due >= 1000000;
			send_slot(w, &w->slots[w->freel[--w->nfree]], due, now_ns);
		}
	} else {
		for (int k = 0; w->nfree > 0 && k < RAMP_PER_TICK; k++)
			send_slot(w, &w->slots[w->freel[--w->nfree]], now_ns,
			    now_ns);
		if (w->nfree > 0)
			next = now_ns + 1000000;	/* the rest next turn */
	}
	return next;
}

void
load_arm(struct worker *w, int64_t at_ns)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (w->armed == at_ns)
		return;
	w->armed = at_ns;
	if (at_ns >= 0) {
		if (at_ns == 0)
			at_ns = 1;	/* 0 would disarm */
		its.it_value.tv_sec = at_ns / 1000000000;
		its.it_value.tv_nsec = at_ns % 1000000000;
	}
	timerfd_settime(w->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* A slot's request is over (recorded): back out at once (closed model), to
 * the idle list (open model), or to sleep (backing off). */
void
load_finished(struct worker *w, struct slot *s)
{
	s->busy = 0;
	if (w->stopping)
		return;
	if (s->next_ms != 0) {
		w->sleep[w->nsleep++] = (int)(s - w->slots);
	} else if (w->rate == 0) {
		/* closed model: straight back out, no scan */
		int64_t now_ns = mono_ns();
		send_slot(w, s, now_ns, now_ns);
	} else {
		w->freel[w->nfree++] = (int)(s - w->slots);
	}
}
