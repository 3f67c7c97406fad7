/*
 * util.h — allocation that never returns NULL, error buffers, monotonic time.
 *
 * Every library function that can fail takes a `struct sd_err *` and returns -1
 * (or NULL) after filling it with "context: reason"; only cmd/ prints it.
 */
#ifndef SD_UTIL_H
#define SD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define SD_ERRLEN 1024

struct sd_err {
	char msg[SD_ERRLEN];
};

/* Fill e (which may be NULL) with a formatted message; always returns -1. */
int err_set(struct sd_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefix the message already in e with "context: ". Returns -1. */
int err_prefix(struct sd_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Cut every quoted echo ('...') in msg longer than 80 bytes to 60 and an
 * ellipsis, in place: a 4 KiB bad value is not a readable message. Both
 * functions above do it. */
void err_shorten(char *msg);

/* These die with the size on exhaustion: callers never check for NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of elem-size items to hold at least `need`; updates *cap. */
void *xgrow(void *p, size_t *cap, size_t need, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCK_MONOTONIC in nanoseconds / milliseconds: for every interval. */
int64_t mono_ns(void);
int64_t mono_ms(void);
/* CLOCK_REALTIME in ms: only for printing when something happened. */
int64_t wall_ms(void);
/* Sleep for ms milliseconds, resuming after signals. */
void sleep_ms(int64_t ms);
/* ISO-8601 UTC timestamp with milliseconds into buf (>= 32 bytes). */
char *iso8601_ms(int64_t wall, char *buf, size_t len);

/* Read a whole file (NUL-terminated); NULL with e set on failure. For the
 * kernel's pseudo-files (/proc, cgroups); anything a user or another
 * machine may have made goes through read_file_max. */
char *read_file(const char *path, size_t *len, struct sd_err *e);
/* A regular file of at most max bytes, opened without blocking (a FIFO
 * never hangs us, /dev/zero is refused): NULL with e naming what it is. */
char *read_file_max(const char *path, size_t max, size_t *len,
    struct sd_err *e);
/* The same for an input another machine made (a result.json, a load
 * result): a symbolic link in its place is refused, never followed. */
char *read_input_max(const char *path, size_t max, size_t *len,
    struct sd_err *e);
/* jansson's parse error for people, without the token it quotes from the
 * input ("near 'root'"): an input's content is never echoed. */
const char *json_error_text(const char *text, char *buf, size_t len);
/* Write data to path atomically: a new temporary file beside it (mkostemp:
 * O_EXCL, never a planted symlink), fsync, rename over path. */
int write_file_atomic(const char *path, const char *data, size_t len,
    struct sd_err *e);
/* Open a regular file to append to, created with mode if absent, never
 * through a symbolic link: the fd, or -1 with e. */
int open_append(const char *path, unsigned mode, struct sd_err *e);
/* mkdir -p with mode; ok if it exists. */
int mkdir_p(const char *path, unsigned mode, struct sd_err *e);
/* One directory (its parent exists): made, or there already as a real
 * directory — a symbolic link in its place is refused, never followed. */
int mkdir_own(const char *path, unsigned mode, struct sd_err *e);
/* A name from outside (a drill's name in a result.json) reduced to a safe
 * file name: letters, digits, '.', '-', '_' (anything else '_'), no
 * leading dot, at most SAFE_NAME_MAX bytes, never empty. */
#define SAFE_NAME_MAX 64
char *safe_name(const char *s);

/* Growable string: buf never NULL after sb_init, always NUL-terminated. */
struct sbuf {
	char *buf;
	size_t len, cap;
};
void sb_init(struct sbuf *sb);
void sb_add(struct sbuf *sb, const char *s);
void sb_addn(struct sbuf *sb, const char *s, size_t n);
void sb_addf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct sbuf *sb, const char *fmt, va_list ap);
/* Hand the buffer over; sb is left unallocated (adding to it works,
 * reading sb->buf does not until something is added). */
char *sb_detach(struct sbuf *sb);
void sb_free(struct sbuf *sb);

/* {user} → user and {n} → n in tpl (NULL stays NULL); a new string. */
char *render_template(const char *tpl, int user, int n);
/* got op want, op one of '<', 'L' (<=), '>', 'G' (>=). */
int cmp_bound(int op, double got, double want);
/* tpl with each {key} replaced by key; NULL for NULL. */
char *render_key(const char *tpl, const char *key);



/* A string → index map (open addressing, FNV-1a): name lookups stay
 * linear in the size of a drill however many names it has. Keys are
 * borrowed and must outlive the map. */
struct strmap {
	const char **keys;
	int *vals;
	size_t cap, n;
};
void strmap_put(struct strmap *m, const char *key, int val);
/* The value, or -1 when absent. */
int strmap_get(const struct strmap *m, const char *key);
void strmap_free(struct strmap *m);

#endif
