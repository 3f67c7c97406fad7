/*
 * fuzz_journal.c — the journal reader on arbitrary bytes: line splitting,
 * torn lines, matching applies with reverts, and the checked readers of a
 * record's fields that every kind's revert goes through. No revert runs.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../lib/dispatch/dispatch.h"
#include "../../lib/check/journal.h"
#include "../../lib/base/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *open, *ent;
	struct sd_err e;
	int64_t v;
	size_t i;
	int torn;

	open = journal_parse((const char *)data, size, NULL, &torn);
	json_array_foreach(open, i, ent) {
		const json_t *rec = json_object_get(ent, "record");
		const char *s;
		char **argv = fault_rec_argv(rec, "argv", &e);
		argv_free(argv);
		fault_rec_str(rec, "kind", &s, &e);
		fault_rec_str(rec, "url", &s, &e);
		fault_rec_int(rec, "pid", 2, 1 << 30, &v, &e);
		fault_rec_int(rec, "until_wall_ms", 0, INT64_MAX / 2, &v, &e);
		dispatch_kind_named(json_string_value(json_object_get(rec, "kind")) ?
		    json_string_value(json_object_get(rec, "kind")) : "");
	}
	json_decref(open);
	return 0;
}
