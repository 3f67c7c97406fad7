/*
 * journal.c — see journal.h.
 */
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "../base/ynode.h"

#define JOURNAL_MAX (256 * 1024 * 1024)

char *
journal_state_dir(struct sd_err *e)
{
	const char *env = getenv("SHAKEDOWN_STATE_DIR"), *home;
	char *dir;

	if (env != NULL && *env != '\0')
		dir = xstrdup(env);
	else if (geteuid() == 0)
		dir = xstrdup("/var/lib/shakedown");
	else if ((env = getenv("XDG_STATE_HOME")) != NULL && *env != '\0')
		dir = xasprintf("%s/shakedown", env);
	else if ((home = getenv("HOME")) != NULL)
		dir = xasprintf("%s/.local/state/shakedown", home);
	else
		dir = xstrdup("/tmp/shakedown-state");
	if (mkdir_p(dir, 0700, e) == -1) {
		free(dir);
		return NULL;
	}
	return dir;
}

char *
journal_path(struct sd_err *e)
{
	char *dir = journal_state_dir(e), *path;

	if (dir == NULL)
		return NULL;
	path = xasprintf("%s/journal.jsonl", dir);
	free(dir);
	return path;
}

char *
journal_halt_path(struct sd_err *e)
{
	char *dir = journal_state_dir(e), *path;

	if (dir == NULL)
		return NULL;
	path = xasprintf("%s/halt", dir);
	free(dir);
	return path;
}

char *
journal_run_id(void)
{
	return xasprintf("%lld-%d", (long long)wall_ms(), (int)getpid());
}

static int
append(const char *path, json_t *rec, struct sd_err *e)
{
	char *line = json_dumps(rec, JSON_COMPACT);
	size_t len = strlen(line);
	int fd, rc = 0;

	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	line[len] = '\0';
	/* read-write: the torn-line check below reads the last byte */
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		free(line);
		return err_set(e, "journal '%s': %s", path, errno == ELOOP ?
		    "a symbolic link (never followed)" : strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		free(line);
		return err_set(e, "journal '%s': not a regular file", path);
	}
	/* one writer at a time across concurrent runs */
	while (flock(fd, LOCK_EX) == -1 && errno == EINTR)
		;
	/* a torn line left by a crash: start ours on a line of its own */
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		char last;
		if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
		    write(fd, "\n", 1) != 1)
			rc = -1;
	}
	if (rc == 0 && (write(fd, line, len) != (ssize_t)len || fsync(fd) == -1))
		rc = -1;
	if (rc == -1)
		err_set(e, "journal '%s': cannot write: %s", path, strerror(errno));
	flock(fd, LOCK_UN);
	close(fd);
	free(line);
	return rc;
}

static const char *
str_of(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s != NULL ? s : "";
}

/* a pid as the journal stores it: anything outside 2..2^30 is none */
static pid_t
pid_of(const json_t *j, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(j, key));

	return v > 1 && v <= 1 << 30 ? (pid_t)v : 0;
}

int
journal_entry(const json_t *open, size_t i, struct journal_entry *out)
{
	const json_t *j = json_array_get(open, i);

	if (j == NULL)
		return 0;
	out->id = str_of(j, "id");
	out->run = str_of(j, "run");
	out->what = str_of(j, "what");
	out->pid = pid_of(j, "pid");
	out->guardian = pid_of(j, "guardian");
	out->t_wall_ms = json_integer_value(json_object_get(j, "t"));
	out->done = json_is_true(json_object_get(j, "done"));
	out->record = json_object_get(j, "record");
	out->line = j;
	return 1;
}

int
journal_apply(const char *path, const struct journal_apply *a, struct sd_err *e)
{
	char ts[40];
	json_t *rec = json_pack("{s:s,s:s,s:s,s:i,s:i,s:I,s:s,s:s,s:s?,s:O}",
	    "op", "apply", "id", a->id, "run", a->run, "pid", (int)getpid(),
	    "guardian", (int)a->guardian, "t", (json_int_t)wall_ms(), "at",
	    iso8601_ms(wall_ms(), ts, sizeof ts), "what", a->what, "undo",
	    a->undo, "record", a->rec);
	int rc = append(path, rec, e);

	json_decref(rec);
	return rc;
}

static int
mark(const char *path, const char *op, const char *id, struct sd_err *e)
{
	json_t *rec = json_pack("{s:s,s:s,s:I}", "op", op, "id", id, "t",
	    (json_int_t)wall_ms());
	int rc = append(path, rec, e);

	json_decref(rec);
	return rc;
}

int
journal_done(const char *path, const char *id, struct sd_err *e)
{
	return mark(path, "done", id, e);
}

int
journal_reverted(const char *path, const char *id, struct sd_err *e)
{
	return mark(path, "revert", id, e);
}

/* One line: an apply is added (indexed by id); done and revert find it by
 * id in the index. Anything else is torn. */
static void
line(const char *s, size_t n, const char *run, json_t *byid, int *torn)
{
	json_t *rec, *ap;
	const char *op, *id;

	if (memchr(s, '\0', n) != NULL ||
	    (rec = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		(*torn)++;
		return;
	}
	op = json_string_value(json_object_get(rec, "op"));
	id = json_string_value(json_object_get(rec, "id"));
	if (!json_is_object(rec) || op == NULL || id == NULL) {
		(*torn)++;
	} else if (strcmp(op, "apply") == 0) {
		const char *r = json_string_value(json_object_get(rec, "run"));
		if (json_is_object(json_object_get(rec, "record")) &&
		    (run == NULL || (r && strcmp(r, run) == 0)))
			json_object_set(byid, id, rec);
		else if (!json_is_object(json_object_get(rec, "record")))
			(*torn)++;
	} else if (strcmp(op, "done") == 0) {
		if ((ap = json_object_get(byid, id)) != NULL)
			json_object_set_new(ap, "done", json_true());
	} else if (strcmp(op, "revert") == 0) {
		json_object_del(byid, id);
	} else {
		(*torn)++;
	}
	json_decref(rec);
}

json_t *
journal_parse(const char *text, size_t len, const char *run, int *torn)
{
	json_t *byid = json_object(), *open = json_array(), *v;
	const char *p = text, *end = text + len, *key;

	*torn = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0)
			line(p, n, run, byid, torn);
		p += n + 1;
	}
	/* oldest first: the order the applies were written in */
	json_object_foreach(byid, key, v)
		json_array_append(open, v);
	json_decref(byid);
	return open;
}

json_t *
journal_open_entries(const char *path, const char *run, int *torn,
    struct sd_err *e)
{
	json_t *open;
	size_t len;
	char *text;

	*torn = 0;
	if (access(path, F_OK) == -1)
		return json_array();
	if ((text = read_file_max(path, JOURNAL_MAX, &len, e)) == NULL)
		return NULL;
	open = journal_parse(text, len, run, torn);
	free(text);
	return open;
}
