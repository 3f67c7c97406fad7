/*
 * proxy.c — `shakedown proxy [-c SOCKET] NAME=LISTEN,UPSTREAM...`: a TCP
 * fault proxy (lib/tproxy.h) that runs until SIGINT/SIGTERM, with its routes
 * and a control socket through which faults add and remove toxics — the
 * sandbox is to run one in front of PostgreSQL and Redis.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/tproxy.h"
#include "cmd.h"

static int
control_socket(const char *path, struct sd_err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path)
		return err_set(e, "control socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    chmod(path, 0600) == -1 || listen(fd, 16) == -1) {
		err_set(e, "control socket %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* One request a connection: a line in, a line out. */
static void
serve(struct tproxy *p, int lfd)
{
	char buf[65536];
	size_t got = 0;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	json_t *req, *ans;

	if (fd == -1)
		return;
	while (got < sizeof buf - 1 && memchr(buf, '\n', got) == NULL) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, 2000) <= 0)
			break;
		ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	req = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	ans = req ? tproxy_handle(p, req) : json_pack("{s:b,s:s}", "ok", 0,
	    "error", "not a JSON object");
	char *line = json_dumps(ans, JSON_COMPACT);
	if (g_opts.verbose)
		cmd_err("proxy: %s -> %s\n", buf, line);
	if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		/* the caller went away: nothing to tell it */
	}
	free(line);
	json_decref(req);
	json_decref(ans);
	close(fd);
}

static enum cmd_retval
exec_proxy(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "control", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sock = NULL;
	struct tproxy *p;
	struct sd_err e;
	int ch, lfd = -1;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		if (ch != 'c')
			return cmd_usage_error(self, NULL);
		sock = optarg;
	}
	if (optind == argc)
		return cmd_usage_error(self, "no route");
	if ((p = tproxy_new(&e)) == NULL) {
		cmd_error("proxy: %s", e.msg);
		return CMD_FAILED;
	}
	for (int i = optind; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *comma = eq ? strchr(eq, ',') : NULL;
		if (comma == NULL) {
			tproxy_free(p);
			return cmd_usage_error(self, "route '%s': NAME=LISTEN,UPSTREAM",
			    argv[i]);
		}
		*eq = *comma = '\0';
		if (tproxy_route(p, argv[i], eq + 1, comma + 1, &e) == -1) {
			cmd_error("proxy: %s", e.msg);
			tproxy_free(p);
			return CMD_USAGE;
		}
	}
	cmd_catch_stop();
	if ((sock != NULL && (lfd = control_socket(sock, &e)) == -1) ||
	    tproxy_start(p, &e) == -1) {
		cmd_error("proxy: %s", e.msg);
		tproxy_free(p);
		return CMD_FAILED;
	}
	while (!cmd_stop) {
		struct pollfd pfd = { lfd, POLLIN, 0 };
		if (poll(&pfd, lfd >= 0 ? 1 : 0, 250) > 0)
			serve(p, lfd);
	}
	if (lfd >= 0) {
		close(lfd);
		unlink(sock);
	}
	tproxy_free(p);
	return CMD_OK;
}

const struct cmd_entry cmd_proxy = {
	.name = "proxy",
	.usage = "[-c SOCKET] NAME=LISTEN,UPSTREAM...",
	.summary = "run a TCP fault proxy whose routes faults can slow or cut",
	.help =
	    "  -c, --control SOCKET  a Unix socket for faults to add and remove\n"
	    "                        toxics on the running routes\n"
	    "Each route listens on LISTEN (HOST:PORT) and relays to UPSTREAM.\n"
	    "Runs until SIGINT or SIGTERM.\n",
	.exec = exec_proxy,
};
