/*
 * redact.c — see redact.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "escape.h"
#include "redact.h"
#include "redisurl.h"
#include "util.h"

#define MIN_GLOBAL 3

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;	/* every spelling of every secret, longest first */
static size_t nsecrets, capsecrets;

static int
by_length(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

	return (x < y) - (x > y);
}

static void
add_spelling(char ***list, size_t *n, size_t *cap, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], s) == 0)
			return;
	*list = xgrow(*list, cap, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(s);
}

/* The ways an output may spell s: as is, percent-encoded (both cases),
 * JSON-, XML- and markdown-cell-escaped. */
static void
spellings(const char *s, char ***list, size_t *n, size_t *cap)
{
	struct sbuf j, x, m;
	char *pct;

	add_spelling(list, n, cap, s);
	if ((pct = curl_easy_escape(NULL, s, 0)) != NULL) {
		add_spelling(list, n, cap, pct);
		for (char *p = pct; *p; p++)
			if (p[0] == '%' && p[1] && p[2]) {
				p[1] = (char)tolower((unsigned char)p[1]);
				p[2] = (char)tolower((unsigned char)p[2]);
				p += 2;
			}
		add_spelling(list, n, cap, pct);
		curl_free(pct);
	}
	sb_init(&j);
	sb_init(&x);
	sb_init(&m);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			sb_addf(&j, "\\%c", c);
		else if (c < 0x20)
			sb_addf(&j, "\\u%04x", c);
		else
			sb_addn(&j, p, 1);
		if (c == '&')
			sb_add(&x, "&amp;");
		else if (c == '<')
			sb_add(&x, "&lt;");
		else if (c == '>')
			sb_add(&x, "&gt;");
		else if (c == '"')
			sb_add(&x, "&quot;");
		else if (c == '\'')
			sb_add(&x, "&apos;");
		else
			sb_addn(&x, p, 1);
		if (c == '|')
			sb_add(&m, "\\|");
		else
			sb_addn(&m, p, 1);
	}
	add_spelling(list, n, cap, j.buf);
	add_spelling(list, n, cap, x.buf);
	add_spelling(list, n, cap, m.buf);
	sb_free(&j);
	sb_free(&x);
	sb_free(&m);
	/* as the reports escape text from outside (escape.h) */
	sb_init(&m);
	esc_md(&m, s);
	add_spelling(list, n, cap, m.buf);
	sb_free(&m);
}

void
redact_learn_secret(const char *secret)
{
	if (secret == NULL || strlen(secret) < MIN_GLOBAL)
		return;
	pthread_mutex_lock(&mu);
	spellings(secret, &secrets, &nsecrets, &capsecrets);
	if (nsecrets > 1)
		qsort(secrets, nsecrets, sizeof *secrets, by_length);
	pthread_mutex_unlock(&mu);
}

/*
 * Names that mean a secret, as a query parameter or a header, compared
 * without case and with '-' the same as '_': these exactly, or a name
 * ending in _token, _secret, _password, _signature, _key or _apikey
 * (csrf_token, x_api_key, X-Auth-Token). shakedown-scenario(5) lists them.
 */
static const char *const secret_names[] = { "token", "access_token",
    "refresh_token", "id_token", "api_key", "apikey", "key", "secret",
    "client_secret", "signature", "sig", "auth", "authorization",
    "proxy_authorization", "cookie", "set_cookie", "session", "sessionid",
    "session_id", "password", "passwd", "pwd", "jwt", "credential",
    "credentials", "x_amz_signature", "x_amz_credential",
    "x_amz_security_token", NULL };
static const char *const secret_suffixes[] = { "_token", "_secret",
    "_password", "_signature", "_key", "_apikey", NULL };

