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

#include "../../lib/base/escape.h"
#include "../../lib/base/hosts.h"
#include "../../lib/base/redact.h"
#include "../../lib/base/redisurl.h"
#include "../../lib/base/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size), host[256];
	struct rurl u;
	struct sd_err e;

	hosts_check_url(s, NULL, host, sizeof host, &e);
	hosts_check_dsn(s, NULL, host, sizeof host, &e);
	if (redisurl_parse(s, &u, &e) == 0)
		redisurl_free(&u);
	request_check_url(s, &e);
	request_check_header(s, s, &e);
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
