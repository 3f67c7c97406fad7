/*
 * monprobe.h — probes that ask the monitoring system instead of the
 * service: a PromQL instant query against a Prometheus HTTP API, and an
 * alert's state from Alertmanager (API v2) or Prometheus itself.
 *
 *   errors:   { promql: 'sum(rate(http_requests_total{code=~"5.."}[1m]))',
 *               prometheus: "${PROMETHEUS_URL}" }
 *   paged:    { alert: DatabaseDown, labels: { severity: page },
 *               alertmanager: "${ALERTMANAGER_URL}" }   (or prometheus:)
 *
 * Each is sampled like any probe (every:, timeout:, headers: for a bearer
 * token, user:password@ in the URL for basic auth — both secrets); its URL
 * goes through the blast radius like every other. What the answers mean is
 * read by the matchers (match_mon.c): a query's value per series, absent,
 * rises; an alert's state. An error answer (a bad query, Prometheus down,
 * an empty result) is its own class, never a silent zero.
 */
#ifndef SD_MONPROBE_H
#define SD_MONPROBE_H

#include <jansson.h>

#include "../base/request.h"
#include "../base/ynode.h"

enum mon_kind { MON_NONE, MON_PROMQL, MON_ALERT_AM, MON_ALERT_PROM };

struct mon_probe {
	enum mon_kind kind;
	char *query;		/* promql */
	char *alert;		/* the alert's name */
	json_t *labels;		/* alert: labels it must have; NULL: any */
};

/* The largest answer a monitoring API may give (Prometheus's
 * /api/v1/alerts has no filter: a few thousand active alerts are a few
 * MiB); a larger one is said to be too large, never read as not JSON. */
#define MON_ANSWER_MAX (16 * 1024 * 1024)

/* The keys a monitoring probe takes besides every:, timeout: ... */
extern const char *const mon_keys[];
/* Is n a monitoring probe (promql: or alert:)? */
int mon_is(const struct ynode *n);
/* Parse one into rq (a GET of the API, its headers) and m; -1 (yerr).
 * off: the probe is switched off (when:), and its base URL may be empty —
 * ALERTMANAGER_URL unset where there is no monitoring. */
int mon_parse(const struct yctx *y, const struct ynode *key,
    const struct ynode *n, int off, struct request *rq, struct mon_probe *m);
void mon_free(struct mon_probe *m);
/* Ask once, before anything is applied: does the API answer, and is the
 * query good? -1 with e ("Prometheus at URL does not answer: ...", "the
 * query is bad: bad_data: ..."). */
int mon_check(const struct mon_probe *m, const struct request *rq,
    int64_t timeout_ms, struct sd_err *e);
const char *mon_kind_name(enum mon_kind k);

#endif
