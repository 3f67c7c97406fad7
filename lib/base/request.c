/*
 * request.c — see request.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "proc.h"
#include "redact.h"
#include "request.h"
#include "tls.h"

const char *const request_keys[] = { "get", "post", "put", "delete", "head",
    "method", "path", "url", "headers", "body", "tls", NULL };

int
request_check_url(const char *url, struct sd_err *e)
{
	char *r = render_template(url, 1, 1);
	CURLU *h = curl_url();
	char *host = NULL;
	int rc = 0;

	if (strncmp(r, "http://", 7) != 0 && strncmp(r, "https://", 8) != 0)
		rc = err_set(e, "must start with http:// or https://");
	else if (curl_url_set(h, CURLUPART_URL, r, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		rc = err_set(e, "is not a URL curl can send (spaces and control"
		    " characters must be percent-encoded)");
	curl_free(host);
	curl_url_cleanup(h);
	free(r);
	return rc;
}

int
request_check_header(const char *name, const char *value, struct sd_err *e)
{
	/* RFC 9110 token characters */
	static const char tchar[] = "!#$%&'*+-.^_`|~";

	if (*name == '\0')
		return err_set(e, "empty header name");
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr(tchar, *p) == NULL)
			return err_set(e, "header name '%.40s': only letters, digits"
			    " and !#$%%&'*+-.^_`|~", name);
	for (const char *p = value; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return err_set(e, "header %s: a control character (%s) in"
			    " its value would break the request apart", name,
			    c == '\r' ? "CR" : c == '\n' ? "LF" : "0x..");
	}
	/* every header reaches the wire through this check: a secret one
	 * (Authorization, Cookie, X-Api-Key ...) is remembered here so that
	 * no output shows its value */
	redact_learn_header(name, value);
	return 0;
}

int
request_check_header_line(const char *line, struct sd_err *e)
{
	const char *colon = strchr(line, ':');
	char *name;
	int rc;

	if (colon == NULL)
		return err_set(e, "a header is 'Name: value', not '%.40s'", line);
	name = xstrndup(line, (size_t)(colon - line));
	rc = request_check_header(name, colon + 1, e);
	free(name);
	return rc;
}

static char *
join_url(const char *target, const char *path)
{
	size_t tl = strlen(target);
	int slash = tl > 0 && target[tl - 1] == '/';

	return xasprintf("%.*s%s%s", (int)(slash ? tl - 1 : tl), target,
	    path[0] == '/' ? "" : "/", path);
}

/* get: /x, post: /y ... or method: + path:/url: */
static int
method_and_path(const struct yctx *y, const struct ynode *n, const char *what,
    struct request *rq, char **path)
{
	static const char *const verbs[] = { "get", "post", "put", "delete",
	    "head", NULL };
	const struct ynode *v;

	for (const char *const *vb = verbs; *vb; vb++) {
		if ((v = ynode_get(n, *vb)) == NULL)
			continue;
		if (rq->method != NULL)
			return yerr(y, v, "a %s has one method", what);
		if (ywant(y, v, Y_SCALAR, *vb) == -1)
			return -1;
		rq->method = xstrdup(*vb);
		for (char *m = rq->method; *m; m++)
			*m = (char)toupper((unsigned char)*m);
		*path = xstrdup(v->value);
		/* an endpoint a variable set empty: the service has none, and
		 * what would send to it is off (a placeholder path meanwhile) */
		if (v->value[0] == '\0' && v->vars != NULL) {
			rq->off = xasprintf("%.*s is set empty",
			    (int)strcspn(v->vars, " "), v->vars);
			free(*path);
			*path = xstrdup("/");
		}
	}
	if ((v = ynode_get(n, "method")) != NULL && rq->method != NULL)
		return yerr(y, v, "a %s has one method", what);
	if (ystr(y, n, "method", &rq->method) == -1 ||
	    ystr(y, n, "path", path) == -1 || ystr(y, n, "url", &rq->url) == -1 ||
	    ystr(y, n, "body", &rq->body) == -1)
		return -1;
	if (rq->method == NULL)
		rq->method = xstrdup("GET");
	for (const char *m = rq->method; *m; m++)
		if (!isupper((unsigned char)*m))
			return yerr(y, ynode_get(n, "method"), "method '%s': upper-case"
			    " letters only", rq->method);
	return 0;
}

int
request_parse_headers(const struct yctx *y, const struct ynode *h,
    struct request *rq)
{
	struct sd_err e;

	if (ywant(y, h, Y_MAP, "headers") == -1)
		return -1;
	rq->headers = xcalloc(h->n + 1, sizeof *rq->headers);
	for (size_t i = 0; i < h->n; i++) {
		if (ywant(y, h->items[i], Y_SCALAR, "a header value") == -1)
			return -1;
		if (request_check_header(h->keys[i]->value, h->items[i]->value,
		    &e) == -1)
			return yerr(y, h->items[i], "%s", e.msg);
		rq->headers[i] = xasprintf("%s: %s", h->keys[i]->value,
		    h->items[i]->value);
	}
	return 0;
}

int
request_parse(const struct yctx *y, const struct ynode *key, const struct ynode *n,
    const char *target, const char *what, struct request *rq)
{
	const struct ynode *h, *at;
	struct sd_err e;
	char *path = NULL;
	int rc = -1;

	if (method_and_path(y, n, what, rq, &path) == -1)
		goto out;
	at = ynode_get(n, "url") ? ynode_get(n, "url") : key;
	if (rq->url == NULL && path == NULL) {
		yerr(y, key, "%s '%s' needs a path (get: /health) or a url", what,
		    key->value);
		goto out;
	}
	if (rq->url == NULL && (strncmp(path, "http://", 7) == 0 ||
	    strncmp(path, "https://", 8) == 0)) {
		rq->url = path;
		path = NULL;
	} else if (rq->url == NULL && target == NULL) {
		yerr(y, key, "%s '%s' has a path but the drill has no target", what,
		    key->value);
		goto out;
	} else if (rq->url == NULL) {
		rq->url = join_url(target, path);
	}
	redact_learn(rq->url);
	if (request_check_url(rq->url, &e) == -1) {
		yerr(y, at, "%s '%s': url %s", what, key->value, e.msg);
		goto out;
	}
	if ((h = ynode_get(n, "headers")) != NULL && request_parse_headers(y, h, rq) == -1)
		goto out;
	if ((h = ynode_get(n, "tls")) != NULL) {
		rq->tls = xcalloc(1, sizeof *rq->tls);
		if (tls_parse(y, h, rq->tls) == -1)
			goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

void
request_free(struct request *rq)
{
	free(rq->method);
	free(rq->url);
	argv_free(rq->headers);
	free(rq->body);
	tls_free(rq->tls);
	free(rq->tls);
	free(rq->off);
	memset(rq, 0, sizeof *rq);
}
