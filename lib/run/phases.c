/*
 * phases.c — the traffic a drill makes: load generators over their window
 * of steps, their numbers per phase (before the first fault, while faults
 * are in effect, after the last revert, and all), and bursts judged user by
 * user (the per-user AI guard).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../io/burst.h"
#include "../base/redact.h"
#include "run_int.h"

void
phases_set_phase(struct run *c, enum load_phase p)
{
	for (size_t i = 0; c->phases.loads != NULL && i < c->s->nloads; i++)
		load_set_phase(c->phases.loads[i], p);
}

void
phases_faults_on(struct run *c, int64_t at)
{
	if (c->phases.phase_ms[1] == 0)
		c->phases.phase_ms[1] = at;
	phases_set_phase(c, LP_FAULT);
}

void
phases_faults_off(struct run *c, int64_t at)
{
	c->phases.phase_ms[2] = at;
	phases_set_phase(c, LP_AFTER);
}

/* Start the generators whose window opens at `step` (0: the drill's start). */
int
phases_start_loads(struct run *c, int step, struct sd_err *e)
{
	if (c->phases.loads == NULL) {
		size_t n = c->s->nloads ? c->s->nloads : 1;
		c->phases.loads = xcalloc(n, sizeof *c->phases.loads);
		c->phases.load_on = xcalloc(n, sizeof *c->phases.load_on);
		c->phases.load_off = xcalloc(n, sizeof *c->phases.load_off);
	}
	for (size_t i = 0; i < c->s->nloads; i++) {
		const struct scen_load *sl = &c->s->loads[i];
		struct load_spec sp = { sl->name, sl->rq.method, sl->rq.url,
		    sl->rq.headers, sl->rq.body, sl->users, sl->connections,
		    sl->rate, sl->threads, 0, sl->timeout_ms, c->s->proxy,
		    sl->rq.tls };
		if (sl->from_step != step || c->phases.loads[i] != NULL || sl->off != NULL)
			continue;
		struct load *ld = load_start(&sp, e);
		if (ld == NULL)
			return err_prefix(e, "load '%s'", sl->name);
		c->phases.loads[i] = ld;
		c->phases.load_on[i] = mono_ms();
		load_set_phase(ld, c->stack.active > 0 ? LP_FAULT :
		    c->phases.phase_ms[1] ? LP_AFTER : LP_BEFORE);
	}
	if (step == 0)
		c->phases.phase_ms[0] = mono_ms();
	return 0;
}

/* Stop the generators whose window closes after `step`. */
void
phases_stop_loads(struct run *c, int step)
{
	for (size_t i = 0; i < c->s->nloads; i++)
		if (c->s->loads[i].to_step == step && c->phases.loads[i] != NULL &&
		    c->phases.load_off[i] == 0) {
			load_stop(c->phases.loads[i]);
			c->phases.load_off[i] = mono_ms();
		}
}

uint64_t
phases_requests(struct run *c)
{
	uint64_t n = 0;

	for (size_t i = 0; c->phases.loads != NULL && i < c->s->nloads; i++) {
		if (c->phases.loads[i] == NULL)
			continue;
		struct load_stats *st = load_stats(c->phases.loads[i], LP_N);
		n += st->requests;
		free(st);
	}
	return n;
}

static void
fill_phase(struct res_load_phase *ph, const struct load_stats *st,
    double seconds)
{
	ph->requests = st->requests;
	ph->errors = st->errors;
	for (int i = 0; i < LE_N && i < 6; i++)
		ph->transport[i] = st->transport[i];
	for (int i = 200; i < 600; i++) {
		uint64_t *b = i < 300 ? &ph->s2xx : i < 400 ? &ph->s3xx :
		    i < 500 ? &ph->s4xx : &ph->s5xx;
		*b += st->status[i];
	}
	ph->s429 = st->status[429];
	ph->retry_after = st->retry_after;
	ph->ok_p95 = hist_percentile(&st->ok, 95) / 1000.0;
	ph->seconds = seconds;
	ph->rps = seconds > 0 ? (double)st->requests / seconds : 0;
	ph->p50 = hist_percentile(&st->lat, 50) / 1000.0;
	ph->p90 = hist_percentile(&st->lat, 90) / 1000.0;
	ph->p95 = hist_percentile(&st->lat, 95) / 1000.0;
	ph->p99 = hist_percentile(&st->lat, 99) / 1000.0;
	ph->p999 = hist_percentile(&st->lat, 99.9) / 1000.0;
	ph->max = st->lat.max_us / 1000.0;
}

