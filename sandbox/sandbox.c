/*
 * sandbox.c — see sandbox.h. Parts are started with argv arrays in their own
 * session (they outlive `sandbox up`), with their output in DIR/NAME.log and
 * their pid in DIR/NAME.pid. A pid is trusted only while /proc says it is
 * still the program we started, so a recycled pid is never signalled.
 *
 * PostgreSQL refuses to run as root: when we are root, initdb and postgres
 * run as an unprivileged user ($SHAKEDOWN_PG_USER, else "nobody") that owns
 * the cluster directory. Unix sockets are off: loopback TCP only, so nothing
 * outside DIR is touched.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

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

#include <curl/curl.h>
#include <jansson.h>

#include "../lib/cgroup.h"
#include "../lib/ping.h"
#include "../lib/proc.h"
#include "../lib/tproxy.h"
#include "sandbox.h"

#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 15000
#define PORT_LINGER_MS 5000
#define DEFAULT_TARGET_MEMORY (1024LL * 1024 * 1024)

static const char *part_names[SBX_NPARTS] = { "postgres", "redis", "proxy",
    "target" };
/* what /proc/PID/comm says for each part */
static const char *part_comm[SBX_NPARTS] = { "postgres", "redis-server",
    "shakedown", "shakedown" };

const char *
sbx_part_name(enum sbx_part p)
{
	return part_names[p];
}

int
sbx_part_parse(const char *name, enum sbx_part *p)
{
	for (int i = 0; i < SBX_NPARTS; i++) {
		if (strcmp(name, part_names[i]) == 0) {
			*p = (enum sbx_part)i;
			return 0;
		}
	}
	return -1;
}

int
sbx_part_port(const struct sbx_config *c, enum sbx_part p)
{
	return p == SBX_POSTGRES ? c->pg_port : p == SBX_REDIS ?
	    c->redis_port : p == SBX_PROXY ? c->proxy_port : c->target_port;
}

char *
sbx_dir(const char *opt)
{
	const char *env = getenv("SHAKEDOWN_SANDBOX");
	const char *d = opt ? opt : (env && *env ? env : ".shakedown/sandbox");
	char cwd[4096];

	if (d[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(d);
	return xasprintf("%s/%s", cwd, d);
}

static char *
path_in(const struct sbx_config *c, const char *name)
{
	return xasprintf("%s/%s", c->dir, name);
}

char *
sbx_log_path(const struct sbx_config *c, enum sbx_part p)
{
	char *name = xasprintf("%s.log", part_names[p]), *s = path_in(c, name);

	free(name);
	return s;
}

static char *
pid_path(const struct sbx_config *c, enum sbx_part p)
{
	char *name = xasprintf("%s.pid", part_names[p]), *s = path_in(c, name);

	free(name);
	return s;
}

static char *
db_url_at(int port)
{
	return xasprintf("postgresql://shakedown@127.0.0.1:%d/postgres"
	    "?connect_timeout=2", port);
}

char *
sbx_db_url(const struct sbx_config *c)
{
	return db_url_at(c->pg_port);
}

char *
sbx_redis_url(const struct sbx_config *c)
{
	return xasprintf("redis://127.0.0.1:%d", c->redis_port);
}

char *
sbx_proxy_sock(const struct sbx_config *c)
{
	return path_in(c, "proxy.sock");
}

char *
sbx_target_url(const struct sbx_config *c)
{
	return xasprintf("http://127.0.0.1:%d", c->target_port);
}

int
sbx_config_load(struct sbx_config *c, const char *dir, struct sd_err *e)
{
	json_t *j, *v;
	char *path;

	memset(c, 0, sizeof *c);
	c->dir = xstrdup(dir);
	c->pg_port = 54329;
	c->redis_port = 63799;
	c->target_port = 38080;
	c->proxy_port = 38084;
	c->target_memory = DEFAULT_TARGET_MEMORY;
	path = path_in(c, "sandbox.json");
	if (access(path, F_OK) == -1) {
		free(path);
		return 0;
	}
	json_error_t je;
	j = json_load_file(path, 0, &je);
	if (j == NULL) {
		err_set(e, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		free(path);
		return -1;
	}
	free(path);
	if ((v = json_object_get(j, "pg_port")) && json_is_integer(v))
		c->pg_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "redis_port")) && json_is_integer(v))
		c->redis_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "target_port")) && json_is_integer(v))
		c->target_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "proxy_port")) && json_is_integer(v))
		c->proxy_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "target_memory")) && json_is_integer(v) &&
	    json_integer_value(v) >= 0)
		c->target_memory = json_integer_value(v);
	if ((v = json_object_get(j, "production")))
		c->production = json_is_true(v);
	if ((v = json_object_get(j, "ai_latency")) && json_is_string(v))
		c->ai_latency = xstrdup(json_string_value(v));
	if ((v = json_object_get(j, "bugs")) && json_is_array(v)) {
		size_t i;
		json_t *b;
		c->bugs = xcalloc(json_array_size(v) + 1, sizeof *c->bugs);
		json_array_foreach(v, i, b)
			if (json_is_string(b))
				c->bugs[c->nbugs++] = xstrdup(json_string_value(b));
	}
	json_decref(j);
	return 0;
}

