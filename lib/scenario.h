/*
 * scenario.h — a drill as data: services to break, probes to watch, the
 * steady state, and the steps (faults, waits, expectations). scen_load parses
 * and checks everything — names resolve, durations parse, every fault can be
 * reverted — before anything is applied; a bad file is one clear
 * "file:line:col: message" and nothing else happens.
 */
#ifndef SD_SCENARIO_H
#define SD_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "util.h"

struct fault;
struct ynode;

enum svc_kind { SVC_PROCESS, SVC_REDIS, SVC_POSTGRES };
enum svc_cmd { CMD_STOP, CMD_START, CMD_KILL, CMD_RESTART, SVC_NCMDS };

struct scen_service {
	char *name;
	enum svc_kind kind;
	char *url;			/* redis URL / postgres DSN: secret */
	char *pidfile;
	long pid;
	char **cmd[SVC_NCMDS];		/* argv arrays, NULL if not given */
	int64_t timeout_ms;		/* per command */
	int64_t ready_timeout_ms;	/* wait until it answers after start */
	int line, col;
};

struct scen_header {
	char *name, *value;
};

struct scen_probe {
	char *name;
	char *method;
	char *url;			/* absolute (target + path) */
	struct scen_header *headers;
	size_t nheaders;
	char *body;
	int64_t every_ms, timeout_ms;
	int line, col;
};

enum exp_mode { EX_NOW, EX_WITHIN, EX_HOLDS, EX_NEVER };

/* A load generator that runs through the whole drill. */
struct scen_load {
	char *name;
	char *method, *url;
	char **headers;			/* "Name: value", NULL-terminated */
	char *body;
	int users, connections, threads;
	double rate;			/* 0: closed model */
	int64_t timeout_ms;
	int from_step, to_step;		/* 1-based window; 0: whole drill */
	int line, col;
};

/* "< 1%", ">= 100", "<= 500ms" on a load statistic. */
enum load_what { LW_ERRORS, LW_P50, LW_P90, LW_P95, LW_P99, LW_MAX, LW_RPS,
	LW_REQUESTS };
struct load_match {
	enum load_what what;
	int op;				/* '<', 'L' (<=), '>', 'G' (>=) */
	double v;			/* fraction, ms, or count */
};

/* slo: objectives checked on a load generator's traffic over the drill. */
struct scen_slo {
	int load;			/* index into loads, -1: no slo */
	double p95_ms;			/* < 0: not set */
	double errors;			/* share, < 0: not set */
	double availability;		/* share, < 0: not set */
	int line, col;
};

struct scen_burst {
	char *method, *url;
	char **headers;
	char *body;
	int users, per_user;
	int64_t timeout_ms;
	int accepted_per_user;
	int rej_status;			/* 0: any non-2xx */
	char *rej_body;			/* NULL: not checked */
};

struct scen_expect {
	int probe;			/* index into probes, or -1 */
	int process;			/* index into services, or -1 */
	int load;			/* index into loads, or -1 */
	int alive;			/* with process: 1, 0, or -1 not asked */
	int64_t rss_growth_bytes;	/* with process: bound, -1 none */
	int rss_op;
	int phase;			/* with load: enum load_phase */
	struct load_match *lm;
	size_t nlm;
	struct matcher *m;
	size_t nm;
	enum exp_mode mode;
	int64_t dur_ms;
	char *as;			/* name of the measured time */
	char *text;			/* what is expected, for people */
	int line, col;
};

enum step_kind { ST_FAULT, ST_WAIT, ST_EXPECT, ST_BURST };

struct scen_step {
	enum step_kind kind;
	int64_t wait_ms;
	int64_t timeout_ms;		/* 0: none beyond the drill's */
	struct scen_expect expect;
	struct scen_burst burst;
	struct fault *fault;
	int line, col;
};

struct scenario {
	char *file;
	char *drill, *title, *description;
	char *target;			/* base URL */
	struct scen_service *services;
	size_t nservices;
	struct scen_probe *probes;
	size_t nprobes;
	struct scen_load *loads;
	size_t nloads;
	struct scen_expect *steady;
	size_t nsteady;
	struct scen_step *steps;
	size_t nsteps;
	char **allow;
	size_t nallow;
	int64_t steady_timeout_ms;
	int64_t max_duration_ms;
	struct scen_slo slo;
};

/* Parse and check a scenario file. NULL with e = "file:line:col: message". */
struct scenario *scen_load(const char *path, struct sd_err *e);
struct scenario *scen_parse(const char *name, const char *text, size_t len,
    struct sd_err *e);
void scen_free(struct scenario *s);

int scen_find_probe(const struct scenario *s, const char *name);
int scen_find_load(const struct scenario *s, const char *name);
const char *scen_load_what_name(enum load_what w);
int scen_find_service(const struct scenario *s, const char *name);
const char *scen_mode_name(enum exp_mode m);

/* Is this URL's host loopback, or in allow (plus extra)? */
int scen_host_allowed(const struct scenario *s, const char *url,
    char *const *extra, size_t nextra, char *host, size_t hostlen);

/* For parsers elsewhere (drills/): "file:line:col: message" from a node. */
int scen_error(struct sd_err *e, const char *file, const struct ynode *n,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Unknown-key check with "did you mean": keys is NULL-terminated. */
int scen_check_keys(const char *file, const struct ynode *map,
    const char *const *keys, const char *what, struct sd_err *e);

#endif
