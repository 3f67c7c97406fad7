/*
 * cmd.h — one entry per subcommand (tmux's struct cmd_entry): the table in
 * main.c finds it by name or unique prefix, handles --help from the entry,
 * and turns the returned enum into the exit code.
 */
#ifndef SD_CMD_H
#define SD_CMD_H

#include <signal.h>
#include <stdio.h>

#include "../lib/util.h"

enum cmd_retval {
	CMD_OK = 0,		/* all expectations met */
	CMD_FAILED = 1,		/* an expectation failed */
	CMD_USAGE = 2,		/* bad usage or bad scenario */
	CMD_ABORTED = 3,	/* signal or deadline */
	CMD_FAULT = 4,		/* a fault could not be applied or reverted */
};

struct cmd_entry {
	const char *name;
	const char *alias;
	const char *usage;	/* synopsis after the command name */
	const char *summary;	/* one line for `shakedown help` */
	const char *help;	/* option descriptions, may be NULL */
	int hidden;		/* internal: not listed, still runs */
	enum cmd_retval (*exec)(const struct cmd_entry *, int, char **);
};

/* Parsed global options: the only mutable globals besides signal flags. */
struct global_opts {
	int quiet;
	int verbose;
	int color;		/* NO_COLOR unset and stdout a TTY */
};
extern struct global_opts g_opts;

/* "shakedown: context: reason" on stderr. Like cmd_out and cmd_err, it
 * hides every known secret (lib/redact.h): commands print through these. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Text on stdout / stderr, as is but for secrets. */
void cmd_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage line of an entry, then "Try 'shakedown help NAME'"; returns CMD_USAGE. */
enum cmd_retval cmd_usage_error(const struct cmd_entry *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cmd_print_help(const struct cmd_entry *, FILE *);
/* argv[0] of the running binary, resolved to an absolute path. */
const char *cmd_self_exe(void);

/* --allow-host HOST: add it to allow (room for CMD_MAX_ALLOW). */
#define CMD_MAX_ALLOW 32
int cmd_allow_host(char *host, char **allow, size_t *n, struct sd_err *e);

/* Set by SIGINT/SIGTERM once cmd_catch_stop() installed the handler, for
 * commands that stop early and still report (load, probe, recover). */
extern volatile sig_atomic_t cmd_stop;
void cmd_catch_stop(void);

/* For commands that apply faults (run, fault): SIGINT/SIGTERM/SIGHUP only
 * set cmd_interrupted — the runner notices and reverts everything; a second
 * one prints what is being reverted (cmd_reverting, filled by the runner). */
#define CMD_REVERTING_LEN 512
extern volatile sig_atomic_t cmd_interrupted;
extern char cmd_reverting[CMD_REVERTING_LEN];
void cmd_catch_drill_signals(void);
/* Faults a dead run left applied: -1 (printed) when some stay applied. */
int cmd_leftovers(void);

extern const struct cmd_entry cmd_fault;
extern const struct cmd_entry cmd_guardian;
extern const struct cmd_entry cmd_list;
extern const struct cmd_entry cmd_load;
extern const struct cmd_entry cmd_plan;
extern const struct cmd_entry cmd_probe;
extern const struct cmd_entry cmd_proxy;
extern const struct cmd_entry cmd_recover;
extern const struct cmd_entry cmd_report;
extern const struct cmd_entry cmd_run;
extern const struct cmd_entry cmd_sandbox;
extern const struct cmd_entry cmd_status;
extern const struct cmd_entry cmd_target;
extern const struct cmd_entry cmd_validate;

#endif
