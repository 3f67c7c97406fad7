/*
 * service.c — the service kind: stop, start, kill, restart, pause, resume
 * and signal a service, by its own commands (systemctl, docker, pg_ctl,
 * `shakedown sandbox`) or by signals to its pid/pidfile.
 *
 * A stop or kill records the start command and how to tell the service is
 * back (PING, SELECT 1, a live pid in its pidfile); its revert runs that
 * command and waits. A pause (SIGSTOP) records the exact process — pid and
 * start time, so a recycled pid is never touched — and is reverted by
 * SIGCONT to it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/io/pgrole.h"
#include "../lib/base/ping.h"
#include "../lib/base/proc.h"
#include "../lib/base/redact.h"
#include "../lib/fault/fault.h"
#include "service.h"

#define SETTLE_MS 300

struct svc_opts {
	int sig;		/* signal: the signal */
};

static int
verb_is(const struct fault *f, const char *name)
{
	return strcmp(f->verb->name, name) == 0;
}

static int
sv_parse(const struct fault_parse *p, struct fault *f)
{
	struct svc_opts *o = xcalloc(1, sizeof *o);
	const struct ynode *n = ynode_get(p->args, "signal");

	f->opts = o;
	o->sig = SIGTERM;
	if (verb_is(f, "signal"))
		f->sends = SIGTERM;
	if (n == NULL)
		return 0;
	if (!verb_is(f, "signal"))
		return yerr(p->y, n, "signal: goes with the signal step");
	const char *s = n->type == Y_SCALAR ? n->value : "";
	if ((o->sig = sig_by_name(s)) != 0) {
		f->sends = o->sig;
		return 0;
	}
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	if (strcmp(s, "STOP") == 0 || strcmp(s, "CONT") == 0)
		return yerr(p->y, n, "signal %s: use the pause and resume steps"
		    " (a pause is reverted; a bare SIGSTOP would not be)", s);
	return yerr(p->y, n, "unknown signal '%s' (TERM, INT, HUP, KILL, USR1,"
	    " USR2, QUIT)", n->type == Y_SCALAR ? n->value : "");
}

static int
sv_check(const struct fault *f, const struct yctx *y)
{
	const struct svc *sv = f->svc;
	const char *v = f->verb->name;
	int pid = svc_has_pid(sv);

	if ((verb_is(f, "stop") && sv->cmd[CMD_STOP] == NULL && !pid) ||
	    (verb_is(f, "kill") && sv->cmd[CMD_KILL] == NULL && !pid &&
	    !sv->cluster))
		return err_set(y->e, "%s:%d:%d: %s needs a %s command or a"
		    " pid/pidfile for service '%s'", y->file, f->line, f->col, v,
		    v, sv->name);
	/* a stop or kill must be revertible */
	if ((verb_is(f, "stop") || verb_is(f, "kill") || verb_is(f, "start")) &&
	    sv->cmd[CMD_START] == NULL)
		return err_set(y->e, "%s:%d:%d: %s %s cannot be %s: service '%s'"
		    " has no start command", y->file, f->line, f->col, v,
		    sv->name, verb_is(f, "start") ? "done" : "reverted", sv->name);
	if (verb_is(f, "restart") && sv->cmd[CMD_RESTART] == NULL &&
	    (sv->cmd[CMD_START] == NULL || (sv->cmd[CMD_STOP] == NULL && !pid)))
		return err_set(y->e, "%s:%d:%d: restart needs a restart command,"
		    " or stop and start, for service '%s'", y->file, f->line,
		    f->col, sv->name);
	if ((verb_is(f, "pause") || verb_is(f, "resume") ||
	    verb_is(f, "signal")) && !pid)
		return err_set(y->e, "%s:%d:%d: %s needs the pid or pidfile of"
		    " service '%s'", y->file, f->line, f->col, v, sv->name);
	return 0;
}

static char *
run_desc(const struct fault *f, enum svc_cmd c, const char *then)
{
	char *cmd = argv_join(f->svc->cmd[c]);
	char *s = xasprintf("%s %s: run '%s' (timeout %llds)%s", f->verb->name,
	    f->svc->name, cmd, (long long)(f->timeout_ms / 1000), then);

	free(cmd);
	return s;
}

