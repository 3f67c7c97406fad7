/*
 * service.c — stop, start, kill, restart, pause, resume and signal a service,
 * by its own commands (systemctl, docker, pg_ctl, `shakedown sandbox`) or
 * by signals to its pid/pidfile. A stop or kill is reverted by the start
 * command and a wait until the service answers again; a pause (SIGSTOP) by
 * SIGCONT to exactly the pid that was stopped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/scenario.h"
#include "../lib/ynode.h"
#include "drill.h"

static const char *const sig_names[] = { "HUP", "INT", "QUIT", "KILL",
    "USR1", "USR2", "TERM", "STOP", "CONT", NULL };
static const int sig_nums[] = { SIGHUP, SIGINT, SIGQUIT, SIGKILL, SIGUSR1,
    SIGUSR2, SIGTERM, SIGSTOP, SIGCONT };

static int
parse_signal(const char *s, int *sig)
{
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 0; sig_names[i]; i++) {
		if (strcmp(sig_names[i], s) == 0) {
			*sig = sig_nums[i];
			return 0;
		}
	}
	return -1;
}

static const char *
sig_name(int sig)
{
	for (int i = 0; sig_names[i]; i++)
		if (sig_nums[i] == sig)
			return sig_names[i];
	return "?";
}

static int
has_pid(const struct scen_service *sv)
{
	return sv->pid != 0 || sv->pidfile != NULL;
}

static int
svc_parse(struct fault *f, const struct ynode *args, const char *file,
    struct sd_err *e)
{
	static const char *const keys[] = { "service", "timeout", "signal",
	    NULL };
	const struct scen_service *sv = f->svc;
	const struct ynode *n;

	if (args != NULL) {
		if (scen_check_keys(file, args, keys, drill_action_name(f->action),
		    e) == -1)
			return -1;
		if ((n = ynode_get(args, "signal")) != NULL) {
			if (f->action != FA_SIGNAL)
				return scen_error(e, file, n, "signal: goes with the"
				    " signal step");
			if (n->type != Y_SCALAR || parse_signal(n->value, &f->sig) == -1)
				return scen_error(e, file, n, "unknown signal '%s'"
				    " (TERM, INT, HUP, KILL, USR1, USR2, QUIT)",
				    n->type == Y_SCALAR ? n->value : "");
		}
	}
	switch (f->action) {
	case FA_STOP:
		if (sv->cmd[CMD_STOP] == NULL && !has_pid(sv))
			goto need;
		return 0;
	case FA_START:
		if (sv->cmd[CMD_START] == NULL)
			return err_set(e, "%s:%d:%d: service '%s' has no start"
			    " command", file, f->line, f->col, sv->name);
		return 0;
	case FA_KILL:
		if (sv->cmd[CMD_KILL] == NULL && !has_pid(sv))
			goto need;
		return 0;
	case FA_RESTART:
		if (sv->cmd[CMD_RESTART] == NULL && (sv->cmd[CMD_START] == NULL ||
		    (sv->cmd[CMD_STOP] == NULL && !has_pid(sv))))
			return err_set(e, "%s:%d:%d: restart needs a restart command,"
			    " or stop and start, for service '%s'", file, f->line,
			    f->col, sv->name);
		return 0;
	default:	/* pause, resume, signal: a pid */
		if (!has_pid(sv))
			return err_set(e, "%s:%d:%d: %s needs the pid or pidfile of"
			    " service '%s'", file, f->line, f->col,
			    drill_action_name(f->action), sv->name);
		return 0;
	}
need:
	return err_set(e, "%s:%d:%d: %s needs a %s command or a pid/pidfile for"
	    " service '%s'", file, f->line, f->col, drill_action_name(f->action),
	    drill_action_name(f->action), sv->name);
}

static int
start_and_wait(struct fault *f, struct sd_err *e)
{
	const struct scen_service *sv = f->svc;
	struct sd_err ignore;

	/* already back (restarted by hand)? then there is nothing to start */
	if (sv->kind != SVC_PROCESS &&
	    drill_wait_ready(sv, 0, NULL, &ignore) == 0)
		return 0;
	if (drill_run_cmd(f, sv->cmd[CMD_START], f->timeout_ms, e) == -1)
		return -1;
	return drill_wait_ready(sv, sv->ready_timeout_ms,
	    f->env ? f->env->interrupted : NULL, e);
}

static int
signal_pid(struct fault *f, int sig, struct sd_err *e)
{
	/* the pid the journal recorded, if it already resolved one */
	pid_t pid = f->pid != 0 && proc_alive(f->pid) ? f->pid :
	    drill_service_pid(f->svc, e);

	if (pid == 0)
		return -1;
	f->pid = pid;
	if (sig == SIGTERM || sig == SIGKILL) {
		if (proc_terminate(pid, sig, f->timeout_ms) == -1)
			return err_set(e, "service '%s': pid %d did not exit",
			    f->svc->name, (int)pid);
		return 0;
	}
	if (kill(pid, sig) == -1)
		return err_set(e, "service '%s': kill %d: %s", f->svc->name,
		    (int)pid, strerror(errno));
	return 0;
}

