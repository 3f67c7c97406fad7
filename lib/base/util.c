/*
 * util.c — the small things every module needs: allocation that dies rather
 * than returning NULL (tmux's xmalloc), error buffers, clocks, files, sbuf.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/*
 * A value echoed in a message is cut to a readable length: a run between
 * quotes ('...') longer than ECHO_MAX becomes its first ECHO_KEEP bytes and
 * an ellipsis. A quote opens where the byte before it is not a letter or a
 * digit and closes where the byte after it is not one, so the apostrophe
 * of "shakedown's" is never taken for one. A cut never splits a UTF-8
 * character.
 */
#define ECHO_MAX 80
#define ECHO_KEEP 60

static int
word_byte(char c)
{
	return isalnum((unsigned char)c) || ((unsigned char)c & 0x80);
}

void
err_shorten(char *msg)
{
	char *p = msg;

	while ((p = strchr(p, '\'')) != NULL) {
		char *close;
		if (p > msg && word_byte(p[-1])) {
			p++;
			continue;
		}
		for (close = p + 1; (close = strchr(close, '\'')) != NULL; close++)
			if (!word_byte(close[1]))
				break;
		if (close == NULL)
			close = p + strlen(p);	/* cut short by the buffer */
		if (close - p - 1 > ECHO_MAX) {
			char *keep = p + 1 + ECHO_KEEP;
			while (((unsigned char)*keep & 0xC0) == 0x80)
				keep--;
			memmove(keep + 3, close, strlen(close) + 1);
			memcpy(keep, "\xe2\x80\xa6", 3);	/* … */
			close = keep + 3;
		}
		if (*close == '\0')
			break;
		p = close + 1;
	}
}

/* The whole message first, echoes cut, then into the fixed buffer: a
 * long value must not push the rest of the message out. */
static void
err_put(struct sd_err *e, const char *fmt, va_list ap)
{
	char *full;

	if (vasprintf(&full, fmt, ap) < 0) {
		snprintf(e->msg, sizeof e->msg, "(out of memory)");
		return;
	}
	err_shorten(full);
	snprintf(e->msg, sizeof e->msg, "%s", full);
	free(full);
}

int
err_set(struct sd_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_put(e, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct sd_err *e, const char *fmt, ...)
{
	char *pre, old[SD_ERRLEN];
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&pre, fmt, ap) < 0)
		pre = NULL;
	va_end(ap);
	if (pre != NULL)
		err_shorten(pre);
	memcpy(old, e->msg, sizeof old);
	snprintf(e->msg, sizeof e->msg, "%s: %s", pre ? pre : "", old);
	free(pre);
	return -1;
}

static void
oom(size_t n)
{
	/* The one place outside cmd/ that writes: there is nobody to return to. */
	fprintf(stderr, "shakedown: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

void *
xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap;

	if (need <= c)
		return p;
	if (c == 0)
		c = 8;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)	/* catch size_t overflow */
			oom(SIZE_MAX);
		c *= 2;
	}
	*cap = c;
	return xrealloc(p, c * elem);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom(strlen(fmt));
	va_end(ap);
	return s;
}

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t mono_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
int64_t mono_ms(void) { return clock_ns(CLOCK_MONOTONIC) / 1000000; }
int64_t wall_ms(void) { return clock_ns(CLOCK_REALTIME) / 1000000; }

void
sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

char *
iso8601_ms(int64_t wall, char *buf, size_t len)
{
	time_t t = wall / 1000;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(wall % 1000));
	return buf;
}

char *
read_file(const char *path, size_t *lenp, struct sd_err *e)
{
	struct sbuf sb;
	char chunk[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(e, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	sb_init(&sb);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			sb_free(&sb);
			return NULL;
		}
		if (n == 0)
			break;
		sb_addn(&sb, chunk, (size_t)n);
	}
	close(fd);
	if (lenp)
		*lenp = sb.len;
	return sb_detach(&sb);
}

/* "4 MiB", or "64 bytes" for a small cap */
static const char *
size_words(size_t n, char *buf, size_t len)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(buf, len, "%zu MiB", n >> 20);
	else
		snprintf(buf, len, "%zu bytes", n);
	return buf;
}

static char *read_fd_max(int fd, const char *path, size_t max, size_t *lenp,
    struct sd_err *e);

char *
read_file_max(const char *path, size_t max, size_t *lenp, struct sd_err *e)
{
	int fd;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) == -1)
		return err_set(e, "cannot open '%s': %s", path, strerror(errno)),
		    NULL;
	return read_fd_max(fd, path, max, lenp, e);
}

char *
read_input_max(const char *path, size_t max, size_t *lenp, struct sd_err *e)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
	    O_NOFOLLOW)) == -1) {
		if (errno == ELOOP)
			return err_set(e, "%s: a symbolic link: never followed (give"
			    " the file it points to)", path), NULL;
		return err_set(e, "cannot open '%s': %s", path, strerror(errno)),
		    NULL;
	}
	return read_fd_max(fd, path, max, lenp, e);
}

