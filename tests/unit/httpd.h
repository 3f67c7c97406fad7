/*
 * httpd.h — a small real HTTP server on 127.0.0.1 for the unit tests of
 * what talks HTTP (probe.c, load.c, evaluate.c): libmicrohttpd, a thread
 * per connection, on a port the kernel picks. Included by one test file
 * each (its functions are static).
 *
 *   /ok        200 {"status":"ok"}
 *   /fail      500 {"status":"error"}
 *   /slow      waits 400 ms, then 200
 *   /flip      200 until th_flip_at (monotonic ms; 0: never), then 503
 *   /user?u=X  200; counts the distinct X it saw (th_users)
 *   /alerts?n=N  200, a Prometheus /api/v1/alerts answer of N firing
 *              alerts named A0..A(N-1), each with a long annotation
 *   /big?mib=N 200, N MiB of spaces
 *   other      404
 */
#ifndef SD_TEST_HTTPD_H
#define SD_TEST_HTTPD_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

static struct MHD_Daemon *th_daemon;
static int th_port;
static _Atomic long long th_flip_at;
static atomic_ulong th_requests;
static pthread_mutex_t th_mu = PTHREAD_MUTEX_INITIALIZER;
static char th_seen[64][16];
static int th_users;

static inline long long
th_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum MHD_Result
th_reply(struct MHD_Connection *c, unsigned status, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body),
	    (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static void
th_saw_user(const char *u)
{
	pthread_mutex_lock(&th_mu);
	for (int i = 0; i < th_users; i++)
		if (strcmp(th_seen[i], u) == 0) {
			pthread_mutex_unlock(&th_mu);
			return;
		}
	if (th_users < 64)
		snprintf(th_seen[th_users++], sizeof th_seen[0], "%s", u);
	pthread_mutex_unlock(&th_mu);
}

static enum MHD_Result
th_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	(void)cls, (void)method, (void)version, (void)upload;
	if (*con_cls == NULL) {		/* headers first; the body next */
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	th_requests++;
	if (strcmp(url, "/ok") == 0)
		return th_reply(c, 200, "{\"status\":\"ok\"}");
	if (strcmp(url, "/fail") == 0)
		return th_reply(c, 500, "{\"status\":\"error\"}");
	if (strcmp(url, "/slow") == 0) {
		usleep(400 * 1000);
		return th_reply(c, 200, "{\"status\":\"ok\"}");
	}
	if (strcmp(url, "/flip") == 0) {
		long long at = th_flip_at;
		if (at != 0 && th_now_ms() >= at)
			return th_reply(c, 503, "{\"status\":\"down\"}");
		return th_reply(c, 200, "{\"status\":\"ok\"}");
	}
	if (strcmp(url, "/alerts") == 0 || strcmp(url, "/big") == 0) {
		const char *a = MHD_lookup_connection_value(c,
		    MHD_GET_ARGUMENT_KIND, url[1] == 'a' ? "n" : "mib");
		long n = a ? atol(a) : 0;
		size_t cap = url[1] == 'a' ? (size_t)n * 400 + 128 :
		    (size_t)n << 20, len = 0;
		char *b = malloc(cap + 1);
		if (url[1] == 'b') {
			memset(b, ' ', cap);
			len = cap;
		} else {
			len += (size_t)snprintf(b, cap, "{\"status\":\"success\","
			    "\"data\":{\"alerts\":[");
			for (long i = 0; i < n; i++)
				len += (size_t)snprintf(b + len, cap - len, "%s{\"labels\":"
				    "{\"alertname\":\"A%ld\",\"severity\":\"page\"},"
				    "\"annotations\":{\"summary\":\"%0200d\"},\"state\":"
				    "\"firing\",\"activeAt\":\"2026-01-01T00:00:00Z\"}",
				    i ? "," : "", i, 0);
			len += (size_t)snprintf(b + len, cap - len, "]}}");
		}
		struct MHD_Response *r = MHD_create_response_from_buffer(len, b,
		    MHD_RESPMEM_MUST_FREE);
		enum MHD_Result rc = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return rc;
	}
	if (strcmp(url, "/user") == 0) {
		const char *u = MHD_lookup_connection_value(c,
		    MHD_GET_ARGUMENT_KIND, "u");
		th_saw_user(u ? u : "");
		return th_reply(c, 200, "{\"status\":\"ok\"}");
	}
	return th_reply(c, 404, "{}");
}

/* Start the server on a free loopback port (th_port). */
static void
th_start(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	th_daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, th_handler, NULL,
	    MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_CONNECTION_LIMIT, 256,
	    MHD_OPTION_END);
	if (th_daemon == NULL) {
		fprintf(stderr, "httpd: cannot start\n");
		_exit(1);
	}
	info = MHD_get_daemon_info(th_daemon, MHD_DAEMON_INFO_BIND_PORT);
	th_port = info->port;
}

static void
th_stop(void)
{
	MHD_stop_daemon(th_daemon);
	th_daemon = NULL;
}

/* "http://127.0.0.1:PORT" + path, in buf. */
static inline const char *
th_url(char *buf, size_t n, const char *path)
{
	snprintf(buf, n, "http://127.0.0.1:%d%s", th_port, path);
	return buf;
}

/* cmocka group setup and teardown: the server for the whole group. */
static inline int
th_setup(void **state)
{
	(void)state;
	th_start();
	return 0;
}

static inline int
th_teardown(void **state)
{
	(void)state;
	th_stop();
	return 0;
}

#endif
