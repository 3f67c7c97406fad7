/*
 * fuzz_result.c — what `shakedown report` and `load --merge` read from
 * files that may come from anywhere: a result.json back into a result, then
 * every renderer over it (markdown, the SVG chart, JUnit, the summaries, the
 * Prometheus text is not rendered: it writes a file); and the same bytes as
 * parts of a load merge.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../lib/io/loadjson.h"
#include "../../reports/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL), *m;
	const char *names[2] = { "a", "b" };
	json_t *parts[2];
	struct result *r;
	struct sd_err e;

	if (j == NULL)
		return 0;
	if ((r = rpt_from_json(j, &e)) != NULL) {
		const struct result *rs[1] = { r };
		free(rpt_markdown(r));
		free(rpt_svg(r));
		free(rpt_junit(rs, 1));
		free(rpt_summary(r));
		free(rpt_gameday(rs, NULL, 1, 1));
		res_free(r);
	}
	parts[0] = parts[1] = j;
	m = loadjson_merge(parts, names, 2, &e);
	json_decref(m);
	json_decref(j);
	return 0;
}
