/*
 * preflight.c — see preflight.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dispatch/dispatch.h"
#include "revert.h"
#include "../base/hosts.h"
#include "../io/load.h"
#include "preflight.h"

/* One URL: 0 fine; -1 with "file:line:col: WHAT goes to HOST ..." */
static int
check(const struct scenario *s, const struct hostrule *r, const char *url,
    int dsn, int line, int col, const char *what, struct sd_err *e)
{
	struct sd_err pe;
	char host[256];
	int rc = dsn ? hosts_check_dsn(url, r, host, sizeof host, &pe) :
	    hosts_check_url(url, r, host, sizeof host, &pe);

	if (rc == 0)
		return 0;
	if (rc == -1)
		return err_set(e, "%s:%d:%d: %s: %s", s->file, line, col, what,
		    pe.msg);
	return err_set(e, "%s:%d:%d: %s goes to '%s', which is not loopback;"
	    " add it to allow: or pass --allow-host %s", s->file, line, col, what,
	    host, host);
}

static int fault_hosts(const struct scenario *s, const struct hostrule *r,
    struct sd_err *e);

int
preflight_hosts(const struct scenario *s, char *const *extra, size_t nextra,
    struct sd_err *e)
{
	struct hostrule r = { s->allow, s->nallow, extra, nextra };
	char what[160];

	if (s->target != NULL && check(s, &r, s->target, 0, s->target_line,
	    s->target_col, "the target", e) == -1)
		return -1;
	if (s->proxy != NULL && check(s, &r, s->proxy, 0, s->proxy_line,
	    s->proxy_col, "the proxy", e) == -1)
		return -1;
	for (size_t i = 0; i < s->nprobes; i++) {
		if (s->probes[i].off != NULL)
			continue;	/* never sends a thing */
		snprintf(what, sizeof what, "probe '%s'", s->probes[i].name);
		if (check(s, &r, s->probes[i].rq.url, 0, s->probes[i].line,
		    s->probes[i].col, what, e) == -1)
			return -1;
	}
	for (size_t i = 0; i < s->nloads; i++) {
		snprintf(what, sizeof what, "load '%s'", s->loads[i].name);
		if (check(s, &r, s->loads[i].rq.url, 0, s->loads[i].line,
		    s->loads[i].col, what, e) == -1)
			return -1;
	}
	for (size_t i = 0; i < s->nsteps; i++)
		if (s->steps[i].kind == ST_BURST && check(s, &r,
		    s->steps[i].burst.rq.url, 0, s->steps[i].line, s->steps[i].col,
		    "the burst", e) == -1)
			return -1;
	for (size_t i = 0; i < s->nservices; i++) {
		const struct svc *sv = &s->services[i];
		if (sv->url == NULL || sv->kind == SVC_PROCESS)
			continue;
		snprintf(what, sizeof what, "service '%s'", sv->name);
		if (check(s, &r, sv->url, sv->kind == SVC_POSTGRES, sv->line,
		    sv->col, what, e) == -1)
			return -1;
	}
	return fault_hosts(s, &r, e);
}

/* What a fault listens on or connects to itself (a proxy of its own):
 * the same rule, listening addresses included. */
static int
fault_hosts(const struct scenario *s, const struct hostrule *r,
    struct sd_err *e)
{
	struct fault_endpoint ep[FAULT_MAX_ENDPOINTS];
	struct sd_err pe;
	char host[256];

	for (size_t i = 0; i < s->nsteps; i++) {
		const struct scen_step *st = &s->steps[i];
		if (st->kind != ST_FAULT)
			continue;
		size_t n = dispatch_endpoints(st->fault, ep);
		for (size_t k = 0; k < n; k++) {
			int rc = hosts_check_hostport(ep[k].addr, r, host, sizeof host,
			    &pe);
			if (rc == -1)
				return err_set(e, "%s:%d:%d: %s %s: %s", s->file, st->line,
				    st->col, st->fault->verb->name, ep[k].what, pe.msg);
			if (rc == 1)
				return err_set(e, "%s:%d:%d: %s %s '%s' %s '%s', which is not"
				    " loopback; add it to allow: or pass --allow-host %s",
				    s->file, st->line, st->col, st->fault->verb->name,
				    ep[k].what, ep[k].addr, ep[k].listen ? "listens on" :
				    "connects to", host, host);
		}
	}
	return 0;
}

static int
watched(const struct scenario *s, const struct scen_expect *x,
    struct sd_err *e)
{
	const struct svc *sv;
	struct sd_err pe;

	if (x->process < 0 || x->off != NULL)
		return 0;	/* nothing to watch, or a check that is off */
	sv = &s->services[x->process];
	if (svc_pid(sv, &pe) != 0)
		return 0;
	return err_set(e, "%s:%d:%d: the drill watches service '%s' (line %d),"
	    " but its process cannot be found: %s", s->file, sv->line, sv->col,
	    sv->name, x->line, pe.msg);
}

int
preflight_pids_static(const struct scenario *s, struct sd_err *e)
{
	struct sd_err pe;

	for (size_t i = 0; i < s->nservices; i++) {
		const struct svc *sv = &s->services[i];
		if (svc_pid_static(sv, &pe) == -1)
			return err_set(e, "%s:%d:%d: %s", s->file, sv->line, sv->col,
			    pe.msg);
	}
	return 0;
}

