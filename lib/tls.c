/*
 * tls.c — see tls.h.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "redact.h"
#include "tls.h"

static const char *const keys[] = { "ca", "cert", "key", "key_password",
    "server_name", "insecure", NULL };

/* A file the drill names must be there and readable now. */
static int
readable(const struct yctx *y, const struct ynode *n, const char *what,
    char **out)
{
	if (ywant(y, n, Y_SCALAR, what) == -1)
		return -1;
	if (access(n->value, R_OK) == -1)
		return yerr(y, n, "tls %s: cannot read '%s': %s", what, n->value,
		    strerror(errno));
	*out = xstrdup(n->value);
	return 0;
}

int
tls_parse(const struct yctx *y, const struct ynode *n, struct tls_opts *o)
{
	const struct ynode *v;

	memset(o, 0, sizeof *o);
	if (ywant(y, n, Y_MAP, "tls") == -1 || ykeys(y, n, keys, "tls") == -1)
		return -1;
	if (((v = ynode_get(n, "ca")) && readable(y, v, "ca", &o->ca) == -1) ||
	    ((v = ynode_get(n, "cert")) && readable(y, v, "cert", &o->cert) ==
	    -1) ||
	    ((v = ynode_get(n, "key")) && readable(y, v, "key", &o->key) == -1) ||
	    ystr(y, n, "key_password", &o->key_password) == -1 ||
	    ystr(y, n, "server_name", &o->server_name) == -1)
		return -1;
	if (o->key_password != NULL)
		redact_learn_secret(o->key_password);
	if ((o->cert != NULL) != (o->key != NULL))
		return yerr(y, n, "tls: a client certificate needs cert: and key:");
	if ((v = ynode_get(n, "insecure")) != NULL) {
		if (v->type != Y_SCALAR || (strcmp(v->value, "true") != 0 &&
		    strcmp(v->value, "false") != 0))
			return yerr(y, v, "insecure: takes true or false");
		o->insecure = strcmp(v->value, "true") == 0;
		if (o->insecure && o->ca != NULL)
			return yerr(y, v, "insecure: true verifies nothing: a ca: with"
			    " it would be ignored");
	}
	return 0;
}

void
tls_free(struct tls_opts *o)
{
	if (o == NULL)
		return;
	free(o->ca);
	free(o->cert);
	free(o->key);
	free(o->key_password);
	free(o->server_name);
	memset(o, 0, sizeof *o);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct tls_opts *
tls_dup(const struct tls_opts *o)
{
	struct tls_opts *d = xcalloc(1, sizeof *d);

	d->ca = dup_or_null(o->ca);
	d->cert = dup_or_null(o->cert);
	d->key = dup_or_null(o->key);
	d->key_password = dup_or_null(o->key_password);
	d->server_name = dup_or_null(o->server_name);
	d->insecure = o->insecure;
	return d;
}

char *
tls_describe(const struct tls_opts *o)
{
	struct sbuf sb;

	if (o == NULL || (!o->insecure && !o->ca && !o->cert && !o->server_name))
		return NULL;
	sb_init(&sb);
	if (o->insecure)
		sb_add(&sb, "INSECURE: certificates are not verified");
	if (o->ca)
		sb_addf(&sb, "%sCA %s", sb.len ? ", " : "", o->ca);
	if (o->cert)
		sb_addf(&sb, "%sclient certificate %s", sb.len ? ", " : "", o->cert);
	if (o->server_name)
		sb_addf(&sb, "%sname %s", sb.len ? ", " : "", o->server_name);
	return sb_detach(&sb);
}

void
tls_curl(CURL *h, const struct tls_opts *o)
{
	/* the CA store parsed once a day, not once a handle */
	curl_easy_setopt(h, CURLOPT_CA_CACHE_TIMEOUT, 86400L);
	if (o == NULL)
		return;
	if (o->ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca);
	if (o->cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, o->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, o->key);
		if (o->key_password)
			curl_easy_setopt(h, CURLOPT_KEYPASSWD, o->key_password);
	}
	if (o->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

void
tls_curl_url(CURL *h, const char *url, const struct tls_opts *o,
    struct curl_slist **connect_to)
{
	char *host = NULL, *port = NULL, *named = NULL;
	CURLU *u;

	*connect_to = NULL;
	if (o == NULL || o->server_name == NULL || strncmp(url, "https://", 8)) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		return;
	}
	u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK && curl_url_set(u, CURLUPART_HOST, o->server_name, 0) ==
	    CURLUE_OK && curl_url_get(u, CURLUPART_URL, &named, 0) ==
	    CURLUE_OK) {
		char *rule = xasprintf("%s:%s:%s:%s", o->server_name, port, host,
		    port);
		*connect_to = curl_slist_append(NULL, rule);
		free(rule);
		curl_easy_setopt(h, CURLOPT_URL, named);
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, *connect_to);
	} else {
		curl_easy_setopt(h, CURLOPT_URL, url);
	}
	curl_free(host);
	curl_free(port);
	curl_free(named);
	curl_url_cleanup(u);
}

