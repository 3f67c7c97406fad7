/*
 * match.h — what an expectation looks for in one probe sample: status
 * patterns (200, [200,503], 5xx), JSON paths (checks.db.ok, items[0].id),
 * body substrings, headers present or equal, latency bounds.
 */
#ifndef SD_MATCH_H
#define SD_MATCH_H

#include <stdint.h>

#include <jansson.h>

#include "../base/util.h"

enum match_kind { M_STATUS, M_JSON, M_BODY, M_HEADER, M_LATENCY, M_METRIC,
	M_PROMQL, M_ALERT };

struct prom_sel;

struct status_pat {
	int lo, hi;		/* STATUS_REFUSED: no answer, connection refused */
};
#define STATUS_REFUSED (-1)
/* A probe sample's error when the connection was refused. */
#define ERR_REFUSED "connect refused"

/* By kind, exactly these are set: M_STATUS pats/npats (npats > 0);
 * M_JSON path and want (a JSON value, never NaN) and negate; a path
 * segment * is every member of an object or element of an array there
 * ("*", "components.*.status"): every value found must be want (and one
 * must be found), or with negate, some value found is not want; M_BODY text; M_HEADER
 * text (the name) and hval (NULL: present); M_LATENCY op and latency_ms;
 * M_METRIC sel and either rise (the value rose above a base the caller
 * gives) or op and value (a bound on the value in Prometheus text);
 * M_PROMQL (a promql: probe's answer) labels (the series; NULL: all) and
 * absent, rise, or op and value (every series selected); M_ALERT (an
 * alert: probe's) text (the state wanted: inactive, pending, firing),
 * path (the alert's name), labels (it must have), src (MON_ALERT_AM or
 * MON_ALERT_PROM: which API answered). */
struct matcher {
	enum match_kind kind;
	struct status_pat *pats;	/* status */
	size_t npats;
	char *path;			/* json path */
	json_t *want;			/* json value */
	char *text;			/* body substring / header name */
	char *hval;			/* header value, NULL: present */
	int op;				/* latency: '<' or 'L' (<=); metric: as
					 * load_match */
	int64_t latency_ms;
	struct prom_sel *sel;		/* metric */
	int rise;			/* metric: above the base */
	double value;			/* metric: the bound */
	json_t *labels;			/* promql, alert */
	int absent;			/* promql: no series */
	int src;			/* alert */
	int negate;			/* json: "!= X": not X (with a * in the
					 * path: some value is not X) */
};

/* One observation of a probe. */
struct sample {
	int64_t sent_ms, done_ms;	/* monotonic, relative to the drill */
	int status;			/* 0: no HTTP answer */
	char *error;			/* transport error class, or NULL */
	char *body;
	char *headers;			/* raw response header block */
	json_t *json;			/* parsed body, lazily; NULL if not JSON */
	int json_tried;
	char *key;			/* a writer's key for this request, or NULL */
	size_t body_cut;		/* the answer was larger than the probe
					 * keeps: its size read, or 0 */
};

/* "200", "5xx", "[200, 204]" items. */
int match_parse_status(const char *s, struct status_pat *p, struct sd_err *e);
/* "< 500ms", "<= 1s". */
int match_parse_latency(const char *s, struct matcher *m, struct sd_err *e);
/* A YAML scalar as the JSON value it means (plain true/42/null are typed;
 * nan and inf are refused: JSON has no such numbers). NULL with e set. */
json_t *match_scalar_json(const char *v, int plain, struct sd_err *e);
/* Look a dotted path with [i] indexes up in j; NULL when absent. */
json_t *match_json_path(json_t *j, const char *path);
/* Every value at a path that may have * segments (and [*]), with the
 * concrete path it was found at; how many. */
size_t match_json_each(json_t *j, const char *path,
    void (*fn)(void *arg, const char *where, json_t *v), void *arg);
/* "500,503", "5xx", "refused": a status written in one scalar, as a
 * variable gives it; *pats (freed by the caller) and how many. -1 with
 * e. */
int match_parse_status_list(const char *s, struct status_pat **pats,
    size_t *n, struct sd_err *e);

int match_sample(const struct matcher *m, struct sample *s);
/* The same, where a metric that must rise must be above base (a series
 * absent counts as 0, as a counter not yet incremented). */
int match_sample_at(const struct matcher *m, struct sample *s, double base);
/* What the sample showed for this matcher, for "observed" columns. */
char *match_observed(const struct matcher *m, struct sample *s);
char *match_observed_at(const struct matcher *m, struct sample *s,
    double base);
/* A metric's value in the sample (absent: 0); for bases. */
double match_metric_value(const struct matcher *m, struct sample *s);
/* What the matcher wants, for people. */
char *match_describe(const struct matcher *m);

/* match_mon.c: M_PROMQL and M_ALERT, over the API's JSON answer */
int match_mon_match(const struct matcher *m, struct sample *s, double base);
char *match_mon_observed(const struct matcher *m, struct sample *s, double base);
double match_mon_value(const struct matcher *m, struct sample *s);
char *match_mon_describe(const struct matcher *m);
void match_free(struct matcher *m);
/* The body parsed as JSON (once), or NULL. */
json_t *sample_json(struct sample *s);
void sample_free(struct sample *s);

#endif
