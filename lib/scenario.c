/*
 * scenario.c — see scenario.h. The YAML tree (ynode.c) is walked once with a
 * list of allowed keys per mapping; every value is converted at the edge
 * (durations, statuses, commands) and every name resolved, so the runner
 * never meets a bad value.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../drills/drill.h"
#include "proc.h"
#include "scenario.h"
#include "units.h"
#include "ynode.h"

#define DEFAULT_EVERY_MS 100
#define DEFAULT_PROBE_TIMEOUT_MS 1000
#define DEFAULT_CMD_TIMEOUT_MS 30000
#define DEFAULT_READY_TIMEOUT_MS 30000
#define DEFAULT_STEADY_TIMEOUT_MS 10000
#define DEFAULT_MAX_DURATION_MS (15 * 60 * 1000)

struct pctx {
	const char *file;
	struct scenario *s;
	struct sd_err *e;
};

int
scen_error(struct sd_err *e, const char *file, const struct ynode *n,
    const char *fmt, ...)
{
	char msg[SD_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(e, "%s:%d:%d: %s", file, n ? n->line : 1, n ? n->col : 1,
	    msg);
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof prev);
	}
	return prev[lb];
}

static const char *
nearest(const char *word, const char *const *cands)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (; *cands; cands++) {
		size_t d = edit_distance(word, *cands);
		if (d < bestd || (d == bestd && best == NULL && d <= 2)) {
			bestd = d;
			best = *cands;
		}
	}
	return best;
}

int
scen_check_keys(const char *file, const struct ynode *map,
    const char *const *keys, const char *what, struct sd_err *e)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *k = map->keys[i]->value, *near;
		int known = 0;
		for (const char *const *p = keys; *p; p++)
			known |= strcmp(*p, k) == 0;
		if (known)
			continue;
		near = nearest(k, keys);
		if (near != NULL)
			return scen_error(e, file, map->keys[i], "unknown key '%s'"
			    " in %s (did you mean '%s'?)", k, what, near);
		return scen_error(e, file, map->keys[i], "unknown key '%s' in %s",
		    k, what);
	}
	return 0;
}

static int
want_type(struct pctx *c, const struct ynode *n, enum ynode_type t,
    const char *what)
{
	if (n->type == t)
		return 0;
	return scen_error(c->e, c->file, n, "%s must be %s, not %s", what,
	    ynode_type_name(t), ynode_type_name(n->type));
}

static int
get_str(struct pctx *c, const struct ynode *map, const char *key, char **out)
{
	const struct ynode *n = ynode_get(map, key);

	if (n == NULL)
		return 0;
	if (want_type(c, n, Y_SCALAR, key) == -1)
		return -1;
	free(*out);
	*out = xstrdup(n->value);
	return 0;
}

static int
get_dur(struct pctx *c, const struct ynode *map, const char *key, int64_t *ms)
{
	const struct ynode *n = ynode_get(map, key);
	struct sd_err e;

	if (n == NULL)
		return 0;
	if (want_type(c, n, Y_SCALAR, key) == -1)
		return -1;
	if (units_duration_ms(n->value, ms, &e) == -1)
		return scen_error(c->e, c->file, n, "%s: %s", key, e.msg);
	return 0;
}

static int
valid_name(struct pctx *c, const struct ynode *n, const char *what)
{
	const char *p = n->value;

	if (*p == '\0')
		return scen_error(c->e, c->file, n, "empty %s name", what);
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return scen_error(c->e, c->file, n, "bad %s name '%s'"
			    " (letters, digits, - _ . only)", what, n->value);
	return 0;
}

/* A command: a list of words, or one string split with shell-like quoting. */
static int
parse_cmd(struct pctx *c, const struct ynode *n, char ***out)
{
	struct sd_err e;

	if (n->type == Y_SCALAR) {
		if ((*out = argv_split(n->value, &e)) == NULL)
			return scen_error(c->e, c->file, n, "%s", e.msg);
		return 0;
	}
	if (n->type != Y_SEQ)
		return scen_error(c->e, c->file, n, "a command must be a list of"
		    " words or a string, not a mapping");
	if (n->n == 0)
		return scen_error(c->e, c->file, n, "empty command");
	*out = xcalloc(n->n + 1, sizeof **out);
	for (size_t i = 0; i < n->n; i++) {
		if (n->items[i]->type != Y_SCALAR)
			return scen_error(c->e, c->file, n->items[i], "a command"
			    " word must be a scalar");
		(*out)[i] = xstrdup(n->items[i]->value);
	}
	return 0;
}

static int
parse_service(struct pctx *c, const struct ynode *key, const struct ynode *n,
    struct scen_service *sv)
{
	static const char *const keys[] = { "kind", "url", "dsn", "pid",
	    "pidfile", "stop", "start", "kill", "restart", "timeout",
	    "ready_timeout", NULL };
	static const char *const cmds[SVC_NCMDS] = { "stop", "start", "kill",
	    "restart" };
	const struct ynode *k;
	char *end;

