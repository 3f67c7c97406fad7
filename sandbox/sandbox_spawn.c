/*
 * sandbox_spawn.c — how each part of the sandbox is started (see
 * sandbox.c for the rest, and sandbox_int.h). PostgreSQL refuses to run as
 * root: when we are root, initdb and postgres run as an unprivileged user
 * ($SHAKEDOWN_PG_USER, else "nobody") that owns the cluster directory.
 * Unix sockets are off: loopback TCP only, so nothing outside DIR is
 * touched.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/base/cgroup.h"
#include "sandbox_int.h"
#include "../lib/base/selfexec.h"


/* The newest PostgreSQL server binaries: $SHAKEDOWN_PG_BINDIR, else
 * Debian's /usr/lib/postgresql/N/bin, else PATH. */
static char *
pg_bin(const char *prog)
{
	const char *env = getenv("SHAKEDOWN_PG_BINDIR");
	char *best = NULL;
	glob_t g;

	if (env && *env)
		return xasprintf("%s/%s", env, prog);
	if (glob("/usr/lib/postgresql/*/bin", 0, NULL, &g) == 0) {
		long bestv = -1;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			long v = strtol(g.gl_pathv[i] + 20, NULL, 10);
			if (v > bestv) {
				bestv = v;
				free(best);
				best = xasprintf("%s/%s", g.gl_pathv[i], prog);
			}
		}
		globfree(&g);
	}
	return best ? best : xstrdup(prog);
}

/* When root: the user that runs PostgreSQL. */
int
sbx_pg_user(struct spawn_opts *o, struct sd_err *e)
{
	const char *name = getenv("SHAKEDOWN_PG_USER");
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if (name == NULL || *name == '\0')
		name = "nobody";
	if ((pw = getpwnam(name)) == NULL || pw->pw_uid == 0)
		return err_set(e, "postgres: cannot run as root and no"
		    " unprivileged user '%s' (set SHAKEDOWN_PG_USER)", name);
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	o->set_ids = 1;
	return 0;
}

int
sbx_chown_tree(const char *path, uid_t uid, gid_t gid, struct sd_err *e)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (lchown(path, uid, gid) == -1)
		return err_set(e, "cannot give %s to uid %d: %s", path, (int)uid,
		    strerror(errno));
	if ((d = opendir(path)) == NULL)
		return errno == ENOTDIR ? 0 : err_set(e, "%s: %s", path,
		    strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *sub = xasprintf("%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			rc = sbx_chown_tree(sub, uid, gid, e);
		else if (lchown(sub, uid, gid) == -1)
			rc = err_set(e, "cannot give %s to uid %d: %s", sub, (int)uid,
			    strerror(errno));
		free(sub);
	}
	closedir(d);
	return rc;
}

/* The last lines of a log, to explain a part that did not come up. */
void
sbx_log_tail(const char *path, struct sbuf *sb)
{
	char *s = read_file(path, NULL, NULL), *p;
	int lines = 0;

	if (s == NULL || *s == '\0') {
		free(s);
		return;
	}
	p = s + strlen(s);
	while (p > s && lines <= 10) {
		p--;
		if (*p == '\n' && p[1] != '\0')
			lines++;
	}
	if (*p == '\n')
		p++;
	sb_addf(sb, "\n--- last lines of %s ---\n%s", path, p);
	free(s);
}


/* Can uid/gid search every directory down to path? Checked in a child that
 * takes that identity, since access(2) as root says yes to everything. */
static int
reachable_as(const char *path, uid_t uid, gid_t gid)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) == -1 || setgid(gid) == -1 ||
		    setuid(uid) == -1)
			_exit(1);
		_exit(access(path, X_OK) == 0 ? 0 : 1);
	}
	if (pid == -1 || waitpid(pid, &status, 0) == -1)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * DIR/pgdata — unless we are root and the PostgreSQL user cannot reach DIR
 * (a sandbox under /root, mode 700): then a directory under /var/tmp named
 * after DIR, so every subcommand finds the same cluster again.
 */