int
sbx_config_save(const struct sbx_config *c, struct sd_err *e)
{
	json_t *j = json_pack("{s:i,s:i,s:i,s:i,s:b,s:I}", "pg_port",
	    c->pg_port, "redis_port", c->redis_port, "target_port",
	    c->target_port, "proxy_port", c->proxy_port, "production",
	    c->production, "target_memory", (json_int_t)c->target_memory);
	json_t *bugs = json_array();
	char *text, *path;
	int rc;

	for (size_t i = 0; i < c->nbugs; i++)
		json_array_append_new(bugs, json_string(c->bugs[i]));
	json_object_set_new(j, "bugs", bugs);
	if (c->ai_latency)
		json_object_set_new(j, "ai_latency", json_string(c->ai_latency));
	text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	path = path_in(c, "sandbox.json");
	rc = write_file_atomic(path, text, strlen(text), e);
	free(path);
	free(text);
	return rc;
}

void
sbx_config_free(struct sbx_config *c)
{
	free(c->dir);
	for (size_t i = 0; i < c->nbugs; i++)
		free(c->bugs[i]);
	free(c->bugs);
	free(c->ai_latency);
	free(c->self_exe);
	memset(c, 0, sizeof *c);
}

/* The pid of a part if it is alive and still the program we started. */
static pid_t
part_pid(const struct sbx_config *c, enum sbx_part p, int *stale)
{
	char *path = pid_path(c, p), comm[64];
	pid_t pid = pidfile_read(path);

	free(path);
	*stale = 0;
	if (pid == 0)
		return 0;
	if (!proc_alive(pid) || proc_comm(pid, comm, sizeof comm) == -1 ||
	    strcmp(comm, part_comm[p]) != 0) {
		*stale = 1;
		return 0;
	}
	return pid;
}

static int
redis_ping(const struct sbx_config *c, char *err, size_t len)
{
	char *url = sbx_redis_url(c);
	struct sd_err e;
	int rc = ping_redis(url, 1000, &e);

	free(url);
	if (rc == -1)
		snprintf(err, len, "%s", e.msg);
	return rc;
}

static int
pg_select1(const struct sbx_config *c, char *err, size_t len)
{
	char *url = sbx_db_url(c);
	struct sd_err e;
	int rc = ping_pg(url, 2000, &e);

	free(url);
	if (rc == -1)
		snprintf(err, len, "%s", e.msg);
	return rc;
}