	sv->name = xstrdup(key->value);
	sv->line = key->line;
	sv->col = key->col;
	sv->timeout_ms = DEFAULT_CMD_TIMEOUT_MS;
	sv->ready_timeout_ms = DEFAULT_READY_TIMEOUT_MS;
	if (valid_name(c, key, "service") == -1 ||
	    want_type(c, n, Y_MAP, "a service") == -1 ||
	    scen_check_keys(c->file, n, keys, "a service", c->e) == -1)
		return -1;
	if ((k = ynode_get(n, "kind")) != NULL) {
		if (want_type(c, k, Y_SCALAR, "kind") == -1)
			return -1;
		if (strcmp(k->value, "redis") == 0)
			sv->kind = SVC_REDIS;
		else if (strcmp(k->value, "postgres") == 0)
			sv->kind = SVC_POSTGRES;
		else if (strcmp(k->value, "process") == 0)
			sv->kind = SVC_PROCESS;
		else
			return scen_error(c->e, c->file, k, "unknown service kind"
			    " '%s' (redis, postgres or process)", k->value);
	}
	if (get_str(c, n, "url", &sv->url) == -1 ||
	    get_str(c, n, "dsn", &sv->url) == -1 ||
	    get_str(c, n, "pidfile", &sv->pidfile) == -1 ||
	    get_dur(c, n, "timeout", &sv->timeout_ms) == -1 ||
	    get_dur(c, n, "ready_timeout", &sv->ready_timeout_ms) == -1)
		return -1;
	if ((k = ynode_get(n, "pid")) != NULL) {
		if (want_type(c, k, Y_SCALAR, "pid") == -1)
			return -1;
		sv->pid = strtol(k->value, &end, 10);
		if (*end != '\0' || sv->pid <= 1)
			return scen_error(c->e, c->file, k, "bad pid '%s'", k->value);
	}
	if (sv->kind == SVC_REDIS && sv->url != NULL &&
	    strncmp(sv->url, "redis://", 8) != 0)
		return scen_error(c->e, c->file, ynode_get(n, "url"), "a redis url"
		    " must start with redis://");
	if (sv->kind != SVC_PROCESS && (sv->url == NULL || *sv->url == '\0'))
		return scen_error(c->e, c->file, key, "service '%s' of kind %s"
		    " needs a url", sv->name, sv->kind == SVC_REDIS ? "redis" :
		    "postgres");
	for (int i = 0; i < SVC_NCMDS; i++)
		if ((k = ynode_get(n, cmds[i])) != NULL &&
		    parse_cmd(c, k, &sv->cmd[i]) == -1)
			return -1;
	return 0;
}

/*
 * The request part shared by probes, load generators and bursts: one of
 * get/post/put/delete/head (the path or URL in the same key) or method:
 * with path:/url:, then headers: and body:. The URL is made absolute with
 * the drill's target.
 */
static int
parse_request(struct pctx *c, const struct ynode *key, const struct ynode *n,
    const char *what, char **method, char **url, char ***headers, char **body)
{
	static const char *const verbs[] = { "get", "post", "put", "delete",
	    "head", NULL };
	const struct ynode *h, *v;
	char *path = NULL;
	int nverbs = 0;

	for (const char *const *vb = verbs; *vb; vb++) {
		if ((v = ynode_get(n, *vb)) == NULL)
			continue;
		if (nverbs++) {
			free(path);
			return scen_error(c->e, c->file, v, "a %s has one method", what);
		}
		if (want_type(c, v, Y_SCALAR, *vb) == -1)
			return -1;
		*method = xstrdup(*vb);
		for (char *m = *method; *m; m++)
			*m = (char)toupper((unsigned char)*m);
		path = xstrdup(v->value);
	}
	if (get_str(c, n, "method", method) == -1 ||
	    get_str(c, n, "path", &path) == -1 ||
	    get_str(c, n, "url", url) == -1 ||
	    get_str(c, n, "body", body) == -1) {
		free(path);
		return -1;
	}
	if (*method == NULL)
		*method = xstrdup("GET");
	if (*url == NULL) {
		if (path == NULL)
			return scen_error(c->e, c->file, key, "%s '%s' needs a path"
			    " (get: /health) or a url", what, key->value);
		if (strncmp(path, "http://", 7) == 0 ||
		    strncmp(path, "https://", 8) == 0) {
			*url = path;
			path = NULL;
		} else if (c->s->target == NULL) {
			free(path);
			return scen_error(c->e, c->file, key, "%s '%s' has a path"
			    " but the drill has no target", what, key->value);
		} else {
			size_t tl = strlen(c->s->target);
			int slash = tl > 0 && c->s->target[tl - 1] == '/';
			*url = xasprintf("%.*s%s%s", (int)(slash ? tl - 1 : tl),
			    c->s->target, path[0] == '/' ? "" : "/", path);
		}
	}
	free(path);
	if (strncmp(*url, "http://", 7) != 0 && strncmp(*url, "https://", 8) != 0)
		return scen_error(c->e, c->file, key, "%s '%s': url must start"
		    " with http:// or https://", what, key->value);
	if ((h = ynode_get(n, "headers")) != NULL) {
		if (want_type(c, h, Y_MAP, "headers") == -1)
			return -1;
		*headers = xcalloc(h->n + 1, sizeof **headers);
		for (size_t i = 0; i < h->n; i++) {
			if (want_type(c, h->items[i], Y_SCALAR, "a header value") == -1)
				return -1;
			(*headers)[i] = xasprintf("%s: %s", h->keys[i]->value,
			    h->items[i]->value);
		}
	}
	return 0;
}

static int
parse_probe(struct pctx *c, const struct ynode *key, const struct ynode *n,
    struct scen_probe *p)
{
	static const char *const keys[] = { "get", "post", "put", "delete",
	    "head", "method", "path", "url", "headers", "body", "every",
	    "timeout", NULL };
	char **headers = NULL;

	p->name = xstrdup(key->value);
	p->line = key->line;
	p->col = key->col;
	p->every_ms = DEFAULT_EVERY_MS;
	p->timeout_ms = DEFAULT_PROBE_TIMEOUT_MS;
	if (valid_name(c, key, "probe") == -1 ||
	    want_type(c, n, Y_MAP, "a probe") == -1 ||
	    scen_check_keys(c->file, n, keys, "a probe", c->e) == -1)
		return -1;
	if (parse_request(c, key, n, "probe", &p->method, &p->url, &headers,
	    &p->body) == -1 ||
	    get_dur(c, n, "every", &p->every_ms) == -1 ||
	    get_dur(c, n, "timeout", &p->timeout_ms) == -1) {
		argv_free(headers);
		return -1;
	}
	if (p->every_ms < 10) {
		argv_free(headers);
		return scen_error(c->e, c->file, ynode_get(n, "every"), "every:"
		    " at least 10ms");
	}
	/* probes keep headers as name/value pairs */
	for (char **h = headers; h && *h; h++)
		p->nheaders++;
	p->headers = xcalloc(p->nheaders + 1, sizeof *p->headers);
	for (size_t i = 0; i < p->nheaders; i++) {
		char *colon = strchr(headers[i], ':');
		p->headers[i].name = xstrndup(headers[i], (size_t)(colon - headers[i]));
		p->headers[i].value = xstrdup(colon + 2);
	}
	argv_free(headers);
	return 0;
}

