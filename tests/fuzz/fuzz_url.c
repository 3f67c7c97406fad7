/*
 * fuzz_url.c — the parsers of URLs and DSNs a drill hands over: the
 * blast-radius checks, the redis URL parser, header checks, redaction and
 * the escaping of untrusted text.
 * Nothing is connected to.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/escape.h"
#include "../../lib/hosts.h"
#include "../../lib/redact.h"
#include "../../lib/redisurl.h"
#include "../../lib/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size), host[256];
	struct rurl u;
	struct sd_err e;

	hosts_check_url(s, NULL, host, sizeof host, &e);
	hosts_check_dsn(s, NULL, host, sizeof host, &e);
	if (rurl_parse(s, &u, &e) == 0)
		rurl_free(&u);
	req_check_url(s, &e);
	req_check_header(s, s, &e);
	free(redact_url(s));
	/* untrusted text, escaped for a terminal, markdown and XML */
	struct sbuf sb;
	sb_init(&sb);
	esc_term(&sb, (const char *)data, size);
	esc_md(&sb, s);
	esc_md_code(&sb, s);
	esc_xml(&sb, s);
	sb_free(&sb);
	free(safe_name(s));
	free(s);
	return 0;
}
