/*
 * preflight.c — see preflight.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "hosts.h"
#include "load.h"
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

int
pre_hosts(const struct scenario *s, char *const *extra, size_t nextra,
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
	return 0;
}

static int
watched(const struct scenario *s, const struct scen_expect *x,
    struct sd_err *e)
{
	const struct svc *sv;
	struct sd_err pe;

	if (x->process < 0)
		return 0;
	sv = &s->services[x->process];
	if (svc_pid(sv, &pe) != 0)
		return 0;
	return err_set(e, "%s:%d:%d: the drill watches service '%s' (line %d),"
	    " but its process cannot be found: %s", s->file, sv->line, sv->col,
	    sv->name, x->line, pe.msg);
}

int
pre_pids(const struct scenario *s, struct sd_err *e)
{
	for (size_t i = 0; i < s->nsteady; i++)
		if (watched(s, &s->steady[i], e) == -1)
			return -1;
	for (size_t i = 0; i < s->nsteps; i++)
		if (s->steps[i].kind == ST_EXPECT &&
		    watched(s, &s->steps[i].expect, e) == -1)
			return -1;
	return 0;
}

int
pre_leftovers(const char *journal, int64_t wait_ms, struct sd_err *e)
{
	json_t *left = grd_orphans(journal, wait_ms, e), *ent;
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
pre_loads(const struct scenario *s, struct sd_err *e)
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
