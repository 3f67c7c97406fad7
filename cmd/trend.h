/*
 * trend.h (cmd/) — the history and the regression gate on the command line
 * (cmd/trend.c): `report --history`, `report --compare`, `run --baseline`.
 */
#ifndef SD_CMD_TREND_H
#define SD_CMD_TREND_H

#include <stddef.h>

#include "../reports/trend.h"
#include "cmd.h"

#define CMD_MAX_TOLERANCE 16

/* --tolerance [KEY-TIME=]20% | [KEY-TIME=]500ms into tol[*n]. */
int cmd_tolerance(const char *arg, struct cmp_tolerance *tol, size_t *n,
    struct sd_err *e);
void cmd_tolerance_free(struct cmp_tolerance *tol, size_t n);
/* The results of one argument as a game day; -1 (printed). */
int cmd_game_day(const char *arg, const char *who, struct trend_day *day);
enum cmd_retval cmd_history(char *const *args, size_t n, const char *out);
enum cmd_retval cmd_compare(const char *base, const char *now,
    const char *out, const struct cmp_tolerance *tol, size_t ntol, int fail);

#endif
