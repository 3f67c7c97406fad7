/*
 * fuzz_tls.c — the TLS files' reader on arbitrary bytes: a CA bundle, a
 * client certificate and its key, as a drill's tls: or --cacert/--cert/
 * --key would load them (tls_check_mem: PEM certificates counted, the key
 * opened with a password or refused as encrypted — never a prompt). The
 * input is split in three at its first two NUL bytes; the first byte
 * says whether a password is given.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/base/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *part[3];
	size_t len[3];
	char *key = NULL;
	size_t keylen = 0;
	struct sd_err e;
	int pw = size > 0 && (data[0] & 1);

	for (int i = 0; i < 3; i++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		part[i] = p;
		len[i] = i < 2 && z ? (size_t)(z - p) : (size_t)(end - p);
		p = i < 2 && z ? z + 1 : end;
	}
	tls_check_mem(part[0], len[0], part[1], len[1], part[2], len[2],
	    pw ? "secret123" : NULL, &key, &keylen, &e);
	free(key);
	tls_check_mem(part[0], len[0], NULL, 0, NULL, 0, NULL, &key, &keylen,
	    &e);
	free(key);
	return 0;
}
