/*
 * exitwatch.c — see exitwatch.h. Generic netlink by hand (three messages:
 * resolve the TASKSTATS family, register for every CPU's exits, read).
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitwatch.h"

#define MAX_WATCH 64
#define BUF_SIZE (64 * 1024)

struct seen {
	pid_t pid;
	int exited;
	int status;
	int64_t at_ms;
};

struct exitwatch {
	int fd;
	uint16_t family;
	pthread_t thread;
	atomic_int stop;
	pthread_mutex_t mu;
	struct seen w[MAX_WATCH];
	size_t n;
};

/* Append an attribute to the message in buf (len so far); the new len. */
static size_t
put_attr(char *buf, size_t len, uint16_t type, const void *data, size_t dlen)
{
	struct nlattr *a = (struct nlattr *)(buf + NLMSG_ALIGN(len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + dlen);
	memcpy((char *)a + NLA_HDRLEN, data, dlen);
	return NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len);
}

static int
send_genl(int fd, uint16_t type, uint8_t cmd, uint8_t version, uint16_t attr,
    const void *data, size_t dlen, struct sd_err *e)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct genlmsghdr *gh = NLMSG_DATA(nh);
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	size_t len;

	memset(buf, 0, sizeof buf);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST;
	nh->nlmsg_seq = 1;
	nh->nlmsg_pid = 0;
	gh->cmd = cmd;
	gh->version = version;
	len = put_attr(buf, NLMSG_LENGTH(GENL_HDRLEN), attr, data, dlen);
	nh->nlmsg_len = (uint32_t)len;
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) == -1)
		return err_set(e, "taskstats: send: %s", strerror(errno));
	return 0;
}

/* The attributes of a generic netlink message: calls fn for each. */
static void
each_attr(const char *p, size_t len, void (*fn)(void *, uint16_t,
    const char *, size_t), void *arg)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return;
		fn(arg, a->nla_type & NLA_TYPE_MASK, p + NLA_HDRLEN,
		    a->nla_len - NLA_HDRLEN);
		size_t step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

static void
family_attr(void *arg, uint16_t type, const char *d, size_t len)
{
	if (type == CTRL_ATTR_FAMILY_ID && len >= 2)
		memcpy(arg, d, 2);
}

struct aggr {
	uint32_t pid;
	int have_stats;
	uint32_t exitcode;
};

static void
aggr_attr(void *arg, uint16_t type, const char *d, size_t len)
{
	struct aggr *g = arg;

	if (type == TASKSTATS_TYPE_PID && len >= 4)
		memcpy(&g->pid, d, 4);
	else if (type == TASKSTATS_TYPE_STATS && len >=
	    offsetof(struct taskstats, ac_exitcode) + 4) {
		memcpy(&g->exitcode, d + offsetof(struct taskstats, ac_exitcode),
		    4);
		g->have_stats = 1;
	}
}

static void
top_attr(void *arg, uint16_t type, const char *d, size_t len)
{
	struct exitwatch *w = arg;
	struct aggr g = { 0, 0, 0 };

	/* the thread's own record: for a thread group leader, its exit code
	 * is the group's (exit_group gives every thread the group's) */
	if (type != TASKSTATS_TYPE_AGGR_PID)
		return;
	each_attr(d, len, aggr_attr, &g);
	if (g.pid == 0 || !g.have_stats)
		return;
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->n; i++)
		if (w->w[i].pid == (pid_t)g.pid && !w->w[i].exited) {
			w->w[i].exited = 1;
			w->w[i].status = (int)g.exitcode;
			w->w[i].at_ms = mono_ms();
		}
	pthread_mutex_unlock(&w->mu);
}

static void *
reader(void *arg)
{
	struct exitwatch *w = arg;
	char *buf = xmalloc(BUF_SIZE);

	while (!atomic_load(&w->stop)) {
		struct pollfd p = { w->fd, POLLIN, 0 };
		if (poll(&p, 1, 200) != 1)
			continue;
		ssize_t n = recv(w->fd, buf, BUF_SIZE, MSG_DONTWAIT);
		if (n <= 0)
			continue;	/* ENOBUFS: some were lost; go on */
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		    NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type != w->family ||
			    nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			each_attr((char *)NLMSG_DATA(nh) + GENL_HDRLEN,
			    nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), top_attr, w);
		}
	}
	free(buf);
	return NULL;
}

