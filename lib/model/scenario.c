/*
 * scenario.c — see scenario.h. The YAML tree (ynode.c) is walked once with
 * a list of allowed keys per mapping. Requests are request.c's, expectations
 * expect.c's, services svc.c's and each fault step its kind's
 * (lib/dispatch/dispatch.h); this file holds the root, the named maps (services,
 * probes, load), the steps and the slo.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../dispatch/dispatch.h"
#include "../io/burst.h"
#include "pairing.h"
#include "../base/redact.h"
#include "scenario_int.h"
#include "../base/tls.h"
#include "../base/units.h"
#include "../base/ynode.h"

#define DEFAULT_EVERY_MS 100
#define DEFAULT_FAST_MS 10
#define DEFAULT_PROBE_TIMEOUT_MS 1000
#define DEFAULT_STEADY_TIMEOUT_MS 10000
#define DEFAULT_MAX_DURATION_MS (15 * 60 * 1000)



/* The first word of sql outside quotes and comments that writes or
 * changes something, or NULL. A first line of defence, seen at validate:
 * the lookup also runs READ ONLY, which is what holds. */
static const char *
sql_writes(const char *sql)
{
	static const char *const verbs[] = { "INSERT", "UPDATE", "DELETE",
	    "MERGE", "TRUNCATE", "DROP", "ALTER", "CREATE", "GRANT", "REVOKE",
	    "COPY", "CALL", "DO", "LOCK", "VACUUM", "REINDEX", "CLUSTER",
	    "REFRESH", "COMMENT", "SECURITY", NULL };

	for (const char *p = sql; *p; ) {
		if (*p == '\'' || *p == '"') {		/* a literal or an identifier */
			const char *q = strchr(p + 1, *p);
			p = q ? q + 1 : p + strlen(p);
		} else if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *q = strstr(p + 2, "*/");
			p = q ? q + 2 : p + strlen(p);
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			size_t n = 0;
			while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '$')
				n++;
			for (size_t i = 0; verbs[i]; i++)
				if (strlen(verbs[i]) == n && strncasecmp(p, verbs[i], n) == 0)
					return verbs[i];
			p += n;
		} else {
			p++;
		}
	}
	return NULL;
}

/* writes: { in: SERVICE, query: SQL, acknowledged: STATUS } */
static int
parse_writer(struct pctx *c, const struct ynode *n, const struct ynode *w,
    struct scen_probe *p)
{
	static const char *const keys[] = { "in", "query", "acknowledged", NULL };
	const struct ynode *v;
	struct sd_err e;

	if (ywant(&c->y, w, Y_MAP, "writes") == -1 ||
	    ykeys(&c->y, w, keys, "writes") == -1)
		return -1;
	/* each write is work for the database: a writer keeps its every:
	 * whatever is measured (its figures come from all its writes) */
	if (ynode_get(n, "fast") != NULL)
		return yerr(&c->y, ynode_get(n, "fast"), "a writer keeps its every:"
		    " (each write is work for the database): no fast: on it");
	p->fast_ms = p->every_ms;
	if ((v = ynode_get(w, "in")) == NULL)
		return yerr(&c->y, w, "writes: needs in: (the postgres service the"
		    " acknowledged writes must be in)");
	if (ywant(&c->y, v, Y_SCALAR, "in") == -1)
		return -1;
	if ((p->writes_svc = scen_find_service(c->s, v->value)) < 0)
		return yerr(&c->y, v, "no service named '%s'", v->value);
	if (c->s->services[p->writes_svc].kind != SVC_POSTGRES ||
	    c->s->services[p->writes_svc].url == NULL)
		return yerr(&c->y, v, "service '%s' is not a postgres service with"
		    " a url:", v->value);
	if ((v = ynode_get(w, "query")) == NULL)
		return yerr(&c->y, w, "writes: needs query: (a SELECT that returns,"
		    " in its first column, which of the keys in $1 are stored)");
	if (ystr(&c->y, w, "query", &p->writes_query) == -1)
		return -1;
	if (strstr(p->writes_query, "$1") == NULL || strstr(p->writes_query,
	    "$2") != NULL)
		return yerr(&c->y, v, "query: takes the keys as $1 (a text array),"
		    " and nothing else, as in \"SELECT key FROM t WHERE key ="
		    " ANY($1)\"");
	const char *verb = sql_writes(p->writes_query);
	if (verb != NULL)
		return yerr(&c->y, v, "query: %s would change the database: the"
		    " lookup only reads (it runs in a READ ONLY transaction)",
		    verb);
	p->ack = (struct status_pat){ 200, 299 };
	if ((v = ynode_get(w, "acknowledged")) != NULL &&
	    (ywant(&c->y, v, Y_SCALAR, "acknowledged") == -1 ||
	    match_parse_status(v->value, &p->ack, &e) == -1))
		return v->type == Y_SCALAR ? yerr(&c->y, v, "%s", e.msg) : -1;
	if (p->ack.lo == STATUS_REFUSED)
		return yerr(&c->y, v, "acknowledged: an HTTP status");
	if (strstr(p->rq.url, "{key}") == NULL && (p->rq.body == NULL ||
	    strstr(p->rq.body, "{key}") == NULL))
		return yerr(&c->y, n, "a writer needs {key} in its path or body, so"
		    " each write can be found again");
	return 0;
}