static void
series(struct res_load *rl, struct load *l)
{
	struct load_second *sec = load_series(l, &rl->nsec);

	rl->sec_requests = xcalloc(rl->nsec + 1, sizeof *rl->sec_requests);
	rl->sec_errors = xcalloc(rl->nsec + 1, sizeof *rl->sec_errors);
	rl->sec_p50 = xcalloc(rl->nsec + 1, sizeof *rl->sec_p50);
	rl->sec_p99 = xcalloc(rl->nsec + 1, sizeof *rl->sec_p99);
	for (size_t k = 0; k < rl->nsec; k++) {
		rl->sec_requests[k] = sec[k].requests;
		rl->sec_errors[k] = sec[k].errors;
		rl->sec_p50[k] = sec[k].p50_us / 1000.0;
		rl->sec_p99[k] = sec[k].p99_us / 1000.0;
	}
	free(sec);
}

/* Stop the generators and keep their numbers per phase. */
void
phases_collect_loads(struct run *c)
{
	int64_t end = mono_ms();

	if (c->phases.loads == NULL)
		return;		/* the drill never got going */
	c->r->nloads = c->s->nloads;
	c->r->loads = xcalloc(c->s->nloads ? c->s->nloads : 1,
	    sizeof *c->r->loads);
	/* phases that never began last no time */
	int64_t t1 = c->phases.phase_ms[1] ? c->phases.phase_ms[1] : end;
	int64_t t2 = c->phases.phase_ms[2] ? c->phases.phase_ms[2] : end;
	int64_t lo[4] = { c->phases.phase_ms[0], t1, t2, c->phases.phase_ms[0] };
	int64_t hi[4] = { t1, t2, end, end };
	for (size_t i = 0; i < c->s->nloads; i++) {
		/* each phase, as long as this generator ran in it */
		int64_t on = c->phases.load_on[i], off = c->phases.load_off[i] ? c->phases.load_off[i] :
		    end;
		struct res_load *rl = &c->r->loads[i];
		rl->name = xstrdup(c->s->loads[i].name);
		rl->url = redact_url(c->s->loads[i].rq.url);
		if (c->s->loads[i].off != NULL)
			rl->off = xstrdup(c->s->loads[i].off);
		if (c->phases.loads[i] == NULL)
			continue;	/* its window never opened */
		load_stop(c->phases.loads[i]);
		rl->rate = c->s->loads[i].rate;
		rl->connections = c->s->loads[i].connections;
		rl->start_ms = runctx_rel(c, on);
		for (int p = 0; p < 4; p++) {
			int64_t a = lo[p] > on ? lo[p] : on;
			int64_t b = hi[p] < off ? hi[p] : off;
			struct load_stats *st = load_stats(c->phases.loads[i],
			    (enum load_phase)p);
			fill_phase(&rl->ph[p], st, b > a ? (b - a) / 1000.0 : 0);
			free(st);
		}
		series(rl, c->phases.loads[i]);
		load_free(c->phases.loads[i]);
		c->phases.loads[i] = NULL;
	}
}

void
phases_free(struct run *c)
{
	for (size_t i = 0; c->phases.loads != NULL && i < c->s->nloads; i++)
		load_free(c->phases.loads[i]);
	free(c->phases.loads);
	free(c->phases.load_on);
	free(c->phases.load_off);
	c->phases.loads = NULL;
}

static void
burst_row(struct run *c, const char *phase, int line, char *text, char *obs,
    enum outcome o)
{
	struct res_expect *rx = res_add_expect(c->r);

	rx->phase = xstrdup(phase);
	rx->text = text;
	rx->observed = obs;
	rx->outcome = o;
	rx->line = line;
	rx->at_ms = runctx_rel(c, mono_ms());
	const char *said = o == O_PASS ? "met" : o == O_SKIPPED ? "skipped" :
	    "FAILED";
	res_event(c->r, rx->at_ms, "%s %s: %s", said, text, obs);
}

static struct res_burst *
add_burst(struct run *c, const struct scen_burst *b,
    const struct burst_result *br)
{
	struct res_burst *rb;
	char *path;

	c->r->bursts = xgrow(c->r->bursts, &c->r->capbursts, c->r->nbursts + 1,
	    sizeof *c->r->bursts);
	rb = &c->r->bursts[c->r->nbursts++];
	memset(rb, 0, sizeof *rb);
	path = redact_url(b->rq.url);
	rb->label = xasprintf("%s %s", b->rq.method, path);
	free(path);
	rb->users = b->users;
	rb->per_user = b->per_user;
	rb->concurrent = br->concurrent;
	rb->release_us = br->release_us;
	rb->why = br->concurrent ? NULL : xstrdup(br->why);
	rb->accepted = xcalloc((size_t)b->users, sizeof(int));
	rb->rejected = xcalloc((size_t)b->users, sizeof(int));
	rb->other = xcalloc((size_t)b->users, sizeof(int));
	return rb;
}