static char *
sv_describe(const struct fault *f, int revert)
{
	const struct svc *sv = f->svc;
	const char *who = sv->pidfile ? sv->pidfile : "its pid";
	const char *wait = sv->kind == SVC_REDIS ? " PING" : sv->cluster ?
	    ": a primary accepts a write" : sv->kind == SVC_POSTGRES ?
	    " SELECT 1" : "";

	if (revert) {
		if (verb_is(f, "pause"))
			return xasprintf("resume %s: SIGCONT to the stopped pid",
			    sv->name);
		if (verb_is(f, "signal") && sv->cmd[CMD_START] == NULL)
			return xasprintf("nothing to undo (service '%s' has no"
			    " start command)", sv->name);
		char *cmd = argv_join(sv->cmd[CMD_START]);
		char *s = xasprintf("start %s%s: run '%s', then wait until it"
		    " answers%s", sv->name, verb_is(f, "signal") ? ", unless it"
		    " is running" : "", cmd, wait);
		free(cmd);
		return s;
	}
	if (verb_is(f, "stop") && sv->cmd[CMD_STOP])
		return run_desc(f, CMD_STOP, "");
	if (verb_is(f, "kill") && sv->cmd[CMD_KILL])
		return run_desc(f, CMD_KILL, "");
	if (verb_is(f, "start"))
		return run_desc(f, CMD_START, ", then wait until it answers");
	if (verb_is(f, "restart") && sv->cmd[CMD_RESTART])
		return run_desc(f, CMD_RESTART, ", then wait until it answers");
	if (verb_is(f, "restart"))
		return xasprintf("restart %s: stop it, then start it and wait"
		    " until it answers", sv->name);
	if (verb_is(f, "kill") && sv->cluster && !svc_has_pid(sv))
		return xasprintf("kill %s: SIGKILL to the postmaster of whichever"
		    " node is primary then%s%s%s", sv->name, sv->manager ?
		    ", and to its manager (" : "", sv->manager ? sv->manager : "",
		    sv->manager ? ") first, which would restart it in place" : "");
	if (verb_is(f, "stop") || verb_is(f, "kill"))
		return xasprintf("%s %s: SIG%s to the pid in %s", f->verb->name,
		    sv->name, verb_is(f, "kill") ? "KILL" : "TERM", who);
	if (verb_is(f, "pause"))
		return xasprintf("pause %s: SIGSTOP to the pid in %s", sv->name,
		    who);
	if (verb_is(f, "resume"))
		return xasprintf("resume %s: SIGCONT to the pid in %s", sv->name,
		    who);
	return xasprintf("signal %s: SIG%s to the pid in %s", sv->name,
	    sig_name(((const struct svc_opts *)f->opts)->sig), who);
}

static int primary_rec(const struct fault *f, json_t *rec, struct sd_err *e);

static json_t *
sv_prepare(const struct fault *f, const struct fault_env *env,
    struct sd_err *e)
{
	const struct svc *sv = f->svc;
	char comm[64] = "";
	pid_t pid;

