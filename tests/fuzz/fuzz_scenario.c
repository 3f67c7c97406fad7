/*
 * fuzz_scenario.c — the scenario parser and the planner on arbitrary bytes:
 * parse (YAML checks, every kind's parse, requests, expectations), then
 * plan and render the plan. Nothing is applied or connected to.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../lib/model/plan.h"
#include "../../lib/model/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_err e;
	struct scenario *s = scen_parse("fuzz.yaml", (const char *)data, size,
	    &e);

	if (s != NULL) {
		struct plan *p = plan_build(s);
		free(plan_text(p, 1));
		plan_free(p);
		scen_free(s);
	}
	return 0;
}
