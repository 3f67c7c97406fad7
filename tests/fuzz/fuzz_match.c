/*
 * fuzz_match.c — the matchers on arbitrary bytes: the first line is a
 * matcher (a status pattern, a latency bound, a JSON path and a value),
 * the rest a probe's answer (headers and body) they are tried on; the
 * first line is also a Prometheus selector, the rest /metrics text.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/io/match.h"
#include "../../lib/base/prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
try(struct matcher *m, struct sample *s)
{
	match_sample(m, s);
	free(match_observed(m, s));
	free(match_describe(m));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size), *nl, *sp;
	struct sample s = { .sent_ms = 0, .done_ms = 5, .status = 200 };
	struct status_pat pat;
	struct sd_err e;
	struct matcher m;

	if ((nl = strchr(text, '\n')) != NULL)
		*nl++ = '\0';
	s.body = xstrdup(nl ? nl : "");
	s.headers = xstrdup(nl ? nl : "");
	memset(&m, 0, sizeof m);
	m.kind = M_STATUS;
	if (match_parse_status(text, &pat, &e) == 0) {
		m.pats = &pat;
		m.npats = 1;
		try(&m, &s);
	}
	memset(&m, 0, sizeof m);
	m.kind = M_LATENCY;
	if (match_parse_latency(text, &m, &e) == 0)
		try(&m, &s);
	/* "path value": a JSON matcher */
	memset(&m, 0, sizeof m);
	m.kind = M_JSON;
	if ((sp = strchr(text, ' ')) != NULL) {
		*sp++ = '\0';
		m.path = text;
		if ((m.want = match_scalar_json(sp, 1, &e)) != NULL) {
			try(&m, &s);
			json_decref(m.want);
		}
	}
	memset(&m, 0, sizeof m);
	m.kind = M_HEADER;
	m.text = text;
	try(&m, &s);
	m.kind = M_BODY;
	try(&m, &s);
	/* the first line as a metric selector, the rest as /metrics text */
	memset(&m, 0, sizeof m);
	m.kind = M_METRIC;
	m.sel = xcalloc(1, sizeof *m.sel);
	if (prom_sel_parse(text, m.sel, &e) == 0) {
		m.rise = 1;
		try(&m, &s);
		m.rise = 0;
		m.op = '>';
		try(&m, &s);
		prom_sel_free(m.sel);
	}
	free(m.sel);
	sample_free(&s);
	free(text);
	return 0;
}
