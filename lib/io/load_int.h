/*
 * load_int.h — what the load engine's transports share: a worker per
 * thread with its slots (one per connection), statistics and schedule
 * (load_core.c), and the table of functions each transport is. libcurl carries https:// and requests through a proxy; plain
 * http:// goes over raw non-blocking sockets (load_raw.c): requests built
 * once per connection, responses parsed by http-parser, no allocation per
 * request and a few hundred bytes per connection.
 */
#ifndef SD_LOAD_INT_H
#define SD_LOAD_INT_H

#include <sys/socket.h>

#include <http_parser.h>
#include <pthread.h>

#include <openssl/ssl.h>
#include <stdatomic.h>

#include "cloop.h"
#include "loadspec.h"

#define SEC_BUCKETS 256		/* 32 octaves x 8 */
_Static_assert(SEC_BUCKETS == LOAD_LIVE_BUCKETS, "the live view is the series' buckets");
#define RAMP_PER_TICK 256	/* new connections a worker opens per turn:
				 * opening 50 000 in one go would not return
				 * for many seconds, past any -d */
#define FD_RESERVE 64		/* files kept for everything else */
#define BACKOFF_MIN_MS 10
#define BACKOFF_MAX_MS 1000

/* A second of the series: its counts, and its latency buckets kept sparse
 * (the few that are not empty) once the second is over, so a long run
 * costs tens of bytes a second, not the 1 KiB of the whole bucket array. */
struct sec_bucket {
	uint32_t bucket, count;
};

struct sec {
	uint32_t requests, errors;
	uint32_t nb;
	struct sec_bucket *b;
};

struct slot {
	struct worker *w;
	int busy;
	int64_t intended_ns, sent_ns;
	int64_t rx_ns;		/* raw: when the kernel received the answer's
				 * last bytes (SO_TIMESTAMPNS, as mono ns); 0:
				 * not known, the time it is read counts */
	int64_t next_ms;	/* backoff: not before */
	int64_t backoff_ms;
	/* libcurl */
	CURL *h;
	char *url, *body;
	struct curl_slist *hdrs;
	struct curl_slist *connect_to;	/* tls server_name */
	/* raw: the request, built once; the connection and its parser */
	char *req;
	uint32_t reqlen, off;
	int fd;			/* -1: not connected */
	uint8_t state;		/* RS_* (load_raw.c) */
	uint8_t complete;	/* the answer is all in */
	uint8_t retry_after;	/* it carried Retry-After */
	int8_t hmatch;		/* how much of "retry-after" the header
				 * field being read matches; -1: none */
	uint8_t in_value;
	uint8_t fresh;		/* connected for this request */
	uint8_t close_after;	/* the request says Connection: close */
	uint8_t head;		/* a HEAD request: no body comes back */
	uint8_t in_hs;		/* raw https: connecting or in the handshake */
	uint8_t in_wait;	/* raw https: on the worker's hs_wait list */
	uint32_t answered;	/* bytes of answer seen for this request */
	http_parser hp;
	/* raw https: the connection's TLS, and the session it resumes */
	SSL *ssl;
	SSL_SESSION *sess;
	int64_t hs_ns;		/* the handshake's start */
};

struct worker {
	struct load *l;
	int id;
	int inited;		/* the transport's worker_init succeeded */
	int ep;			/* raw: epoll */
	struct cloop loop;
	int tfd;		/* curl: schedule / backoff timer */
	int64_t armed;		/* what tfd is armed for (ns) */
	int64_t batch_ns;	/* open model: the sends due this soon after a
				 * wake go with it (early, never late) */
	struct hist late;	/* open model: how late each send went after
				 * its time (µs) */
	uint64_t late_1ms;	/* ... and how many went 1 ms late or more */
	int64_t lat_ewma_ns;	/* the answers' recent latency (from the
				 * send), a moving average */
	int64_t real_off_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int stamped;		/* raw, plain http: answers carry the kernel's
				 * arrival time */
	int stop_efd;
	pthread_t thread;
	struct slot *slots;
	int nslots;
	int *freel, nfree;	/* idle slots ready to send */
	int *sleep, nsleep;	/* idle slots backing off */
	int *hs_wait, nhs_wait;	/* raw https: slots waiting their turn to
				 * connect (at most HS_LIVE handshakes at
				 * once: each holds tens of KiB until done) */
	int hs_live;
	int stopping;
	double rate;		/* this worker's share; 0: closed */
	int64_t start_ns;
	uint64_t next_i;	/* open model: next request index */
	uint64_t sent;
	struct load_stats st[LP_N];
	struct sec *secs;
	size_t nsecs, capsecs;
	uint32_t cur[SEC_BUCKETS];	/* the second now being counted */
	size_t cur_sec;
	int cur_any;
	/* what a guardrail reads while the load runs (load_live): running
	 * totals this worker alone writes (relaxed stores, no lock), any
	 * thread may read */
	_Atomic uint64_t live_requests, live_errors;
	_Atomic uint64_t live_b[SEC_BUCKETS];
};

struct load {
	struct load_spec spec;
	struct worker *w;
	int nw;
	atomic_int phase;
	int64_t start_ms;
	int running;
	const struct load_transport *t;	/* how requests go out */
	struct sockaddr_storage addr;	/* raw: where to connect */
	socklen_t addrlen;
	SSL_CTX *ssl_ctx;	/* raw https: one for the run, NULL: http */
	char *tls_host;		/* the URL's host, for SNI and verification */
	pthread_mutex_t tls_mu;	/* tls_error */
	char tls_error[256];	/* the first TLS failure, for people */
	uint64_t unanswered;	/* in flight when it stopped (load_stop) */
};


/*
 * A transport, as wrk's struct sock: load.c starts a load on the first
 * whose prepare takes it (1; 0: not this one; -1: an error), and the rest
 * is its: a worker's loop (work, a thread), a connection's setup, sending
 * a request (send, from load_core.c's schedule), freeing. A transport
 * records each answer with load_record and hands the slot back with
 * load_finished.
 */
struct load_transport {
	const char *name;
	int (*prepare)(struct load *l, struct sd_err *e);
	int (*worker_init)(struct worker *w, struct sd_err *e);
	int (*slot_setup)(struct worker *w, struct slot *s, int global_idx,
	    struct sd_err *e);
	void (*send)(struct worker *w, struct slot *s);
	void *(*work)(void *arg);
	void (*slot_free)(struct worker *w, struct slot *s);
	void (*worker_free)(struct worker *w);
};
extern const struct load_transport load_raw, load_curl;

/* load_http.c: http-parser's callbacks for an answer (raw transport) */
extern const http_parser_settings load_http_settings;

/* load_core.c, for every transport */
void load_record(struct worker *w, struct slot *s, long code, int err,
    int retry_after);
void load_finished(struct worker *w, struct slot *s);
/* Send what is due; the next time something is (mono ns), -1 for none:
 * the transport waits until then (epoll_pwait2, or its timer). */
int64_t load_schedule(struct worker *w);
/* curl: arm the worker's timer for that time (ns), unless it is. */
void load_arm(struct worker *w, int64_t at_ns);
int64_t load_sec_value(int b);
/* The second being counted is over: its buckets, sparse, into the series. */
void load_sec_close(struct worker *w);

#endif