char *
sbx_pg_data_dir(const struct sbx_config *c, const struct spawn_opts *o)
{
	return sbx_private_dir(c, o, "pgdata");
}

/* DIR/name, or /var/tmp/shakedown-name-HASH when o's user cannot reach
 * DIR (see sbx_pg_data_dir). */
char *
sbx_private_dir(const struct sbx_config *c, const struct spawn_opts *o,
    const char *name)
{
	unsigned long h = 5381;

	if (!o->set_ids || reachable_as(c->dir, o->uid, o->gid))
		return sbx_path_in(c, name);
	for (const char *p = c->dir; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return xasprintf("/var/tmp/shakedown-%s-%08lx", name, h & 0xffffffffUL);
}

static int
pg_initdb(const struct sbx_config *c, struct spawn_opts *o, const char *data,
    struct sd_err *e)
{
	char *initdb = pg_bin("initdb"), *log = sbx_log_path(c, SBX_POSTGRES);
	char *argv[] = { initdb, "-D", (char *)data, "-U", "shakedown",
	    "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C", NULL };
	int rc = -1;
	pid_t pid;

	if (mkdir_p(data, 0700, e) == -1)
		goto out;
	if (o->set_ids && sbx_chown_tree(data, o->uid, o->gid, e) == -1)
		goto out;
	o->argv = argv;
	o->log_path = log;
	o->new_session = 0;
	if ((pid = proc_spawn(o, NULL, e)) == -1)
		goto out;
	int status;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		struct sbuf sb;
		sb_init(&sb);
		sb_add(&sb, "postgres: initdb failed");
		sbx_log_tail(log, &sb);
		err_set(e, "%s", sb.buf);
		sb_free(&sb);
		goto out;
	}
	rc = 0;
out:
	free(initdb);
	free(log);
	return rc;
}

pid_t
sbx_spawn_postgres(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e)
{
	struct spawn_opts o = { 0 };
	char *data = NULL, *ver = NULL, *pmpid = NULL;
	char *postgres = pg_bin("postgres"), *log = sbx_log_path(c, SBX_POSTGRES);
	char port[16];
	pid_t pid = -1;

	snprintf(port, sizeof port, "%d", c->pg_port);
	char *argv[] = { postgres, "-D", NULL, "-p", port,
	    "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
	    "-c", "fsync=off", "-c", "max_connections=200",
	    "-c", "shared_buffers=16MB", NULL };
	if (sbx_pg_user(&o, e) == -1)
		goto out;
	data = argv[2] = sbx_pg_data_dir(c, &o);
	ver = xasprintf("%s/PG_VERSION", data);
	pmpid = xasprintf("%s/postmaster.pid", data);
	if (access(ver, F_OK) == -1 && pg_initdb(c, &o, data, e) == -1)
		goto out;
	if (o.set_ids && sbx_chown_tree(data, o.uid, o.gid, e) == -1)
		goto out;
	/* a postmaster killed with -9 leaves this; it would refuse to start */
	pid_t old = pidfile_read(pmpid, NULL);
	if (old != 0 && !proc_alive(old))
		unlink(pmpid);
	o.argv = argv;
	o.log_path = log;
	o.new_session = 1;
	o.gate = g;		/* the server only: initdb ran to its end above */
	pid = proc_spawn(&o, NULL, e);
out:
	free(data);
	free(ver);
	free(pmpid);
	free(postgres);
	free(log);
	return pid;
}

pid_t
sbx_spawn_redis(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e)
{
	char port[16], *log = sbx_log_path(c, SBX_REDIS);
	char *argv[] = { "redis-server", "--port", port, "--bind", "127.0.0.1",
	    "--save", "", "--appendonly", "no", "--dir", c->dir,
	    "--daemonize", "no", "--protected-mode", "yes", NULL };
	struct spawn_opts o = { .argv = argv, .log_path = log, .new_session = 1,
	    .gate = g };
	pid_t pid;

	snprintf(port, sizeof port, "%d", c->redis_port);
	pid = proc_spawn(&o, NULL, e);
	free(log);
	return pid;
}