static int
parse_probe(struct pctx *c, const struct ynode *key, const struct ynode *n,
    void *item)
{
	static const char *const own[] = { "every", "timeout", "fast", "writes",
	    "when", NULL };
	struct scen_probe *p = item;
	const struct ynode *f;

	p->name = xstrdup(key->value);
	p->line = key->line;
	p->col = key->col;
	p->every_ms = DEFAULT_EVERY_MS;
	p->timeout_ms = DEFAULT_PROBE_TIMEOUT_MS;
	if (yname(&c->y, key, "probe", 1) == -1 ||
	    ywant(&c->y, n, Y_MAP, "a probe") == -1)
		return -1;
	const char *keys[24];
	size_t k = 0;
	for (const char *const *r = request_keys; *r; r++)
		keys[k++] = *r;
	for (const char *const *r = own; *r; r++)
		keys[k++] = *r;
	for (const char *const *r = mon_keys; *r; r++)
		if (strcmp(*r, "headers") != 0 && strcmp(*r, "tls") != 0)
			keys[k++] = *r;
	keys[k] = NULL;
	if (ykeys(&c->y, n, keys, "a probe") == -1 ||
	    ywhen(&c->y, n, &p->off) == -1 ||
	    (mon_is(n) ? mon_parse(&c->y, key, n, p->off != NULL, &p->rq,
	    &p->mon) :
	    request_parse(&c->y, key, n, c->s->target, "probe", &p->rq)) == -1 ||
	    ydur(&c->y, n, "every", &p->every_ms, 10, HOUR_MS) == -1 ||
	    ydur(&c->y, n, "timeout", &p->timeout_ms, 1, HOUR_MS) == -1)
		return -1;
	if (p->off == NULL && p->rq.off != NULL)
		p->off = xstrdup(p->rq.off);	/* its endpoint is set empty */
	/* the monitoring moves once a second (scrape, evaluation): asking it
	 * faster than 100 ms while a key time is measured gains nothing; the
	 * drill's fast_sampling: (0: off) is the others' */
	int64_t fast = c->s->fast_ms == 0 ? p->every_ms : p->mon.kind != MON_NONE ?
	    (c->s->fast_ms > 100 ? c->s->fast_ms : 100) : c->s->fast_ms;
	p->fast_ms = p->every_ms < fast ? p->every_ms : fast;
	if ((f = ynode_get(n, "fast")) != NULL) {
		if (f->type == Y_SCALAR && strcmp(f->value, "off") == 0)
			p->fast_ms = p->every_ms;
		else if (ydur_node(&c->y, f, "fast", &p->fast_ms, 5,
		    p->every_ms) == -1)
			return -1;
	}
	p->writes_svc = -1;
	if ((f = ynode_get(n, "writes")) != NULL && p->mon.kind != MON_NONE)
		return yerr(&c->y, f, "writes: goes with a probe that writes to"
		    " the service, not one that asks the monitoring");
	if (f != NULL)
		return parse_writer(c, n, f, p);
	return 0;
}