int
redact_secret_name(const char *name, size_t len)
{
	char low[64];

	if (len == 0 || len >= sizeof low)
		return 0;
	for (size_t i = 0; i < len; i++)
		low[i] = name[i] == '-' ? '_' : (char)tolower((unsigned char)
		    name[i]);
	low[len] = '\0';
	for (size_t i = 0; secret_names[i] != NULL; i++)
		if (strcmp(low, secret_names[i]) == 0)
			return 1;
	for (size_t i = 0; secret_suffixes[i] != NULL; i++) {
		size_t sl = strlen(secret_suffixes[i]);
		if (len > sl && strcmp(low + len - sl, secret_suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

/* The query of an http(s) URL as written: from '?' to '#' or the end. */
static const char *
query_of(const char *s, size_t *len)
{
	const char *q;

	if (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0)
		return NULL;
	if ((q = strchr(s, '?')) == NULL)
		return NULL;
	q++;
	*len = strcspn(q, "#");
	return q;
}

/* Each value of a parameter whose name means a secret, as written and
 * percent-decoded, into list. */
static void
query_secrets(const char *s, char ***list, size_t *n, size_t *cap)
{
	size_t qlen;
	const char *q = query_of(s, &qlen), *end;

	if (q == NULL)
		return;
	for (end = q + qlen; q < end; ) {
		size_t plen = strcspn(q, "&;#");
		const char *eq = memchr(q, '=', plen);
		if (plen > (size_t)(end - q))
			plen = (size_t)(end - q);
		if (eq != NULL && redact_secret_name(q, (size_t)(eq - q)) &&
		    eq + 1 < q + plen) {
			char *raw = xstrndup(eq + 1, (size_t)(q + plen - eq - 1));
			int dl = 0;
			char *dec = curl_easy_unescape(NULL, raw, 0, &dl);
			add_spelling(list, n, cap, raw);
			if (dec != NULL && *dec)
				add_spelling(list, n, cap, dec);
			curl_free(dec);
			free(raw);
		}
		q += plen;
		if (q < end)
			q++;
	}
}

/* The URL with every secret parameter's value written ***. */
static char *
query_hide(const char *s)
{
	struct sbuf sb;
	size_t qlen;
	const char *q = query_of(s, &qlen), *end;

	if (q == NULL)
		return xstrdup(s);
	sb_init(&sb);
	sb_addn(&sb, s, (size_t)(q - s));
	for (end = q + qlen; q < end; ) {
		size_t plen = strcspn(q, "&;#");
		const char *eq;
		if (plen > (size_t)(end - q))
			plen = (size_t)(end - q);
		eq = memchr(q, '=', plen);
		if (eq != NULL && redact_secret_name(q, (size_t)(eq - q))) {
			sb_addn(&sb, q, (size_t)(eq - q) + 1);
			sb_add(&sb, "***");
		} else {
			sb_addn(&sb, q, plen);
		}
		q += plen;
		if (q < end)
			sb_addn(&sb, q++, 1);
	}
	sb_add(&sb, end);
	return sb_detach(&sb);
}

void
redact_learn_header(const char *name, const char *value)
{
	const char *sp;

	if (name == NULL || value == NULL ||
	    !redact_secret_name(name, strlen(name)))
		return;
	while (*value == ' ' || *value == '\t')
		value++;
	redact_learn_secret(value);
	/* "Bearer abc", "Basic dXNlcjpwYXNz": the credentials alone too */
	if ((sp = strpbrk(value, " \t")) != NULL)
		redact_learn_secret(sp + strspn(sp, " \t"));
	/* "a=1; session=xyz": every cookie's value */
	if (strchr(value, '=') != NULL && (strncasecmp(name, "cookie", 6) == 0 ||
	    strncasecmp(name, "set-cookie", 10) == 0))
		for (const char *p = value; *p; ) {
			size_t len = strcspn(p, ";");
			const char *eq = memchr(p, '=', len);
			if (eq != NULL) {
				char *v = xstrndup(eq + 1, (size_t)(p + len - eq - 1));
				redact_learn_secret(v);
				free(v);
			}
			p += len;
			p += strspn(p, "; ");
		}
}

/* Every password the parsers find in s, into list. */
static void
passwords(const char *s, char ***list, size_t *n, size_t *cap)
{
	PQconninfoOption *o;
	char *err = NULL, *v = NULL;
	CURLU *h;

	if (strstr(s, "://") != NULL && (h = curl_url()) != NULL) {
		if (curl_url_set(h, CURLUPART_URL, s, CURLU_NON_SUPPORT_SCHEME) ==
		    CURLUE_OK) {
			if (curl_url_get(h, CURLUPART_PASSWORD, &v, CURLU_URLDECODE) ==
			    CURLUE_OK && v && *v)
				add_spelling(list, n, cap, v);
			curl_free(v);
			v = NULL;
			/* the raw spelling, as the text has it */
			if (curl_url_get(h, CURLUPART_PASSWORD, &v, 0) == CURLUE_OK &&
			    v && *v)
				add_spelling(list, n, cap, v);
			curl_free(v);
		}
		curl_url_cleanup(h);
	}
	query_secrets(s, list, n, cap);
	if (strncasecmp(s, "redis://", 8) != 0 && strncasecmp(s, "http://", 7) !=
	    0 && strncasecmp(s, "https://", 8) != 0 &&
	    (o = PQconninfoParse(s, &err)) != NULL) {
		for (PQconninfoOption *p = o; p->keyword; p++)
			if (strcmp(p->keyword, "password") == 0 && p->val && *p->val)
				add_spelling(list, n, cap, p->val);
		PQconninfoFree(o);
	}
	PQfreemem(err);
}

void
redact_learn(const char *s)
{
	char **list = NULL;
	size_t n = 0, cap = 0;

	if (s == NULL)
		return;
	passwords(s, &list, &n, &cap);
	for (size_t i = 0; i < n; i++) {
		redact_learn_secret(list[i]);
		free(list[i]);
	}
	free(list);
}

static char *
replace_all(char *s, const char *what)
{
	struct sbuf sb;
	size_t wl = strlen(what);
	char *p, *from = s;

	if (wl == 0 || strstr(s, what) == NULL)
		return s;
	sb_init(&sb);
	while ((p = strstr(from, what)) != NULL) {
		sb_addn(&sb, from, (size_t)(p - from));
		sb_add(&sb, "***");
		from = p + wl;
	}
	sb_add(&sb, from);
	free(s);
	return sb_detach(&sb);
}

char *
redact_text(const char *text)
{
	char *s = xstrdup(text ? text : "");

	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < nsecrets; i++)
		s = replace_all(s, secrets[i]);
	pthread_mutex_unlock(&mu);
	return s;
}

void
redact_buf(char *buf, size_t len)
{
	char *s = redact_text(buf);

	snprintf(buf, len, "%s", s);
	free(s);
}

/* key/value DSNs: password = value (quoted or not) → password=*** */
static char *
kv_password(const char *s)
{
	struct sbuf sb;
	const char *p = s;

	sb_init(&sb);
	while (*p) {
		int at_word = p == s || isspace((unsigned char)p[-1]) ||
		    p[-1] == '?' || p[-1] == '&';
		if (at_word && strncmp(p, "password", 8) == 0) {
			const char *q = p + 8;
			while (*q == ' ')
				q++;
			if (*q == '=') {
				q++;
				while (*q == ' ')
					q++;
				sb_addn(&sb, p, (size_t)(q - p));
				sb_add(&sb, "***");
				if (*q == '\'') {
					for (q++; *q && *q != '\''; q++)
						if (*q == '\\' && q[1])
							q++;
					if (*q)
						q++;
				} else {
					while (*q && !isspace((unsigned char)*q) && *q != '&')
						q++;
				}
				p = q;
				continue;
			}
		}
		sb_addn(&sb, p++, 1);
	}
	return sb_detach(&sb);
}

/* scheme://user:PASSWORD@host → scheme://user:***@host, by curl's parser:
 * the text as written when it starts with what curl read, else curl's own
 * spelling of the URL with the password replaced. */
static char *
userinfo_password(const char *s)
{
	const char *auth = strstr(s, "://");
	char *user = NULL, *pw = NULL, *out = NULL, *u = NULL;
	CURLU *h;

	if (auth == NULL || (h = curl_url()) == NULL)
		return xstrdup(s);
	if (curl_url_set(h, CURLUPART_URL, s, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_get(h, CURLUPART_PASSWORD, &pw, 0) ==
	    CURLUE_OK && pw != NULL && *pw != '\0') {
		auth += 3;
		curl_url_get(h, CURLUPART_USER, &user, 0);
		size_t ul = user ? strlen(user) : 0, pl = strlen(pw);
		if (strncmp(auth, user ? user : "", ul) == 0 && auth[ul] == ':' &&
		    strncmp(auth + ul + 1, pw, pl) == 0 && auth[ul + 1 + pl] == '@')
			out = xasprintf("%.*s***%s", (int)(auth + ul + 1 - s), s,
			    auth + ul + 1 + pl);
		else if (curl_url_set(h, CURLUPART_PASSWORD, "***", 0) == CURLUE_OK &&
		    curl_url_get(h, CURLUPART_URL, &u, 0) == CURLUE_OK && u)
			out = xstrdup(u);
	}
	curl_free(user);
	curl_free(pw);
	curl_free(u);
	curl_url_cleanup(h);
	return out ? out : xstrdup(s);
}

char *
redact_url(const char *url_or_dsn)
{
	char **list = NULL, *s, *t;
	size_t n = 0, cap = 0;

	if (url_or_dsn == NULL)
		return xstrdup("");
	redact_learn(url_or_dsn);
	passwords(url_or_dsn, &list, &n, &cap);
	t = userinfo_password(url_or_dsn);
	s = kv_password(t);
	free(t);
	t = query_hide(s);
	free(s);
	s = t;
	/* what the structure did not catch (a multi-host URI curl cannot
	 * parse, a password cut by '@' or '/'): this URL's own passwords */
	for (size_t i = 0; i < n; i++) {
		char **sp = NULL;
		size_t ns = 0, cs = 0;
		if (strlen(list[i]) >= MIN_GLOBAL)
			spellings(list[i], &sp, &ns, &cs);
		if (ns > 1)
			qsort(sp, ns, sizeof *sp, by_length);
		for (size_t k = 0; k < ns; k++) {
			s = replace_all(s, sp[k]);
			free(sp[k]);
		}
		free(sp);
		free(list[i]);
	}
	free(list);
	t = redact_text(s);
	free(s);
	return t;
}
