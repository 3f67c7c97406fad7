/*
 * service_proof.c — did a stop, kill, pause or signal land (fault.h,
 * confirm), measured apart from the service's answers: its own PING or
 * SELECT 1 fails; a cluster's primary postmaster is gone and, after the
 * revert, the primary or its timeline moved; the recorded process is gone
 * and no process that served its port beside it still does; a paused
 * process is seen stopped; a signal meant to end it did.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../lib/io/pgrole.h"
#include "../lib/base/ping.h"
#include "../lib/base/proc.h"
#include "../lib/base/redact.h"
#include "../lib/base/sockown.h"
#include "service.h"

static int
is(const struct fault *f, const char *name)
{
	return strcmp(f->verb->name, name) == 0;
}

/* The recorded process: 1 still that process, 0 gone (or recycled). */
static int
still(const json_t *who)
{
	pid_t pid = (pid_t)json_integer_value(json_object_get(who, "pid"));

	return pid > 1 && proc_alive(pid) && proc_starttime(pid) ==
	    (unsigned long long)json_integer_value(json_object_get(who,
	    "starttime"));
}

/* Is p a descendant of anc (or anc itself)? */
static int
descends(pid_t p, pid_t anc)
{
	for (int depth = 0; p > 1 && depth < 64; depth++, p = proc_ppid(p))
		if (p == anc)
			return 1;
	return 0;
}

json_t *
service_who(pid_t pid)
{
	json_t *w = json_pack("{s:i,s:I}", "pid", (int)pid, "starttime",
	    (json_int_t)proc_starttime(pid)), *others = json_array();
	int ports[16];
	size_t np = sock_listen_ports(pid, ports, 16);

	for (size_t i = 0; i < np; i++) {
		pid_t l[32];
		size_t nl = sock_listeners_tcp(ports[i], l, 32);
		for (size_t k = 0; k < nl; k++)
			if (l[k] != 1 && !descends(l[k], pid))
				json_array_append_new(others, json_pack("{s:i,s:i,s:I}",
				    "port", ports[i], "pid", (int)l[k], "starttime",
				    (json_int_t)proc_starttime(l[k])));
	}
	json_object_set_new(w, "others", others);
	return w;
}

/* One of who's others that still serves its port; NULL: none does. */
static const json_t *
still_served(const json_t *who)
{
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(who, "others"), i, o) {
		pid_t l[32];
		int port = (int)json_integer_value(json_object_get(o, "port"));
		size_t nl = sock_listeners_tcp(port, l, 32);
		pid_t p = (pid_t)json_integer_value(json_object_get(o, "pid"));
		if (!still(o))
			continue;
		for (size_t k = 0; k < nl; k++)
			if (l[k] == p)
				return o;
	}
	return NULL;
}


/* The recorded process is gone, and no process that served its ports
 * beside it still does. */
static void
gone(const json_t *who, enum fault_phase ph, struct fault_check *c)
{
	int pid = (int)json_integer_value(json_object_get(who, "pid"));
	const json_t *o;

	if (ph == FC_REVERTED)
		return;
	/* one whose exit was just reported may still be tearing down its
	 * threads: a moment for it to go */
	for (int64_t end = mono_ms() + 90; still(who) && mono_ms() < end; )
		sleep_ms(5);
	if (still(who))
		fault_proved(c, FP_MISMATCH, "pid %d is still running", pid);
	else if ((o = still_served(who)) != NULL)
		fault_proved(c, FP_MISMATCH, "pid %d is gone, but port %lld is"
		    " still served by pid %lld, which served it beside it before"
		    " the fault (is the pidfile the service's main process?)", pid,
		    (long long)json_integer_value(json_object_get(o, "port")),
		    (long long)json_integer_value(json_object_get(o, "pid")));
	else
		fault_proved(c, FP_CONFIRMED, "pid %d is gone", pid);
}

/* A stop or kill: its service stops answering (Redis PING, PostgreSQL
 * SELECT 1), or its process is gone; a cluster's primary postmaster is
 * gone, and after the revert the primary or its timeline moved. */
