/*
 * registry.c — which kind performs which action, and the helpers every kind
 * shares: running a service command with a timeout, finding a service's pid,
 * waiting until Redis/PostgreSQL answer again.
 */
#define _GNU_SOURCE
#include <sys/time.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "../lib/redisurl.h"
#include "../lib/scenario.h"
#include "drill.h"

static const char *const action_names[FA_NACTIONS] = {
	"stop", "start", "kill", "restart", "pause", "resume", "signal",
	"client-kill", "terminate-backends", "hold-connections",
};

const char *
drill_action_name(enum fault_action a)
{
	return action_names[a];
}

int
drill_action_parse(const char *name, enum fault_action *a)
{
	for (int i = 0; i < FA_NACTIONS; i++) {
		if (strcmp(action_names[i], name) == 0) {
			*a = (enum fault_action)i;
			return 0;
		}
	}
	return -1;
}

int
drill_action_reversible(enum fault_action a)
{
	return a == FA_STOP || a == FA_KILL || a == FA_PAUSE || a == FA_HOLD;
}

int
drill_action_undo(enum fault_action a)
{
	switch (a) {
	case FA_STOP:
	case FA_KILL:
		return FA_START;
	case FA_PAUSE:
		return FA_RESUME;
	default:
		return -1;
	}
}

const struct drill_kind *
drill_kind_for(enum fault_action a, const struct scen_service *svc,
    struct sd_err *e)
{
	switch (a) {
	case FA_PAUSE:
	case FA_RESUME:
		return svc->kind == SVC_REDIS ? &drill_redis : &drill_service;
	case FA_CLIENT_KILL:
		if (svc->kind != SVC_REDIS)
			break;
		return &drill_redis;
	case FA_TERMINATE:
	case FA_HOLD:
		if (svc->kind != SVC_POSTGRES)
			break;
		return &drill_postgres;
	default:
		return &drill_service;
	}
	err_set(e, "%s needs a service of kind %s; '%s' is not",
	    action_names[a], a == FA_CLIENT_KILL ? "redis" : "postgres",
	    svc->name);
	return NULL;
}

void
fault_free(struct fault *f)
{
	if (f == NULL)
		return;
	if (f->kind != NULL && f->kind->free != NULL)
		f->kind->free(f);
	free(f->note);
	free(f);
}

static int
run_argv(char **argv, const char *self_exe, int64_t timeout_ms, char **note,
    struct sd_err *e)
{
	struct proc_result r;
	char **v = argv, *joined;
	int rc = 0;

	/* "shakedown" means this binary, installed or not */
	if (strcmp(argv[0], "shakedown") == 0 && self_exe != NULL) {
		v = argv_dup(argv);
		free(v[0]);
		v[0] = xstrdup(self_exe);
	}
	joined = argv_join(argv);
	if (proc_run(v, timeout_ms, &r, e) == -1) {
		rc = err_prefix(e, "%s", joined);
	} else {
		size_t n = strlen(r.output);
		while (n > 0 && (r.output[n - 1] == '\n' || r.output[n - 1] == ' '))
			r.output[--n] = '\0';
		if (r.timed_out) {
			rc = err_set(e, "'%s' did not finish within %lldms and was"
			    " killed", joined, (long long)timeout_ms);
		} else if (!r.exited || r.status != 0) {
			rc = err_set(e, "'%s' %s %d%s%s", joined, r.exited ?
			    "exited with status" : "was killed by signal", r.status,
			    n ? ": " : "", r.output);
		} else if (note != NULL) {
			/* kept for the report: what ran, how, what it said */
			const char *tail = n > 200 ? r.output + n - 200 : r.output;
			char *prev = *note;
			*note = xasprintf("%s%s'%s' exit 0 in %lldms%s%s", prev ?
			    prev : "", prev ? "; " : "", joined,
			    (long long)r.elapsed_ms, n ? ": " : "", tail);
			free(prev);
		}
		proc_result_free(&r);
	}
	free(joined);
	if (v != argv)
		argv_free(v);
	return rc;
}

int
drill_run_cmd(struct fault *f, char **argv, int64_t timeout_ms,
    struct sd_err *e)
{
	return run_argv(argv, f->env ? f->env->self_exe : NULL, timeout_ms,
	    &f->note, e);
}

pid_t
drill_service_pid(const struct scen_service *svc, struct sd_err *e)
{
	pid_t pid = (pid_t)svc->pid;

	if (pid == 0 && svc->pidfile != NULL)
		pid = pidfile_read(svc->pidfile);
	if (pid == 0)
		return err_set(e, "service '%s': no pid%s%s", svc->name,
		    svc->pidfile ? " in " : "", svc->pidfile ? svc->pidfile : ""),
		    0;
	if (!proc_alive(pid))
		return err_set(e, "service '%s': pid %d is not running", svc->name,
		    (int)pid), 0;
	return pid;
}

int
drill_redis_ping(const char *url, int64_t timeout_ms, struct sd_err *e)
{
	redisContext *c;
	redisReply *r;
	struct rurl u;
	int ok;

	if (rurl_parse(url, &u, e) == -1)
		return -1;
	c = rurl_connect(&u, timeout_ms, e);
	rurl_free(&u);
	if (c == NULL)
		return err_prefix(e, "PING");
	r = redisCommand(c, "PING");
	ok = r != NULL && r->type == REDIS_REPLY_STATUS;
	if (!ok)
		err_set(e, "PING: %s", r ? r->str : c->errstr);
	freeReplyObject(r);
	redisFree(c);
	return ok ? 0 : -1;
}