/* accepted_per_user, and isolation: nobody went without because of
 * someone else's requests */
static enum outcome
judge_accepted(struct run *c, const struct scen_burst *b,
    const struct res_burst *rb, const char *phase, int line)
{
	int wrong = 0, lo = 1 << 30, hi = -1, starved = 0;
	enum outcome worst = O_PASS;

	for (int u = 0; u < b->users; u++) {
		wrong += rb->accepted[u] != b->accepted_per_user;
		lo = rb->accepted[u] < lo ? rb->accepted[u] : lo;
		hi = rb->accepted[u] > hi ? rb->accepted[u] : hi;
		starved += b->accepted_per_user > 0 && rb->accepted[u] == 0;
	}
	char *obs;
	if (wrong)
		obs = xasprintf("%d of %d users differ (accepted %d..%d per user)",
		    wrong, b->users, lo, hi);
	else
		obs = xasprintf("%d for each of %d users", b->accepted_per_user,
		    b->users);
	burst_row(c, phase, line, xasprintf("accepted per user = %d",
	    b->accepted_per_user), obs, wrong ? O_FAIL : O_PASS);
	if (wrong)
		worst = O_FAIL;
	if (starved)
		obs = xasprintf("%d user(s) got no acceptance", starved);
	else
		obs = xstrdup("every user was served");
	burst_row(c, phase, line, xstrdup("isolation: no user lost its"
	    " acceptance to another's requests"), obs, starved ? O_FAIL : O_PASS);
	return starved ? O_FAIL : worst;
}

/* Every rejection says when to come back. */
static enum outcome
judge_retry_after(struct run *c, const struct burst_result *br,
    const char *phase, int line)
{
	size_t nrej = 0, without = 0;
	int lo = 1 << 30, hi = -1;

	for (size_t i = 0; i < br->n; i++) {
		const struct burst_req *q = &br->req[i];
		if (q->status == 0 || (q->status >= 200 && q->status < 300))
			continue;
		nrej++;
		if (q->retry_after < 0) {
			without++;
			continue;
		}
		lo = q->retry_after < lo ? q->retry_after : lo;
		hi = q->retry_after > hi ? q->retry_after : hi;
	}
	char *obs = nrej == 0 ? xstrdup("no rejection") : without ?
	    xasprintf("%zu of %zu without a readable Retry-After", without, nrej) :
	    xasprintf("all %zu, %d..%ds", nrej, lo, hi);
	enum outcome o = nrej == 0 || without ? O_FAIL : O_PASS;
	burst_row(c, phase, line, xstrdup("every rejection carries Retry-After"),
	    obs, o);
	return o;
}

/* Where the service sends RateLimit headers (draft-7's RateLimit, or
 * draft-6's RateLimit-Limit/-Remaining), they agree with what it did: no
 * remaining on a rejection, and the limit is what each user was given. */
static enum outcome
judge_ratelimit(struct run *c, const struct scen_burst *b,
    const struct burst_result *br, const char *phase, int line)
{
	size_t seen = 0, bad = 0;
	int limit = -1;
	/* each user goes past what it is given: that is the limit */
	int past = b->accepted_per_user >= 0 && b->per_user > b->accepted_per_user;

	for (size_t i = 0; i < br->n; i++) {
		const struct burst_req *q = &br->req[i];
		int rejected = q->status != 0 && (q->status < 200 || q->status >= 300);
		if (q->rl_remaining < 0 && q->rl_limit < 0)
			continue;
		seen++;
		if (q->rl_limit >= 0)
			limit = q->rl_limit;
		bad += (rejected && q->rl_remaining != 0) || (q->rl_limit >= 0 &&
		    past && q->rl_limit != b->accepted_per_user);
	}
	if (seen == 0) {
		/* checked only where the service sends them: said so, for a
		 * burst that is about rate limits (it checks Retry-After) */
		if (b->rej_retry_after || b->rej_retry_off != NULL)
			burst_row(c, phase, line, xstrdup("RateLimit headers agree"),
			    xstrdup("not checked: the service sent none"), O_SKIPPED);
		return O_PASS;
	}
	enum outcome o = bad ? O_FAIL : O_PASS;
	char *what = xasprintf("RateLimit headers agree (remaining 0 on a"
	    " rejection%s)", past ? ", limit = what a user is given" : "");
	char *obs;
	if (bad)
		obs = xasprintf("%zu of %zu answers with them disagree (limit %d)",
		    bad, seen, limit);
	else
		obs = xasprintf("on %zu answer(s), limit %d", seen, limit);
	burst_row(c, phase, line, what, obs, o);
	return o;
}

