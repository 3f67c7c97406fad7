/*
 * expect_mon.c — the checks on a probe that asks the monitoring
 * (monprobe.h): a promql: probe's value (value: "> 0.01", rises: true,
 * absent: true, for the series labels: picks), an alert: probe's state
 * (state: firing | pending | inactive | suppressed).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "expect_int.h"

static const char *const states[] = { "inactive", "pending", "firing",
    "suppressed", NULL };

static int
on_alert(const struct yctx *y, const struct ynode *n, struct scen_expect *x)
{
	const struct ynode *v = ynode_get(n, "state"), *bad;
	struct matcher m;

	if ((bad = ynode_get(n, "value")) || (bad = ynode_get(n, "rises")) ||
	    (bad = ynode_get(n, "absent")) || (bad = ynode_get(n, "labels")) ||
	    (bad = ynode_get(n, "metric")))
		return yerr(y, bad, "an alert: probe is checked by state: (its"
		    " labels are the probe's)");
	if (v == NULL) {
		if (x->nm > 0)
			return 0;
		return yerr(y, n, "an alert: probe is checked by state: firing,"
		    " pending, inactive or suppressed");
	}
	if (ywant(y, v, Y_SCALAR, "state") == -1)
		return -1;
	if (expect_part_off(x, v, "state"))
		return 0;
	for (int i = 0; states[i]; i++)
		if (strcmp(v->value, states[i]) == 0) {
			memset(&m, 0, sizeof m);
			m.kind = M_ALERT;
			m.text = xstrdup(v->value);
			m.path = xstrdup(x->mon->alert);
			m.labels = json_incref(x->mon->labels);
			m.src = x->mon->kind;
			if (x->mon->kind == MON_ALERT_AM && strcmp(v->value,
			    "pending") == 0)
				return yerr(y, v, "Alertmanager never sees a pending"
				    " alert (Prometheus sends it once it fires): ask"
				    " prometheus: for pending");
			expect_add_matcher(x, &m);
			return 0;
		}
	return yerr(y, v, "state: firing, pending, inactive or suppressed, not"
	    " '%s'", v->value);
}

static int
on_promql(const struct yctx *y, const struct ynode *n, struct scen_expect *x)
{
	const struct ynode *val = ynode_get(n, "value"), *r = ynode_get(n,
	    "rises"), *a = ynode_get(n, "absent"), *l = ynode_get(n, "labels");
	struct matcher m;

	if (ynode_get(n, "state") || ynode_get(n, "metric"))
		return yerr(y, ynode_get(n, "state") ? ynode_get(n, "state") :
		    ynode_get(n, "metric"), "a promql: probe is checked by value:,"
		    " rises: or absent: (the query picks the metric)");
	if (val == NULL && r == NULL && a == NULL) {
		if (l != NULL)
			return yerr(y, l, "labels: picks the series value:, rises:"
			    " or absent: is about");
		return 0;	/* status: etc. alone */
	}
	if ((val != NULL) + (r != NULL) + (a != NULL) != 1)
		return yerr(y, n, "one of value:, rises: or absent: a check");
	memset(&m, 0, sizeof m);
	m.kind = M_PROMQL;
	if (val != NULL) {
		if (expect_part_off(x, val, "value"))
			return 0;
		if (expect_parse_cmp(y, val, 'n', &m.op, &m.value) == -1)
			return -1;
	} else {
		const struct ynode *t = r ? r : a;
		if (t->type != Y_SCALAR || strcmp(t->value, "true") != 0)
			return yerr(y, t, "%s: takes true", r ? "rises" : "absent");
		m.rise = r != NULL;
		m.absent = a != NULL;
	}
	if (l != NULL) {
		if (ywant(y, l, Y_MAP, "labels") == -1)
			return -1;
		m.labels = json_object();
		for (size_t i = 0; i < l->n; i++) {
			if (ywant(y, l->items[i], Y_SCALAR, "a label's value") == -1) {
				json_decref(m.labels);
				return -1;
			}
			json_object_set_new(m.labels, l->keys[i]->value,
			    json_string(l->items[i]->value));
		}
	}
	expect_add_matcher(x, &m);
	return 0;
}

int
expect_mon_matchers(const struct yctx *y, const struct ynode *n,
    struct scen_expect *x)
{
	return x->mon->kind == MON_PROMQL ? on_promql(y, n, x) :
	    on_alert(y, n, x);
}
