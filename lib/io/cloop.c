/*
 * cloop.c — see cloop.h.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cloop.h"

void
cloop_arm(int tfd, int64_t abs_ms)
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

void
cloop_rearm(int tfd, int64_t *armed, int64_t abs_ms)
{
	if (*armed == abs_ms)
		return;
	*armed = abs_ms;
	cloop_arm(tfd, abs_ms);
}

static int
on_socket(CURL *h, curl_socket_t s, int what, void *u, void *sockp)
{
	struct cloop *l = u;
	struct epoll_event ev = { 0 };

	(void)h;
	(void)sockp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
	    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	/* tag curl's sockets apart from the caller's fds */
	ev.data.u64 = (uint64_t)s | ((uint64_t)1 << 32);
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, s, &ev) == -1 && errno == ENOENT)
		epoll_ctl(l->ep, EPOLL_CTL_ADD, s, &ev);
	return 0;
}

static int
on_timer(CURLM *m, long timeout_ms, void *u)
{
	struct cloop *l = u;

	(void)m;
	l->curl_due_ms = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
	return 0;
}

int
cloop_init(struct cloop *l, struct sd_err *e)
{
	l->multi = NULL;
	l->curl_due_ms = -1;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep == -1) {
		err_set(e, "cannot create event loop: %s", strerror(errno));
		return -1;
	}
	l->multi = curl_multi_init();
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
	return 0;
}

void
cloop_free(struct cloop *l)
{
	if (l->multi != NULL)
		curl_multi_cleanup(l->multi);
	if (l->ep > 0)
		close(l->ep);
	l->multi = NULL;
	l->ep = -1;
}

int
cloop_watch(struct cloop *l, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.u64 = (uint64_t)(unsigned)fd;
	return epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

int
cloop_once(struct cloop *l, int timeout_ms, int *ready, int nready,
    cloop_done_fn done, void *arg)
{
	struct epoll_event evs[64];
	int n, running, nr = 0;
	CURLMsg *m;
	int left;

	if (l->curl_due_ms >= 0) {
		int64_t d = l->curl_due_ms - mono_ms();
		if (d < timeout_ms)
			timeout_ms = d > 0 ? (int)d : 0;
	}
	n = epoll_wait(l->ep, evs, 64, timeout_ms);
	for (int i = 0; i < n; i++) {
		int fd = (int)(evs[i].data.u64 & 0xffffffffu);
		if (evs[i].data.u64 >> 32) {
			int what = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
			    (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			    (evs[i].events & (EPOLLERR | EPOLLHUP) ?
			    CURL_CSELECT_ERR : 0);
			curl_multi_socket_action(l->multi, fd, what, &running);
		} else if (nr < nready) {
			ready[nr++] = fd;
		}
	}
	if (l->curl_due_ms >= 0 && mono_ms() >= l->curl_due_ms) {
		l->curl_due_ms = -1;
		curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0,
		    &running);
	}
	while ((m = curl_multi_info_read(l->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE)
			done(arg, m->easy_handle, m->data.result);
	return nr;
}