static int
parse_load(struct pctx *c, const struct ynode *key, const struct ynode *n,
    void *item)
{
	static const char *const own[] = { "users", "connections", "rate",
	    "threads", "timeout", "from_step", "to_step", "when", NULL };
	struct scen_load *l = item;
	const struct ynode *r;
	struct sd_err e;
	const char *keys[24];
	size_t k = 0;

	l->name = xstrdup(key->value);
	l->line = key->line;
	l->col = key->col;
	l->connections = 10;
	l->timeout_ms = 5000;
	for (const char *const *p = request_keys; *p; p++)
		keys[k++] = *p;
	for (const char *const *p = own; *p; p++)
		keys[k++] = *p;
	keys[k] = NULL;
	if (yname(&c->y, key, "load", 1) == -1 ||
	    ywant(&c->y, n, Y_MAP, "a load generator") == -1 ||
	    ykeys(&c->y, n, keys, "a load generator") == -1 ||
	    ywhen(&c->y, n, &l->off) == -1 ||
	    request_parse(&c->y, key, n, c->s->target, "load", &l->rq) == -1 ||
	    yint(&c->y, n, "users", 1, 100000, &l->users) == -1 ||
	    yint(&c->y, n, "connections", 1, 100000, &l->connections) == -1 ||
	    yint(&c->y, n, "threads", 1, 256, &l->threads) == -1 ||
	    yint(&c->y, n, "from_step", 1, 10000, &l->from_step) == -1 ||
	    yint(&c->y, n, "to_step", 1, 10000, &l->to_step) == -1 ||
	    ydur(&c->y, n, "timeout", &l->timeout_ms, 1, HOUR_MS) == -1)
		return -1;
	if (l->from_step && l->to_step && l->to_step < l->from_step)
		return yerr(&c->y, ynode_get(n, "to_step"), "to_step: before"
		    " from_step:");
	if ((r = ynode_get(n, "rate")) != NULL) {
		if (ywant(&c->y, r, Y_SCALAR, "rate") == -1)
			return -1;
		if (r->value[0] == '\0' && r->vars != NULL) {
			/* its rate a variable set empty: the load is off */
			if (l->off == NULL)
				l->off = xasprintf("%.*s is set empty",
				    (int)strcspn(r->vars, " "), r->vars);
		} else if (units_rate(r->value, &l->rate, &e) == -1) {
			return yerr(&c->y, r, "%s", e.msg);
		}
	}
	if (l->off == NULL && l->rq.off != NULL)
		l->off = xstrdup(l->rq.off);	/* its endpoint is set empty */
	return 0;
}

static int
parse_service(struct pctx *c, const struct ynode *key, const struct ynode *n,
    void *item)
{
	return svc_parse(&c->y, key, n, item);
}

typedef int (*item_fn)(struct pctx *, const struct ynode *,
    const struct ynode *, void *);

/* services:, probes:, load: — a mapping of name: item. Items parsed so far
 * are counted in *n even on error, so scen_free releases them. */
static int
parse_named(struct pctx *c, const struct ynode *root, const char *key,
    size_t size, void **arr, size_t *n, item_fn fn, struct strmap *ix)
{
	const struct ynode *m = ynode_get(root, key);
	char *items;

	if (m == NULL)
		return 0;
	if (ywant(&c->y, m, Y_MAP, key) == -1)
		return -1;
	items = xcalloc(m->n ? m->n : 1, size);
	*arr = items;
	for (size_t i = 0; i < m->n; i++) {
		(*n)++;
		if (fn(c, m->keys[i], m->items[i], items + i * size) == -1)
			return -1;
		/* every item starts with its name */
		strmap_put(ix, *(char **)(void *)(items + i * size), (int)i);
	}
	return 0;
}