static int
passwd_cb(char *buf, int size, int rw, void *u)
{
	const char *pw = u;
	int n;

	(void)rw;
	if (pw == NULL)
		return 0;
	n = (int)strlen(pw);
	if (n > size)
		n = size;
	memcpy(buf, pw, (size_t)n);
	return n;
}

static int
ssl_err(struct sd_err *e, const char *what)
{
	char b[256];
	unsigned long code = ERR_get_error();

	ERR_error_string_n(code, b, sizeof b);
	ERR_clear_error();
	return err_set(e, "tls: %s: %s", what, code ? b : "failed");
}

SSL_CTX *
tls_ctx_new(const struct tls_opts *o, struct sd_err *e)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		ssl_err(e, "cannot make a context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* 10 000 idle connections keep no 34 KiB of buffers each */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	/* a record's header and body in one read(2), not two */
	SSL_CTX_set_read_ahead(ctx, 1);
	if (o != NULL && o->insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if ((o != NULL && o->ca != NULL ?
		    SSL_CTX_load_verify_locations(ctx, o->ca, NULL) :
		    SSL_CTX_set_default_verify_paths(ctx)) != 1) {
			ssl_err(e, o && o->ca ? o->ca : "the system's CA store");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	if (o != NULL && o->cert != NULL) {
		SSL_CTX_set_default_passwd_cb(ctx, passwd_cb);
		SSL_CTX_set_default_passwd_cb_userdata(ctx, o->key_password);
		if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) !=
		    1 || SSL_CTX_check_private_key(ctx) != 1) {
			ssl_err(e, "the client certificate or its key");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

SSL *
tls_client(SSL_CTX *ctx, int fd, const char *host, const struct tls_opts *o,
    SSL_SESSION *sess)
{
	SSL *ssl = SSL_new(ctx);
	const char *name = o && o->server_name ? o->server_name : host;
	unsigned char ip[16];
	int literal;

	if (ssl == NULL)
		return NULL;
	SSL_set_fd(ssl, fd);
	literal = inet_pton(AF_INET, name, ip) == 1 ||
	    inet_pton(AF_INET6, name, ip) == 1;
	if (!literal)
		SSL_set_tlsext_host_name(ssl, name);	/* SNI: names only */
	if (o == NULL || !o->insecure) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		if (literal)
			X509_VERIFY_PARAM_set1_ip_asc(vp, name);
		else
			SSL_set1_host(ssl, name);
	}
	if (sess != NULL)
		SSL_set_session(ssl, sess);
	SSL_set_quiet_shutdown(ssl, 1);
	return ssl;
}

const char *
tls_why(SSL *ssl, int ret, char *buf, size_t len)
{
	int err = SSL_get_error(ssl, ret);
	long vr = SSL_get_verify_result(ssl);
	unsigned long code = ERR_peek_error();

	if (vr != X509_V_OK)
		snprintf(buf, len, "certificate verify failed: %s",
		    X509_verify_cert_error_string(vr));
	else if (code != 0)
		ERR_error_string_n(code, buf, len);
	else if (err == SSL_ERROR_SYSCALL)
		snprintf(buf, len, "connection closed during the handshake%s%s",
		    errno ? ": " : "", errno ? strerror(errno) : "");
	else
		snprintf(buf, len, "TLS error %d", err);
	ERR_clear_error();
	return buf;
}

int
tls_handshake_until(SSL *ssl, int fd, int64_t deadline_ms, struct sd_err *e)
{
	char why[256];

	for (;;) {
		int r = SSL_connect(ssl), err;
		if (r == 1)
			return 0;
		err = SSL_get_error(ssl, r);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
			return err_set(e, "tls: %s", tls_why(ssl, r, why, sizeof why));
		int64_t left = deadline_ms - mono_ms();
		if (left <= 0)
			return err_set(e, "tls: the handshake timed out");
		struct pollfd p = { fd, err == SSL_ERROR_WANT_READ ? POLLIN :
		    POLLOUT, 0 };
		poll(&p, 1, (int)left);
	}
}
