/*
 * cloop.h — one libcurl multi_socket event loop on epoll, as in libcurl's
 * multi-event example: curl's sockets and its timer (a timerfd) are watched
 * together with the caller's own fds (timers, eventfds). Used by the probe
 * thread and by every load worker, each with a loop of its own.
 */
#ifndef SD_CLOOP_H
#define SD_CLOOP_H

#include <curl/curl.h>

#include "../base/util.h"

struct cloop {
	CURLM *multi;
	int ep;			/* epoll */
	int64_t curl_due_ms;	/* curl's timer (abs mono ms), -1: none */
};

typedef void (*cloop_done_fn)(void *arg, CURL *h, CURLcode rc);

int cloop_init(struct cloop *l, struct sd_err *e);
void cloop_free(struct cloop *l);
/* Watch one of the caller's fds for input. */
int cloop_watch(struct cloop *l, int fd);
/* Wait up to timeout_ms, drive curl, report finished transfers to done;
 * the caller's fds that are readable are put in ready (at most nready);
 * returns how many. */
int cloop_once(struct cloop *l, int timeout_ms, int *ready, int nready,
    cloop_done_fn done, void *arg);
/* Arm a timerfd for an absolute CLOCK_MONOTONIC ms (-1 disarms). */
void cloop_arm(int tfd, int64_t abs_ms);
/* The same, skipping the syscall when *armed already says abs_ms. */
void cloop_rearm(int tfd, int64_t *armed, int64_t abs_ms);

#endif
