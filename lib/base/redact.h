/*
 * redact.h — passwords never reach an output. Every URL and DSN shakedown is
 * given passes through redact_learn, which asks the parsers that will use
 * it (libcurl's URL API, libpq's PQconninfoParse, the redis URL parser) for
 * its passwords and remembers them; everything printed or written — plan,
 * messages, REPORT.md, result.json, junit.xml — passes through redact_text,
 * which replaces each remembered secret, in every spelling an output may
 * give it (raw, percent-encoded, JSON-, XML- and markdown-escaped), with
 * ***. So a password that a URL parser would cut in half ('@' or '/' in it)
 * is hidden whole, wherever it ends up.
 *
 * The registry is process-wide (secrets are found while parsing and must be
 * hidden by whoever prints) and locked; secrets shorter than 3 characters
 * are hidden only where they stand as a password (redact_url), since hiding
 * every "ab" in a report would garble it.
 */
#ifndef SD_REDACT_H
#define SD_REDACT_H

void redact_learn(const char *url_or_dsn);
void redact_learn_secret(const char *secret);
/* A header whose name means a secret (Authorization, Proxy-Authorization,
 * Cookie, Set-Cookie, X-Api-Key, X-Auth-Token and the like): its value,
 * the credentials after an auth scheme, and each cookie's value. */
void redact_learn_header(const char *name, const char *value);
/* Does this parameter or header name mean a secret? (token, api_key,
 * signature, session ... or a name ending in _token, _secret, _key ...,
 * '-' read as '_', any case.) */
int redact_secret_name(const char *name, size_t len);
/* A URL or DSN fit to print: its passwords ***, and every known secret. */
char *redact_url(const char *url_or_dsn);
/* Any text with every known secret replaced by ***. A new string. */
char *redact_text(const char *text);
/* In place, for fixed buffers (error messages); truncates to len. */
void redact_buf(char *buf, size_t len);

#endif
