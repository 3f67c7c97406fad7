/*
 * scen_names.c — a drill's names: its probes, loads and services by name,
 * and the same for its expectations (struct expect_names), below the
 * parts of the parser that need them (scenario.c, scen_limits.c).
 */
#include "scenario_int.h"

int
scen_find_probe(const struct scenario *s, const char *name)
{
	return strmap_get(&s->probe_ix, name);
}

int
scen_find_load(const struct scenario *s, const char *name)
{
	return strmap_get(&s->load_ix, name);
}

int
scen_find_service(const struct scenario *s, const char *name)
{
	return strmap_get(&s->service_ix, name);
}

/* The drill's names, for its expectations (expect.h): they are looked up
 * here and handed down, so expect.c needs nothing of the scenario. */
int
scen_find_name(const void *arg, char what, const char *name, struct expect_ref *r)
{
	const struct scenario *s = arg;

	r->index = what == 'p' ? scen_find_probe(s, name) : what == 'l' ?
	    scen_find_load(s, name) : scen_find_service(s, name);
	if (r->index < 0)
		return -1;
	if (what == 'p') {
		r->name = s->probes[r->index].name;
		r->off = s->probes[r->index].off;
		r->writer = s->probes[r->index].writes_svc >= 0;
		r->mon = &s->probes[r->index].mon;
	} else if (what == 'l') {
		r->name = s->loads[r->index].name;
		r->off = s->loads[r->index].off;
	} else {
		r->name = s->services[r->index].name;
		r->has_pid = svc_has_pid(&s->services[r->index]);
	}
	return r->index;
}
