/*
 * proxy.c — `shakedown proxy [-c SOCKET] NAME=LISTEN,UPSTREAM...`: a TCP
 * fault proxy (lib/io/tproxy.h) that runs until SIGINT/SIGTERM, with its routes
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

#include "../lib/base/hosts.h"
#include "../lib/io/tproxy.h"
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

/* Both ends of a route obey the blast radius: listening on 0.0.0.0 would
 * open a database to the network. */
static int
allowed(const struct hostrule *r, const char *what, const char *addr)
{
	struct sd_err e;
	char host[256];
	int rc = hosts_check_hostport(addr, r, host, sizeof host, &e);

	if (rc == -1)
		cmd_error("proxy: %s: %s", what, e.msg);
	else if (rc == 1)
		cmd_error("proxy: %s '%s' is not loopback; pass --allow-host %s",
		    what, addr, host);
	return rc ? -1 : 0;
}

static enum cmd_retval
exec_proxy(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "allow-host", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	char *allow[CMD_MAX_ALLOW];
	size_t nallow = 0;
	const char *sock = NULL;
	struct tproxy *p;
	struct sd_err e;
	int ch, lfd = -1;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		if (ch == 'c')
			sock = optarg;
		else if (ch != 'A' || cmd_allow_host(optarg, allow, &nallow, &e) ==
		    -1)
			return cmd_usage_error(self, ch == 'A' ? "%s" : NULL, e.msg);
	}
	struct hostrule rule = { NULL, 0, allow, nallow };
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
		if (allowed(&rule, "listen", eq + 1) == -1 ||
		    allowed(&rule, "upstream", comma + 1) == -1) {
			tproxy_free(p);
			return CMD_USAGE;
		}
		if (tproxy_route(p, argv[i], eq + 1, comma + 1, &e) == -1) {
			cmd_error("proxy: %s", e.msg);
			tproxy_free(p);
			return CMD_USAGE;
		}
	}
	cmd_catch_signals(0);
	if ((sock != NULL && (lfd = control_socket(sock, &e)) == -1) ||
	    tproxy_start(p, &e) == -1) {
		cmd_error("proxy: %s", e.msg);
		tproxy_free(p);
		return CMD_FAILED;
	}
	while (!cmd_interrupted) {
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
	.usage = "[-c SOCKET] [--allow-host HOST]... NAME=LISTEN,UPSTREAM...",
	.summary = "run a TCP fault proxy whose routes faults can slow or cut",
	.help =
	    "  -c, --control SOCKET  a Unix socket for faults to add and remove\n"
	    "                        toxics on the running routes\n"
	    "      --allow-host HOST  allow a non-loopback address (repeatable)\n"
	    "Each route listens on LISTEN (HOST:PORT) and relays to UPSTREAM.\n"
	    "Runs until SIGINT or SIGTERM.\n",
	.exec = exec_proxy,
};
