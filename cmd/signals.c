/*
 * signals.c — Ctrl-C, SIGTERM and SIGHUP while a command runs: one handler
 * that only sets cmd_interrupted (and, while a drill reverts, says so with
 * write(2)); whoever runs notices and stops, reverting what it applied.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

volatile sig_atomic_t cmd_interrupted;
char cmd_reverting[CMD_REVERTING_LEN];
static volatile sig_atomic_t drill_signals;

/* The one signal handler: it only sets the flag (and, while a drill
 * reverts, says so with write(2)); whoever runs notices and stops. */
static void
on_signal(int sig)
{
	static const char msg[] = "\nshakedown: interrupted: reverting every"
	    " fault, please wait\n";
	static const char again[] = "\nshakedown: still reverting faults;"
	    " they will all be undone before exit\n";
	ssize_t n;

	(void)sig;
	if (drill_signals) {
		/* a second Ctrl-C never skips a revert: it only says what is
		 * left */
		n = write(STDERR_FILENO, cmd_interrupted ? again : msg,
		    cmd_interrupted ? sizeof again - 1 : sizeof msg - 1);
		if (cmd_interrupted && cmd_reverting[0] != '\0')
			n = write(STDERR_FILENO, cmd_reverting, strnlen(cmd_reverting,
			    sizeof cmd_reverting));
		(void)n;
	}
	cmd_interrupted = 1;
}

void
cmd_catch_signals(int drill)
{
	struct sigaction sa;

	drill_signals = drill;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

