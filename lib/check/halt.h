/*
 * halt.h — the halt marker, `shakedown halt`'s big red button: a small
 * JSON file in the state dir ({"at_wall_ms": N, "pid": P}) that every
 * runner's guardrails watch. A run started before N stops at once,
 * reverting everything, ABORTED; a run started after it is not touched.
 * Written here and read here: nothing else knows its format.
 */
#ifndef SD_HALT_H
#define SD_HALT_H

#include <sys/types.h>

#include <stdint.h>

#include "../base/util.h"

struct halt_marker {
	int64_t at_wall_ms;	/* when it was pressed */
	pid_t pid;		/* by which process */
};

/* Press it: the marker now, as this process, replaced atomically. */
int halt_press(struct sd_err *e);
/* Read the marker at path (journal_halt_path()): 0 and *m, or -1 when
 * there is none or it is not one (a torn or hand-made file). */
int halt_read(const char *path, struct halt_marker *m);

#endif