/*
 * A check whose value a variable set empty (`retry_after:
 * "${RETRY_AFTER-true}"` with RETRY_AFTER=) is off: 1, with *off the
 * reason (the key is then not read); 0 when it is on.
 */
static int
emptied(const struct ynode *map, const char *key, char **off)
{
	const struct ynode *n = ynode_get(map, key);

	if (n == NULL || n->type != Y_SCALAR || n->value[0] != '\0' ||
	    n->vars == NULL)
		return 0;
	*off = xasprintf("%.*s is set empty", (int)strcspn(n->vars, " "),
	    n->vars);
	return 1;
}

static int
parse_burst(struct pctx *c, const struct ynode *key, const struct ynode *n,
    struct scen_burst *b)
{
	static const char *const keys[] = { "get", "post", "put", "delete",
	    "method", "path", "url", "headers", "body", "tls", "users", "per_user",
	    "timeout", "expect", "from", "concurrent", NULL };
	static const char *const xkeys[] = { "accepted_per_user", "rejected",
	    NULL };
	static const char *const rkeys[] = { "status", "body_contains",
	    "retry_after", NULL };
	const struct ynode *x, *r;

	b->users = 1;
	b->per_user = 2;
	b->timeout_ms = 30000;
	b->accepted_per_user = -1;
	b->concurrent = 1;
	if (ywant(&c->y, n, Y_MAP, "burst") == -1 ||
	    ykeys(&c->y, n, keys, "burst") == -1 ||
	    request_parse(&c->y, key, n, c->s->target, "burst", &b->rq) == -1 ||
	    yint(&c->y, n, "users", 1, 1000, &b->users) == -1 ||
	    yint(&c->y, n, "per_user", 1, 1000, &b->per_user) == -1 ||
	    ydur(&c->y, n, "timeout", &b->timeout_ms, 1, HOUR_MS) == -1 ||
	    ybool(&c->y, n, "concurrent", &b->concurrent) == -1 ||
	    ystr(&c->y, n, "from", &b->from) == -1)
		return -1;
	if (b->from != NULL) {
		/* every user's address is a loopback one: the first and the last */
		char *lo = render_template(b->from, 1, 0);
		char *hi = render_template(b->from, b->users, 0);
		int ok = burst_loopback(lo) && burst_loopback(hi);
		free(lo);
		free(hi);
		if (!ok)
			return yerr(&c->y, ynode_get(n, "from"), "from: a loopback"
			    " address for each user (127.0.0.{user} or ::1)");
	}
	if (strncmp(b->rq.url, "http://", 7) != 0 &&
	    strncmp(b->rq.url, "https://", 8) != 0)
		return yerr(&c->y, key, "burst: http:// or https:// only (the burst"
		    " holds each request's last byte back itself)");
	if (b->users * b->per_user > 5000)
		return yerr(&c->y, key, "burst: at most 5000 requests (users x"
		    " per_user)");
	if ((x = ynode_get(n, "expect")) == NULL)
		return yerr(&c->y, key, "burst: needs expect: with"
		    " accepted_per_user: and/or rejected:");
	if (ywant(&c->y, x, Y_MAP, "expect") == -1 ||
	    ykeys(&c->y, x, xkeys, "a burst's expect") == -1 ||
	    (!emptied(x, "accepted_per_user", &b->acc_off) &&
	    yint(&c->y, x, "accepted_per_user", 0, 1000,
	    &b->accepted_per_user) == -1))
		return -1;
	if ((r = ynode_get(x, "rejected")) != NULL &&
	    (ywant(&c->y, r, Y_MAP, "rejected") == -1 ||
	    ykeys(&c->y, r, rkeys, "rejected") == -1 ||
	    (!emptied(r, "status", &b->rej_status_off) &&
	    yint(&c->y, r, "status", 100, 599, &b->rej_status) == -1) ||
	    (!emptied(r, "body_contains", &b->rej_body_off) &&
	    ystr(&c->y, r, "body_contains", &b->rej_body) == -1) ||
	    (!emptied(r, "retry_after", &b->rej_retry_off) &&
	    ybool(&c->y, r, "retry_after", &b->rej_retry_after) == -1)))
		return -1;
	if (b->accepted_per_user < 0 && r == NULL && b->acc_off == NULL)
		return yerr(&c->y, x, "burst: expect needs accepted_per_user:"
		    " and/or rejected:");
	return 0;
}