pid_t
sbx_spawn_proxy(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e)
{
	char *log = sbx_log_path(c, SBX_PROXY), *sock = sbx_proxy_sock(c);
	char *pg = xasprintf("postgres=127.0.0.1:%d,127.0.0.1:%d",
	    c->proxy_port, c->pg_port);
	char *rd = xasprintf("redis=127.0.0.1:%d,127.0.0.1:%d",
	    c->proxy_port + 1, c->redis_port);
	char *argv[] = { c->self_exe, SELFEXEC_PROXY, "-c", sock, pg, rd,
	    NULL };
	struct spawn_opts o = { .argv = argv, .log_path = log, .new_session = 1,
	    .gate = g };
	pid_t pid = proc_spawn(&o, NULL, e);

	free(log);
	free(sock);
	free(pg);
	free(rd);
	return pid;
}

char *
sbx_target_cgroup(const struct sbx_config *c)
{
	char root[4096];
	struct sd_err ignore;
	int v2;

	if (c->target_memory <= 0 || cgroup_mount("memory", root, sizeof root, &v2,
	    &ignore) == -1)
		return NULL;
	return xasprintf("%s/shakedown-sandbox-%d", root, c->target_port);
}

/* The target's cgroup with its memory limit, like a container's: NULL
 * when no limit is asked for (or, with e, when it cannot be made). */
static char *
target_cgroup_make(const struct sbx_config *c, struct sd_err *e)
{
	char root[4096], num[32];
	int v2;

	if (c->target_memory <= 0)
		return NULL;
	if (cgroup_mount("memory", root, sizeof root, &v2, e) == -1) {
		err_prefix(e, "--target-memory (none: run it without a limit)");
		return NULL;
	}
	char *dir = sbx_target_cgroup(c);
	snprintf(num, sizeof num, "%lld", (long long)c->target_memory);
	char *file = xasprintf("%s/%s", dir, v2 ? "memory.max" :
	    "memory.limit_in_bytes");
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		err_set(e, "mkdir %s: %s", dir, strerror(errno));
	else if (cgroup_write(file, num, e) == 0)
		errno = 0;
	if (errno != 0) {
		rmdir(dir);
		free(file);
		free(dir);
		return NULL;
	}
	free(file);
	return dir;
}

pid_t
sbx_spawn_target(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e)
{
	char port[16], *log = sbx_log_path(c, SBX_TARGET);
	/* through the proxy, so network faults reach the target's traffic */
	char *db = sbx_db_url_at(c->proxy_port);
	char *rd = xasprintf("redis://127.0.0.1:%d", c->proxy_port + 1);
	char *argv[64];
	size_t n = 0;
	pid_t pid;

	snprintf(port, sizeof port, "%d", c->target_port);
	argv[n++] = c->self_exe;
	argv[n++] = SELFEXEC_TARGET;
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "--redis";
	argv[n++] = rd;
	if (c->production)
		argv[n++] = "--production";
	if (c->ai_latency) {
		argv[n++] = "--ai-latency";
		argv[n++] = c->ai_latency;
	}
	for (size_t i = 0; i < c->nbugs && n < 60; i++) {
		argv[n++] = "--bug";
		argv[n++] = c->bugs[i];
	}
	argv[n] = NULL;
	struct spawn_opts o = { .argv = argv, .log_path = log, .new_session = 1,
	    .gate = g };
	char *cg = target_cgroup_make(c, e), *procs = NULL;
	if (cg != NULL) {
		procs = xasprintf("%s/cgroup.procs", cg);
		o.cgroup_procs = procs;
	}
	pid = c->target_memory > 0 && cg == NULL ? -1 : proc_spawn(&o, NULL, e);
	free(procs);
	free(cg);
	free(log);
	free(db);
	free(rd);
	return pid;
}