	(void)env;
	if (verb_is(f, "stop") || verb_is(f, "kill") || (verb_is(f, "signal") &&
	    sv->cmd[CMD_START] != NULL)) {
		json_t *rec = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:o,s:I,s:I}", "how",
		    "start", "service", sv->name, "svc_kind",
		    svc_kind_name(sv->kind), "url", sv->url, "pidfile", sv->pidfile,
		    "argv", fault_argv_json(sv->cmd[CMD_START]), "timeout_ms",
		    (json_int_t)f->timeout_ms, "ready_timeout_ms",
		    (json_int_t)sv->ready_timeout_ms);
		if (verb_is(f, "kill") && sv->cluster && primary_rec(f, rec, e) == -1) {
			json_decref(rec);
			return NULL;
		}
		/* the process it acts on, as it is now: what confirm checks is
		 * gone (or a new one) afterwards */
		struct sd_err pe;
		if (svc_has_pid(sv) && json_object_get(rec, "primary") == NULL &&
		    (pid = svc_pid(sv, &pe)) != 0)
			json_object_set_new(rec, "process", service_who(pid));
		/* a signal meant to end it: the revert waits for the process
		 * to end before it decides whether the service is down (a
		 * draining service still answers, then goes) */
		const struct svc_opts *o = f->opts;
		struct sd_err ignore;
		if (verb_is(f, "signal") && (o->sig == SIGTERM || o->sig == SIGINT ||
		    o->sig == SIGQUIT || o->sig == SIGKILL) &&
		    (pid = svc_pid(sv, &ignore)) != 0)
			json_object_set_new(rec, "ends", service_who(pid));
		return rec;
	}
	if (verb_is(f, "pause")) {
		/* the journal names exactly the process we will stop */
		if ((pid = svc_pid(sv, e)) == 0)
			return NULL;
		proc_comm(pid, comm, sizeof comm);
		return json_pack("{s:s,s:s,s:i,s:I,s:s}", "how", "sigcont",
		    "service", sv->name, "pid", (int)pid, "starttime",
		    (json_int_t)proc_starttime(pid), "comm", comm);
	}
	return json_pack("{s:s}", "how", "none");
}

/* A cluster's primary now, into the record: its node, its postmaster
 * (and manager) on this machine, its timeline, the replicas' lag. The
 * kill acts on exactly these. */
static int
primary_rec(const struct fault *f, json_t *rec, struct sd_err *e)
{
	const struct svc *sv = f->svc;
	struct pg_cluster c;
	char name[300];

	if (pgrole_survey(sv->url, sv->manager, 5000, &c, e) == -1)
		return -1;
	if (c.primary < 0)
		return err_set(e, "service '%s': no node of its URL answers as a"
		    " primary now (%d asked): nothing to kill", sv->name, c.n);
	const struct pg_node *p = &c.node[c.primary];
	json_t *j = json_pack("{s:s,s:s,s:s,s:I,s:s}", "node", pgrole_node_name(p,
	    name, sizeof name), "host", p->host, "port", p->port, "timeline",
	    (json_int_t)p->timeline, "started", p->started);
	if (p->postmaster > 0)
		json_object_set_new(j, "postmaster", json_pack("{s:i,s:I}", "pid",
		    (int)p->postmaster, "starttime",
		    (json_int_t)proc_starttime(p->postmaster)));
	if (p->manager > 0)
		json_object_set_new(j, "manager", json_pack("{s:i,s:I}", "pid",
		    (int)p->manager, "starttime",
		    (json_int_t)proc_starttime(p->manager)));
	char *lag = pgrole_lag(sv->url, &c, 5000);
	if (lag != NULL)
		json_object_set_new(j, "lag", json_string(lag));
	free(lag);
	json_object_set_new(rec, "primary", j);
	json_object_set_new(rec, "cluster", json_true());
	return 0;
}

/* The kill command with the primary's {host} and {port} filled in. */
static char **
argv_render(char *const *argv, const char *host, const char *port)
{
	size_t n = 0;
	char **out;

	while (argv[n] != NULL)
		n++;
	out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		struct sbuf sb;
		sb_init(&sb);
		for (const char *p = argv[i]; *p; ) {
			if (strncmp(p, "{host}", 6) == 0) {
				sb_add(&sb, host ? host : "");
				p += 6;
			} else if (strncmp(p, "{port}", 6) == 0) {
				sb_add(&sb, port ? port : "");
				p += 6;
			} else {
				sb_addn(&sb, p++, 1);
			}
		}
		out[i] = sb_detach(&sb);
	}
	return out;
}

/* SIGKILL to a process the record names, if it is still that process. */
static int
kill_recorded(const json_t *who, const char *what, char **note,
    struct sd_err *e)
{
	pid_t pid = (pid_t)json_integer_value(json_object_get(who, "pid"));
	unsigned long long st = (unsigned long long)json_integer_value(
	    json_object_get(who, "starttime"));