/* The burst's checks a variable switched off: shown, not run. */
static void
burst_skips(struct run *c, const struct scen_burst *b, const char *phase,
    int line)
{
	if (b->rej_status_off != NULL)
		runctx_skip(c, xstrdup("rejected with the expected status"), phase,
		    line, b->rej_status_off);
	if (b->rej_body_off != NULL)
		runctx_skip(c, xstrdup("rejected with the expected text"), phase, line,
		    b->rej_body_off);
	if (b->rej_retry_off != NULL)
		runctx_skip(c, xstrdup("every rejection carries Retry-After"), phase,
		    line, b->rej_retry_off);
	if (b->acc_off != NULL)
		runctx_skip(c, xstrdup("accepted per user"), phase, line, b->acc_off);
}

/*
 * K users x M requests at once; then: were they really together, did each
 * user get exactly accepted_per_user, were the others rejected as expected,
 * and did no user's rejections cost another user its acceptance.
 */
enum outcome
phases_burst(struct run *c, const struct scen_burst *b, const char *phase,
    int line)
{
	struct burst_spec sp = { b->rq.method, b->rq.url, b->rq.headers,
	    b->rq.body, b->users, b->per_user, b->timeout_ms, b->from,
	    b->concurrent, b->rq.tls };
	struct burst_result br;
	struct res_burst *rb;
	struct sd_err e;
	enum outcome worst = O_PASS;
	size_t badrej = 0, nrej = 0;
	int first_bad = -1;

	if (burst_run(&sp, &br, &e) == -1) {
		burst_row(c, phase, line, xasprintf("burst %d users x %d", b->users,
		    b->per_user), xstrdup(e.msg), O_ERROR);
		return O_ERROR;
	}
	rb = add_burst(c, b, &br);
	for (size_t i = 0; i < br.n; i++) {
		const struct burst_req *q = &br.req[i];
		int u = q->user - 1;
		if (q->status >= 200 && q->status < 300) {
			rb->accepted[u]++;
			continue;
		}
		nrej++;
		if (q->status != 0 && (b->rej_status == 0 ||
		    q->status == b->rej_status) && (b->rej_body == NULL ||
		    (q->body && strstr(q->body, b->rej_body)))) {
			rb->rejected[u]++;
			continue;
		}
		rb->other[u]++;
		if (first_bad < 0)
			first_bad = (int)i;
		badrej++;
	}
	if (b->concurrent) {
		burst_row(c, phase, line, xasprintf("burst %d users x %d: every"
		    " user's requests in flight together", b->users, b->per_user),
		    br.concurrent ? xasprintf("released in %lldus, none answered"
		    " early", (long long)br.release_us) : xstrdup(br.why),
		    br.concurrent ? O_PASS : O_ERROR);
		if (!br.concurrent)
			worst = O_ERROR;
	}
	if (b->accepted_per_user >= 0 &&
	    judge_accepted(c, b, rb, phase, line) == O_FAIL && worst == O_PASS)
		worst = O_FAIL;
	if (b->rej_status != 0 || b->rej_body != NULL) {
		char *want = xasprintf("rejected with%s%.0d%s%s%s", b->rej_status ?
		    " status " : "", b->rej_status, b->rej_body ? " and body"
		    " containing '" : "", b->rej_body ? b->rej_body : "",
		    b->rej_body ? "'" : "");
		const struct burst_req *q = first_bad >= 0 ? &br.req[first_bad] :
		    NULL;
		char *obs = badrej == 0 ? xasprintf("all %zu rejections as"
		    " expected", nrej) : xasprintf("%zu of %zu not: e.g. status"
		    " %d, %s", badrej, nrej, q->status, q->body ? q->body : q->error);
		burst_row(c, phase, line, want, obs, badrej ? O_FAIL : O_PASS);
		if (badrej && worst == O_PASS)
			worst = O_FAIL;
	}
	if (b->rej_retry_after && judge_retry_after(c, &br, phase, line) ==
	    O_FAIL && worst == O_PASS)
		worst = O_FAIL;
	burst_skips(c, b, phase, line);
	if (judge_ratelimit(c, b, &br, phase, line) == O_FAIL && worst == O_PASS)
		worst = O_FAIL;
	burst_result_free(&br);
	return worst;
}