static int
get_int(struct pctx *c, const struct ynode *map, const char *key, int lo,
    int hi, int *out)
{
	const struct ynode *n = ynode_get(map, key);
	char *end;
	long v;

	if (n == NULL)
		return 0;
	if (want_type(c, n, Y_SCALAR, key) == -1)
		return -1;
	v = strtol(n->value, &end, 10);
	if (*end != '\0' || end == n->value || v < lo || v > hi)
		return scen_error(c->e, c->file, n, "%s: a number from %d to %d,"
		    " not '%s'", key, lo, hi, n->value);
	*out = (int)v;
	return 0;
}

static int
parse_load(struct pctx *c, const struct ynode *key, const struct ynode *n,
    struct scen_load *l)
{
	static const char *const keys[] = { "get", "post", "put", "delete",
	    "head", "method", "path", "url", "headers", "body", "users",
	    "connections", "rate", "threads", "timeout", "from_step", "to_step",
	    NULL };
	const struct ynode *r;
	struct sd_err e;

	l->name = xstrdup(key->value);
	l->line = key->line;
	l->col = key->col;
	l->connections = 10;
	l->timeout_ms = 5000;
	if (valid_name(c, key, "load") == -1 ||
	    want_type(c, n, Y_MAP, "a load generator") == -1 ||
	    scen_check_keys(c->file, n, keys, "a load generator", c->e) == -1 ||
	    parse_request(c, key, n, "load", &l->method, &l->url, &l->headers,
	    &l->body) == -1 ||
	    get_int(c, n, "users", 1, 100000, &l->users) == -1 ||
	    get_int(c, n, "connections", 1, 100000, &l->connections) == -1 ||
	    get_int(c, n, "threads", 1, 256, &l->threads) == -1 ||
	    get_int(c, n, "from_step", 1, 10000, &l->from_step) == -1 ||
	    get_int(c, n, "to_step", 1, 10000, &l->to_step) == -1 ||
	    get_dur(c, n, "timeout", &l->timeout_ms) == -1)
		return -1;
	if (l->from_step && l->to_step && l->to_step < l->from_step)
		return scen_error(c->e, c->file, ynode_get(n, "to_step"), "to_step:"
		    " before from_step:");
	if ((r = ynode_get(n, "rate")) != NULL) {
		if (want_type(c, r, Y_SCALAR, "rate") == -1)
			return -1;
		if (units_rate(r->value, &l->rate, &e) == -1)
			return scen_error(c->e, c->file, r, "%s", e.msg);
	}
	return 0;
}

static const char *const expect_keys[] = { "probe", "process", "load",
    "alive", "rss_growth", "status", "json", "body", "header", "latency",
    "phase", "errors", "p50", "p90", "p95", "p99", "max", "rps", "requests",
    "within", "holds", "never", "as", NULL };
static const char *const probe_only[] = { "status", "json", "body", "header",
    "latency", NULL };
static const char *const load_only[] = { "phase", "errors", "p50", "p90",
    "p95", "p99", "max", "rps", "requests", NULL };
static const char *const load_what_names[] = { "errors", "p50", "p90", "p95",
    "p99", "max", "rps", "requests" };

const char *
scen_load_what_name(enum load_what w)
{
	return load_what_names[w];
}

/* "< 1%", "<= 500ms", ">= 100" into op and value (unit by kind). */
static int
parse_cmp(struct pctx *c, const struct ynode *n, int kind, int *op, double *v)
{
	const char *p = n->value;
	struct sd_err e;
	char *end;

	while (*p == ' ')
		p++;
	if (p[0] == '<' || p[0] == '>') {
		*op = p[1] == '=' ? (p[0] == '<' ? 'L' : 'G') : p[0];
		p += p[1] == '=' ? 2 : 1;
	} else {
		return scen_error(c->e, c->file, n, "'%s': expected a bound such"
		    " as \"< 1%%\", \"<= 500ms\" or \">= 100\"", n->value);
	}
	while (*p == ' ')
		p++;
	if (kind == 'p') {		/* percent */
		if (units_percent(p, v, &e) == -1)
			return scen_error(c->e, c->file, n, "%s", e.msg);
	} else if (kind == 'd') {	/* duration in ms */
		int64_t us;
		if (units_duration_us(p, &us, &e) == -1)
			return scen_error(c->e, c->file, n, "%s", e.msg);
		*v = (double)us / 1000.0;
	} else if (kind == 's') {	/* size in bytes */
		int64_t b;
		if (units_size(p, &b, &e) == -1)
			return scen_error(c->e, c->file, n, "%s", e.msg);
		*v = (double)b;
	} else {			/* a count or a rate */
		*v = strtod(p, &end);
		if (end == p || (*end != '\0' && strcmp(end, "/s") != 0) || *v < 0)
			return scen_error(c->e, c->file, n, "'%s': expected a"
			    " number", n->value);
	}
	return 0;
}

static int
parse_load_matchers(struct pctx *c, const struct ynode *n,
    struct scen_expect *x)
{
	static const char *const phases[] = { "before", "fault", "after", "all",
	    NULL };
	const struct ynode *v;
	size_t cap = 0;

	x->phase = 3;	/* all */
	if ((v = ynode_get(n, "phase")) != NULL) {
		int found = -1;
		if (want_type(c, v, Y_SCALAR, "phase") == -1)
			return -1;
		for (int i = 0; phases[i]; i++)
			if (strcmp(phases[i], v->value) == 0)
				found = i;
		if (found < 0)
			return scen_error(c->e, c->file, v, "phase: before, fault,"
			    " after or all, not '%s'", v->value);
		x->phase = found;
	}
	for (int w = LW_ERRORS; w <= LW_REQUESTS; w++) {
		struct load_match lm = { .what = (enum load_what)w };
		if ((v = ynode_get(n, load_what_names[w])) == NULL)
			continue;
		if (want_type(c, v, Y_SCALAR, load_what_names[w]) == -1 ||
		    parse_cmp(c, v, w == LW_ERRORS ? 'p' : w <= LW_MAX ? 'd' : 'n',
		    &lm.op, &lm.v) == -1)
			return -1;
		x->lm = xgrow(x->lm, &cap, x->nlm + 1, sizeof *x->lm);
		x->lm[x->nlm++] = lm;
	}
	if (x->nlm == 0)
		return scen_error(c->e, c->file, n, "expectation on load '%s'"
		    " checks nothing (add errors:, p95:, rps: ...)",
		    c->s->loads[x->load].name);
	return 0;
}