	if (pid_check(pid, e) == -1)
		return -1;
	if (!proc_alive(pid) || proc_starttime(pid) != st) {
		fault_note(note, "%s %d was gone already", what, (int)pid);
		return 0;
	}
	if (proc_terminate(pid, SIGKILL, 5000) == -1)
		return err_set(e, "%s %d did not die", what, (int)pid);
	fault_note(note, "SIGKILL to %s %d", what, (int)pid);
	return 0;
}

/* Kill the primary the record names: its manager first (so it cannot
 * start it again in place), then its postmaster. A command instead has the
 * primary's {host} and {port} filled in. */
static int
kill_primary(const struct fault *f, const json_t *rec,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const json_t *p = json_object_get(rec, "primary");
	const json_t *pm = json_object_get(p, "postmaster");

	fault_note(note, "the primary was %s (timeline %lld)",
	    json_string_value(json_object_get(p, "node")),
	    (long long)json_integer_value(json_object_get(p, "timeline")));
	if (json_object_get(p, "lag") != NULL)
		fault_note(note, "replicas at the kill: %s",
		    json_string_value(json_object_get(p, "lag")));
	if (f->svc->cmd[CMD_KILL] != NULL) {
		char **argv = argv_render(f->svc->cmd[CMD_KILL],
		    json_string_value(json_object_get(p, "host")),
		    json_string_value(json_object_get(p, "port")));
		int rc = fault_run_argv(argv, env, f->timeout_ms, note, e);
		argv_free(argv);
		return rc;
	}
	if (pm == NULL)
		return err_set(e, "service '%s': the primary %s is not on this"
		    " machine: give a kill command (POSTGRES_KILL, with {host} and"
		    " {port} for the primary's)", f->svc->name,
		    json_string_value(json_object_get(p, "node")));
	if (json_object_get(p, "manager") != NULL &&
	    kill_recorded(json_object_get(p, "manager"), f->svc->manager, note,
	    e) == -1)
		return -1;
	if (f->svc->manager != NULL && json_object_get(p, "manager") == NULL)
		fault_note(note, "no %s runs its postmaster", f->svc->manager);
	return kill_recorded(pm, "postmaster", note, e) == -1 ? -1 : 0;
}

/* Back already (restarted by hand)? Believed only if it still answers a
 * moment later: a stop under way when a runner died may still be taking it
 * down. -1: cannot tell (a process without pidfile). */
static int
answers(const char *kind, const char *url, const char *pidfile)
{
	struct sd_err ignore;

	if (strcmp(kind, "process") == 0) {
		if (pidfile == NULL)
			return -1;
		pid_t pid = pidfile_read(pidfile, NULL);
		return pid != 0 && proc_alive(pid);
	}
	/* a cluster is back when a primary accepts a write: a standby
	 * answers SELECT 1 too */
	if (strcmp(kind, "postgres") == 0 && pgrole_is_cluster(url))
		return pgrole_primary_writes(url, 1500, &ignore) == 0;
	return ping_kind(kind, url, 1000, &ignore) == 0;
}

static int
wait_ready(const char *kind, const char *url, const char *pidfile,
    int64_t timeout_ms, const struct fault_env *env, struct sd_err *e)
{
	int64_t end = mono_ms() + timeout_ms;

	if (strcmp(kind, "postgres") == 0 && pgrole_is_cluster(url)) {
		while (pgrole_primary_writes(url, 1500, e) == -1) {
			if (mono_ms() > end || (env && env->stop && *env->stop))
				return err_prefix(e, "no primary took a write within"
				    " %lldms", (long long)timeout_ms);
			sleep_ms(100);
		}
		return 0;
	}
	if (strcmp(kind, "process") != 0)
		return ping_wait(kind, url, timeout_ms, env ? env->stop : NULL, e);
	while (pidfile != NULL && answers(kind, url, pidfile) != 1) {
		if (mono_ms() > end)
			return err_set(e, "no live pid in %s within %lldms", pidfile,
			    (long long)timeout_ms);
		sleep_ms(50);
	}
	return 0;
}