/* The one key of a step that says what it does (timeout: aside). */
static int
step_key(struct pctx *c, const struct ynode *n, const struct ynode **key,
    const struct ynode **val)
{
	static const char *fixed[] = { "wait", "expect", "burst", "revert",
	    "timeout", "when" };
	const char *keys[160];
	size_t k = 0;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		keys[k++] = fixed[i];
	k += dispatch_verb_names(c->kinds, keys + k, 159 - k);
	keys[k] = NULL;
	if (n->type == Y_SCALAR && n->value[0] == '\0')
		return yerr(&c->y, n, "empty step");
	if (ywant(&c->y, n, Y_MAP, "a step") == -1)
		return -1;
	if (n->n == 0)
		return yerr(&c->y, n, "empty step");
	if (ykeys(&c->y, n, keys, "a step") == -1)
		return -1;
	*key = NULL;
	for (size_t i = 0; i < n->n; i++) {
		if (strcmp(n->keys[i]->value, "timeout") == 0 ||
		    strcmp(n->keys[i]->value, "when") == 0)
			continue;
		if (*key != NULL)
			return yerr(&c->y, n->keys[i], "a step does one thing: found"
			    " '%s' and '%s'", (*key)->value, n->keys[i]->value);
		*key = n->keys[i];
		*val = n->items[i];
	}
	if (*key == NULL)
		return yerr(&c->y, n, "step has only a timeout or when:");
	if ((*val)->type == Y_SCALAR && (*val)->value[0] == '\0' &&
	    (*val)->plain)
		return yerr(&c->y, *key, "'%s' needs a value", (*key)->value);
	return 0;
}

static int
parse_step(struct pctx *c, const struct ynode *n, struct scen_step *st)
{
	const struct ynode *key, *val;
	const char *k;

	st->line = n->line;
	st->col = n->col;
	if (step_key(c, n, &key, &val) == -1 ||
	    ydur(&c->y, n, "timeout", &st->timeout_ms, 1, DAY_MS) == -1 ||
	    ywhen(&c->y, n, &st->off) == -1)
		return -1;
	k = key->value;
	if (strcmp(k, "wait") == 0) {
		st->kind = ST_WAIT;
		return ydur_node(&c->y, val, "wait", &st->wait_ms, 1, DAY_MS);
	}
	if (strcmp(k, "expect") == 0) {
		st->kind = ST_EXPECT;
		return expect_parse(&c->y, &c->names, val, &st->expect, 0);
	}
	if (strcmp(k, "burst") == 0) {
		st->kind = ST_BURST;
		if (parse_burst(c, key, val, &st->burst) == -1)
			return -1;
		if (st->off == NULL && st->burst.rq.off != NULL)
			st->off = xstrdup(st->burst.rq.off);
		return 0;
	}
	if (strcmp(k, "revert") == 0) {
		st->kind = ST_REVERT;
		if (ywant(&c->y, val, Y_SCALAR, "revert") == -1)
			return -1;
		st->revert = xstrdup(val->value);
		st->revert_line = val->line;
		st->revert_col = val->col;
		return 0;
	}
	struct fault *f;
	int rc = dispatch_parse_step(c->kinds, &c->y, key, val, scen_service_named, c->s,
	    st->timeout_ms, &f);
	st->kind = ST_FAULT;
	st->fault = f;
	return rc;
}