static char *
read_fd_max(int fd, const char *path, size_t max, size_t *lenp,
    struct sd_err *e)
{
	char what_buf[32];
	struct stat st;
	char *buf;
	size_t len = 0;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		const char *what = S_ISDIR(st.st_mode) ? "a directory" :
		    S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) ?
		    "a character device" : S_ISBLK(st.st_mode) ?
		    "a block device" : S_ISSOCK(st.st_mode) ? "a socket" :
		    "not a file";
		close(fd);
		return err_set(e, "%s: not a regular file (%s)", path, what), NULL;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return err_set(e, "%s: %lld bytes: larger than the %s allowed",
		    path, (long long)st.st_size, size_words(max, what_buf,
		    sizeof what_buf)), NULL;
	}
	buf = xmalloc(max + 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {	/* it grew while we read it */
			close(fd);
			free(buf);
			return err_set(e, "%s: larger than the %s allowed", path,
			    size_words(max, what_buf, sizeof what_buf)), NULL;
		}
	}
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/*
 * The temporary file is made by mkostemp in the target's own folder: a new
 * name nobody could guess, created with O_EXCL, so a symlink planted where
 * it will be is never followed. rename() replaces the target itself, never
 * what a symlink there points at.
 */
int
write_file_atomic(const char *path, const char *data, size_t len,
    struct sd_err *e)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		err_set(e, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0644) == -1)
		goto fail;
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	close(fd);
	if (rename(tmp, path) == -1) {
		err_set(e, "cannot rename '%s': %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
fail:
	err_set(e, "cannot write '%s': %s", tmp, strerror(errno));
	close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
open_append(const char *path, unsigned mode, struct sd_err *e)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY, mode);
	struct stat st;

	if (fd == -1)
		return err_set(e, "cannot open '%s': %s", path, errno == ELOOP ?
		    "it is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, "cannot append to '%s': not a regular file",
		    path);
	}
	return fd;
}

char *
safe_name(const char *s)
{
	struct sbuf sb;

	sb_init(&sb);
	for (; s != NULL && *s != '\0' && sb.len < SAFE_NAME_MAX; s++) {
		char c = *s;
		int ok = isalnum((unsigned char)c) || c == '-' || c == '_' ||
		    (c == '.' && sb.len > 0);
		sb_addn(&sb, ok ? &c : "_", 1);
	}
	if (sb.len == 0)
		sb_add(&sb, "drill");
	return sb_detach(&sb);
}

int
mkdir_own(const char *path, unsigned mode, struct sd_err *e)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return err_set(e, "cannot create directory '%s': %s", path,
		    strerror(errno));
	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return err_set(e, "'%s' is there already and is not a directory"
		    "%s", path, S_ISLNK(st.st_mode) ? " (a symbolic link: never"
		    " followed)" : "");
	return 0;
}

int
mkdir_p(const char *path, unsigned mode, struct sd_err *e)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST) {
			err_set(e, "cannot create directory '%s': %s", p,
			    strerror(errno));
			free(p);
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return 0;
}

void
sb_init(struct sbuf *sb)
{
	sb->cap = 64;
	sb->len = 0;
	sb->buf = xmalloc(sb->cap);
	sb->buf[0] = '\0';
}

void
sb_addn(struct sbuf *sb, const char *s, size_t n)
{
	if (n == 0 && sb->buf != NULL)
		return;
	sb->buf = xgrow(sb->buf, &sb->cap, sb->len + n + 1, 1);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
sb_add(struct sbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void
sb_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (sb->buf == NULL)
		sb_addn(sb, "", 0);
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		sb->buf = xgrow(sb->buf, &sb->cap, sb->len + (size_t)n + 1, 1);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void
sb_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

char *
sb_detach(struct sbuf *sb)
{
	char *p = sb->buf != NULL ? sb->buf : xstrdup("");

	/* left empty and unallocated: adding to it again allocates anew */
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void
sb_free(struct sbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *
render_template(const char *tpl, int user, int n)
{
	struct sbuf sb;

	if (tpl == NULL)
		return NULL;
	sb_init(&sb);
	for (const char *p = tpl; *p; ) {
		if (strncmp(p, "{user}", 6) == 0) {
			sb_addf(&sb, "%d", user);
			p += 6;
		} else if (strncmp(p, "{n}", 3) == 0) {
			sb_addf(&sb, "%d", n);
			p += 3;
		} else {
			sb_addn(&sb, p++, 1);
		}
	}
	return sb_detach(&sb);
}

int
cmp_bound(int op, double got, double want)
{
	switch (op) {
	case '<': return got < want;
	case 'L': return got <= want;
	case '>': return got > want;
	default: return got >= want;
	}
}

char *
render_key(const char *tpl, const char *key)
{
	struct sbuf sb;

	if (tpl == NULL)
		return NULL;
	sb_init(&sb);
	for (const char *p = tpl; *p; ) {
		if (strncmp(p, "{key}", 5) == 0) {
			sb_add(&sb, key);
			p += 5;
		} else {
			sb_addn(&sb, p++, 1);
		}
	}
	return sb_detach(&sb);
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	size_t mask = m->cap - 1, i = fnv1a(key) & mask;

	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & mask;
	return i;
}

void
strmap_put(struct strmap *m, const char *key, int val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct strmap old = *m;
		m->cap = m->cap ? m->cap * 2 : 16;
		m->keys = xcalloc(m->cap, sizeof *m->keys);
		m->vals = xcalloc(m->cap, sizeof *m->vals);
		m->n = 0;
		for (size_t k = 0; k < old.cap; k++)
			if (old.keys[k] != NULL)
				strmap_put(m, old.keys[k], old.vals[k]);
		free(old.keys);
		free(old.vals);
	}
	i = strmap_slot(m, key);
	if (m->keys[i] == NULL)
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
}

int
strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return -1;
	i = strmap_slot(m, key);
	return m->keys[i] != NULL ? m->vals[i] : -1;
}

void
strmap_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

const char *
json_error_text(const char *text, char *buf, size_t len)
{
	const char *near = strstr(text, " near '");

	snprintf(buf, len, "%.*s", near ? (int)(near - text) : (int)strlen(text),
	    text);
	return buf;
}
