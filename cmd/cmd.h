/*
 * cmd.h — one entry per subcommand (tmux's struct cmd_entry): the table in
 * main.c finds it by name or unique prefix, handles --help from the entry,
 * and turns the returned enum into the exit code.
 */
#ifndef SD_CMD_H
#define SD_CMD_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

#include "../lib/base/util.h"
#include "../lib/check/preflight.h"

enum cmd_retval {
	CMD_OK = 0,		/* all expectations met */
	CMD_FAILED = 1,		/* an expectation failed */
	CMD_USAGE = 2,		/* bad usage or bad scenario */
	CMD_ABORTED = 3,	/* signal or deadline */
	CMD_FAULT = 4,		/* a fault could not be applied or reverted */
	CMD_GUARDRAIL = 5,	/* a guardrail stopped a drill (abort:, halt) */
	CMD_REGRESSED = 6,	/* --fail-on-regression: worse than the baseline */
	CMD_UNREADABLE = 7,	/* status: the journal cannot be read (whether a
				 * fault is applied is unknown) */
	CMD_INVALID = 8,	/* a fault did not land: the drill tested nothing */
};

struct cmd_entry {
	const char *name;
	const char *alias;
	const char *usage;	/* synopsis after the command name */
	const char *summary;	/* one line for `shakedown help` */
	const char *help;	/* option descriptions, may be NULL */
	int hidden;		/* internal: not listed, still runs */
	int whole_name;		/* applies, reverts or stops something: no
				 * prefix reaches it */
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
 * hides every known secret (lib/base/redact.h): commands print through these. */
void cmd_verror(const char *fmt, va_list ap);
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same as a callback, for a library that reports several errors. */
void cmd_error_cb(void *arg, const char *msg);
/* Text on stdout / stderr, as is but for secrets and control characters
 * (shown escaped: only tab and newline pass). */
void cmd_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* shakedown's own terminal control (the progress line's "\r\033[K"),
 * on stderr as it is: never anything that came from outside. */
void cmd_term_ctl(const char *seq);
/* Usage line of an entry, then "Try 'shakedown help NAME'"; returns CMD_USAGE. */
enum cmd_retval cmd_usage_error(const struct cmd_entry *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cmd_print_help(const struct cmd_entry *, FILE *);
/* argv[0] of the running binary, resolved to an absolute path. */
const char *cmd_self_exe(void);

/* --vars FILE and --var KEY=VALUE (run, validate, plan, fault, vars): a
 * service's profile over the environment (lib/model/vars.h). The commands put
 * CMD_VAR_OPTIONS in their long options and pass those to cmd_var_option,
 * which sets the variables at once (-1, printed, on a bad file). */
#include "../lib/model/vars.h"
#define CMD_OPT_VARS 256
#define CMD_OPT_VAR 257
#define CMD_VAR_OPTIONS \
	{ "vars", required_argument, NULL, CMD_OPT_VARS }, \
	{ "var", required_argument, NULL, CMD_OPT_VAR }
extern struct varset cmd_vars;
int cmd_var_option(int ch, const char *arg);

/* Append text to the file at path (created 0644; never through a link);
 * an error is printed. */
void cmd_append(const char *path, const char *text);

/* --cacert FILE, --cert FILE, --key FILE, --insecure (load, probe): how
 * to speak https (lib/base/tls.h); the key's passphrase from
 * $SHAKEDOWN_TLS_KEY_PASSWORD. 1 if ch is one (-1 and e on a file that
 * cannot be read), 0 if not. cmd_tls_done checks the whole and takes the
 * passphrase: -1 and e. */
#define CMD_OPT_CACERT 259
#define CMD_OPT_CERT 260
#define CMD_OPT_KEY 261
#define CMD_OPT_INSECURE 262
#define CMD_TLS_OPTIONS \
	{ "cacert", required_argument, NULL, CMD_OPT_CACERT }, \
	{ "cert", required_argument, NULL, CMD_OPT_CERT }, \
	{ "key", required_argument, NULL, CMD_OPT_KEY }, \
	{ "insecure", no_argument, NULL, CMD_OPT_INSECURE }
struct tls_opts;
int cmd_tls_option(int ch, const char *arg, struct tls_opts *o,
    struct sd_err *e);
int cmd_tls_done(struct tls_opts *o, struct sd_err *e);

/* --allow-host HOST: add it to allow (room for CMD_MAX_ALLOW). */
#define CMD_MAX_ALLOW 32
int cmd_allow_host(char *host, char **allow, size_t *n, struct sd_err *e);
/* --abort-if EXPR (run, plan, validate): one more abort condition for
 * every drill given, in the abort: grammar (a YAML flow mapping). */
#define CMD_OPT_ABORT_IF 258
#define CMD_MAX_ABORT_IF 16
#define CMD_ABORT_IF_OPTION \
	{ "abort-if", required_argument, NULL, CMD_OPT_ABORT_IF }
/* The options every command that loads drills takes (run, plan,
 * validate): --allow-host ('A'), --vars, --var, --abort-if. 1 if ch is one
 * of them (*rc: CMD_OK, or the usage error already printed), 0 if not. */
int cmd_drill_option(const struct cmd_entry *self, int ch, char *arg,
    char **allow, size_t *nallow, enum cmd_retval *rc);
/* The --abort-if conditions added to each loaded drill; how many drills
 * one did not fit (printed, file:line:col; that drill freed, NULL). */
struct scenario;
int cmd_add_abort_ifs(struct scenario **sc, char *const *files, size_t n);
/* The drills named on a command line (run, plan, validate), each loaded
 * and checked at level with the --abort-if conditions added: how many are
 * bad, each reported (file:line:col); sc[i] is NULL for a bad one. */
size_t cmd_load_drills(char *const *files, size_t n, char *const *allow,
    size_t nallow, enum preflight_level level, struct scenario **sc);
/* scen_free each, and the array. */
void cmd_free_drills(struct scenario **sc, size_t n);

/*
 * Signals, one way for every command: SIGINT, SIGTERM and SIGHUP only set
 * cmd_interrupted (SIGPIPE is ignored); whoever runs notices and stops —
 * load and probe report what they have, run and fault revert every fault
 * first. With drill (run, fault) a signal also says it is reverting, and a
 * second one what is being reverted (cmd_reverting, filled by the runner).
 * Install it first thing: a signal while drills are checked must not kill
 * us, nor be lost.
 */
#define CMD_REVERTING_LEN 512
extern volatile sig_atomic_t cmd_interrupted;
extern char cmd_reverting[CMD_REVERTING_LEN];
void cmd_catch_signals(int drill);
/* Faults a dead run left applied: -1 (printed) when some stay applied. */
int cmd_leftovers(void);

extern const struct cmd_entry cmd_fault;
extern const struct cmd_entry cmd_guardian;
extern const struct cmd_entry cmd_halt;
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
extern const struct cmd_entry cmd_vars_cmd;

#endif