static int
parse_header(struct pctx *c, const struct ynode *root)
{
	struct scenario *s = c->s;
	const struct ynode *n;
	struct sd_err e;

	if (ystr(&c->y, root, "drill", &s->drill) == -1 ||
	    ystr(&c->y, root, "title", &s->title) == -1 ||
	    ystr(&c->y, root, "description", &s->description) == -1 ||
	    ystr(&c->y, root, "target", &s->target) == -1 ||
	    ystr(&c->y, root, "proxy", &s->proxy) == -1 ||
	    ydur(&c->y, root, "steady_timeout", &s->steady_timeout_ms, 1,
	    HOUR_MS) == -1 ||
	    ydur(&c->y, root, "max_duration", &s->max_duration_ms, 1000,
	    DAY_MS) == -1)
		return -1;
	if ((n = ynode_get(root, "drill")) == NULL)
		return yerr(&c->y, root, "missing 'drill:' (the drill's name)");
	/* it names the report's directory: nothing like ".." */
	if (yname(&c->y, n, "drill", 0) == -1)
		return -1;
	if ((n = ynode_get(root, "target")) != NULL) {
		s->target_line = n->line;
		s->target_col = n->col;
	}
	if ((n = ynode_get(root, "proxy")) != NULL) {
		s->proxy_line = n->line;
		s->proxy_col = n->col;
	}
	if (s->target != NULL) {
		redact_learn(s->target);
		if (request_check_url(s->target, &e) == -1)
			return yerr(&c->y, ynode_get(root, "target"), "target %s",
			    e.msg);
	}
	if (s->proxy != NULL) {
		redact_learn(s->proxy);
		if (request_check_url(s->proxy, &e) == -1)
			return yerr(&c->y, ynode_get(root, "proxy"), "proxy %s",
			    e.msg);
	}
	if ((n = ynode_get(root, "allow")) != NULL) {
		if (ywant(&c->y, n, Y_SEQ, "allow") == -1)
			return -1;
		s->allow = xcalloc(n->n + 1, sizeof *s->allow);
		for (size_t i = 0; i < n->n; i++) {
			if (ywant(&c->y, n->items[i], Y_SCALAR, "an allowed host") == -1)
				return -1;
			s->allow[s->nallow++] = xstrdup(n->items[i]->value);
		}
	}
	return 0;
}

static int
parse_steps(struct pctx *c, const struct ynode *root)
{
	struct scenario *s = c->s;
	const struct ynode *n = ynode_get(root, "steps");

	if (n == NULL)
		return yerr(&c->y, root, "missing 'steps:'");
	if (ywant(&c->y, n, Y_SEQ, "steps") == -1)
		return -1;
	if (n->n == 0)
		return yerr(&c->y, n, "steps: is empty");
	s->steps = xcalloc(n->n, sizeof *s->steps);
	for (size_t i = 0; i < n->n; i++) {
		s->nsteps++;
		if (parse_step(c, n->items[i], &s->steps[i]) == -1)
			return -1;
	}
	/* a revert: step needs a fault applied before it to pair with */
	struct pair_step *in = xcalloc(s->nsteps, sizeof *in);
	struct pairing pr;
	for (size_t i = 0; i < s->nsteps; i++)
		in[i] = scen_pair_step(&s->steps[i]);
	pair_steps(in, s->nsteps, &pr);
	size_t bad = pr.unpaired;
	free(in);
	free(pr.out);
	free(pr.at_end);
	if (bad < s->nsteps)
		return err_set(c->y.e, "%s:%d:%d: revert: nothing named '%s' is"
		    " applied at this step (a service, a fault's target or a"
		    " fault kind, applied before and not reverted yet)",
		    c->y.file, s->steps[bad].revert_line, s->steps[bad].revert_col,
		    s->steps[bad].revert);
	for (size_t i = 0; i < s->nloads; i++)
		if ((size_t)s->loads[i].from_step > s->nsteps ||
		    (size_t)s->loads[i].to_step > s->nsteps)
			return err_set(c->y.e, "%s:%d:%d: load '%s': its window names"
			    " a step beyond the last (%zu)", c->y.file,
			    s->loads[i].line, s->loads[i].col, s->loads[i].name,
			    s->nsteps);
	return 0;
}