/* After a failover: which node is primary now, on what timeline. */
static void
primary_now(const json_t *rec, const char *url, char **note)
{
	const json_t *was = json_object_get(rec, "primary");
	struct pg_cluster c;
	struct sd_err e;
	char name[300];

	if (pgrole_survey(url, NULL, 3000, &c, &e) == -1 || c.primary < 0)
		return;
	pgrole_node_name(&c.node[c.primary], name, sizeof name);
	fault_note(note, "the primary is now %s (timeline %lld; it was %s,"
	    " timeline %lld)", name, (long long)c.node[c.primary].timeline,
	    json_string_value(json_object_get(was, "node")),
	    (long long)json_integer_value(json_object_get(was, "timeline")));
}

/* Undo a stop or kill from its record: start it and wait for it. */
static int
revert_start(const json_t *rec, const struct fault_env *env, char **note,
    struct sd_err *e)
{
	const char *kind = NULL, *url = NULL, *pidfile = NULL;
	int64_t tmo, ready;
	char **argv;
	int rc;

	if (fault_rec_str(rec, "svc_kind", &kind, e) == -1 ||
	    fault_rec_int(rec, "timeout_ms", 1, 3600000, &tmo, e) == -1 ||
	    fault_rec_int(rec, "ready_timeout_ms", 1, 3600000, &ready, e) == -1)
		return FAULT_FINAL;
	if (strcmp(kind, "process") != 0 && fault_rec_str(rec, "url", &url, e) == -1)
		return FAULT_FINAL;
	fault_rec_str(rec, "pidfile", &pidfile, NULL);
	if (url != NULL)
		redact_learn(url);
	const json_t *ends = json_object_get(rec, "ends");
	if (ends != NULL) {
		pid_t p = (pid_t)json_integer_value(json_object_get(ends, "pid"));
		struct sd_err ignore;
		if (pid_check(p, &ignore) == 0 && proc_alive(p) && proc_starttime(p) ==
		    (unsigned long long)json_integer_value(json_object_get(ends,
		    "starttime"))) {
			if (proc_wait_gone(p, tmo) == -1) {
				fault_note(note, "pid %d still running %llds after the"
				    " signal", (int)p, (long long)(tmo / 1000));
				return FAULT_NOOP;
			}
			fault_note(note, "pid %d ended", (int)p);
		}
	}
	/* a cluster answers again once it failed over by itself; its
	 * restart command brings the killed node back all the same */
	if (json_object_get(rec, "primary") == NULL &&
	    answers(kind, url, pidfile) == 1) {
		sleep_ms(SETTLE_MS);
		if (answers(kind, url, pidfile) == 1) {
			fault_note(note, "already answering");
			return FAULT_NOOP;
		}
	}
	if ((argv = fault_rec_argv(rec, "argv", e)) == NULL)
		return FAULT_FINAL;
	rc = fault_run_argv(argv, env, tmo, note, e);
	argv_free(argv);
	if (rc == 0)
		rc = wait_ready(kind, url, pidfile, ready, env, e);
	if (rc == 0 && json_object_get(rec, "primary") != NULL)
		primary_now(rec, url, note);
	return rc;
}

/* The process a record names, if it is still that process. */
static pid_t
recorded_pid(const json_t *rec, struct sd_err *e)
{
	int64_t pid, start;

	if (fault_rec_int(rec, "pid", 2, 1 << 30, &pid, e) == -1 ||
	    fault_rec_int(rec, "starttime", 0, INT64_MAX, &start, e) == -1)
		return -1;
	if (pid_check((pid_t)pid, e) == -1)
		return -1;
	if (!proc_alive((pid_t)pid) ||
	    proc_starttime((pid_t)pid) != (unsigned long long)start)
		return 0;
	return (pid_t)pid;
}