static size_t
discard(char *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

static int
http_health(const struct sbx_config *c, char *err, size_t len)
{
	char *url = xasprintf("http://127.0.0.1:%d/health", c->target_port);
	CURL *h = curl_easy_init();
	long code = 0;
	CURLcode rc;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	free(url);
	if (rc != CURLE_OK || code != 200) {
		snprintf(err, len, "GET /health: %s", rc != CURLE_OK ?
		    curl_easy_strerror(rc) : "status not 200");
		return -1;
	}
	return 0;
}

/* The proxy answers on its control socket. */
static int
proxy_list(const struct sbx_config *c, char *err, size_t len)
{
	char *sock = sbx_proxy_sock(c);
	struct sd_err e;
	json_t *a = tproxy_call(sock, json_pack("{s:s}", "op", "list"), 1000, &e);

	free(sock);
	if (a == NULL) {
		snprintf(err, len, "%s", e.msg);
		return -1;
	}
	json_decref(a);
	return 0;
}

static int
part_answers(const struct sbx_config *c, enum sbx_part p, char *err,
    size_t len)
{
	switch (p) {
	case SBX_POSTGRES:
		return pg_select1(c, err, len);
	case SBX_REDIS:
		return redis_ping(c, err, len);
	case SBX_PROXY:
		return proxy_list(c, err, len);
	default:
		return http_health(c, err, len);
	}
}

void
sbx_state(const struct sbx_config *c, enum sbx_part p, struct sbx_state *st)
{
	memset(st, 0, sizeof *st);
	st->pid = part_pid(c, p, &st->stale);
	st->running = st->pid != 0;
	if (st->running)
		st->answering = part_answers(c, p, st->detail,
		    sizeof st->detail) == 0;
}

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
static int
pg_user(struct spawn_opts *o, struct sd_err *e)
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

static void
chown_tree(const char *path, uid_t uid, gid_t gid)
{
	struct dirent *de;
	DIR *d;

	if (lchown(path, uid, gid) == -1 || (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *sub = xasprintf("%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			chown_tree(sub, uid, gid);
		else
			lchown(sub, uid, gid);
		free(sub);
	}
	closedir(d);
}

/* The last lines of a log, to explain a part that did not come up. */
static void
log_tail(const char *path, struct sbuf *sb)
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
static char *
pg_data_dir(const struct sbx_config *c, const struct spawn_opts *o)
{
	unsigned long h = 5381;

	if (!o->set_ids || reachable_as(c->dir, o->uid, o->gid))
		return path_in(c, "pgdata");
	for (const char *p = c->dir; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return xasprintf("/var/tmp/shakedown-pgdata-%08lx", h & 0xffffffffUL);
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
	if (o->set_ids)
		chown_tree(data, o->uid, o->gid);
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
		log_tail(log, &sb);
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

static pid_t
spawn_postgres(const struct sbx_config *c, struct sd_err *e)
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
	if (pg_user(&o, e) == -1)
		goto out;
	data = argv[2] = pg_data_dir(c, &o);
	ver = xasprintf("%s/PG_VERSION", data);
	pmpid = xasprintf("%s/postmaster.pid", data);
	if (access(ver, F_OK) == -1 && pg_initdb(c, &o, data, e) == -1)
		goto out;
	if (o.set_ids)
		chown_tree(data, o.uid, o.gid);
	/* a postmaster killed with -9 leaves this; it would refuse to start */
	pid_t old = pidfile_read(pmpid);
	if (old != 0 && !proc_alive(old))
		unlink(pmpid);
	o.argv = argv;
	o.log_path = log;
	o.new_session = 1;
	pid = proc_spawn(&o, NULL, e);
out:
	free(data);
	free(ver);
	free(pmpid);
	free(postgres);
	free(log);
	return pid;
}

static pid_t
spawn_redis(const struct sbx_config *c, struct sd_err *e)
{
	char port[16], *log = sbx_log_path(c, SBX_REDIS);
	char *argv[] = { "redis-server", "--port", port, "--bind", "127.0.0.1",
	    "--save", "", "--appendonly", "no", "--dir", c->dir,
	    "--daemonize", "no", "--protected-mode", "yes", NULL };
	struct spawn_opts o = { .argv = argv, .log_path = log, .new_session = 1 };
	pid_t pid;

	snprintf(port, sizeof port, "%d", c->redis_port);
	pid = proc_spawn(&o, NULL, e);
	free(log);
	return pid;
}

static pid_t
spawn_proxy(const struct sbx_config *c, struct sd_err *e)
{
	char *log = sbx_log_path(c, SBX_PROXY), *sock = sbx_proxy_sock(c);
	char *pg = xasprintf("postgres=127.0.0.1:%d,127.0.0.1:%d",
	    c->proxy_port, c->pg_port);
	char *rd = xasprintf("redis=127.0.0.1:%d,127.0.0.1:%d",
	    c->proxy_port + 1, c->redis_port);
	char *argv[] = { c->self_exe, "proxy", "-c", sock, pg, rd, NULL };
	struct spawn_opts o = { .argv = argv, .log_path = log, .new_session = 1 };
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

	if (c->target_memory <= 0 || cg_mount("memory", root, sizeof root, &v2,
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
	if (cg_mount("memory", root, sizeof root, &v2, e) == -1) {
		err_prefix(e, "--target-memory (none: run it without a limit)");
		return NULL;
	}
	char *dir = sbx_target_cgroup(c);
	snprintf(num, sizeof num, "%lld", (long long)c->target_memory);
	char *file = xasprintf("%s/%s", dir, v2 ? "memory.max" :
	    "memory.limit_in_bytes");
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		err_set(e, "mkdir %s: %s", dir, strerror(errno));
	else if (cg_write(file, num, e) == 0)
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

static pid_t
spawn_target(const struct sbx_config *c, struct sd_err *e)
{
	char port[16], *log = sbx_log_path(c, SBX_TARGET);
	/* through the proxy, so network faults reach the target's traffic */
	char *db = db_url_at(c->proxy_port);
	char *rd = xasprintf("redis://127.0.0.1:%d", c->proxy_port + 1);
	char *argv[64];
	size_t n = 0;
	pid_t pid;

	snprintf(port, sizeof port, "%d", c->target_port);
	argv[n++] = c->self_exe;
	argv[n++] = "target";
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
	struct spawn_opts o = { .argv = argv, .log_path = log, .new_session = 1 };
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

/* Is something already listening on 127.0.0.1:port? A bind with
 * SO_REUSEADDR fails only when there is a listener (not for TIME_WAIT). */
static int
port_busy(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, busy;

	if (fd == -1)
		return 0;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	busy = bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 &&
	    errno == EADDRINUSE;
	close(fd);
	return busy;
}

/* The first of a part's ports that is busy, or 0. */
static int
ports_busy(const struct sbx_config *c, enum sbx_part p)
{
	int port = sbx_part_port(c, p);

	if (port_busy(port))
		return port;
	if (p == SBX_PROXY && port_busy(port + 1))
		return port + 1;
	return 0;
}

int
sbx_start(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	char *pidp, *log, why[256] = "";
	int stale, died = 0, busy;
	int64_t end;
	pid_t pid;

	if ((pid = part_pid(c, p, &stale)) != 0) {
		/* running: harmless, but it must answer — unless it is on its
		 * way out (a stop under way when its caller was killed): then
		 * it is started anew once it is gone */
		end = mono_ms() + START_TIMEOUT_MS;
		while (part_answers(c, p, why, sizeof why) == -1) {
			if (!proc_alive(pid))
				break;
			if (mono_ms() > end)
				return err_set(e, "%s: running (pid %d) but not"
				    " answering: %s", part_names[p], (int)pid, why);
			sleep_ms(100);
		}
		if (proc_alive(pid))
			return 0;
		proc_wait_gone(pid, STOP_TIMEOUT_MS);
	}
	if (mkdir_p(c->dir, 0755, e) == -1)
		return -1;
	/* A multi-threaded server that ended (killed, or stopped a moment
	 * ago) shows as gone as soon as its main thread is, but holds its
	 * sockets until the last thread has exited: give it a moment to let
	 * go before calling the port another's. */
	end = mono_ms() + PORT_LINGER_MS;
	while ((busy = ports_busy(c, p)) != 0 && mono_ms() < end)
		sleep_ms(50);
	/* otherwise another server's answer would pass for ours */
	if ((busy = ports_busy(c, p)) != 0)
		return err_set(e, "%s: port %d on 127.0.0.1 is already in use by"
		    " another process (choose another with --%s-port)",
		    part_names[p], busy, p == SBX_POSTGRES ? "pg" : part_names[p]);
	pid = p == SBX_POSTGRES ? spawn_postgres(c, e) : p == SBX_REDIS ?
	    spawn_redis(c, e) : p == SBX_PROXY ? spawn_proxy(c, e) :
	    spawn_target(c, e);
	if (pid == -1)
		return err_prefix(e, "%s", part_names[p]);
	pidp = pid_path(c, p);
	if (pidfile_write(pidp, pid, e) == -1) {
		free(pidp);
		proc_terminate(pid, SIGKILL, 1000);
		return -1;
	}
	free(pidp);
	end = mono_ms() + START_TIMEOUT_MS;
	for (;;) {
		if (part_answers(c, p, why, sizeof why) == 0 && proc_alive(pid))
			return 0;
		if (!proc_alive(pid)) {
			died = 1;
			break;
		}
		if (mono_ms() > end)
			break;
		sleep_ms(50);
	}
	struct sbuf sb;
	sb_init(&sb);
	sb_addf(&sb, "%s: %s (port %d): %s", part_names[p], died ?
	    "exited during start" : "did not answer in time",
	    sbx_part_port(c, p), why);
	log = sbx_log_path(c, p);
	log_tail(log, &sb);
	free(log);
	err_set(e, "%s", sb.buf);
	sb_free(&sb);
	proc_terminate(pid, SIGTERM, 3000);
	return -1;
}

/* After a part is gone: its cgroup (a later start makes it anew) and its
 * pidfile go too; frees pidp. */
static int
stopped(const struct sbx_config *c, enum sbx_part p, char *pidp,
    struct sd_err *e)
{
	if (p == SBX_TARGET) {
		char *cg = sbx_target_cgroup(c);
		if (cg != NULL && cg_empty_rmdir(cg, 3000, e) == -1) {
			free(cg);
			free(pidp);
			return -1;
		}
		free(cg);
	}
	unlink(pidp);
	free(pidp);
	return 0;
}

int
sbx_stop(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	char *pidp = pid_path(c, p);
	int stale;
	pid_t pid = part_pid(c, p, &stale);
	/* SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for clients */
	int sig = p == SBX_POSTGRES ? SIGINT : SIGTERM;

	if (pid != 0 && proc_terminate(pid, sig, STOP_TIMEOUT_MS) == -1) {
		free(pidp);
		return err_set(e, "%s: pid %d would not stop", part_names[p],
		    (int)pid);
	}
	if (p == SBX_POSTGRES) {
		/* a crashed postmaster's backends go by themselves, but the
		 * one in postmaster.pid may be one we did not start */
		struct spawn_opts o = { 0 };
		pg_user(&o, NULL);
		char *data = pg_data_dir(c, &o);
		char *pm = xasprintf("%s/postmaster.pid", data);
		char comm[64];
		free(data);
		pid_t pmpid = pidfile_read(pm);
		if (pmpid != 0 && pmpid != pid && proc_alive(pmpid) &&
		    proc_comm(pmpid, comm, sizeof comm) == 0 &&
		    strcmp(comm, "postgres") == 0)
			proc_terminate(pmpid, SIGINT, STOP_TIMEOUT_MS);
		free(pm);
	}
	return stopped(c, p, pidp, e);
}

/*
 * Kill a part with SIGKILL as a crash or a deleted pod would: the process
 * and its children (PostgreSQL's backends, which are session leaders of
 * their own), stopped first so nothing new is forked. No shutdown runs;
 * PostgreSQL comes back by crash recovery with what it had committed.
 */
int
sbx_kill(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	char *pidp = pid_path(c, p);
	int stale;
	pid_t pid = part_pid(c, p, &stale), kids[256];
	size_t nkids = 0;
	int64_t end = mono_ms() + STOP_TIMEOUT_MS;
	struct dirent *de;
	DIR *d;

	if (pid != 0) {
		kill(pid, SIGSTOP);
		if ((d = opendir("/proc")) != NULL) {
			while ((de = readdir(d)) != NULL && nkids < 256) {
				pid_t k = (pid_t)atoi(de->d_name);
				if (k > 0 && proc_ppid(k) == pid)
					kids[nkids++] = k;
			}
			closedir(d);
		}
		kill(pid, SIGKILL);
		for (size_t i = 0; i < nkids; i++)
			kill(kids[i], SIGKILL);
		for (size_t i = 0; i <= nkids; i++) {
			pid_t k = i < nkids ? kids[i] : pid;
			while (proc_alive(k) && mono_ms() < end)
				sleep_ms(5);
			if (proc_alive(k)) {
				free(pidp);
				return err_set(e, "%s: pid %d survived SIGKILL",
				    part_names[p], (int)k);
			}
		}
	}
	return stopped(c, p, pidp, e);
}

/* Do o's switches differ from those c has saved? */
static int
target_changed(const struct sbx_config *c, const struct sbx_up_opts *o)
{
	if ((o->production && !c->production) || (o->no_bugs && c->nbugs > 0) ||
	    (o->ai_latency && (!c->ai_latency ||
	    strcmp(o->ai_latency, c->ai_latency) != 0)) ||
	    (o->nbugs > 0 && o->nbugs != c->nbugs) || (o->target_memory != 0 &&
	    o->target_memory != (c->target_memory ? c->target_memory : -1)))
		return 1;
	for (size_t i = 0; i < o->nbugs && o->nbugs == c->nbugs; i++)
		if (strcmp(o->bugs[i], c->bugs[i]) != 0)
			return 1;
	return 0;
}

static void
apply_opts(struct sbx_config *c, const struct sbx_up_opts *o)
{
	if (o->pg_port)
		c->pg_port = o->pg_port;
	if (o->redis_port)
		c->redis_port = o->redis_port;
	if (o->target_port)
		c->target_port = o->target_port;
	if (o->proxy_port)
		c->proxy_port = o->proxy_port;
	if (o->production)
		c->production = 1;
	if (o->target_memory != 0)
		c->target_memory = o->target_memory < 0 ? 0 : o->target_memory;
	if (o->ai_latency) {
		free(c->ai_latency);
		c->ai_latency = xstrdup(o->ai_latency);
	}
	if (o->nbugs > 0 || o->no_bugs) {
		for (size_t i = 0; i < c->nbugs; i++)
			free(c->bugs[i]);
		free(c->bugs);
		c->bugs = xcalloc(o->nbugs + 1, sizeof *c->bugs);
		for (size_t i = 0; i < o->nbugs; i++)
			c->bugs[i] = xstrdup(o->bugs[i]);
		c->nbugs = o->nbugs;
	}
}

int
sbx_up(struct sbx_config *c, const struct sbx_up_opts *o,
    void (*say)(void *arg, enum sbx_part p, int started), void *arg,
    struct sd_err *e)
{
	int started[SBX_NPARTS] = { 0 }, changed = target_changed(c, o);
	struct sbx_state st;
	struct sd_err ignore;

	/* options given now replace what an earlier `up` saved */
	apply_opts(c, o);
	if (mkdir_p(c->dir, 0755, e) == -1 || sbx_config_save(c, e) == -1)
		return -1;
	/* a running target with other switches is restarted with these */
	if (changed && sbx_stop(c, SBX_TARGET, e) == -1)
		return -1;
	for (int p = 0; p < SBX_NPARTS; p++) {
		sbx_state(c, (enum sbx_part)p, &st);
		started[p] = !st.running;
		if (sbx_start(c, (enum sbx_part)p, e) == -1) {
			/* leave nothing half-up that this call started */
			for (int q = p - 1; q >= 0; q--)
				if (started[q])
					sbx_stop(c, (enum sbx_part)q, &ignore);
			return -1;
		}
		if (say != NULL)
			say(arg, (enum sbx_part)p, started[p]);
	}
	return 0;
}