int
drill_pg_select1(const char *dsn, int64_t timeout_ms, struct sd_err *e)
{
	char tmo[32];
	const char *keys[] = { "dbname", "connect_timeout", NULL };
	const char *vals[] = { dsn, tmo, NULL };
	PGresult *r = NULL;
	PGconn *c;
	int ok = 0;

	/* libpq's connect_timeout is whole seconds, at least 2 */
	snprintf(tmo, sizeof tmo, "%lld", (long long)(timeout_ms < 2000 ? 2 :
	    (timeout_ms + 999) / 1000));
	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) == CONNECTION_OK) {
		r = PQexec(c, "SELECT 1");
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	}
	if (!ok) {
		char *m = xstrdup(PQerrorMessage(c));
		for (char *p = m; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		err_set(e, "SELECT 1: %s", m);
		free(m);
	}
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

int
drill_wait_url(const char *kind, const char *url, int64_t timeout_ms,
    volatile int *interrupted, struct sd_err *e)
{
	int64_t end = mono_ms() + timeout_ms;
	struct sd_err last = { "" };
	int redis = strcmp(kind, "redis") == 0;

	if (!redis && strcmp(kind, "postgres") != 0)
		return 0;
	for (;;) {
		int rc = redis ? drill_redis_ping(url, 1000, &last) :
		    drill_pg_select1(url, 2000, &last);
		if (rc == 0)
			return 0;
		if (mono_ms() >= end)
			return err_set(e, "did not answer within %lldms: %s",
			    (long long)timeout_ms, last.msg);
		if (interrupted != NULL && *interrupted)
			return err_set(e, "interrupted while waiting");
		sleep_ms(50);
	}
}

static const char *
kind_name(enum svc_kind k)
{
	return k == SVC_REDIS ? "redis" : k == SVC_POSTGRES ? "postgres" :
	    "process";
}

int
drill_wait_ready(const struct scen_service *svc, int64_t timeout_ms,
    volatile int *interrupted, struct sd_err *e)
{
	if (drill_wait_url(kind_name(svc->kind), svc->url, timeout_ms,
	    interrupted, e) == -1)
		return err_prefix(e, "service '%s'", svc->name);
	return 0;
}

json_t *
drill_start_spec(const struct fault *f)
{
	const struct scen_service *sv = f->svc;
	json_t *argv = json_array();

	for (char **a = sv->cmd[CMD_START]; a && *a; a++)
		json_array_append_new(argv, json_string(*a));
	return json_pack("{s:s,s:s,s:o,s:I,s:s,s:s?,s:I}", "how", "start",
	    "service", sv->name, "argv", argv, "timeout_ms",
	    (json_int_t)f->timeout_ms, "kind", kind_name(sv->kind), "url", sv->url,
	    "ready_timeout_ms", (json_int_t)sv->ready_timeout_ms);
}

int
drill_revert_spec(const json_t *spec, const char *self_exe, char **what,
    struct sd_err *e)
{
	const char *how = json_string_value(json_object_get(spec, "how"));
	struct sd_err ignore;

	*what = NULL;
	if (how == NULL || strcmp(how, "none") == 0) {
		*what = xstrdup("nothing to undo");
		return 0;
	}
	if (strcmp(how, "start") == 0) {
		const char *kind = json_string_value(json_object_get(spec, "kind"));
		const char *url = json_string_value(json_object_get(spec, "url"));
		json_t *argv = json_object_get(spec, "argv");
		size_t i, n = json_array_size(argv);
		char **v;
		json_t *w;
		int rc;

		/*
		 * Back already (restarted by hand)? Believe it only if it still
		 * answers a moment later: a stop that was under way when the
		 * runner died may still be taking the service down.
		 */
		int service = kind && url && strcmp(kind, "process") != 0;
		if (service && drill_wait_url(kind, url, 0, NULL, &ignore) == 0) {
			sleep_ms(300);
			if (drill_wait_url(kind, url, 0, NULL, &ignore) == 0) {
				*what = xstrdup("already answering");
				return 0;
			}
		}
		if (n == 0)
			return err_set(e, "no start command recorded");
		v = xcalloc(n + 1, sizeof *v);
		json_array_foreach(argv, i, w)
			v[i] = xstrdup(json_string_value(w) ? json_string_value(w) : "");
		rc = run_argv(v, self_exe, json_integer_value(json_object_get(spec,
		    "timeout_ms")), what, e);
		argv_free(v);
		if (rc == 0 && service)
			rc = drill_wait_url(kind, url, json_integer_value(
			    json_object_get(spec, "ready_timeout_ms")), NULL, e);
		return rc;
	}
	if (strcmp(how, "sigcont") == 0) {
		pid_t pid = (pid_t)json_integer_value(json_object_get(spec, "pid"));
		const char *comm = json_string_value(json_object_get(spec, "comm"));
		char now[64];
		/* exactly the process we stopped, not a recycled pid */
		if (pid > 0 && proc_alive(pid) && proc_comm(pid, now, sizeof now) == 0 &&
		    (comm == NULL || strcmp(comm, now) == 0)) {
			kill(pid, SIGCONT);
			*what = xasprintf("SIGCONT to %d", (int)pid);
		} else {
			*what = xasprintf("pid %d is gone", (int)pid);
		}
		return 0;
	}
	if (strcmp(how, "wait_redis") == 0) {
		int64_t until = json_integer_value(json_object_get(spec, "until"));
		int64_t left = until - wall_ms();
		*what = xstrdup("waited until the Redis pause ended");
		return drill_wait_url("redis", json_string_value(json_object_get(spec,
		    "url")), (left > 0 ? left : 0) + 5000, NULL, e);
	}
	return err_set(e, "unknown revert '%s'", how);
}