static int
refuse_keys(struct pctx *c, const struct ynode *n, const char *const *keys,
    const char *with)
{
	const struct ynode *v;

	for (; *keys; keys++)
		if ((v = ynode_get(n, *keys)) != NULL)
			return scen_error(c->e, c->file, v, "%s: goes with %s", *keys,
			    with);
	return 0;
}

static int
add_matcher(struct scen_expect *x, struct matcher *m)
{
	size_t cap = x->nm;

	x->m = xgrow(x->m, &cap, x->nm + 1, sizeof *x->m);
	x->m[x->nm++] = *m;
	return 0;
}

static int
parse_matchers(struct pctx *c, const struct ynode *n, struct scen_expect *x)
{
	const struct ynode *v;
	struct matcher m;
	struct sd_err e;

	if ((v = ynode_get(n, "status")) != NULL) {
		memset(&m, 0, sizeof m);
		m.kind = M_STATUS;
		const struct ynode *const *items = &v;
		size_t count = 1;
		if (v->type == Y_SEQ) {
			items = (const struct ynode *const *)v->items;
			count = v->n;
			if (count == 0)
				return scen_error(c->e, c->file, v, "empty status list");
		} else if (v->type != Y_SCALAR) {
			return scen_error(c->e, c->file, v, "status must be a code,"
			    " a class (5xx) or a list");
		}
		m.pats = xcalloc(count, sizeof *m.pats);
		m.npats = count;
		for (size_t i = 0; i < count; i++) {
			if (items[i]->type != Y_SCALAR ||
			    match_parse_status(items[i]->value, &m.pats[i], &e) == -1) {
				free(m.pats);
				return scen_error(c->e, c->file, items[i], "%s",
				    items[i]->type == Y_SCALAR ? e.msg :
				    "a status must be a scalar");
			}
		}
		add_matcher(x, &m);
	}
	if ((v = ynode_get(n, "json")) != NULL) {
		if (want_type(c, v, Y_MAP, "json") == -1)
			return -1;
		if (v->n == 0)
			return scen_error(c->e, c->file, v, "json: needs at least"
			    " one path: value");
		for (size_t i = 0; i < v->n; i++) {
			if (v->items[i]->type != Y_SCALAR)
				return scen_error(c->e, c->file, v->items[i],
				    "json: the value of '%s' must be a scalar",
				    v->keys[i]->value);
			memset(&m, 0, sizeof m);
			m.kind = M_JSON;
			m.path = xstrdup(v->keys[i]->value);
			m.want = match_scalar_json(v->items[i]->value,
			    v->items[i]->plain);
			add_matcher(x, &m);
		}
	}
	if ((v = ynode_get(n, "body")) != NULL) {
		if (want_type(c, v, Y_SCALAR, "body") == -1)
			return -1;
		memset(&m, 0, sizeof m);
		m.kind = M_BODY;
		m.text = xstrdup(v->value);
		add_matcher(x, &m);
	}
	if ((v = ynode_get(n, "header")) != NULL) {
		if (want_type(c, v, Y_MAP, "header") == -1)
			return -1;
		for (size_t i = 0; i < v->n; i++) {
			const struct ynode *hv = v->items[i];
			if (hv->type != Y_SCALAR)
				return scen_error(c->e, c->file, hv, "header: value"
				    " must be a string, or true for present");
			memset(&m, 0, sizeof m);
			m.kind = M_HEADER;
			m.text = xstrdup(v->keys[i]->value);
			if (!(hv->plain && strcmp(hv->value, "true") == 0))
				m.hval = xstrdup(hv->value);
			add_matcher(x, &m);
		}
	}
	if ((v = ynode_get(n, "latency")) != NULL) {
		if (want_type(c, v, Y_SCALAR, "latency") == -1)
			return -1;
		memset(&m, 0, sizeof m);
		m.kind = M_LATENCY;
		if (match_parse_latency(v->value, &m, &e) == -1)
			return scen_error(c->e, c->file, v, "%s", e.msg);
		add_matcher(x, &m);
	}
	return 0;
}

static char *
describe_expect(const struct scenario *s, const struct scen_expect *x)
{
	struct sbuf sb;
	char buf[32];

	sb_init(&sb);
	if (x->process >= 0 && x->rss_growth_bytes >= 0) {
		sb_addf(&sb, "%s RSS growth %s %.1f MiB", s->services[x->process].name,
		    x->rss_op == '<' ? "<" : "<=",
		    (double)x->rss_growth_bytes / 1048576.0);
		if (x->alive >= 0)
			sb_addf(&sb, ", %s", x->alive ? "alive" : "not alive");
	} else if (x->process >= 0) {
		sb_addf(&sb, "%s %s", s->services[x->process].name,
		    x->alive ? "alive" : "not alive");
	} else if (x->load >= 0) {
		static const char *ops[] = { "<", "<=", ">", ">=" };
		sb_addf(&sb, "load %s (%s): ", s->loads[x->load].name,
		    (const char *[]){ "before", "fault", "after", "all" }[x->phase]);
		for (size_t i = 0; i < x->nlm; i++) {
			const struct load_match *m = &x->lm[i];
			const char *op = ops[m->op == '<' ? 0 : m->op == 'L' ? 1 :
			    m->op == '>' ? 2 : 3];
			sb_addf(&sb, "%s%s %s ", i ? ", " : "", load_what_names[m->what],
			    op);
			if (m->what == LW_ERRORS)
				sb_addf(&sb, "%g%%", m->v * 100);
			else if (m->what <= LW_MAX)
				sb_addf(&sb, "%gms", m->v);
			else
				sb_addf(&sb, "%g%s", m->v, m->what == LW_RPS ? "/s" : "");
		}
	} else {
		sb_addf(&sb, "%s: ", s->probes[x->probe].name);
		for (size_t i = 0; i < x->nm; i++) {
			char *d = match_describe(&x->m[i]);
			sb_addf(&sb, "%s%s", i ? ", " : "", d);
			free(d);
		}
	}
	if (x->mode == EX_WITHIN)
		sb_addf(&sb, " within %s", units_fmt_ms(x->dur_ms, buf, sizeof buf));
	else if (x->mode == EX_HOLDS)
		sb_addf(&sb, " holds %s", units_fmt_ms(x->dur_ms, buf, sizeof buf));
	else if (x->mode == EX_NEVER)
		sb_add(&sb, " never while a fault is active");
	return sb_detach(&sb);
}

