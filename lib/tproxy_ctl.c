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

static const char *const tx_names[TX_NTYPES] = { "latency", "bandwidth",
    "slicer", "limit_data", "timeout", "reset_peer", "slow_close", "down" };

const char *
tx_type_name(enum tx_type t)
{
	return tx_names[t];
}

int
tx_type_parse(const char *s, enum tx_type *t)
{
	for (int i = 0; i < TX_NTYPES; i++)
		if (strcmp(tx_names[i], s) == 0) {
			*t = (enum tx_type)i;
			return 0;
		}
	return -1;
}

json_t *
toxic_json(const struct toxic *t)
{
	return json_pack("{s:s,s:s,s:s,s:f,s:I,s:I,s:I,s:I,s:I,s:I}", "id", t->id,
	    "type", tx_names[t->type], "direction", t->dirs == (TX_UP |
	    TX_DOWNSTREAM) ? "both" : t->dirs == TX_UP ? "up" : "down",
	    "toxicity", t->toxicity, "latency_ms", (json_int_t)t->latency_ms,
	    "jitter_ms", (json_int_t)t->jitter_ms, "rate", (json_int_t)t->rate,
	    "timeout_ms", (json_int_t)t->timeout_ms, "bytes",
	    (json_int_t)t->bytes, "delay_ms", (json_int_t)t->delay_ms);
}

static int64_t
jint(const json_t *j, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(j, key));

	return v < 0 ? 0 : v;
}

int
toxic_from_json(const json_t *j, struct toxic *t, struct sd_err *e)
{
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *type = json_string_value(json_object_get(j, "type"));
	const char *dir = json_string_value(json_object_get(j, "direction"));
	json_t *tox = json_object_get(j, "toxicity");

	memset(t, 0, sizeof *t);
	if (id == NULL || *id == '\0' || strlen(id) >= sizeof t->id)
		return err_set(e, "a toxic needs an id");
	if (type == NULL || tx_type_parse(type, &t->type) == -1)
		return err_set(e, "unknown toxic type '%.20s'", type ? type : "");
	snprintf(t->id, sizeof t->id, "%s", id);
	t->dirs = dir == NULL || strcmp(dir, "down") == 0 ? TX_DOWNSTREAM :
	    strcmp(dir, "up") == 0 ? TX_UP : strcmp(dir, "both") == 0 ?
	    TX_UP | TX_DOWNSTREAM : 0;
	if (t->dirs == 0)
		return err_set(e, "direction: up, down or both");
	t->toxicity = tox ? json_number_value(tox) : 1;
	if (!(t->toxicity >= 0 && t->toxicity <= 1))
		return err_set(e, "toxicity: from 0 to 1");
	t->latency_ms = jint(j, "latency_ms");
	t->jitter_ms = jint(j, "jitter_ms");
	t->rate = jint(j, "rate");
	t->timeout_ms = jint(j, "timeout_ms");
	t->bytes = jint(j, "bytes");
	t->delay_ms = jint(j, "delay_ms");
	if (t->type == TX_BANDWIDTH && t->rate <= 0)
		return err_set(e, "bandwidth needs a rate");
	if ((t->type == TX_SLICER || t->type == TX_LIMIT_DATA) && t->bytes <= 0)
		return err_set(e, "%s needs bytes", type);
	return 0;
}

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
