/*
 * fault.c — what every kind shares (see fault.h): the process it acts on,
 * running a command with a timeout, hearing a child's progress, notes, and
 * reading record fields without trusting them. The dispatch through the
 * table is dispatch.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "../base/proc.h"
#include "../base/selfexec.h"


int
fault_parse_pid(const struct fault_parse *p, pid_t *pid)
{
	const struct ynode *n = ynode_get(p->args, "pid");
	struct sd_err pe;

	*pid = 0;
	if (n == NULL)
		return 0;
	if (ywant(p->y, n, Y_SCALAR, "pid") == -1)
		return -1;
	if (pid_parse(n->value, pid, &pe) == -1)
		return yerr(p->y, n, "pid: %s", pe.msg);
	return 0;
}

pid_t
fault_target_pid(const struct svc *sv, const char *pidfile, pid_t pid,
    struct sd_err *e)
{
	if (sv != NULL)
		return svc_pid(sv, e);
	if (pidfile != NULL && (pid = pidfile_read_checked(pidfile, e)) == 0)
		return 0;
	if (pid_check(pid, e) == -1)
		return 0;
	if (!proc_alive(pid))
		return err_set(e, "pid %d%s%s is not running", (int)pid,
		    pidfile ? " from " : "", pidfile ? pidfile : ""), 0;
	return pid;
}

void
fault_note(char **note, const char *fmt, ...)
{
	char *add, *prev;
	va_list ap;

	if (note == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&add, fmt, ap) < 0)
		add = xstrdup(fmt);
	va_end(ap);
	prev = *note;
	*note = prev ? xasprintf("%s; %s", prev, add) : xstrdup(add);
	free(prev);
	free(add);
}

void
fault_proved(struct fault_check *c, enum fault_proof p, const char *fmt, ...)
{
	va_list ap;

	c->proof = p;
	c->said = 1;
	va_start(ap, fmt);
	vsnprintf(c->figure, sizeof c->figure, fmt, ap);
	va_end(ap);
}

const char *
fault_proof_name(enum fault_proof p)
{
	static const char *const n[] = { "not measured", "confirmed",
	    "mismatch", "inconclusive" };

	return n[p];
}

char
fault_hear(int fd, int64_t timeout_ms, const struct fault_env *env)
{
	int64_t end = mono_ms() + timeout_ms;
	char c;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int64_t left = end - mono_ms();
		if (left <= 0 || (env && env->stop && *env->stop))
			return 0;
		int n = poll(&p, 1, left > 100 ? 100 : (int)left);
		if (n == 1) {
			ssize_t r = read(fd, &c, 1);
			if (r == 1)
				return c;
			if (r == 0 || errno != EINTR)
				return 0;
		}
	}
}

int
fault_run_argv(char *const *argv, const struct fault_env *env,
    int64_t timeout_ms, char **note, struct sd_err *e)
{
	struct proc_result r;
	char **v = argv_dup(argv), *joined = argv_join(argv);
	int rc = 0;

	/* "shakedown" means this binary, installed or not */
	if (strcmp(v[0], SELFEXEC_COMM) == 0 && env != NULL &&
	    env->self_exe != NULL) {
		free(v[0]);
		v[0] = xstrdup(env->self_exe);
	}
	if (proc_run(v, timeout_ms, &r, e) == -1) {
		rc = err_prefix(e, "%s", joined);
	} else {
		size_t n = strlen(r.output);
		while (n > 0 && (r.output[n - 1] == '\n' || r.output[n - 1] == ' '))
			r.output[--n] = '\0';
		const char *tail = n > 200 ? r.output + n - 200 : r.output;
		if (r.timed_out)
			rc = err_set(e, "'%s' did not finish within %lldms and was"
			    " killed", joined, (long long)timeout_ms);
		else if (!r.exited || r.status != 0)
			rc = err_set(e, "'%s' %s %d%s%s", joined, r.exited ?
			    "exited with status" : "was killed by signal", r.status,
			    n ? ": " : "", tail);
		else
			fault_note(note, "'%s' exit 0 in %lldms%s%s", joined,
			    (long long)r.elapsed_ms, n ? ": " : "", tail);
		proc_result_free(&r);
	}
	free(joined);
	argv_free(v);
	return rc;
}

int
fault_rec_str(const json_t *rec, const char *key, const char **out,
    struct sd_err *e)
{
	const char *s = json_string_value(json_object_get(rec, key));

	if (s == NULL)
		return err_set(e, "the record has no '%s'", key);
	*out = s;
	return 0;
}

int
fault_rec_int(const json_t *rec, const char *key, int64_t lo, int64_t hi,
    int64_t *out, struct sd_err *e)
{
	json_t *v = json_object_get(rec, key);

	if (!json_is_integer(v))
		return err_set(e, "the record has no number '%s'", key);
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return err_set(e, "the record's '%s' (%lld) is out of range", key,
		    (long long)json_integer_value(v));
	*out = json_integer_value(v);
	return 0;
}

char **
fault_rec_argv(const json_t *rec, const char *key, struct sd_err *e)
{
	json_t *a = json_object_get(rec, key), *w;
	size_t i, n = json_array_size(a);
	char **v;

	if (!json_is_array(a) || n == 0 || n > 1024)
		return err_set(e, "the record has no command '%s'", key), NULL;
	v = xcalloc(n + 1, sizeof *v);
	json_array_foreach(a, i, w) {
		if (!json_is_string(w)) {
			argv_free(v);
			return err_set(e, "the record's command '%s' is not all"
			    " strings", key), NULL;
		}
		v[i] = xstrdup(json_string_value(w));
	}
	return v;
}

json_t *
fault_argv_json(char *const *argv)
{
	json_t *a = json_array();

	for (; argv != NULL && *argv; argv++)
		json_array_append_new(a, json_string(*argv));
	return a;
}
