/*
 * fuzz_mon.c — a monitoring API's answer on arbitrary bytes: the body of
 * a Prometheus instant query or alert list, or of Alertmanager's alerts,
 * as the promql: and alert: matchers read it (every series judged, error
 * answers quoted and cut). The first byte picks the status and the cut.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/io/match.h"
#include "../../lib/io/monprobe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
try(struct matcher *m, struct sample *s)
{
	match_sample(m, s);
	match_sample_at(m, s, 1.0);
	free(match_observed(m, s));
	free(match_describe(m));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sample s = { .sent_ms = 0, .done_ms = 5 };
	struct matcher m;
	unsigned char sel = size ? data[0] : 0;

	s.status = sel & 1 ? 200 : sel & 2 ? 500 : 0;
	s.body_cut = sel & 4 ? size : 0;
	s.body = size ? strndup((const char *)data + 1, size - 1) : xstrdup("");
	s.headers = xstrdup("");
	memset(&m, 0, sizeof m);
	m.kind = M_PROMQL;
	m.op = '>';
	m.value = 1;
	try(&m, &s);
	m.rise = 1;
	try(&m, &s);
	m.rise = 0;
	m.absent = 1;
	try(&m, &s);
	m.absent = 0;
	m.labels = json_pack("{s:s}", "job", "x");
	try(&m, &s);
	json_decref(m.labels);
	memset(&m, 0, sizeof m);
	m.kind = M_ALERT;
	m.path = "X";
	m.text = "firing";
	m.src = sel & 8 ? MON_ALERT_AM : MON_ALERT_PROM;
	try(&m, &s);
	m.labels = json_pack("{s:s}", "severity", "page");
	try(&m, &s);
	json_decref(m.labels);
	sample_free(&s);
	return 0;
}