/* steady: no modes allowed */
static int
parse_expect(struct pctx *c, const struct ynode *n, struct scen_expect *x,
    int steady)
{
	struct scenario *s = c->s;
	const struct ynode *v, *pr, *pc, *pl;
	int modes = 0;

	x->probe = x->process = -1;
	x->line = n->line;
	x->col = n->col;
	if (want_type(c, n, Y_MAP, steady ? "a steady-state check" :
	    "an expectation") == -1 ||
	    scen_check_keys(c->file, n, expect_keys, steady ? "steady" :
	    "expect", c->e) == -1)
		return -1;
	pr = ynode_get(n, "probe");
	pc = ynode_get(n, "process");
	pl = ynode_get(n, "load");
	x->load = -1;
	x->alive = -1;
	x->rss_growth_bytes = -1;
	if ((pr != NULL) + (pc != NULL) + (pl != NULL) != 1)
		return scen_error(c->e, c->file, n, "an expectation names one"
		    " probe:, process: or load:");
	if (pr != NULL) {
		if (want_type(c, pr, Y_SCALAR, "probe") == -1)
			return -1;
		if ((x->probe = scen_find_probe(s, pr->value)) < 0)
			return scen_error(c->e, c->file, pr, "no probe named '%s'",
			    pr->value);
		if (refuse_keys(c, n, load_only, "load:, not probe:") == -1 ||
		    refuse_keys(c, n, (const char *const[]){ "alive",
		    "rss_growth", NULL }, "process:, not probe:") == -1 ||
		    parse_matchers(c, n, x) == -1)
			return -1;
		if (x->nm == 0)
			return scen_error(c->e, c->file, n, "expectation on probe"
			    " '%s' checks nothing (add status:, json:, body:,"
			    " header: or latency:)", pr->value);
	} else if (pl != NULL) {
		if (want_type(c, pl, Y_SCALAR, "load") == -1)
			return -1;
		if ((x->load = scen_find_load(s, pl->value)) < 0)
			return scen_error(c->e, c->file, pl, "no load named '%s'",
			    pl->value);
		if (refuse_keys(c, n, probe_only, "probe:, not load:") == -1 ||
		    refuse_keys(c, n, (const char *const[]){ "alive",
		    "rss_growth", "within", "holds", "never", NULL },
		    "another kind of expectation, not load: (load expectations"
		    " are decided over a phase)") == -1 ||
		    parse_load_matchers(c, n, x) == -1)
			return -1;
	} else {
		if (want_type(c, pc, Y_SCALAR, "process") == -1)
			return -1;
		if ((x->process = scen_find_service(s, pc->value)) < 0)
			return scen_error(c->e, c->file, pc, "no service named '%s'",
			    pc->value);
		const struct scen_service *sv = &s->services[x->process];
		if (sv->pid == 0 && sv->pidfile == NULL)
			return scen_error(c->e, c->file, pc, "service '%s' has no"
			    " pid or pidfile to watch", sv->name);
		if (refuse_keys(c, n, probe_only, "probe:, not process:") == -1 ||
		    refuse_keys(c, n, load_only, "load:, not process:") == -1)
			return -1;
		v = ynode_get(n, "alive");
		if (v != NULL) {
			if (v->type != Y_SCALAR || (strcmp(v->value, "true") &&
			    strcmp(v->value, "false")))
				return scen_error(c->e, c->file, v, "alive: true or"
				    " false");
			x->alive = strcmp(v->value, "true") == 0;
		}
		if ((v = ynode_get(n, "rss_growth")) != NULL) {
			double b;
			if (want_type(c, v, Y_SCALAR, "rss_growth") == -1 ||
			    parse_cmp(c, v, 's', &x->rss_op, &b) == -1)
				return -1;
			if (x->rss_op != '<' && x->rss_op != 'L')
				return scen_error(c->e, c->file, v, "rss_growth: an"
				    " upper bound (\"< 32MiB\")");
			x->rss_growth_bytes = (int64_t)b;
		}
		if (x->alive < 0 && x->rss_growth_bytes < 0)
			return scen_error(c->e, c->file, n, "process: needs alive:"
			    " true|false or rss_growth: \"< SIZE\"");
		if (x->rss_growth_bytes >= 0 && (ynode_get(n, "within") ||
		    ynode_get(n, "holds") || ynode_get(n, "never")))
			return scen_error(c->e, c->file, n, "rss_growth: is checked"
			    " once, without within:, holds: or never:");
	}
	if ((v = ynode_get(n, "within")) != NULL) {
		modes++;
		x->mode = EX_WITHIN;
		if (get_dur(c, n, "within", &x->dur_ms) == -1)
			return -1;
	}
	if ((v = ynode_get(n, "holds")) != NULL) {
		modes++;
		x->mode = EX_HOLDS;
		if (get_dur(c, n, "holds", &x->dur_ms) == -1)
			return -1;
	}
	if ((v = ynode_get(n, "never")) != NULL) {
		modes++;
		x->mode = EX_NEVER;
		if (v->type != Y_SCALAR || strcmp(v->value, "true") != 0)
			return scen_error(c->e, c->file, v, "never: takes true");
		if (x->probe < 0)
			return scen_error(c->e, c->file, v, "never: goes with probe:");
	}
	if (modes > 1)
		return scen_error(c->e, c->file, n, "use one of within:, holds:,"
		    " never:");
	if (steady && modes > 0)
		return scen_error(c->e, c->file, n, "steady-state checks take no"
		    " within:, holds: or never:");
	if (get_str(c, n, "as", &x->as) == -1)
		return -1;
	if (x->as != NULL && x->mode != EX_WITHIN)
		return scen_error(c->e, c->file, ynode_get(n, "as"), "as: names a"
		    " measured time, so it goes with within:");
	x->text = describe_expect(s, x);
	return 0;
}

