/*
 * svc.c — see svc.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/hosts.h"
#include "../base/proc.h"
#include "../base/redact.h"
#include "../base/redisurl.h"
#include "../io/pgrole.h"
#include "svc.h"

#define DEFAULT_CMD_TIMEOUT_MS 30000
#define DEFAULT_READY_TIMEOUT_MS 30000
#define MAX_TIMEOUT_MS (30 * 60 * 1000)

static const char *const cmd_names[SVC_NCMDS] = { "stop", "start", "kill",
    "restart" };

const char *
svc_cmd_name(enum svc_cmd c)
{
	return cmd_names[c];
}

const char *
svc_kind_name(enum svc_kind k)
{
	return k == SVC_REDIS ? "redis" : k == SVC_POSTGRES ? "postgres" :
	    "process";
}

int
svc_kind_parse(const char *name, enum svc_kind *k)
{
	static const enum svc_kind all[] = { SVC_PROCESS, SVC_REDIS,
	    SVC_POSTGRES };

	for (size_t i = 0; i < 3; i++) {
		if (strcmp(svc_kind_name(all[i]), name) == 0) {
			*k = all[i];
			return 0;
		}
	}
	return -1;
}

int
svc_has_pid(const struct svc *sv)
{
	return sv->pid != 0 || sv->pidfile != NULL;
}

/* A command: a list of words, or one string split with shell-like quoting
 * (never run by a shell). */
static int
parse_cmd(const struct yctx *y, const struct ynode *n, char ***out)
{
	struct sd_err e;

	if (n->type == Y_SCALAR) {
		if ((*out = argv_split(n->value, &e)) == NULL)
			return yerr(y, n, "%s", e.msg);
		return 0;
	}
	if (n->type != Y_SEQ)
		return yerr(y, n, "a command must be a list of words or a string,"
		    " not a mapping");
	if (n->n == 0)
		return yerr(y, n, "empty command");
	*out = xcalloc(n->n + 1, sizeof **out);
	for (size_t i = 0; i < n->n; i++) {
		if (n->items[i]->type != Y_SCALAR)
			return yerr(y, n->items[i], "a command word must be a"
			    " scalar");
		(*out)[i] = xstrdup(n->items[i]->value);
	}
	return 0;
}

/* The URL or DSN: parsed by the parser that will use it, ports checked,
 * its password remembered so that no output shows it. */
static int
check_url(const struct yctx *y, const struct ynode *n, struct svc *sv)
{
	struct sd_err e;
	struct rurl u;

	redact_learn(sv->url);
	if (sv->kind == SVC_REDIS) {
		if (redisurl_parse(sv->url, &u, &e) == -1)
			return yerr(y, n, "%s", e.msg);
		redisurl_free(&u);
	} else if (sv->kind == SVC_POSTGRES) {
		if (hosts_dsn_valid(sv->url, &e) == -1)
			return yerr(y, n, "bad postgres url or DSN: %s", e.msg);
	}
	return 0;
}

static int
parse_pid(const struct yctx *y, const struct ynode *n, struct svc *sv)
{
	struct sd_err e;
	char from[96];

	if (ywant(y, n, Y_SCALAR, "pid") == -1)
		return -1;
	if (pid_parse(n->value, &sv->pid, &e) == -1)
		return yerr(y, n, "pid: %s%s", e.msg, yfrom(n, from, sizeof from));
	return 0;
}

const char *const svc_keys[] = { "kind", "url", "dsn", "pid", "pidfile",
    "stop", "start", "kill", "restart", "timeout", "ready_timeout", "route",
    "exe", "comm", "manager", NULL };

/* The fields that depend on each other: route, url, manager. */
static int
svc_fields(const struct yctx *y, const struct ynode *key,
    const struct ynode *n, const struct ynode *url, struct svc *sv)
{
	if (sv->route != NULL && (strchr(sv->route, '#') == NULL ||
	    sv->route[0] == '#' || strchr(sv->route, '#')[1] == '\0'))
		return yerr(y, ynode_get(n, "route"), "route: SOCKET#NAME (a proxy's"
		    " control socket and the route's name), not '%s'", sv->route);
	if (sv->kind != SVC_PROCESS && (sv->url == NULL || *sv->url == '\0'))
		return yerr(y, key, "service '%s' of kind %s needs a url",
		    sv->name, svc_kind_name(sv->kind));
	if (sv->url != NULL && check_url(y, url, sv) == -1)
		return -1;
	if (sv->manager != NULL && *sv->manager == '\0') {
		free(sv->manager);	/* set empty by its variable: none */
		sv->manager = NULL;
	}
	if (sv->manager != NULL && sv->kind != SVC_POSTGRES)
		return yerr(y, ynode_get(n, "manager"), "manager: goes with a"
		    " postgres service (what runs its postmaster, e.g. patroni)");
	sv->cluster = sv->kind == SVC_POSTGRES && pgrole_is_cluster(sv->url);
	return 0;
}