/* The drill's tls: for every request that has none of its own. */
static void
tls_defaults(struct scenario *s)
{
	if (s->tls == NULL)
		return;
	for (size_t i = 0; i < s->nprobes; i++)
		if (s->probes[i].rq.tls == NULL)
			s->probes[i].rq.tls = tls_dup(s->tls);
	for (size_t i = 0; i < s->nloads; i++)
		if (s->loads[i].rq.tls == NULL)
			s->loads[i].rq.tls = tls_dup(s->tls);
	for (size_t i = 0; i < s->nsteps; i++)
		if (s->steps[i].kind == ST_BURST && s->steps[i].burst.rq.tls == NULL)
			s->steps[i].burst.rq.tls = tls_dup(s->tls);
}

/* fast_sampling: how often a probe is asked while a key time is
 * measured (default 10ms; off, or set empty: never faster than every:). */
static int
parse_fast(struct pctx *c, const struct ynode *root)
{
	const struct ynode *n = ynode_get(root, "fast_sampling");

	c->s->fast_ms = DEFAULT_FAST_MS;
	if (n == NULL)
		return 0;
	if (n->type == Y_SCALAR && (strcmp(n->value, "off") == 0 ||
	    n->value[0] == '\0')) {
		c->s->fast_ms = 0;
		return 0;
	}
	return ydur_node(&c->y, n, "fast_sampling", &c->s->fast_ms, 5, HOUR_MS);
}

static int
parse_root(struct pctx *c, const struct ynode *root)
{
	static const char *const keys[] = { "drill", "title", "description",
	    "target", "proxy", "services", "probes", "load", "steady", "steps",
	    "allow", "steady_timeout", "max_duration", "slo", "abort",
	    "max_fault_time", "halt_file", "tls", "fast_sampling", NULL };
	struct scenario *s = c->s;
	const struct ynode *n;

	if (root->type != Y_MAP)
		return yerr(&c->y, root, "a drill must be a mapping (drill:,"
		    " title:, steps: ...)");
	if (ykeys(&c->y, root, keys, "a drill") == -1 ||
	    parse_header(c, root) == -1 || parse_fast(c, root) == -1 ||
	    parse_named(c, root, "services", sizeof *s->services,
	    (void **)&s->services, &s->nservices, parse_service,
	    &s->service_ix) == -1 ||
	    parse_named(c, root, "probes", sizeof *s->probes,
	    (void **)&s->probes, &s->nprobes, parse_probe, &s->probe_ix) == -1 ||
	    parse_named(c, root, "load", sizeof *s->loads, (void **)&s->loads,
	    &s->nloads, parse_load, &s->load_ix) == -1)
		return -1;
	if ((n = ynode_get(root, "steady")) != NULL) {
		if (ywant(&c->y, n, Y_SEQ, "steady") == -1)
			return -1;
		s->steady = xcalloc(n->n ? n->n : 1, sizeof *s->steady);
		for (size_t i = 0; i < n->n; i++) {
			s->nsteady++;
			if (expect_parse(&c->y, &c->names, n->items[i],
			    &s->steady[i], 1) == -1)
				return -1;
		}
	}
	if ((n = ynode_get(root, "slo")) != NULL && scen_parse_slo(c, n) == -1)
		return -1;
	if (scen_parse_guardrails(c, root) == -1)
		return -1;
	if ((n = ynode_get(root, "tls")) != NULL) {
		s->tls = xcalloc(1, sizeof *s->tls);
		if (tls_parse(&c->y, n, s->tls) == -1)
			return -1;
	}
	if (parse_steps(c, root) == -1)
		return -1;
	tls_defaults(s);
	return 0;
}