static int
svc_apply(struct fault *f, struct sd_err *e)
{
	const struct scen_service *sv = f->svc;
	struct sd_err ignore;

	switch (f->action) {
	case FA_STOP:
		if (sv->pidfile || sv->pid)
			f->pid = drill_service_pid(sv, &ignore);
		if (sv->cmd[CMD_STOP] != NULL)
			return drill_run_cmd(f, sv->cmd[CMD_STOP], f->timeout_ms, e);
		return signal_pid(f, SIGTERM, e);
	case FA_KILL:
		if (sv->cmd[CMD_KILL] != NULL)
			return drill_run_cmd(f, sv->cmd[CMD_KILL], f->timeout_ms, e);
		return signal_pid(f, SIGKILL, e);
	case FA_START:
		return start_and_wait(f, e);
	case FA_RESTART:
		if (sv->cmd[CMD_RESTART] != NULL) {
			if (drill_run_cmd(f, sv->cmd[CMD_RESTART], f->timeout_ms, e) == -1)
				return -1;
			return drill_wait_ready(sv, sv->ready_timeout_ms,
			    f->env ? f->env->interrupted : NULL, e);
		}
		if ((sv->cmd[CMD_STOP] != NULL ? drill_run_cmd(f, sv->cmd[CMD_STOP],
		    f->timeout_ms, e) : signal_pid(f, SIGTERM, e)) == -1)
			return -1;
		return start_and_wait(f, e);
	case FA_PAUSE:
		return signal_pid(f, SIGSTOP, e);
	case FA_RESUME:
		return signal_pid(f, SIGCONT, e);
	case FA_SIGNAL:
		if ((f->pid = drill_service_pid(sv, e)) == 0)
			return -1;
		if (kill(f->pid, f->sig) == -1)
			return err_set(e, "kill %d: %s", (int)f->pid, strerror(errno));
		return 0;
	default:
		return err_set(e, "service: cannot %s", drill_action_name(f->action));
	}
}

static int
svc_revert(struct fault *f, struct sd_err *e)
{
	switch (f->action) {
	case FA_STOP:
	case FA_KILL:
		return start_and_wait(f, e);
	case FA_PAUSE:
		/* exactly the pid we stopped; it may be gone, which is fine */
		if (f->pid != 0 && proc_alive(f->pid))
			kill(f->pid, SIGCONT);
		return 0;
	default:
		return 0;
	}
}

static char *
svc_describe(const struct fault *f, int revert)
{
	const struct scen_service *sv = f->svc;
	char *cmd = NULL, *s;
	const char *who = sv->pidfile ? sv->pidfile : "its pid";

	if (revert) {
		switch (f->action) {
		case FA_STOP:
		case FA_KILL:
			cmd = argv_join(sv->cmd[CMD_START]);
			s = xasprintf("start %s: run '%s', then wait until it"
			    " answers%s", sv->name, cmd, sv->kind == SVC_REDIS ?
			    " PING" : sv->kind == SVC_POSTGRES ? " SELECT 1" : "");
			free(cmd);
			return s;
		case FA_PAUSE:
			return xasprintf("resume %s: SIGCONT to the stopped pid",
			    sv->name);
		default:
			return xstrdup("nothing to revert");
		}
	}
	switch (f->action) {
	case FA_STOP:
	case FA_KILL:
	case FA_START:
	case FA_RESTART: {
		enum svc_cmd c = f->action == FA_STOP ? CMD_STOP : f->action ==
		    FA_KILL ? CMD_KILL : f->action == FA_START ? CMD_START :
		    CMD_RESTART;
		if (sv->cmd[c] != NULL) {
			cmd = argv_join(sv->cmd[c]);
			s = xasprintf("%s %s: run '%s' (timeout %llds)%s",
			    drill_action_name(f->action), sv->name, cmd,
			    (long long)(f->timeout_ms / 1000), c == CMD_START ||
			    c == CMD_RESTART ? ", then wait until it answers" : "");
			free(cmd);
			return s;
		}
		return xasprintf("%s %s: SIG%s to the pid in %s",
		    drill_action_name(f->action), sv->name, f->action == FA_KILL ?
		    "KILL" : "TERM", who);
	}
	case FA_PAUSE:
		return xasprintf("pause %s: SIGSTOP to the pid in %s", sv->name, who);
	case FA_RESUME:
		return xasprintf("resume %s: SIGCONT to the pid in %s", sv->name,
		    who);
	case FA_SIGNAL:
		return xasprintf("signal %s: SIG%s to the pid in %s", sv->name,
		    sig_name(f->sig), who);
	default:
		return xstrdup("?");
	}
}

static json_t *
svc_journal(struct fault *f)
{
	struct sd_err e;
	char comm[64] = "";

	switch (f->action) {
	case FA_STOP:
	case FA_KILL:
		return drill_start_spec(f);
	case FA_PAUSE:
		/* resolve now: the journal must name the pid we will stop */
		f->pid = drill_service_pid(f->svc, &e);
		if (f->pid != 0)
			proc_comm(f->pid, comm, sizeof comm);
		return json_pack("{s:s,s:s,s:i,s:s}", "how", "sigcont", "service",
		    f->svc->name, "pid", (int)f->pid, "comm", comm);
	default:
		return json_pack("{s:s}", "how", "none");
	}
}

const struct drill_kind drill_service = {
	.name = "service",
	.parse = svc_parse,
	.apply = svc_apply,
	.revert = svc_revert,
	.describe = svc_describe,
	.journal = svc_journal,
};
