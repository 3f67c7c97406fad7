/*
 * driver.c — runs a fuzz target over files (its seed corpus and every
 * crash ever found), without libFuzzer: `make fuzz-corpus` builds each
 * target with this main so `make test` (and `make asan`) replay them all.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	struct sd_err e;

	for (int i = 1; i < argc; i++) {
		size_t len;
		char *text = read_file(argv[i], &len, &e);
		if (text == NULL) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)text, len);
		free(text);
	}
	printf("%d input(s) replayed\n", argc - 1);
	return 0;
}