/* Does this step change which process its service is (so a later step's
 * pid cannot be known before the run)? */
static int
replaces(const struct fault *f)
{
	static const char *const verbs[] = { "stop", "kill", "start", "restart",
	    "signal", NULL };

	for (size_t i = 0; verbs[i] != NULL; i++)
		if (strcmp(f->verb->name, verbs[i]) == 0)
			return 1;
	return 0;
}

int
preflight_faults(const struct scenario *s, struct sd_err *e)
{
	char *touched = xcalloc(s->nservices + 1, 1);
	struct sd_err pe;
	int rc = 0;

	/* a step acting on a service after another replaced its process
	 * (postgres-failover's kill, then start) is checked by the run */
	for (size_t i = 0; i < s->nsteps && rc == 0; i++) {
		const struct scen_step *st = &s->steps[i];
		if (st->kind != ST_FAULT || st->off != NULL)
			continue;
		const struct fault *f = st->fault;
		int k = f->svc ? scen_find_service(s, f->svc->name) : -1;
		if ((k < 0 || !touched[k]) && dispatch_preflight(f, &pe) == -1)
			rc = err_set(e, "%s:%d:%d: %s: %s", s->file, st->line, st->col,
			    f->verb->name, pe.msg);
		if (k >= 0 && replaces(f))
			touched[k] = 1;
	}
	free(touched);
	return rc;
}

int
preflight_pids(const struct scenario *s, struct sd_err *e)
{
	for (size_t i = 0; i < s->nsteady; i++)
		if (watched(s, &s->steady[i], e) == -1)
			return -1;
	for (size_t i = 0; i < s->nsteps; i++)
		if (s->steps[i].kind == ST_EXPECT && s->steps[i].off == NULL &&
		    watched(s, &s->steps[i].expect, e) == -1)
			return -1;
	return 0;
}

int
preflight_leftovers(const char *journal, int64_t wait_ms, struct sd_err *e)
{
	json_t *left = revert_orphans(journal, wait_ms, e), *ent;
	struct sbuf sb;
	size_t i, n;

	if (left == NULL)
		return -1;
	if ((n = json_array_size(left)) == 0) {
		json_decref(left);
		return 0;
	}
	sb_init(&sb);
	sb_addf(&sb, "%zu fault(s) of a run that died are still applied:", n);
	json_array_foreach(left, i, ent) {
		if (i == 3) {
			sb_add(&sb, " ...");
			break;
		}
		sb_addf(&sb, "%s '%s' (run %s)", i ? "," : "",
		    json_string_value(json_object_get(ent, "what")),
		    json_string_value(json_object_get(ent, "run")));
	}
	sb_add(&sb, "; a drill on top of them would measure the wrong thing:"
	    " run 'shakedown recover' first ('shakedown status' lists them)");
	err_set(e, "%s", sb.buf);
	sb_free(&sb);
	json_decref(left);
	return -1;
}

int
preflight_loads(const struct scenario *s, struct sd_err *e)
{
	struct sd_err le;
	long conns = (long)s->nprobes * 2;
	int threads = 0;

	for (size_t i = 0; i < s->nloads; i++) {
		conns += s->loads[i].connections;
		threads += s->loads[i].threads ? s->loads[i].threads : 8;
	}
	if (s->nloads == 0 || load_check_nofile(conns, threads, &le) == 0)
		return 0;
	return err_set(e, "%s:%d:%d: the drill's load generators: %s", s->file,
	    s->loads[0].line, s->loads[0].col, le.msg);
}

/* Every probe that asks the monitoring: its API answers and its query is
 * good, now — a drill whose alert checks could never answer stops here,
 * with nothing applied. */
static int
pre_monitoring(const struct scenario *s, struct sd_err *e)
{
	for (size_t i = 0; i < s->nprobes; i++) {
		const struct scen_probe *p = &s->probes[i];
		if (p->mon.kind == MON_NONE || p->off != NULL)
			continue;
		if (mon_check(&p->mon, &p->rq, p->timeout_ms > 5000 ? 5000 :
		    p->timeout_ms < 2000 ? 2000 : p->timeout_ms, e) == -1)
			return err_prefix(e, "%s:%d:%d: probe '%s'", s->file, p->line,
			    p->col, p->name);
	}
	return 0;
}

int
preflight_check(const struct scenario *s, char *const *allow, size_t nallow,
    enum preflight_level level, struct sd_err *e)
{
	if (preflight_hosts(s, allow, nallow, e) == -1)
		return -1;
	if (level == PRE_STATIC)
		return preflight_pids_static(s, e);
	return preflight_pids(s, e) == -1 || preflight_faults(s, e) == -1 ||
	    preflight_loads(s, e) == -1 || pre_monitoring(s, e) == -1 ? -1 : 0;
}

size_t
preflight_load_all(char *const *files, size_t n, char *const *allow,
    size_t nallow, enum preflight_level level, struct scenario **out,
    void (*bad)(void *arg, const char *msg), void *arg)
{
	struct sd_err e;
	size_t nbad = 0;

	for (size_t i = 0; i < n; i++) {
		out[i] = scen_load(files[i], &e);
		if (out[i] == NULL || preflight_check(out[i], allow, nallow, level, &e) ==
		    -1) {
			bad(arg, e.msg);
			scen_free(out[i]);
			out[i] = NULL;
			nbad++;
		}
	}
	return nbad;
}