static int
sv_revert(const json_t *rec, void *state, const struct fault_env *env,
    char **note, struct sd_err *e)
{
	const char *how = NULL;
	pid_t pid;

	(void)state;
	if (fault_rec_str(rec, "how", &how, e) == -1)
		return FAULT_FINAL;
	if (strcmp(how, "none") == 0)
		return 0;
	if (strcmp(how, "start") == 0)
		return revert_start(rec, env, note, e);
	if (strcmp(how, "sigcont") == 0) {
		if ((pid = recorded_pid(rec, e)) == -1)
			return FAULT_FINAL;
		if (pid == 0) {
			fault_note(note, "the paused process is gone");
			return 0;
		}
		if (kill(pid, SIGCONT) == -1)
			return err_set(e, "SIGCONT to %d: %s", (int)pid,
			    strerror(errno));
		fault_note(note, "SIGCONT to %d", (int)pid);
		return 0;
	}
	err_set(e, "unknown revert '%.20s'", how);
	return FAULT_FINAL;
}

static int
sv_in_effect(const json_t *rec, const struct fault_env *env)
{
	const char *how = NULL, *kind = NULL, *url = NULL, *pidfile = NULL;
	struct sd_err e;
	pid_t pid;

	(void)env;
	if (fault_rec_str(rec, "how", &how, &e) == -1)
		return -1;
	if (strcmp(how, "sigcont") == 0) {
		if ((pid = recorded_pid(rec, &e)) <= 0)
			return pid == 0 ? 0 : -1;
		return proc_state(pid) == 'T';
	}
	if (strcmp(how, "start") == 0) {
		if (fault_rec_str(rec, "svc_kind", &kind, &e) == -1)
			return -1;
		fault_rec_str(rec, "url", &url, NULL);
		fault_rec_str(rec, "pidfile", &pidfile, NULL);
		int a = answers(kind, url, pidfile);
		return a < 0 ? -1 : !a;
	}
	return 0;
}

/* The pid, checked and alive, or the one prepare recorded. */
static pid_t
live_pid(const struct fault *f, const json_t *rec, struct sd_err *e)
{
	pid_t pid;

	if (json_object_get(rec, "pid") != NULL) {
		if ((pid = recorded_pid(rec, e)) == 0)
			err_set(e, "service '%s': the process is gone",
			    f->svc->name);
		return pid > 0 ? pid : 0;
	}
	return svc_pid(f->svc, e);
}

/* Signal the service's process. A stop or kill (wait) waits for it to be
 * gone — SIGKILL at the step's timeout; the signal verb only sends: what
 * the process does with it is for the drill to watch (exits:). */
static int
send_sig(const struct fault *f, const json_t *rec, int sig, int wait,
    char **note, struct sd_err *e)
{
	pid_t pid = live_pid(f, rec, e);

	if (pid == 0)
		return FAULT_FINAL;	/* nothing was signalled */
	if (wait && (sig == SIGTERM || sig == SIGKILL)) {
		if (proc_terminate(pid, sig, f->timeout_ms) == -1)
			return err_set(e, "service '%s': pid %d did not exit",
			    f->svc->name, (int)pid);
	} else if (kill(pid, sig) == -1) {
		return err_set(e, "service '%s': kill %d: %s", f->svc->name,
		    (int)pid, strerror(errno));
	}
	fault_note(note, "SIG%s to %d", sig == SIGSTOP ? "STOP" : sig == SIGCONT ?
	    "CONT" : sig_name(sig), (int)pid);
	return 0;
}

static int
start_service(const struct fault *f, const struct fault_env *env, char **note,
    struct sd_err *e)
{
	const struct svc *sv = f->svc;
	const char *kind = svc_kind_name(sv->kind);

	if (answers(kind, sv->url, sv->pidfile) == 1) {
		fault_note(note, "already answering");
		return 0;
	}
	if (fault_run_argv(sv->cmd[CMD_START], env, f->timeout_ms, note, e) == -1)
		return -1;
	return wait_ready(kind, sv->url, sv->pidfile, sv->ready_timeout_ms, env, e);
}

