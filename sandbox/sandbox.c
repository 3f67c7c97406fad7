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
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../lib/base/cgroup.h"
#include "../lib/base/ping.h"
#include "../lib/base/proc.h"
#include "../lib/io/tproxy.h"
#include "sandbox_int.h"

#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 15000
#define PORT_LINGER_MS 5000


/* The pid of a part if it is alive and still the program we started. */
static pid_t
part_pid(const struct sbx_config *c, enum sbx_part p, int *stale)
{
	char *path = sbx_pid_path(c, p), comm[64];
	pid_t pid = pidfile_read(path, NULL);

	free(path);
	*stale = 0;
	if (pid == 0)
		return 0;
	if (!proc_alive(pid) || proc_comm(pid, comm, sizeof comm) == -1 ||
	    strcmp(comm, sbx_part_comm[p]) != 0) {
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

static int
http_health(const struct sbx_config *c, char *err, size_t len)
{
	char *url = xasprintf("http://127.0.0.1:%d/health", c->target_port);
	struct sd_err e;
	int rc = ping_http(url, 3000, &e);

	free(url);
	if (rc == -1)
		snprintf(err, len, "%s", e.msg);
	return rc;
}

/* Prometheus and Alertmanager say they are ready. */
static int
mon_ready(const struct sbx_config *c, enum sbx_part p, char *err, size_t len)
{
	char *url = xasprintf("http://127.0.0.1:%d/-/ready", sbx_part_port(c, p));
	struct sd_err e;
	int rc = ping_http(url, 2000, &e);

	free(url);
	if (rc == -1)
		snprintf(err, len, "%s", e.msg);
	return rc;
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
	case SBX_ALERTMANAGER:
	case SBX_PROMETHEUS:
		return mon_ready(c, p, err, len);
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

/* The part's server, started with its pidfile naming it: held before its
 * exec until the pidfile is written, so a start cut short (its caller
 * killed: a drill's start command dies with its runner) leaves either no
 * server or one its pidfile names, never an orphan on the port that the
 * next start would call another's. */
static pid_t
spawn_recorded(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	struct spawn_gate gate;
	char *pidp;
	pid_t pid;

	pid = p == SBX_POSTGRES ? sbx_spawn_postgres(c, &gate, e) : p ==
	    SBX_REDIS ? sbx_spawn_redis(c, &gate, e) : p == SBX_PROXY ?
	    sbx_spawn_proxy(c, &gate, e) : p == SBX_TARGET ?
	    sbx_spawn_target(c, &gate, e) : p == SBX_ALERTMANAGER ?
	    sbx_spawn_alertmanager(c, &gate, e) : sbx_spawn_prometheus(c, &gate,
	    e);
	if (pid == -1)
		return err_prefix(e, "%s", sbx_part_names[p]);
	pidp = sbx_pid_path(c, p);
	if (pidfile_write(pidp, pid, e) == -1) {
		free(pidp);
		proc_gate_abort(pid, &gate);
		return -1;
	}
	if (proc_gate_open(pid, &gate, e) == -1) {
		unlink(pidp);
		free(pidp);
		return err_prefix(e, "%s", sbx_part_names[p]);
	}
	free(pidp);
	return pid;
}

static int
start_locked(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	char *log, why[256] = "";
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
				    " answering: %s", sbx_part_names[p], (int)pid, why);
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
		    sbx_part_names[p], busy, p == SBX_POSTGRES ? "pg" : sbx_part_names[p]);
	if (!sbx_part_on(c, p))
		return err_set(e, "%s: not in this sandbox (sandbox up"
		    " --monitoring)", sbx_part_names[p]);
	if ((pid = spawn_recorded(c, p, e)) == -1)
		return -1;
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
	sb_addf(&sb, "%s: %s (port %d): %s", sbx_part_names[p], died ?
	    "exited during start" : "did not answer in time",
	    sbx_part_port(c, p), why);
	log = sbx_log_path(c, p);
	sbx_log_tail(log, &sb);
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
		if (cg != NULL && cgroup_empty_rmdir(cg, 3000, e) == -1) {
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

static int
stop_locked(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	char *pidp = sbx_pid_path(c, p);
	int stale;
	pid_t pid = part_pid(c, p, &stale);
	/* SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for clients */
	int sig = p == SBX_POSTGRES ? SIGINT : SIGTERM;

	if (pid != 0 && proc_terminate(pid, sig, STOP_TIMEOUT_MS) == -1) {
		free(pidp);
		return err_set(e, "%s: pid %d would not stop", sbx_part_names[p],
		    (int)pid);
	}
	if (p == SBX_POSTGRES) {
		/* a crashed postmaster's backends go by themselves, but the
		 * one in postmaster.pid may be one we did not start */
		struct spawn_opts o = { 0 };
		sbx_pg_user(&o, NULL);
		char *data = sbx_pg_data_dir(c, &o);
		char *pm = xasprintf("%s/postmaster.pid", data);
		char comm[64];
		free(data);
		pid_t pmpid = pidfile_read(pm, NULL);
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
static int
kill_locked(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	char *pidp = sbx_pid_path(c, p);
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
				    sbx_part_names[p], (int)k);
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
	if (o->monitoring != 0)
		c->monitoring = o->monitoring > 0;
	if (o->prom_port)
		c->prom_port = o->prom_port;
	if (o->am_port)
		c->am_port = o->am_port;
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
		if (!sbx_part_on(c, (enum sbx_part)p)) {
			/* --no-monitoring: what an earlier up started goes */
			if (st.running && sbx_stop(c, (enum sbx_part)p, e) == -1)
				return -1;
			continue;
		}
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

/*
 * One start, stop or kill of a part at a time, across processes: a drill's
 * start step and a guardian reverting for the same dead runner may both
 * run `sandbox start target`; unserialised, the second could spawn a
 * target that loses the port to the first and leave the pidfile naming
 * it, so every later start would see the port taken "by another". With
 * the lock the second finds the first's target running and is done.
 */
static int
part_lock(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	char *name = xasprintf(".%s.lock", sbx_part_names[p]);
	char *path = sbx_path_in(c, name);
	int fd;

	free(name);
	if (mkdir_p(c->dir, 0755, e) == -1) {
		free(path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	free(path);
	if (fd == -1)
		return err_set(e, "%s: lock: %s", sbx_part_names[p],
		    strerror(errno));
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			close(fd);
			return err_set(e, "%s: lock: %s", sbx_part_names[p],
			    strerror(errno));
		}
	return fd;
}

static void
part_unlock(int fd)
{
	flock(fd, LOCK_UN);
	close(fd);
}

int
sbx_start(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	int fd = part_lock(c, p, e), rc;

	if (fd == -1)
		return -1;
	rc = start_locked(c, p, e);
	part_unlock(fd);
	return rc;
}

int
sbx_stop(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	int fd = part_lock(c, p, e), rc;

	if (fd == -1)
		return -1;
	rc = stop_locked(c, p, e);
	part_unlock(fd);
	return rc;
}

int
sbx_kill(const struct sbx_config *c, enum sbx_part p, struct sd_err *e)
{
	int fd = part_lock(c, p, e), rc;

	if (fd == -1)
		return -1;
	rc = kill_locked(c, p, e);
	part_unlock(fd);
	return rc;
}