/* The reply to a request: 0, or -1 with e (an nlmsgerr). */
static int
reply(int fd, char *buf, size_t size, struct nlmsghdr **out, struct sd_err *e)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, 2000) != 1)
		return err_set(e, "taskstats: no reply from the kernel");
	if ((n = recv(fd, buf, size, 0)) <= 0)
		return err_set(e, "taskstats: recv: %s", strerror(errno));
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (size_t)n))
		return err_set(e, "taskstats: short reply");
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *er = NLMSG_DATA(nh);
		if (er->error != 0)
			return err_set(e, "%s", strerror(-er->error));
	}
	*out = nh;
	return 0;
}

struct exitwatch *
exitwatch_open(struct sd_err *e)
{
	struct exitwatch *w = xcalloc(1, sizeof *w);
	char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO))), mask[32];
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nh;
	int size = 4 << 20;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	pthread_mutex_init(&w->mu, NULL);
	if ((w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_GENERIC)) == -1 || bind(w->fd, (struct sockaddr *)&me,
	    sizeof me) == -1) {
		err_set(e, "taskstats: netlink socket: %s", strerror(errno));
		goto fail;
	}
	/* a burst of exits (a server's threads) must not overflow it */
	if (setsockopt(w->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size)
	    == -1)
		setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	if (send_genl(w->fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
	    CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME,
	    sizeof TASKSTATS_GENL_NAME, e) == -1 ||
	    reply(w->fd, buf, sizeof buf, &nh, e) == -1) {
		err_prefix(e, "taskstats (the kernel's exit reports) not"
		    " available");
		goto fail;
	}
	if (nh->nlmsg_type == GENL_ID_CTRL && nh->nlmsg_len >=
	    NLMSG_LENGTH(GENL_HDRLEN))
		each_attr((char *)NLMSG_DATA(nh) + GENL_HDRLEN, nh->nlmsg_len -
		    NLMSG_LENGTH(GENL_HDRLEN), family_attr, &w->family);
	if (w->family == 0) {
		err_set(e, "taskstats: the kernel has no TASKSTATS family");
		goto fail;
	}
	snprintf(mask, sizeof mask, "0-%ld", ncpu > 0 ? ncpu - 1 : 0);
	if (send_genl(w->fd, w->family, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION,
	    TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, mask, strlen(mask) + 1, e) == -1)
		goto fail;
	/* registering has no reply unless it fails (needs CAP_NET_ADMIN) */
	struct pollfd p = { w->fd, POLLIN, 0 };
	if (poll(&p, 1, 100) == 1 && recv(w->fd, buf, sizeof buf, MSG_PEEK) > 0 &&
	    ((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *er = NLMSG_DATA((struct nlmsghdr *)buf);
		if (er->error != 0) {
			err_set(e, "taskstats: registering for exits: %s",
			    strerror(-er->error));
			goto fail;
		}
	}
	if (pthread_create(&w->thread, NULL, reader, w) != 0) {
		err_set(e, "taskstats: cannot start its thread");
		goto fail;
	}
	return w;
fail:
	if (w->fd != -1)
		close(w->fd);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return NULL;
}

void
exitwatch_watch(struct exitwatch *w, pid_t pid)
{
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->n; i++)
		if (w->w[i].pid == pid && !w->w[i].exited) {
			pthread_mutex_unlock(&w->mu);
			return;
		}
	if (w->n == MAX_WATCH) {	/* forget the oldest */
		memmove(&w->w[0], &w->w[1], (MAX_WATCH - 1) * sizeof w->w[0]);
		w->n--;
	}
	w->w[w->n++] = (struct seen){ pid, 0, 0, 0 };
	pthread_mutex_unlock(&w->mu);
}

int
exitwatch_exited(struct exitwatch *w, pid_t pid, int *status, int64_t *at_ms)
{
	int yes = 0;

	pthread_mutex_lock(&w->mu);
	for (size_t i = w->n; i-- > 0 && !yes; )
		if (w->w[i].pid == pid && w->w[i].exited) {
			*status = w->w[i].status;
			*at_ms = w->w[i].at_ms;
			yes = 1;
		}
	pthread_mutex_unlock(&w->mu);
	return yes;
}

void
exitwatch_close(struct exitwatch *w)
{
	if (w == NULL)
		return;
	atomic_store(&w->stop, 1);
	pthread_join(w->thread, NULL);
	close(w->fd);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