static int
sv_apply(const struct fault *f, json_t *rec, void **state,
    const struct fault_env *env, char **note, struct sd_err *e)
{
	const struct svc *sv = f->svc;
	const struct svc_opts *o = f->opts;

	(void)state;
	if (verb_is(f, "stop"))
		return sv->cmd[CMD_STOP] ? fault_run_argv(sv->cmd[CMD_STOP], env,
		    f->timeout_ms, note, e) : send_sig(f, rec, SIGTERM, 1, note, e);
	if (verb_is(f, "kill") && json_object_get(rec, "primary") != NULL)
		return kill_primary(f, rec, env, note, e);
	if (verb_is(f, "kill"))
		return sv->cmd[CMD_KILL] ? fault_run_argv(sv->cmd[CMD_KILL], env,
		    f->timeout_ms, note, e) : send_sig(f, rec, SIGKILL, 1, note, e);
	if (verb_is(f, "start"))
		return start_service(f, env, note, e);
	if (verb_is(f, "restart")) {
		if (sv->cmd[CMD_RESTART] != NULL) {
			if (fault_run_argv(sv->cmd[CMD_RESTART], env, f->timeout_ms,
			    note, e) == -1)
				return -1;
			return wait_ready(svc_kind_name(sv->kind), sv->url,
			    sv->pidfile, sv->ready_timeout_ms, env, e);
		}
		if ((sv->cmd[CMD_STOP] ? fault_run_argv(sv->cmd[CMD_STOP], env,
		    f->timeout_ms, note, e) : send_sig(f, rec, SIGTERM, 1,
		    note, e)) == -1)
			return -1;
		return start_service(f, env, note, e);
	}
	if (verb_is(f, "pause"))
		return send_sig(f, rec, SIGSTOP, 0, note, e);
	if (verb_is(f, "resume"))
		return send_sig(f, rec, SIGCONT, 0, note, e);
	return send_sig(f, rec, o->sig, 0, note, e);
}

/* Does this step act on the service's process by its pid? */
static int
by_pid(const struct fault *f)
{
	const struct svc *sv = f->svc;

	return verb_is(f, "pause") || verb_is(f, "resume") ||
	    verb_is(f, "signal") || (verb_is(f, "stop") &&
	    sv->cmd[CMD_STOP] == NULL) || (verb_is(f, "kill") &&
	    sv->cmd[CMD_KILL] == NULL && !sv->cluster) || (verb_is(f, "restart") &&
	    sv->cmd[CMD_RESTART] == NULL && sv->cmd[CMD_STOP] == NULL);
}

static int
sv_preflight(const struct fault *f, struct sd_err *e)
{
	return by_pid(f) && svc_pid(f->svc, e) == 0 ? -1 : 0;
}

static void
sv_free(void *opts)
{
	free(opts);
}

static const struct fault_verb verbs[] = {
	{ "stop", 1, NULL, "stop it (its stop command, else SIGTERM); reverted"
	    " by its start command" },
	{ "kill", 1, NULL, "kill it (its kill command, else SIGKILL); reverted"
	    " by its start command" },
	{ "start", 0, "stop kill signal", "start it and wait until it answers" },
	{ "restart", 0, NULL, "restart it and wait until it answers" },
	{ "pause", 1, NULL, "SIGSTOP its process; reverted by SIGCONT" },
	{ "resume", 0, "pause", "SIGCONT its process" },
	{ "signal", 1, NULL, "send it a signal (signal: TERM, INT, HUP...);"
	    " reverted by its start command if it is not running then" },
	{ NULL, 0, NULL, NULL }
};

static const char *const keys[] = { "service", "timeout", "signal", NULL };

const struct fault_kind fault_service = {
	.name = "service",
	.summary = "stop, kill, pause or signal a service by its commands or pid",
	.verbs = verbs,
	.on = SVC_PROCESS | SVC_REDIS | SVC_POSTGRES,
	.keys = keys,
	.parse = sv_parse,
	.check = sv_check,
	.describe = sv_describe,
	.prepare = sv_prepare,
	.apply = sv_apply,
	.revert = sv_revert,
	.in_effect = sv_in_effect,
	.preflight = sv_preflight,
	.confirm = service_confirm,
	.proves = service_proves,
	.free = sv_free,
};
