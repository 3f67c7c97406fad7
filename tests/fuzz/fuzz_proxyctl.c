/*
 * fuzz_proxyctl.c — the fault proxy's control protocol: one JSON line as
 * `shakedown proxy` reads it from its Unix socket, handled by a proxy with
 * one route (not relaying: nothing is connected to). Every field of a
 * toxic is range-checked where it enters; adds and removes must keep the
 * route's toxics consistent whatever arrives.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/io/tproxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tproxy *p;
	struct sd_err e;
	json_t *req, *ans;

	if (p == NULL) {
		p = tproxy_new(&e);
		if (p == NULL || tproxy_route(p, "r", "127.0.0.1:1",
		    "127.0.0.1:2", &e) == -1)
			abort();
	}
	/* a line at a time, as the daemon reads them */
	for (const char *s = (const char *)data, *end = s + size; s < end; ) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		req = json_loadb(s, len, JSON_DISABLE_EOF_CHECK, NULL);
		if (req != NULL) {
			ans = tproxy_handle(p, req);
			free(json_dumps(ans, JSON_COMPACT));
			json_decref(ans);
			json_decref(req);
		}
		s += len + 1;
	}
	/* the route stays listable (its toxics well-formed) */
	ans = tproxy_list(p);
	free(json_dumps(ans, JSON_COMPACT));
	json_decref(ans);
	return 0;
}
