/*
 * sandbox_conf.c — where the sandbox keeps things: its folder, each part's
 * port, log and pidfile, the URLs drills use, and its saved configuration
 * (DIR/sandbox.json). Below the parts' start (sandbox_spawn.c) and their
 * state, start, stop and `up` (sandbox.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sandbox_int.h"

const char *const sbx_part_names[SBX_NPARTS] = { "postgres", "redis", "proxy",
    "target", "alertmanager", "prometheus" };
/* what /proc/PID/comm says for each part (15 bytes at most) */
const char *const sbx_part_comm[SBX_NPARTS] = { "postgres", "redis-server",
    "shakedown", "shakedown", "prometheus-aler", "prometheus" };

int
sbx_part_on(const struct sbx_config *c, enum sbx_part p)
{
	return c->monitoring || (p != SBX_ALERTMANAGER && p != SBX_PROMETHEUS);
}

const char *
sbx_part_name(enum sbx_part p)
{
	return sbx_part_names[p];
}

int
sbx_part_parse(const char *name, enum sbx_part *p)
{
	for (int i = 0; i < SBX_NPARTS; i++) {
		if (strcmp(name, sbx_part_names[i]) == 0) {
			*p = (enum sbx_part)i;
			return 0;
		}
	}
	return -1;
}

int
sbx_part_port(const struct sbx_config *c, enum sbx_part p)
{
	return p == SBX_POSTGRES ? c->pg_port : p == SBX_REDIS ?
	    c->redis_port : p == SBX_PROXY ? c->proxy_port : p == SBX_TARGET ?
	    c->target_port : p == SBX_ALERTMANAGER ? c->am_port : c->prom_port;
}

char *
sbx_dir(const char *opt)
{
	const char *env = getenv("SHAKEDOWN_SANDBOX");
	const char *d = opt ? opt : (env && *env ? env : ".shakedown/sandbox");
	char cwd[4096];

	if (d[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(d);
	return xasprintf("%s/%s", cwd, d);
}

char *
sbx_path_in(const struct sbx_config *c, const char *name)
{
	return xasprintf("%s/%s", c->dir, name);
}

char *
sbx_log_path(const struct sbx_config *c, enum sbx_part p)
{
	char *name = xasprintf("%s.log", sbx_part_names[p]), *s = sbx_path_in(c, name);

	free(name);
	return s;
}

char *
sbx_pid_path(const struct sbx_config *c, enum sbx_part p)
{
	char *name = xasprintf("%s.pid", sbx_part_names[p]), *s = sbx_path_in(c, name);

	free(name);
	return s;
}

char *
sbx_db_url_at(int port)
{
	return xasprintf("postgresql://shakedown@127.0.0.1:%d/postgres"
	    "?connect_timeout=2", port);
}

char *
sbx_db_url(const struct sbx_config *c)
{
	return sbx_db_url_at(c->pg_port);
}

char *
sbx_redis_url(const struct sbx_config *c)
{
	return xasprintf("redis://127.0.0.1:%d", c->redis_port);
}

char *
sbx_proxy_sock(const struct sbx_config *c)
{
	return sbx_path_in(c, "proxy.sock");
}

char *
sbx_target_url(const struct sbx_config *c)
{
	return xasprintf("http://127.0.0.1:%d", c->target_port);
}

char *
sbx_prometheus_url(const struct sbx_config *c)
{
	return xasprintf("http://127.0.0.1:%d", c->prom_port);
}

char *
sbx_alertmanager_url(const struct sbx_config *c)
{
	return xasprintf("http://127.0.0.1:%d", c->am_port);
}

int
sbx_config_load(struct sbx_config *c, const char *dir, struct sd_err *e)
{
	json_t *j, *v;
	char *path;

	memset(c, 0, sizeof *c);
	c->dir = xstrdup(dir);
	c->pg_port = 25432;
	c->redis_port = 26379;
	c->target_port = 28080;
	c->proxy_port = 28084;
	c->prom_port = 29090;
	c->am_port = 29093;
	c->target_memory = DEFAULT_TARGET_MEMORY;
	path = sbx_path_in(c, "sandbox.json");
	if (access(path, F_OK) == -1) {
		free(path);
		return 0;
	}
	json_error_t je;
	j = json_load_file(path, 0, &je);
	if (j == NULL) {
		err_set(e, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		free(path);
		return -1;
	}
	free(path);
	if ((v = json_object_get(j, "pg_port")) && json_is_integer(v))
		c->pg_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "redis_port")) && json_is_integer(v))
		c->redis_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "target_port")) && json_is_integer(v))
		c->target_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "proxy_port")) && json_is_integer(v))
		c->proxy_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "prometheus_port")) && json_is_integer(v))
		c->prom_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "alertmanager_port")) && json_is_integer(v))
		c->am_port = (int)json_integer_value(v);
	if ((v = json_object_get(j, "monitoring")))
		c->monitoring = json_is_true(v);
	if ((v = json_object_get(j, "target_memory")) && json_is_integer(v) &&
	    json_integer_value(v) >= 0)
		c->target_memory = json_integer_value(v);
	if ((v = json_object_get(j, "production")))
		c->production = json_is_true(v);
	if ((v = json_object_get(j, "ai_latency")) && json_is_string(v))
		c->ai_latency = xstrdup(json_string_value(v));
	if ((v = json_object_get(j, "bugs")) && json_is_array(v)) {
		size_t i;
		json_t *b;
		c->bugs = xcalloc(json_array_size(v) + 1, sizeof *c->bugs);
		json_array_foreach(v, i, b)
			if (json_is_string(b))
				c->bugs[c->nbugs++] = xstrdup(json_string_value(b));
	}
	json_decref(j);
	return 0;
}

int
sbx_config_save(const struct sbx_config *c, struct sd_err *e)
{
	json_t *j = json_pack("{s:i,s:i,s:i,s:i,s:b,s:I,s:b,s:i,s:i}", "pg_port",
	    c->pg_port, "redis_port", c->redis_port, "target_port",
	    c->target_port, "proxy_port", c->proxy_port, "production",
	    c->production, "target_memory", (json_int_t)c->target_memory,
	    "monitoring", c->monitoring, "prometheus_port", c->prom_port,
	    "alertmanager_port", c->am_port);
	json_t *bugs = json_array();
	char *text, *path;
	int rc;

	for (size_t i = 0; i < c->nbugs; i++)
		json_array_append_new(bugs, json_string(c->bugs[i]));
	json_object_set_new(j, "bugs", bugs);
	if (c->ai_latency)
		json_object_set_new(j, "ai_latency", json_string(c->ai_latency));
	text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	path = sbx_path_in(c, "sandbox.json");
	rc = write_file_atomic(path, text, strlen(text), e);
	free(path);
	free(text);
	return rc;
}

void
sbx_config_free(struct sbx_config *c)
{
	free(c->dir);
	for (size_t i = 0; i < c->nbugs; i++)
		free(c->bugs[i]);
	free(c->bugs);
	free(c->ai_latency);
	free(c->self_exe);
	memset(c, 0, sizeof *c);
}
