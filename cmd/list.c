/*
 * list.c — `shakedown list [DIR]`: the drills in DIR (default ./scenarios,
 * else the installed ones) with their one-line titles.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../lib/model/scenario.h"
#include "cmd.h"

#ifndef SD_DATADIR
#define SD_DATADIR "/usr/local/share/shakedown"
#endif

static enum cmd_retval
exec_list(const struct cmd_entry *self, int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : access("scenarios", F_OK) == 0 ?
	    "scenarios" : SD_DATADIR "/scenarios";
	char *pat;
	glob_t g;

	if (argc > 2)
		return cmd_usage_error(self, "one directory at most");
	pat = xasprintf("%s/*.yaml", dir);
	if (glob(pat, 0, NULL, &g) != 0) {
		cmd_error("list: no scenarios in '%s'", dir);
		free(pat);
		return CMD_FAILED;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct sd_err e;
		struct scenario *s = scen_load(g.gl_pathv[i], &e);
		if (s == NULL) {
			cmd_out("%-20s (invalid: %s)\n", g.gl_pathv[i], e.msg);
			continue;
		}
		cmd_out("%-20s %s\n", s->drill, s->title ? s->title : "");
		if (g_opts.verbose)
			cmd_out("%-20s %s\n", "", g.gl_pathv[i]);
		scen_free(s);
	}
	globfree(&g);
	free(pat);
	return CMD_OK;
}

const struct cmd_entry cmd_list = {
	.name = "list",
	.usage = "[DIR]",
	.summary = "list the drills in DIR with their titles",
	.exec = exec_list,
};