int
svc_parse(const struct yctx *y, const struct ynode *key, const struct ynode *n,
    struct svc *sv)
{
	const struct ynode *k, *url;
	char from[96];

	sv->name = xstrdup(key->value);
	sv->line = key->line;
	sv->col = key->col;
	sv->kind = SVC_PROCESS;
	sv->timeout_ms = DEFAULT_CMD_TIMEOUT_MS;
	sv->ready_timeout_ms = DEFAULT_READY_TIMEOUT_MS;
	if (yname(y, key, "service", 1) == -1 ||
	    ywant(y, n, Y_MAP, "a service") == -1 ||
	    ykeys(y, n, svc_keys, "a service") == -1)
		return -1;
	if ((k = ynode_get(n, "kind")) != NULL) {
		if (ywant(y, k, Y_SCALAR, "kind") == -1)
			return -1;
		if (svc_kind_parse(k->value, &sv->kind) == -1)
			return yerr(y, k, "unknown service kind '%s' (redis, postgres"
			    " or process)", k->value);
	}
	if (ynode_get(n, "url") && ynode_get(n, "dsn"))
		return yerr(y, ynode_get(n, "dsn"), "give url: or dsn:, not both");
	if (ystr(y, n, "url", &sv->url) == -1 ||
	    ystr(y, n, "dsn", &sv->url) == -1 ||
	    ystr(y, n, "pidfile", &sv->pidfile) == -1 ||
	    ystr(y, n, "route", &sv->route) == -1 ||
	    ystr(y, n, "exe", &sv->exe) == -1 ||
	    ystr(y, n, "comm", &sv->comm) == -1 ||
	    ystr(y, n, "manager", &sv->manager) == -1 ||
	    ydur(y, n, "timeout", &sv->timeout_ms, 1, MAX_TIMEOUT_MS) == -1 ||
	    ydur(y, n, "ready_timeout", &sv->ready_timeout_ms, 1,
	    MAX_TIMEOUT_MS) == -1)
		return -1;
	url = ynode_get(n, "url") ? ynode_get(n, "url") : ynode_get(n, "dsn");
	if ((k = ynode_get(n, "pid")) != NULL && parse_pid(y, k, sv) == -1)
		return -1;
	if ((k = ynode_get(n, "pidfile")) != NULL && *sv->pidfile == '\0' &&
	    k->vars != NULL) {
		/* set empty by its variable: the service has none */
		free(sv->pidfile);
		sv->pidfile = NULL;
	} else if (k != NULL) {
		if (*sv->pidfile == '\0')
			return yerr(y, k, "empty pidfile");
		yfrom(k, from, sizeof from);
		sv->pid_hint = xstrdup(from);
	} else if ((k = ynode_get(n, "pid")) != NULL) {
		sv->pid_hint = xstrdup(yfrom(k, from, sizeof from));
	}
	if ((sv->exe != NULL || sv->comm != NULL) && !svc_has_pid(sv))
		return yerr(y, ynode_get(n, sv->exe ? "exe" : "comm"), "exe: and"
		    " comm: check the process of pid: or pidfile:, and it has"
		    " neither");
	if (sv->comm != NULL && (*sv->comm == '\0' || strlen(sv->comm) > 15))
		return yerr(y, ynode_get(n, "comm"), "comm: a process name of 1 to"
		    " 15 characters (what /proc/PID/comm holds)");
	if (sv->exe != NULL && *sv->exe == '\0')
		return yerr(y, ynode_get(n, "exe"), "exe: a path or a program name");
	if (svc_fields(y, key, n, url, sv) == -1)
		return -1;
	for (int i = 0; i < SVC_NCMDS; i++) {
		k = ynode_get(n, cmd_names[i]);
		/* a command a variable set empty: none (a kill step then
		 * signals the pid) */
		if (k != NULL && k->type == Y_SCALAR && k->value[0] == '\0' &&
		    k->vars != NULL)
			continue;
		if (k != NULL && parse_cmd(y, k, &sv->cmd[i]) == -1)
			return -1;
	}
	return 0;
}

