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
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "redact.h"
#include "tls.h"

static const char *const keys[] = { "ca", "cert", "key", "key_password",
    "server_name", "insecure", NULL };

/* A file the drill names: its path now, its bytes read by tls_load. */
static int
file_key(const struct yctx *y, const struct ynode *n, const char *what,
    char **out)
{
	if (ywant(y, n, Y_SCALAR, what) == -1)
		return -1;
	if (n->value[0] == '\0')
		return yerr(y, n, "tls %s: a file's path, not empty", what);
	*out = xstrdup(n->value);
	return 0;
}

int
tls_parse(const struct yctx *y, const struct ynode *n, struct tls_opts *o)
{
	const struct ynode *v;
	struct sd_err e;

	memset(o, 0, sizeof *o);
	if (ywant(y, n, Y_MAP, "tls") == -1 || ykeys(y, n, keys, "tls") == -1)
		return -1;
	if (((v = ynode_get(n, "ca")) && file_key(y, v, "ca", &o->ca) == -1) ||
	    ((v = ynode_get(n, "cert")) && file_key(y, v, "cert", &o->cert) ==
	    -1) ||
	    ((v = ynode_get(n, "key")) && file_key(y, v, "key", &o->key) == -1) ||
	    ystr(y, n, "key_password", &o->key_password) == -1 ||
	    ystr(y, n, "server_name", &o->server_name) == -1)
		return -1;
	if (o->key_password != NULL && o->key_password[0] == '\0') {
		free(o->key_password);	/* "${KEY_PASSWORD-}" unset: none */
		o->key_password = NULL;
	}
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
	if (tls_load(o, &e) == -1) {
		const char *k = strncmp(e.msg, "ca:", 3) == 0 ? "ca" :
		    strncmp(e.msg, "cert:", 5) == 0 ? "cert" : "key";
		v = ynode_get(n, k);
		return yerr(y, v ? v : n, "tls %s", e.msg);
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
	free(o->ca_pem);
	free(o->cert_pem);
	if (o->key_pem != NULL)
		OPENSSL_cleanse(o->key_pem, o->key_len);
	free(o->key_pem);
	memset(o, 0, sizeof *o);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static char *
dup_bytes(const char *s, size_t len)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
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
	d->ca_pem = dup_bytes(o->ca_pem, o->ca_len);
	d->cert_pem = dup_bytes(o->cert_pem, o->cert_len);
	d->key_pem = dup_bytes(o->key_pem, o->key_len);
	d->ca_len = o->ca_len;
	d->cert_len = o->cert_len;
	d->key_len = o->key_len;
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
	/* the bytes tls_load read, never the paths again: a file swapped
	 * for a FIFO since cannot hang a request, and the key is clear, so
	 * OpenSSL never asks for a passphrase */
	if (o->ca_pem) {
		struct curl_blob b = { o->ca_pem, o->ca_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
	}
	if (o->cert_pem && o->key_pem) {
		struct curl_blob c = { o->cert_pem, o->cert_len, CURL_BLOB_NOCOPY };
		struct curl_blob k = { o->key_pem, o->key_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &c);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &k);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
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

/* OpenSSL asks a callback for a key's passphrase; without one of ours it
 * reads the terminal. Ours answers key_password, or nothing — and says it
 * was asked, so an encrypted key is named as such. */
struct pw_ask {
	const char *pw;
	int asked;
};

static int
pw_cb(char *buf, int size, int rw, void *u)
{
	struct pw_ask *a = u;
	int n;

	(void)rw;
	if (a == NULL)
		return -1;
	a->asked = 1;
	if (a->pw == NULL)
		return -1;
	n = (int)strlen(a->pw);
	if (n > size)
		n = size;
	memcpy(buf, a->pw, (size_t)n);
	return n;
}

/* Each PEM certificate in data, handed to add (NULL: counted only); how
 * many, 0 for none. Never prompts. */
static int
each_cert(const char *data, size_t len, int (*add)(void *, X509 *),
    void *arg)
{
	BIO *b;
	X509 *x;
	int n = 0;

	if (len > INT32_MAX || (b = BIO_new_mem_buf(data, (int)len)) == NULL)
		return 0;
	while ((x = PEM_read_bio_X509(b, NULL, pw_cb, NULL)) != NULL) {
		if (add == NULL || add(arg, x) != 1)
			X509_free(x);
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	return n;
}

static int
to_store(void *st, X509 *x)
{
	X509_STORE_add_cert(st, x);	/* takes a reference of its own */
	return 0;
}

static int
store_add(X509_STORE *st, const char *pem, size_t len)
{
	return each_cert(pem, len, to_store, st) > 0 ? 1 : 0;
}

struct chain {
	SSL_CTX *ctx;
	int n, ok;
};

static int
to_chain(void *arg, X509 *x)
{
	struct chain *c = arg;

	if (c->n++ == 0) {
		c->ok = SSL_CTX_use_certificate(c->ctx, x) == 1;
		return 0;	/* use_certificate took its own reference */
	}
	/* add0: the chain owns it now */
	return SSL_CTX_add0_chain_cert(c->ctx, x) == 1 ? 1 : 0;
}

static int
use_chain(SSL_CTX *ctx, const char *pem, size_t len)
{
	struct chain c = { ctx, 0, 0 };

	each_cert(pem, len, to_chain, &c);
	return c.ok ? 1 : 0;
}

static EVP_PKEY *
read_key(const char *pem, size_t len, struct pw_ask *a)
{
	BIO *b;
	EVP_PKEY *k;

	if (len > INT32_MAX || (b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	k = PEM_read_bio_PrivateKey(b, NULL, pw_cb, a);
	BIO_free(b);
	return k;
}

static int
use_key(SSL_CTX *ctx, const char *pem, size_t len)
{
	struct pw_ask a = { NULL, 0 };
	EVP_PKEY *k = read_key(pem, len, &a);
	int r;

	if (k == NULL)
		return 0;
	r = SSL_CTX_use_PrivateKey(ctx, k);
	EVP_PKEY_free(k);
	return r;
}

/* The key, clear, as PEM; NULL with e. */
static char *
clear_key(EVP_PKEY *k, size_t *len, struct sd_err *e)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL, *out;
	long n;

	if (b == NULL || PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL) != 1 || (n = BIO_get_mem_data(b, &p)) <= 0) {
		BIO_free(b);
		ERR_clear_error();
		return err_set(e, "key: cannot hold the key in memory"), NULL;
	}
	out = dup_bytes(p, (size_t)n);
	*len = (size_t)n;
	OPENSSL_cleanse(p, (size_t)n);
	BIO_free(b);
	return out;
}

int
tls_check_mem(const char *ca, size_t ca_len, const char *cert,
    size_t cert_len, const char *key, size_t key_len, const char *password,
    char **key_pem, size_t *key_pem_len, struct sd_err *e)
{
	struct pw_ask a = { password, 0 };
	EVP_PKEY *k;
	BIO *b;
	X509 *x;
	int ok;

	*key_pem = NULL;
	if (ca != NULL && each_cert(ca, ca_len, NULL, NULL) == 0)
		return err_set(e, "ca: holds no PEM certificate (-----BEGIN"
		    " CERTIFICATE-----)");
	if (cert == NULL || key == NULL)
		return 0;
	if (each_cert(cert, cert_len, NULL, NULL) == 0)
		return err_set(e, "cert: holds no PEM certificate (-----BEGIN"
		    " CERTIFICATE-----)");
	if ((k = read_key(key, key_len, &a)) == NULL) {
		ERR_clear_error();
		if (a.asked && password == NULL)
			return err_set(e, "key: the key is encrypted: set key_password"
			    " or $SHAKEDOWN_TLS_KEY_PASSWORD");
		if (a.asked)
			return err_set(e, "key: the key is encrypted and key_password"
			    " does not open it");
		return err_set(e, "key: holds no PEM private key (-----BEGIN"
		    " PRIVATE KEY-----)");
	}
	if (cert_len > INT32_MAX || (b = BIO_new_mem_buf(cert, (int)cert_len)) ==
	    NULL) {
		EVP_PKEY_free(k);
		return err_set(e, "cert: cannot read it");
	}
	x = PEM_read_bio_X509(b, NULL, pw_cb, NULL);
	BIO_free(b);
	ok = x != NULL && X509_check_private_key(x, k) == 1;
	X509_free(x);
	ERR_clear_error();
	if (!ok) {
		EVP_PKEY_free(k);
		return err_set(e, "key: does not belong to the certificate in"
		    " cert:");
	}
	*key_pem = clear_key(k, key_pem_len, e);
	EVP_PKEY_free(k);
	return *key_pem ? 0 : -1;
}

int
tls_load(struct tls_opts *o, struct sd_err *e)
{
	char *ca = NULL, *cert = NULL, *key = NULL;
	size_t calen = 0, certlen = 0, keylen = 0;
	struct sd_err fe;
	int rc = -1;

	if ((o->cert != NULL) != (o->key != NULL))
		return err_set(e, "%s: a client certificate needs cert: and key:",
		    o->cert ? "key" : "cert");
	if (o->ca && (ca = read_file_max(o->ca, TLS_FILE_MAX, &calen, &fe)) ==
	    NULL) {
		err_set(e, "ca: %s", fe.msg);
		goto out;
	}
	if (o->cert && (cert = read_file_max(o->cert, TLS_FILE_MAX, &certlen,
	    &fe)) == NULL) {
		err_set(e, "cert: %s", fe.msg);
		goto out;
	}
	if (o->key && (key = read_file_max(o->key, TLS_FILE_MAX, &keylen,
	    &fe)) == NULL) {
		err_set(e, "key: %s", fe.msg);
		goto out;
	}
	free(o->key_pem);
	o->key_pem = NULL;
	if (tls_check_mem(ca, calen, cert, certlen, key, keylen,
	    o->key_password, &o->key_pem, &o->key_len, e) == -1)
		goto out;
	free(o->ca_pem);
	free(o->cert_pem);
	o->ca_pem = ca;
	o->ca_len = calen;
	o->cert_pem = cert;
	o->cert_len = certlen;
	ca = cert = NULL;
	rc = 0;
out:
	free(ca);
	free(cert);
	if (key != NULL)
		OPENSSL_cleanse(key, keylen);
	free(key);
	return rc;
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
		if ((o != NULL && o->ca_pem != NULL ?
		    store_add(SSL_CTX_get_cert_store(ctx), o->ca_pem, o->ca_len) :
		    SSL_CTX_set_default_verify_paths(ctx)) != 1) {
			ssl_err(e, o && o->ca ? o->ca : "the system's CA store");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	if (o != NULL && o->cert_pem != NULL && o->key_pem != NULL) {
		if (use_chain(ctx, o->cert_pem, o->cert_len) != 1 ||
		    use_key(ctx, o->key_pem, o->key_len) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
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
