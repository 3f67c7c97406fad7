/*
 * sandbox_mon.c — the sandbox's monitoring stack, on request (`sandbox up
 * --monitoring`): Debian's Prometheus scraping the reference target every
 * second and evaluating the shipped alert rules (monitoring/
 * shakedown.rules.yml, built into the binary) every second, sending to
 * Alertmanager, which holds them for a drill to ask. Both run as the
 * PostgreSQL user (never root), on loopback only — Alertmanager without
 * its gossip port — with their configuration and data in DIR/monitoring.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox_int.h"

/* the rules file, as the repository ships it (NUL-terminated) */
extern const char sbx_rules_yml[];
__asm__(".section .rodata\n"
    ".global sbx_rules_yml\n"
    ".type sbx_rules_yml, @object\n"
    "sbx_rules_yml:\n"
    ".incbin \"monitoring/shakedown.rules.yml\"\n"
    ".byte 0\n"
    ".previous\n");

/* The monitoring dir, made and handed to the user that runs the stack;
 * NULL with e. */
static char *
mon_dir(const struct sbx_config *c, struct spawn_opts *o, struct sd_err *e)
{
	char *dir;

	if (sbx_pg_user(o, e) == -1)
		return NULL;
	dir = sbx_private_dir(c, o, "monitoring");
	if (mkdir_p(dir, 0755, e) == -1) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int
put(const char *dir, const char *name, const char *text, struct sd_err *e)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = write_file_atomic(path, text, strlen(text), e);

	if (rc == 0)
		chmod(path, 0644);
	free(path);
	return rc;
}

static pid_t
spawn_as(struct spawn_opts *o, const char *dir, char **argv, const char *log,
    struct spawn_gate *g, struct sd_err *e)
{
	if (o->set_ids && sbx_chown_tree(dir, o->uid, o->gid, e) == -1)
		return -1;
	o->argv = argv;
	o->log_path = log;
	o->new_session = 1;
	o->gate = g;
	return proc_spawn(o, NULL, e);
}

pid_t
sbx_spawn_prometheus(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e)
{
	struct spawn_opts o = { 0 };
	char *dir = mon_dir(c, &o, e), *cfg = NULL, *log = NULL, *data = NULL;
	char *conf = NULL, *listen = NULL;
	pid_t pid = -1;

	if (dir == NULL)
		return -1;
	conf = xasprintf("# written by shakedown sandbox up --monitoring\n"
	    "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
	    "  evaluation_interval: 1s\n"
	    "rule_files: [ \"%s/shakedown.rules.yml\" ]\n"
	    "alerting:\n  alertmanagers:\n"
	    "    - static_configs: [ { targets: [ \"127.0.0.1:%d\" ] } ]\n"
	    "scrape_configs:\n  - job_name: shakedown-target\n"
	    "    static_configs: [ { targets: [ \"127.0.0.1:%d\" ] } ]\n",
	    dir, c->am_port, c->target_port);
	if (put(dir, "shakedown.rules.yml", sbx_rules_yml, e) == -1 ||
	    put(dir, "prometheus.yml", conf, e) == -1)
		goto out;
	cfg = xasprintf("--config.file=%s/prometheus.yml", dir);
	data = xasprintf("--storage.tsdb.path=%s/prometheus-data", dir);
	listen = xasprintf("--web.listen-address=127.0.0.1:%d", c->prom_port);
	log = sbx_log_path(c, SBX_PROMETHEUS);
	char *argv[] = { "prometheus", cfg, data, listen,
	    "--storage.tsdb.retention.time=1d", "--log.level=warn", NULL };
	pid = spawn_as(&o, dir, argv, log, g, e);
out:
	free(conf);
	free(cfg);
	free(data);
	free(listen);
	free(log);
	free(dir);
	return pid;
}

pid_t
sbx_spawn_alertmanager(const struct sbx_config *c, struct spawn_gate *g,
    struct sd_err *e)
{
	struct spawn_opts o = { 0 };
	char *dir = mon_dir(c, &o, e), *cfg = NULL, *log = NULL, *data = NULL;
	char *listen = NULL;
	pid_t pid = -1;

	if (dir == NULL)
		return -1;
	/* one receiver that sends nothing: a drill asks the API */
	if (put(dir, "alertmanager.yml", "# written by shakedown sandbox up"
	    " --monitoring\nroute:\n  receiver: drills\n  group_wait: 0s\n"
	    "  group_interval: 1s\n  repeat_interval: 1h\n"
	    "receivers:\n  - name: drills\n", e) == -1)
		goto out;
	cfg = xasprintf("--config.file=%s/alertmanager.yml", dir);
	data = xasprintf("--storage.path=%s/alertmanager-data", dir);
	listen = xasprintf("--web.listen-address=127.0.0.1:%d", c->am_port);
	log = sbx_log_path(c, SBX_ALERTMANAGER);
	/* no gossip: it would listen on every interface (9094) */
	char *argv[] = { "prometheus-alertmanager", cfg, data, listen,
	    "--cluster.listen-address=", "--log.level=warn", NULL };
	pid = spawn_as(&o, dir, argv, log, g, e);
out:
	free(cfg);
	free(data);
	free(listen);
	free(log);
	free(dir);
	return pid;
}
