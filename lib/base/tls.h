/*
 * tls.h — how shakedown speaks https: which CA to trust, a client
 * certificate, the name to verify, or (loudly) no verification at all.
 * The same options wherever it speaks HTTP — a drill's probes, loads and
 * bursts (tls: at the drill's top level, or per probe, load or burst), and
 * `load` and `probe` on the command line — applied to libcurl handles
 * (probes, the curl load engine) and to OpenSSL directly (the raw load
 * engine, bursts): one SSL_CTX per run, the CA store loaded once.
 *
 *   tls: { ca: FILE, cert: FILE, key: FILE, key_password: "${PW}",
 *          server_name: NAME, insecure: true }
 *
 * Files are checked when the drill is read. key_password is a secret.
 */
#ifndef SD_TLS_H
#define SD_TLS_H

#include <stdint.h>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "util.h"
#include "ynode.h"

struct tls_opts {
	char *ca;		/* PEM CA bundle; NULL: the system's */
	char *cert, *key;	/* a client certificate (PEM) and its key */
	char *key_password;	/* the key's passphrase, a secret */
	char *server_name;	/* SNI and the name verified; NULL: the
				 * URL's host */
	int insecure;		/* verify nothing */
	/* What the files held, read once by tls_load (bounded regular files:
	 * a FIFO or a device never blocks a run) and checked: every user of
	 * the options works from these bytes and never opens a path again.
	 * key_pem is the key decrypted, so nothing can ever ask for a
	 * passphrase on a terminal. NULL until loaded. */
	char *ca_pem, *cert_pem, *key_pem;
	size_t ca_len, cert_len, key_len;
};

/* The largest CA bundle, certificate or key file read (Debian's whole
 * ca-certificates bundle is 200 KiB). */
#define TLS_FILE_MAX (4 * 1024 * 1024)

/* tls: { ... } into o, its files loaded (tls_load); -1 (yerr) on a bad
 * key, a file that cannot be read or does not hold what it should. */
int tls_parse(const struct yctx *y, const struct ynode *n,
    struct tls_opts *o);
/* Read and check o's files: each a regular file of at most TLS_FILE_MAX,
 * the CA bundle at least one PEM certificate, the certificate one, the
 * key a PEM private key that matches it — an encrypted key without
 * key_password is refused, never prompted for. -1 with e. */
int tls_load(struct tls_opts *o, struct sd_err *e);
/* The same checks on bytes already read (the fuzz target's way in); the
 * key's clear PEM into *key_pem (freed by the caller). */
int tls_check_mem(const char *ca, size_t ca_len, const char *cert,
    size_t cert_len, const char *key, size_t key_len, const char *password,
    char **key_pem, size_t *key_pem_len, struct sd_err *e);
void tls_free(struct tls_opts *o);
struct tls_opts *tls_dup(const struct tls_opts *o);
/* For people: "CA ca.pem, client cert c.pem, name api.internal" or
 * "INSECURE: certificates not verified"; NULL when there is nothing. */
char *tls_describe(const struct tls_opts *o);

/* The options onto a libcurl easy handle (o may be NULL: defaults). */
void tls_curl(CURL *h, const struct tls_opts *o);
/* The handle's URL; with a server_name for an https URL, the request goes
 * to that name (SNI, verification, Host) and the connection to the URL's
 * host: *connect_to (the caller frees it after the handle) says so. */
void tls_curl_url(CURL *h, const char *url, const struct tls_opts *o,
    struct curl_slist **connect_to);

/* One client context for a run: the CA store loaded once, the client
 * certificate, verification (unless insecure), released buffers on idle
 * connections. NULL with e. */
SSL_CTX *tls_ctx_new(const struct tls_opts *o, struct sd_err *e);
/* A client connection over fd to host (SNI and the verified name, unless
 * o->server_name says otherwise); resumes sess when given. NULL: no
 * memory. */
SSL *tls_client(SSL_CTX *ctx, int fd, const char *host,
    const struct tls_opts *o, SSL_SESSION *sess);
/* Why the last TLS call failed, for people ("certificate verify failed:
 * unable to get local issuer certificate"). */
const char *tls_why(SSL *ssl, int ret, char *buf, size_t len);
/* The handshake, blocking on poll until done or deadline (monotonic ms);
 * -1 with e. */
int tls_handshake_until(SSL *ssl, int fd, int64_t deadline_ms,
    struct sd_err *e);

#endif