static int
parse_fault_step(struct pctx *c, const struct ynode *key,
    const struct ynode *val, enum fault_action a, struct scen_step *st)
{
	const struct ynode *svcn = val;
	struct fault *f = xcalloc(1, sizeof *f);
	int si;

	st->kind = ST_FAULT;
	st->fault = f;
	f->action = a;
	f->line = key->line;
	f->col = key->col;
	f->sig = 15;
	if (val->type == Y_MAP) {
		svcn = ynode_get(val, "service");
		if (svcn == NULL)
			return scen_error(c->e, c->file, val, "%s: needs service:",
			    key->value);
	}
	if (svcn->type != Y_SCALAR)
		return scen_error(c->e, c->file, svcn, "%s: takes a service name",
		    key->value);
	if ((si = scen_find_service(c->s, svcn->value)) < 0)
		return scen_error(c->e, c->file, svcn, "no service named '%s'",
		    svcn->value);
	f->svc = &c->s->services[si];
	f->timeout_ms = f->svc->timeout_ms;
	if ((f->kind = drill_kind_for(a, f->svc, c->e)) == NULL)
		return err_prefix(c->e, "%s:%d:%d", c->file, key->line, key->col);
	if (f->kind->parse(f, val->type == Y_MAP ? val : NULL, c->file,
	    c->e) == -1)
		return -1;
	return 0;
}

static int
parse_burst(struct pctx *c, const struct ynode *key, const struct ynode *n,
    struct scen_burst *b)
{
	static const char *const keys[] = { "get", "post", "put", "delete",
	    "method", "path", "url", "headers", "body", "users", "per_user",
	    "timeout", "expect", NULL };
	static const char *const xkeys[] = { "accepted_per_user", "rejected",
	    NULL };
	const struct ynode *x, *r, *v;

	b->users = 1;
	b->per_user = 2;
	b->timeout_ms = 30000;
	b->accepted_per_user = -1;
	if (want_type(c, n, Y_MAP, "burst") == -1 ||
	    scen_check_keys(c->file, n, keys, "burst", c->e) == -1 ||
	    parse_request(c, key, n, "burst", &b->method, &b->url, &b->headers,
	    &b->body) == -1 ||
	    get_int(c, n, "users", 1, 1000, &b->users) == -1 ||
	    get_int(c, n, "per_user", 1, 100, &b->per_user) == -1 ||
	    get_dur(c, n, "timeout", &b->timeout_ms) == -1)
		return -1;
	if (strncmp(b->url, "http://", 7) != 0)
		return scen_error(c->e, c->file, key, "burst: http:// only (the"
		    " burst holds each request's last byte back itself)");
	if (b->users * b->per_user > 5000)
		return scen_error(c->e, c->file, key, "burst: at most 5000"
		    " requests (users x per_user)");
	if ((x = ynode_get(n, "expect")) == NULL)
		return scen_error(c->e, c->file, key, "burst: needs expect: with"
		    " accepted_per_user: and/or rejected:");
	if (want_type(c, x, Y_MAP, "expect") == -1 ||
	    scen_check_keys(c->file, x, xkeys, "a burst's expect", c->e) == -1 ||
	    get_int(c, x, "accepted_per_user", 0, 100, &b->accepted_per_user) == -1)
		return -1;
	if ((r = ynode_get(x, "rejected")) != NULL) {
		static const char *const rkeys[] = { "status", "body_contains", NULL };
		if (want_type(c, r, Y_MAP, "rejected") == -1 ||
		    scen_check_keys(c->file, r, rkeys, "rejected", c->e) == -1 ||
		    get_int(c, r, "status", 100, 599, &b->rej_status) == -1 ||
		    get_str(c, r, "body_contains", &b->rej_body) == -1)
			return -1;
	}
	if (b->accepted_per_user < 0 && r == NULL)
		return scen_error(c->e, c->file, x, "burst: expect needs"
		    " accepted_per_user: and/or rejected:");
	(void)v;
	return 0;
}

static int
parse_step(struct pctx *c, const struct ynode *n, struct scen_step *st)
{
	static const char *const keys[] = { "stop", "start", "kill", "restart",
	    "pause", "resume", "signal", "client-kill", "terminate-backends",
	    "hold-connections", "wait", "expect", "burst", "timeout", NULL };
	const struct ynode *key = NULL, *val = NULL;
	enum fault_action a;

	st->line = n->line;
	st->col = n->col;
	if (n->type == Y_SCALAR && n->value[0] == '\0')
		return scen_error(c->e, c->file, n, "empty step");
	if (want_type(c, n, Y_MAP, "a step") == -1)
		return -1;
	if (n->n == 0)
		return scen_error(c->e, c->file, n, "empty step");
	if (scen_check_keys(c->file, n, keys, "a step", c->e) == -1)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		if (strcmp(n->keys[i]->value, "timeout") == 0)
			continue;
		if (key != NULL)
			return scen_error(c->e, c->file, n->keys[i], "a step does"
			    " one thing: found '%s' and '%s'", key->value,
			    n->keys[i]->value);
		key = n->keys[i];
		val = n->items[i];
	}
	if (key == NULL)
		return scen_error(c->e, c->file, n, "step has only a timeout");
	if (get_dur(c, n, "timeout", &st->timeout_ms) == -1)
		return -1;
	if (val->type == Y_SCALAR && val->value[0] == '\0' && val->plain)
		return scen_error(c->e, c->file, key, "'%s' needs a value",
		    key->value);
	if (strcmp(key->value, "wait") == 0) {
		st->kind = ST_WAIT;
		return get_dur(c, n, "wait", &st->wait_ms);
	}
	if (strcmp(key->value, "expect") == 0) {
		st->kind = ST_EXPECT;
		return parse_expect(c, val, &st->expect, 0);
	}
	if (strcmp(key->value, "burst") == 0) {
		st->kind = ST_BURST;
		return parse_burst(c, key, val, &st->burst);
	}
	if (drill_action_parse(key->value, &a) == -1)
		return scen_error(c->e, c->file, key, "unknown step '%s'",
		    key->value);
	if (parse_fault_step(c, key, val, a, st) == -1)
		return -1;
	if (st->timeout_ms > 0)
		st->fault->timeout_ms = st->timeout_ms;
	return 0;
}

