/*
 * scen_limits.c — the parts of a drill about how far it may go: the slo:
 * its traffic is judged by, and the guardrails that stop it early — abort:
 * conditions (and --abort-if's), max_fault_time:, halt_file:.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"
#include "../base/units.h"

int
scen_parse_slo(struct pctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "load", "p95", "errors",
	    "availability", "period", NULL };
	struct scen_slo *slo = &c->s->slo;
	const struct ynode *v;
	struct sd_err e;
	int64_t us;

	slo->line = n->line;
	slo->col = n->col;
	if (ywant(&c->y, n, Y_MAP, "slo") == -1 ||
	    ykeys(&c->y, n, keys, "slo") == -1)
		return -1;
	if ((v = ynode_get(n, "load")) == NULL)
		return yerr(&c->y, n, "slo: needs load: (the traffic it is computed"
		    " from)");
	if (ywant(&c->y, v, Y_SCALAR, "load") == -1)
		return -1;
	if ((slo->load = scen_find_load(c->s, v->value)) < 0)
		return yerr(&c->y, v, "no load named '%s'", v->value);
	if ((v = ynode_get(n, "p95")) != NULL) {
		if (ywant(&c->y, v, Y_SCALAR, "p95") == -1)
			return -1;
		if (units_duration_us(v->value, &us, &e) == -1)
			return yerr(&c->y, v, "p95: %s", e.msg);
		slo->p95_ms = (double)us / 1000.0;
	}
	if (ypercent(&c->y, n, "errors", &slo->errors) == -1 ||
	    ypercent(&c->y, n, "availability", &slo->availability) == -1)
		return -1;
	if (slo->p95_ms < 0 && slo->errors < 0 && slo->availability < 0)
		return yerr(&c->y, n, "slo: set p95:, errors: or availability:");
	if (slo->availability >= 1)
		return yerr(&c->y, ynode_get(n, "availability"), "availability:"
		    " below 100%% (an objective of 100%% has no error budget)");
	slo->period_ms = 30LL * DAY_MS;	/* seed 003's budget window */
	if (ydur(&c->y, n, "period", &slo->period_ms, HOUR_MS, 366LL * DAY_MS)
	    == -1)
		return -1;
	if ((v = ynode_get(n, "period")) != NULL && slo->availability < 0)
		return yerr(&c->y, v, "period: goes with availability: (the error"
		    " budget is (1 - availability) x period)");
	return 0;
}

/* A burn rate needs the SLO's availability (its error budget). */
static int
burn_needs_slo(struct pctx *c, const struct scen_expect *x)
{
	if (!x->slo_burn || x->off != NULL || c->s->slo.availability >= 0)
		return 0;
	return yerr(&c->y, &(struct ynode){ .line = x->line, .col = x->col },
	    "slo: burn_rate needs the drill's slo: with availability: (the"
	    " error budget it burns)");
}

int
scen_parse_guardrails(struct pctx *c, const struct ynode *root)
{
	struct scenario *s = c->s;
	const struct ynode *n;

	if (ydur(&c->y, root, "max_fault_time", &s->max_fault_ms, 100,
	    DAY_MS) == -1 ||
	    ystr(&c->y, root, "halt_file", &s->halt_file) == -1)
		return -1;
	if (s->halt_file != NULL && s->halt_file[0] != '/')
		return yerr(&c->y, ynode_get(root, "halt_file"), "halt_file: is an"
		    " absolute path (the drill may run from any directory)");
	if ((n = ynode_get(root, "abort")) != NULL &&
	    expect_parse_aborts(&c->y, &c->names, n, &s->aborts, &s->naborts) ==
	    -1)
		return -1;
	for (size_t i = 0; i < s->naborts; i++)
		if (burn_needs_slo(c, &s->aborts[i]) == -1)
			return -1;
	return 0;
}

int
scen_add_abort(struct scenario *s, const char *origin, const char *text,
    struct sd_err *e)
{
	struct pctx c = { { origin, e }, s, { s, scen_find_name }, NULL };
	struct ynode *root = ynode_parse(origin, text, strlen(text), e);
	int rc = -1;

	if (root == NULL)
		return -1;
	s->aborts = xrealloc(s->aborts, (s->naborts + 1) * sizeof *s->aborts);
	memset(&s->aborts[s->naborts], 0, sizeof *s->aborts);
	s->naborts++;
	if (expect_parse_abort(&c.y, &c.names, root, &s->aborts[s->naborts - 1])
	    == 0 && burn_needs_slo(&c, &s->aborts[s->naborts - 1]) == 0)
		rc = 0;
	s->aborts[s->naborts - 1].line = 0;	/* not a line of the drill */
	ynode_free(root);
	return rc;
}