static void
confirm_down(const json_t *rec, enum fault_phase ph, struct fault_check *c)
{
	const char *kind = json_string_value(json_object_get(rec, "svc_kind"));
	const char *url = json_string_value(json_object_get(rec, "url"));
	const json_t *p = json_object_get(rec, "primary"), *t;
	struct sd_err e;

	if (p != NULL) {
		const json_t *pm = json_object_get(p, "postmaster");
		if (ph == FC_APPLIED)
			fault_proved(c, pm == NULL || !still(pm) ? FP_CONFIRMED :
			    FP_MISMATCH, pm == NULL ? "the primary %s was killed by its"
			    " command" : still(pm) ? "the primary %s's postmaster is"
			    " still running" : "the primary %s's postmaster is gone",
			    json_string_value(json_object_get(p, "node")));
		if (ph != FC_REVERTED || c->proof != FP_CONFIRMED)
			return;
		struct pg_cluster cl;
		char name[300];
		if (pgrole_survey(url, NULL, 3000, &cl, &e) == -1 || cl.primary < 0) {
			fault_proved(c, FP_INCONCLUSIVE, "no primary answers after the"
			    " revert to say whether one moved");
			return;
		}
		pgrole_node_name(&cl.node[cl.primary], name, sizeof name);
		int same = strcmp(name, json_string_value(json_object_get(p,
		    "node"))) == 0 && cl.node[cl.primary].timeline ==
		    json_integer_value(json_object_get(p, "timeline")) &&
		    strcmp(cl.node[cl.primary].started, json_string_value(
		    json_object_get(p, "started")) ? json_string_value(
		    json_object_get(p, "started")) : "") == 0;
		fault_proved(c, same ? FP_MISMATCH : FP_CONFIRMED, same ? "the"
		    " primary %s was never touched: same node, timeline %lld and"
		    " start" : "the primary moved or restarted: now %s, timeline"
		    " %lld", name, (long long)cl.node[cl.primary].timeline);
		return;
	}
	if (ph == FC_REVERTED)
		return;
	t = json_object_get(rec, "process");
	if (kind != NULL && strcmp(kind, "process") != 0 && url != NULL) {
		redact_learn(url);
		int up = ping_kind(kind, url, 300, &e) == 0;
		if (!up)
			fault_proved(c, FP_CONFIRMED, "%s %s: %s", kind, ph == FC_APPLIED ?
			    "stopped answering" : "still not answering before the"
			    " revert", e.msg);
		else if (ph == FC_HOLDING && c->proof == FP_CONFIRMED)
			fault_proved(c, FP_MISMATCH, "%s answered again before the"
			    " revert: it came back by itself", kind);
		else
			fault_proved(c, FP_MISMATCH, "%s still answers %s%s", kind,
			    strcmp(kind, "redis") == 0 ? "PING" : "SELECT 1",
			    ph == FC_APPLIED ? " after the step" : " before the"
			    " revert");
		return;
	}
	if (t != NULL)
		gone(t, ph, c);
	else
		fault_proved(c, FP_INCONCLUSIVE, "nothing to check it by: no URL"
		    " that answers and no pid");
}

void
service_confirm(const json_t *rec, void *state, enum fault_phase ph,
    const struct fault_env *env, struct fault_check *c)
{
	const char *how = json_string_value(json_object_get(rec, "how"));
	const json_t *ends = json_object_get(rec, "ends");

	(void)state;
	(void)env;
	if (how == NULL)
		return;
	if (strcmp(how, "sigcont") == 0) {
		pid_t pid = (pid_t)json_integer_value(json_object_get(rec, "pid"));
		if (ph == FC_REVERTED)
			return;
		if (!still(rec))
			fault_proved(c, FP_MISMATCH, "the paused pid %d is gone",
			    (int)pid);
		else
			fault_proved(c, proc_state(pid) == 'T' ? FP_CONFIRMED :
			    FP_MISMATCH, "pid %d is %s", (int)pid, proc_state(pid) ==
			    'T' ? "stopped (T)" : "running: something continued it");
		return;
	}
	if (ends != NULL) {
		/* a signal meant to end it: delivered, and gone by the revert */
		if (ph == FC_APPLIED)
			fault_proved(c, FP_CONFIRMED, "delivered to pid %d",
			    (int)json_integer_value(json_object_get(ends, "pid")));
		else if (ph == FC_HOLDING)
			gone(ends, ph, c);
		return;
	}
	if (strcmp(how, "start") == 0)
		confirm_down(rec, ph, c);
}

char *
service_proves(const struct fault *f)
{
	const struct svc *sv = f->svc;

	if (is(f, "pause"))
		return xstrdup("its process is stopped (state T) until the revert");
	if (is(f, "signal"))
		return xstrdup("the signal reaches its process (one meant to end"
		    " it: the process is gone by the revert)");
	if (is(f, "kill") && sv->cluster && !svc_has_pid(sv))
		return xstrdup("the primary's postmaster is gone, and after the"
		    " revert the primary or its timeline moved");
	if (is(f, "stop") || is(f, "kill"))
		return xasprintf("%s until the revert", sv->kind == SVC_REDIS ?
		    "PING fails" : sv->kind == SVC_POSTGRES ? "SELECT 1 fails" :
		    "its process is gone");
	return NULL;
}
