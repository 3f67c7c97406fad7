/*
 * halt.c — see halt.h.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "halt.h"
#include "journal.h"

#define HALT_MAX 4096		/* a marker is one short line */

int
halt_press(struct sd_err *e)
{
	char *path = journal_halt_path(e), *text;
	int rc;

	if (path == NULL)
		return -1;
	text = xasprintf("{\"at_wall_ms\": %lld, \"pid\": %d}\n",
	    (long long)wall_ms(), (int)getpid());
	rc = write_file_atomic(path, text, strlen(text), e);
	free(text);
	free(path);
	return rc;
}

int
halt_read(const char *path, struct halt_marker *m)
{
	char *text = read_file_max(path, HALT_MAX, NULL, NULL);
	json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;
	json_t *at = json_object_get(j, "at_wall_ms");
	int rc = json_is_integer(at) ? 0 : -1;

	m->at_wall_ms = json_integer_value(at);
	m->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	json_decref(j);
	free(text);
	return rc;
}