/* A stop or kill must be revertible: the service needs a start command. */
static int
check_reverts(struct pctx *c)
{
	for (size_t i = 0; i < c->s->nsteps; i++) {
		struct fault *f = c->s->steps[i].fault;
		if (f == NULL)
			continue;
		if ((f->action == FA_STOP || f->action == FA_KILL) &&
		    f->svc->cmd[CMD_START] == NULL)
			return err_set(c->e, "%s:%d:%d: %s %s cannot be reverted:"
			    " service '%s' has no start command", c->file, f->line,
			    f->col, drill_action_name(f->action), f->svc->name,
			    f->svc->name);
	}
	return 0;
}

static int
parse_slo(struct pctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "load", "p95", "errors",
	    "availability", NULL };
	struct scen_slo *slo = &c->s->slo;
	const struct ynode *v;
	struct sd_err e;

	slo->line = n->line;
	slo->col = n->col;
	if (want_type(c, n, Y_MAP, "slo") == -1 ||
	    scen_check_keys(c->file, n, keys, "slo", c->e) == -1)
		return -1;
	if ((v = ynode_get(n, "load")) == NULL)
		return scen_error(c->e, c->file, n, "slo: needs load: (the traffic"
		    " it is computed from)");
	if (want_type(c, v, Y_SCALAR, "load") == -1)
		return -1;
	if ((slo->load = scen_find_load(c->s, v->value)) < 0)
		return scen_error(c->e, c->file, v, "no load named '%s'", v->value);
	if ((v = ynode_get(n, "p95")) != NULL) {
		int64_t us;
		if (want_type(c, v, Y_SCALAR, "p95") == -1)
			return -1;
		if (units_duration_us(v->value, &us, &e) == -1)
			return scen_error(c->e, c->file, v, "p95: %s", e.msg);
		slo->p95_ms = (double)us / 1000.0;
	}
	if ((v = ynode_get(n, "errors")) != NULL) {
		if (want_type(c, v, Y_SCALAR, "errors") == -1)
			return -1;
		if (units_percent(v->value, &slo->errors, &e) == -1)
			return scen_error(c->e, c->file, v, "errors: %s", e.msg);
	}
	if ((v = ynode_get(n, "availability")) != NULL) {
		if (want_type(c, v, Y_SCALAR, "availability") == -1)
			return -1;
		if (units_percent(v->value, &slo->availability, &e) == -1)
			return scen_error(c->e, c->file, v, "availability: %s", e.msg);
	}
	if (slo->p95_ms < 0 && slo->errors < 0 && slo->availability < 0)
		return scen_error(c->e, c->file, n, "slo: set p95:, errors: or"
		    " availability:");
	return 0;
}

static int
parse_root(struct pctx *c, const struct ynode *root)
{
	static const char *const keys[] = { "drill", "title", "description",
	    "target", "services", "probes", "load", "steady", "steps", "allow",
	    "steady_timeout", "max_duration", "slo", NULL };
	struct scenario *s = c->s;
	const struct ynode *n;

	if (root->type != Y_MAP)
		return scen_error(c->e, c->file, root, "a drill must be a mapping"
		    " (drill:, title:, steps: ...)");
	if (scen_check_keys(c->file, root, keys, "a drill", c->e) == -1)
		return -1;
	if (get_str(c, root, "drill", &s->drill) == -1 ||
	    get_str(c, root, "title", &s->title) == -1 ||
	    get_str(c, root, "description", &s->description) == -1 ||
	    get_str(c, root, "target", &s->target) == -1 ||
	    get_dur(c, root, "steady_timeout", &s->steady_timeout_ms) == -1 ||
	    get_dur(c, root, "max_duration", &s->max_duration_ms) == -1)
		return -1;
	if (s->drill == NULL)
		return scen_error(c->e, c->file, root, "missing 'drill:' (the"
		    " drill's name)");
	if ((n = ynode_get(root, "drill")) && valid_name(c, n, "drill") == -1)
		return -1;
	if (s->target != NULL && strncmp(s->target, "http://", 7) != 0 &&
	    strncmp(s->target, "https://", 8) != 0)
		return scen_error(c->e, c->file, ynode_get(root, "target"),
		    "target must be an http:// or https:// URL, not '%s'",
		    s->target);
	if ((n = ynode_get(root, "allow")) != NULL) {
		if (want_type(c, n, Y_SEQ, "allow") == -1)
			return -1;
		s->allow = xcalloc(n->n + 1, sizeof *s->allow);
		for (size_t i = 0; i < n->n; i++) {
			if (want_type(c, n->items[i], Y_SCALAR, "an allowed host") == -1)
				return -1;
			s->allow[s->nallow++] = xstrdup(n->items[i]->value);
		}
	}
	if ((n = ynode_get(root, "services")) != NULL) {
		if (want_type(c, n, Y_MAP, "services") == -1)
			return -1;
		s->services = xcalloc(n->n, sizeof *s->services);
		for (size_t i = 0; i < n->n; i++, s->nservices++)
			if (parse_service(c, n->keys[i], n->items[i],
			    &s->services[i]) == -1) {
				s->nservices++;
				return -1;
			}
	}
	if ((n = ynode_get(root, "probes")) != NULL) {
		if (want_type(c, n, Y_MAP, "probes") == -1)
			return -1;
		s->probes = xcalloc(n->n, sizeof *s->probes);
		for (size_t i = 0; i < n->n; i++, s->nprobes++)
			if (parse_probe(c, n->keys[i], n->items[i],
			    &s->probes[i]) == -1) {
				s->nprobes++;
				return -1;
			}
	}
	if ((n = ynode_get(root, "load")) != NULL) {
		if (want_type(c, n, Y_MAP, "load") == -1)
			return -1;
		s->loads = xcalloc(n->n, sizeof *s->loads);
		for (size_t i = 0; i < n->n; i++, s->nloads++)
			if (parse_load(c, n->keys[i], n->items[i],
			    &s->loads[i]) == -1) {
				s->nloads++;
				return -1;
			}
	}
	if ((n = ynode_get(root, "steady")) != NULL) {
		if (want_type(c, n, Y_SEQ, "steady") == -1)
			return -1;
		s->steady = xcalloc(n->n, sizeof *s->steady);
		for (size_t i = 0; i < n->n; i++, s->nsteady++)
			if (parse_expect(c, n->items[i], &s->steady[i], 1) == -1) {
				s->nsteady++;
				return -1;
			}
	}
	if ((n = ynode_get(root, "slo")) != NULL && parse_slo(c, n) == -1)
		return -1;
	n = ynode_get(root, "steps");
	if (n == NULL)
		return scen_error(c->e, c->file, root, "missing 'steps:'");
	if (want_type(c, n, Y_SEQ, "steps") == -1)
		return -1;
	if (n->n == 0)
		return scen_error(c->e, c->file, n, "steps: is empty");
	s->steps = xcalloc(n->n, sizeof *s->steps);
	for (size_t i = 0; i < n->n; i++, s->nsteps++)
		if (parse_step(c, n->items[i], &s->steps[i]) == -1) {
			s->nsteps++;
			return -1;
		}
	for (size_t i = 0; i < s->nloads; i++)
		if ((size_t)s->loads[i].from_step > s->nsteps ||
		    (size_t)s->loads[i].to_step > s->nsteps)
			return err_set(c->e, "%s:%d:%d: load '%s': its window names a"
			    " step beyond the last (%zu)", c->file, s->loads[i].line,
			    s->loads[i].col, s->loads[i].name, s->nsteps);
	return check_reverts(c);
}

