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

char *
jrnl_path(struct sd_err *e)
{
	const char *env = getenv("SHAKEDOWN_STATE_DIR"), *home;
	char *dir, *path;

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
	path = xasprintf("%s/journal.jsonl", dir);
	free(dir);
	return path;
}

char *
jrnl_run_id(void)
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
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1) {
		free(line);
		return err_set(e, "journal '%s': %s", path, strerror(errno));
	}
	/* one writer at a time across concurrent runs */
	while (flock(fd, LOCK_EX) == -1 && errno == EINTR)
		;
	/* a torn line left by a crash: start ours on a line of its own */
	struct stat st;
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

int
jrnl_apply(const char *path, const char *run, const char *id,
    const char *what, json_t *spec, struct sd_err *e)
{
	char ts[40];
	json_t *rec = json_pack("{s:s,s:s,s:s,s:i,s:I,s:s,s:s,s:o}", "op", "apply",
	    "id", id, "run", run, "pid", (int)getpid(), "t", (json_int_t)wall_ms(),
	    "at", iso8601_ms(wall_ms(), ts, sizeof ts), "what", what,
	    "revert", spec);
	int rc = append(path, rec, e);

	json_decref(rec);
	return rc;
}

int
jrnl_reverted(const char *path, const char *id, struct sd_err *e)
{
	json_t *rec = json_pack("{s:s,s:s,s:I}", "op", "revert", "id", id, "t",
	    (json_int_t)wall_ms());
	int rc = append(path, rec, e);

	json_decref(rec);
	return rc;
}

json_t *
jrnl_open_entries(const char *path, const char *run, int *torn,
    struct sd_err *e)
{
	json_t *open = json_array(), *rec;
	size_t len, i;
	char *text, *line, *save = NULL;

	*torn = 0;
	if (access(path, F_OK) == -1)
		return open;
	if ((text = read_file(path, &len, e)) == NULL) {
		json_decref(open);
		return NULL;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *op, *id;
		rec = json_loads(line, 0, NULL);
		op = json_string_value(json_object_get(rec, "op"));
		id = json_string_value(json_object_get(rec, "id"));
		if (rec == NULL || op == NULL || id == NULL) {
			(*torn)++;	/* a crash mid-write: skip it */
			json_decref(rec);
			continue;
		}
		if (strcmp(op, "apply") == 0) {
			const char *r = json_string_value(json_object_get(rec, "run"));
			if (run == NULL || (r && strcmp(r, run) == 0))
				json_array_append(open, rec);
		} else if (strcmp(op, "revert") == 0) {
			json_t *o;
			json_array_foreach(open, i, o) {
				if (strcmp(json_string_value(json_object_get(o, "id")),
				    id) == 0) {
					json_array_remove(open, i);
					break;
				}
			}
		}
		json_decref(rec);
	}
	free(text);
	return open;
}
