/*
 * tproxy_ctl.c — the fault proxy's toxics as JSON and its control protocol
 * (see tproxy.h): what `shakedown proxy` answers on its Unix socket and
 * what the proxy and partition faults send it.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tproxy.h"

static json_t *
fail(const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof msg, fmt, arg);
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

json_t *
tproxy_handle(struct tproxy *p, const json_t *req)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	const char *route = json_string_value(json_object_get(req, "route"));
	struct toxic t;
	struct sd_err e;
	int rc;

	if (op == NULL)
		return fail("no op%s", "");
	if (strcmp(op, "list") == 0)
		return tproxy_list(p);
	if (route == NULL)
		return fail("%s: no route", op);
	if (strcmp(op, "add") == 0) {
		if (toxic_from_json(json_object_get(req, "toxic"), &t, &e) == -1 ||
		    tproxy_add(p, route, &t, &e) == -1)
			return fail("%s", e.msg);
		return json_pack("{s:b}", "ok", 1);
	}
	if (strcmp(op, "remove") == 0) {
		const char *id = json_string_value(json_object_get(req, "id"));
		if (id == NULL)
			return fail("remove: no id%s", "");
		if ((rc = tproxy_remove(p, route, id, &e)) == -1)
			return fail("%s", e.msg);
		return json_pack("{s:b,s:b}", "ok", 1, "removed", rc);
	}
	return fail("unknown op '%.20s'", op);
}

json_t *
tproxy_call(const char *sock, json_t *req, int64_t timeout_ms,
    struct sd_err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t end = mono_ms() + timeout_ms;
	char *line = json_dumps(req, JSON_COMPACT), buf[65536];
	size_t got = 0;
	json_t *ans = NULL;
	int fd;

	json_decref(req);	/* taken over: callers pass a fresh object */
	if (strlen(sock) >= sizeof sa.sun_path) {
		free(line);
		return err_set(e, "proxy control socket path too long"), NULL;
	}
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		err_set(e, "proxy at %s: %s", sock, strerror(errno));
		goto out;
	}
	size_t len = strlen(line);
	line[len++] = '\n';	/* over the NUL: sent by length */
	if (write(fd, line, len) != (ssize_t)len) {
		err_set(e, "proxy at %s: cannot send", sock);
		goto out;
	}
	while (got < sizeof buf - 1 && memchr(buf, '\n', got) == NULL) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int64_t left = end - mono_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			err_set(e, "proxy at %s: no answer", sock);
			goto out;
		}
		ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if ((ans = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL)) == NULL)
		err_set(e, "proxy at %s: a garbled answer", sock);
	else if (!json_is_true(json_object_get(ans, "ok"))) {
		const char *why = json_string_value(json_object_get(ans, "error"));
		err_set(e, "proxy at %s: %s", sock, why ? why : "refused");
		json_decref(ans);
		ans = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(line);
	return ans;
}
