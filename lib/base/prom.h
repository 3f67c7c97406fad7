/*
 * prom.h — reading Prometheus text exposition (format 0.0.4, what
 * node_exporter, prom-client and most services serve on /metrics): a
 * selector names a metric and, optionally, labels it must have
 * (`http_requests_total{status="503"}`); its value in a scrape is the sum
 * of every series of that name whose labels include those — as PromQL's
 * sum() over the selector would give.
 */
#ifndef SD_PROM_H
#define SD_PROM_H

#include <stddef.h>

#include "util.h"

struct prom_label {
	char *name, *value;
};

struct prom_sel {
	char *name;
	struct prom_label *labels;
	size_t nlabels;
};

/* `name` or `name{l="v",l2="v2"}`; -1 with e. */
int prom_sel_parse(const char *text, struct prom_sel *sel, struct sd_err *e);
void prom_sel_free(struct prom_sel *sel);
/* The selector back as text, for people. */
char *prom_sel_text(const struct prom_sel *sel);
/* The sum of the matching series in body into *v; returns how many series
 * matched (0: absent, *v untouched). Lines it cannot read are skipped. */
size_t prom_value(const char *body, const struct prom_sel *sel, double *v);

#endif