struct scenario *
scen_from_tree(const char *name, const struct ynode *root,
    const struct fault_kind *const *kinds, struct sd_err *e)
{
	struct scenario *s = xcalloc(1, sizeof *s);
	struct pctx c = { { name, e }, s, { s, scen_find_name }, kinds };

	s->file = xstrdup(name);
	s->steady_timeout_ms = DEFAULT_STEADY_TIMEOUT_MS;
	s->max_duration_ms = DEFAULT_MAX_DURATION_MS;
	s->slo = (struct scen_slo){ .load = -1, .p95_ms = -1, .errors = -1,
	    .availability = -1 };
	if (parse_root(&c, root) == -1) {
		scen_free(s);
		return NULL;
	}
	return s;
}

struct scenario *
scen_parse(const char *name, const char *text, size_t len, struct sd_err *e)
{
	return scen_parse_with(name, text, len, NULL, e);
}

struct scenario *
scen_parse_with(const char *name, const char *text, size_t len,
    const struct fault_kind *const *kinds, struct sd_err *e)
{
	struct ynode *root = ynode_parse(name, text, len, e);
	struct scenario *s = root ? scen_from_tree(name, root, kinds, e) : NULL;

	ynode_free(root);
	return s;
}

struct scenario *
scen_load(const char *path, struct sd_err *e)
{
	struct scenario *s;
	size_t len;
	char *text;

	if ((text = read_file_max(path, YNODE_MAX_BYTES, &len, e)) == NULL)
		return NULL;
	s = scen_parse(path, text, len, e);
	free(text);
	return s;
}

void
scen_free(struct scenario *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nsteps; i++) {
		struct scen_step *st = &s->steps[i];
		expect_free(&st->expect);
		dispatch_free(st->fault);
		free(st->revert);
		free(st->off);
		request_free(&st->burst.rq);
		free(st->burst.rej_body);
		free(st->burst.from);
		free(st->burst.rej_status_off);
		free(st->burst.rej_body_off);
		free(st->burst.rej_retry_off);
		free(st->burst.acc_off);
	}
	free(s->steps);
	for (size_t i = 0; i < s->nloads; i++) {
		free(s->loads[i].name);
		free(s->loads[i].off);
		request_free(&s->loads[i].rq);
	}
	free(s->loads);
	for (size_t i = 0; i < s->nsteady; i++)
		expect_free(&s->steady[i]);
	free(s->steady);
	for (size_t i = 0; i < s->naborts; i++)
		expect_free(&s->aborts[i]);
	free(s->aborts);
	free(s->halt_file);
	tls_free(s->tls);
	free(s->tls);
	for (size_t i = 0; i < s->nprobes; i++) {
		free(s->probes[i].name);
		free(s->probes[i].off);
		mon_free(&s->probes[i].mon);
		free(s->probes[i].writes_query);
		request_free(&s->probes[i].rq);
	}
	free(s->probes);
	for (size_t i = 0; i < s->nservices; i++)
		svc_free(&s->services[i]);
	free(s->services);
	for (size_t i = 0; i < s->nallow; i++)
		free(s->allow[i]);
	free(s->allow);
	free(s->file);
	free(s->drill);
	free(s->title);
	free(s->description);
	free(s->target);
	free(s->proxy);
	strmap_free(&s->probe_ix);
	strmap_free(&s->load_ix);
	strmap_free(&s->service_ix);
	free(s);
}

struct pair_step
scen_pair_step(const struct scen_step *st)
{
	struct pair_step ps = { PS_OTHER, NULL, NULL, st->off };

	if (st->kind == ST_FAULT) {
		ps.kind = PS_FAULT;
		ps.fault = st->fault;
	} else if (st->kind == ST_REVERT) {
		ps.kind = PS_REVERT;
		ps.revert = st->revert;
	}
	return ps;
}

const struct svc *
scen_service_named(const void *arg, const char *name)
{
	const struct scenario *s = arg;
	int i = scen_find_service(s, name);

	return i < 0 ? NULL : &s->services[i];
}
