/*
 * options.c — the options every drill command shares (run, plan,
 * validate, fault): --vars/--var, --allow-host, --abort-if, the TLS
 * options, and loading the drills named on the command line.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../lib/base/redact.h"
#include "../lib/base/tls.h"
#include "../lib/check/preflight.h"
#include "../lib/model/scenario.h"
#include "cmd.h"

struct varset cmd_vars;

int
cmd_var_option(int ch, const char *arg)
{
	struct sd_err e;

	if ((ch == CMD_OPT_VARS ? vars_file(&cmd_vars, arg, &e) :
	    vars_arg(&cmd_vars, arg, &e)) == -1) {
		cmd_error("%s", e.msg);
		return -1;
	}
	return 0;
}

int
cmd_tls_option(int ch, const char *arg, struct tls_opts *o, struct sd_err *e)
{
	char **slot = ch == CMD_OPT_CACERT ? &o->ca : ch == CMD_OPT_CERT ?
	    &o->cert : ch == CMD_OPT_KEY ? &o->key : NULL;

	if (ch == CMD_OPT_INSECURE) {
		o->insecure = 1;
		return 1;
	}
	if (slot == NULL)
		return 0;
	if (*arg == '\0')
		return err_set(e, "--%s: a file's path, not empty", ch ==
		    CMD_OPT_CACERT ? "cacert" : ch == CMD_OPT_CERT ? "cert" : "key");
	free(*slot);
	*slot = xstrdup(arg);
	return 1;
}

int
cmd_tls_done(struct tls_opts *o, struct sd_err *e)
{
	const char *pw = getenv("SHAKEDOWN_TLS_KEY_PASSWORD");

	if ((o->cert != NULL) != (o->key != NULL))
		return err_set(e, "a client certificate needs --cert and --key");
	if (o->insecure && o->ca != NULL)
		return err_set(e, "--insecure verifies nothing: --cacert with it"
		    " would be ignored");
	if (pw != NULL && *pw != '\0' && o->key != NULL) {
		o->key_password = xstrdup(pw);
		redact_learn_secret(pw);
	}
	/* read and checked now, before anything is sent: never a prompt,
	 * never a FIFO waited on */
	if (tls_load(o, e) == -1) {
		const char *opt = strncmp(e->msg, "ca:", 3) == 0 ? "--cacert" :
		    strncmp(e->msg, "cert:", 5) == 0 ? "--cert" : "--key";
		char *m = xstrdup(strchr(e->msg, ':') + 1);
		err_set(e, "%s:%s", opt, m);
		free(m);
		return -1;
	}
	return 0;
}

static char *abort_ifs[CMD_MAX_ABORT_IF];
static size_t nabort_ifs;

int
cmd_add_abort_ifs(struct scenario **sc, char *const *files, size_t n)
{
	struct sd_err e;
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < nabort_ifs && sc[i] != NULL; k++) {
			char *origin = n > 1 ? xasprintf("--abort-if (for %s)",
			    files[i]) : xstrdup("--abort-if");
			if (scen_add_abort(sc[i], origin, abort_ifs[k], &e) == -1) {
				cmd_error("%s", e.msg);
				scen_free(sc[i]);	/* not this drill */
				sc[i] = NULL;
				bad++;
			}
			free(origin);
		}
	return bad;
}

int
cmd_drill_option(const struct cmd_entry *self, int ch, char *arg,
    char **allow, size_t *nallow, enum cmd_retval *rc)
{
	struct sd_err e;

	*rc = CMD_OK;
	if (ch == CMD_OPT_ABORT_IF) {
		if (nabort_ifs == CMD_MAX_ABORT_IF)
			*rc = cmd_usage_error(self, "at most %d --abort-if",
			    CMD_MAX_ABORT_IF);
		else
			abort_ifs[nabort_ifs++] = arg;
		return 1;
	}
	if (ch == CMD_OPT_VARS || ch == CMD_OPT_VAR) {
		if (cmd_var_option(ch, arg) == -1)
			*rc = CMD_USAGE;
		return 1;
	}
	if (ch != 'A')
		return 0;
	if (cmd_allow_host(arg, allow, nallow, &e) == -1)
		*rc = cmd_usage_error(self, "%s", e.msg);
	return 1;
}

int
cmd_allow_host(char *host, char **allow, size_t *n, struct sd_err *e)
{
	if (*n == CMD_MAX_ALLOW)
		return err_set(e, "too many --allow-host");
	allow[(*n)++] = host;
	return 0;
}


size_t
cmd_load_drills(char *const *files, size_t n, char *const *allow,
    size_t nallow, enum preflight_level level, struct scenario **sc)
{
	size_t nbad = preflight_load_all(files, n, allow, nallow, level, sc,
	    cmd_error_cb, NULL);

	return nbad + (size_t)cmd_add_abort_ifs(sc, files, n);
}

void
cmd_free_drills(struct scenario **sc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scen_free(sc[i]);
	free(sc);
}