void
svc_free(struct svc *sv)
{
	for (int j = 0; j < SVC_NCMDS; j++)
		argv_free(sv->cmd[j]);
	free(sv->name);
	free(sv->url);
	free(sv->pidfile);
	free(sv->pid_hint);
	free(sv->route);
	free(sv->exe);
	free(sv->comm);
	free(sv->manager);
	memset(sv, 0, sizeof *sv);
}

/* /proc/PID/exe, without " (deleted)"; NULL when it cannot be read. */
static char *
exe_of(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, buf, sizeof buf - 1)) <= 0)
		return NULL;
	buf[n] = '\0';
	if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
		buf[n - 10] = '\0';
	return xstrdup(buf);
}

/* Is pid the process the drill says (exe:, comm:)? */
static int
identity(const struct svc *sv, pid_t pid, struct sd_err *e)
{
	char comm[64] = "", *exe;
	int ok = 1;

	if (sv->comm != NULL && (proc_comm(pid, comm, sizeof comm) == -1 ||
	    strcmp(comm, sv->comm) != 0))
		return err_set(e, "service '%s': pid %d is '%s', not comm: '%s'",
		    sv->name, (int)pid, comm, sv->comm);
	if (sv->exe == NULL)
		return 0;
	exe = exe_of(pid);
	if (exe == NULL)
		ok = 0;
	else if (strchr(sv->exe, '/') != NULL)
		ok = strcmp(exe, sv->exe) == 0;
	else
		ok = strcmp(strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe,
		    sv->exe) == 0;
	if (!ok)
		err_set(e, "service '%s': pid %d runs '%s', not exe: '%s'",
		    sv->name, (int)pid, exe ? exe : "(unknown)", sv->exe);
	free(exe);
	return ok ? 0 : -1;
}

pid_t
svc_pid(const struct svc *sv, struct sd_err *e)
{
	const char *hint = sv->pid_hint ? sv->pid_hint : "";
	struct sd_err pe;
	pid_t pid = sv->pid;

	if (pid == 0 && sv->pidfile == NULL)
		return err_set(e, "service '%s' has no pid or pidfile", sv->name),
		    0;
	if (pid == 0 && (pid = pidfile_read_checked(sv->pidfile, &pe)) == 0)
		return err_set(e, "service '%s': no pid: %s%s", sv->name, pe.msg,
		    hint), 0;
	if (pid_check(pid, &pe) == -1)
		return err_set(e, "service '%s': %s%s", sv->name, pe.msg, hint), 0;
	if (!proc_alive(pid))
		return err_set(e, "service '%s': pid %d%s%s is not running%s",
		    sv->name, (int)pid, sv->pidfile ? " from " : "",
		    sv->pidfile ? sv->pidfile : "", hint), 0;
	if (identity(sv, pid, e) == -1)
		return 0;
	return pid;
}

char *
svc_process(const struct svc *sv)
{
	char comm[64] = "?", *exe, *s;
	struct sd_err ignore;
	pid_t pid;

	if (!svc_has_pid(sv) || (pid = svc_pid(sv, &ignore)) == 0)
		return NULL;
	proc_comm(pid, comm, sizeof comm);
	exe = exe_of(pid);
	s = xasprintf("pid %d (%s, %s)%s%s", (int)pid, comm, exe ? exe : "?",
	    sv->pidfile ? " from " : "", sv->pidfile ? sv->pidfile : "");
	free(exe);
	return s;
}

int
svc_pid_static(const struct svc *sv, struct sd_err *e)
{
	const char *hint = sv->pid_hint ? sv->pid_hint : "";
	struct sd_err pe;
	pid_t pid;

	if (sv->pidfile == NULL || access(sv->pidfile, F_OK) == -1)
		return 0;	/* a service that is not up yet */
	if ((pid = pidfile_read(sv->pidfile, &pe)) == 0 ||
	    (proc_alive(pid) && pidfile_trust(sv->pidfile, pid, &pe) == -1))
		return err_set(e, "service '%s': %s%s", sv->name, pe.msg, hint);
	return 0;
}