struct scenario *
scen_parse(const char *name, const char *text, size_t len, struct sd_err *e)
{
	struct scenario *s = xcalloc(1, sizeof *s);
	struct pctx c = { name, s, e };
	struct ynode *root;

	s->file = xstrdup(name);
	s->steady_timeout_ms = DEFAULT_STEADY_TIMEOUT_MS;
	s->max_duration_ms = DEFAULT_MAX_DURATION_MS;
	s->slo = (struct scen_slo){ -1, -1, -1, -1, 0, 0 };
	if ((root = ynode_parse(name, text, len, e)) == NULL ||
	    parse_root(&c, root) == -1) {
		ynode_free(root);
		scen_free(s);
		return NULL;
	}
	ynode_free(root);
	return s;
}

struct scenario *
scen_load(const char *path, struct sd_err *e)
{
	struct scenario *s;
	size_t len;
	char *text;

	if ((text = read_file(path, &len, e)) == NULL)
		return NULL;
	s = scen_parse(path, text, len, e);
	free(text);
	return s;
}

static void
expect_free(struct scen_expect *x)
{
	for (size_t i = 0; i < x->nm; i++)
		match_free(&x->m[i]);
	free(x->m);
	free(x->lm);
	free(x->as);
	free(x->text);
}

void
scen_free(struct scenario *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nsteps; i++) {
		struct scen_burst *b = &s->steps[i].burst;
		expect_free(&s->steps[i].expect);
		fault_free(s->steps[i].fault);
		free(b->method);
		free(b->url);
		argv_free(b->headers);
		free(b->body);
		free(b->rej_body);
	}
	for (size_t i = 0; i < s->nloads; i++) {
		struct scen_load *l = &s->loads[i];
		free(l->name);
		free(l->method);
		free(l->url);
		argv_free(l->headers);
		free(l->body);
	}
	free(s->loads);
	free(s->steps);
	for (size_t i = 0; i < s->nsteady; i++)
		expect_free(&s->steady[i]);
	free(s->steady);
	for (size_t i = 0; i < s->nprobes; i++) {
		struct scen_probe *p = &s->probes[i];
		for (size_t j = 0; j < p->nheaders; j++) {
			free(p->headers[j].name);
			free(p->headers[j].value);
		}
		free(p->headers);
		free(p->name);
		free(p->method);
		free(p->url);
		free(p->body);
	}
	free(s->probes);
	for (size_t i = 0; i < s->nservices; i++) {
		struct scen_service *sv = &s->services[i];
		for (int j = 0; j < SVC_NCMDS; j++)
			argv_free(sv->cmd[j]);
		free(sv->name);
		free(sv->url);
		free(sv->pidfile);
	}
	free(s->services);
	for (size_t i = 0; i < s->nallow; i++)
		free(s->allow[i]);
	free(s->allow);
	free(s->file);
	free(s->drill);
	free(s->title);
	free(s->description);
	free(s->target);
	free(s);
}

int
scen_find_probe(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->nprobes; i++)
		if (s->probes[i].name && strcmp(s->probes[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
scen_find_load(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->nloads; i++)
		if (s->loads[i].name && strcmp(s->loads[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
scen_find_service(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->nservices; i++)
		if (s->services[i].name && strcmp(s->services[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
scen_mode_name(enum exp_mode m)
{
	static const char *names[] = { "now", "within", "holds", "never" };

	return names[m];
}

int
scen_host_allowed(const struct scenario *s, const char *url,
    char *const *extra, size_t nextra, char *host, size_t hostlen)
{
	const char *p = strstr(url, "://"), *end;
	struct in_addr a4;
	struct in6_addr a6;

	p = p ? p + 3 : url;
	if ((end = strchr(p, '@')) != NULL && end < p + strcspn(p, "/"))
		p = end + 1;
	if (*p == '[') {
		end = strchr(p, ']');
		snprintf(host, hostlen, "%.*s", end ? (int)(end - p - 1) : 0, p + 1);
	} else {
		snprintf(host, hostlen, "%.*s", (int)strcspn(p, ":/?#"), p);
	}
	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127)
		return 1;
	if (inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6))
		return 1;
	for (size_t i = 0; s != NULL && i < s->nallow; i++)
		if (strcasecmp(s->allow[i], host) == 0)
			return 1;
	for (size_t i = 0; i < nextra; i++)
		if (strcasecmp(extra[i], host) == 0)
			return 1;
	return 0;
}
