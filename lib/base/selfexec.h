/*
 * selfexec.h — the binary's own subcommands the library starts: the crash
 * guardian (lib/run/stack.c), the fault proxy and the reference target
 * (sandbox/sandbox_spawn.c). One list, so that a renamed command cannot
 * leave a caller starting a name the command table no longer has:
 * tests/unit/test_selfexec.c asks the binary for each one's usage.
 */
#ifndef SD_SELFEXEC_H
#define SD_SELFEXEC_H

/* The binary's name, as argv[0] of a command ("this binary") and as
 * /proc/PID/comm shows a runner or guardian. */
#define SELFEXEC_COMM "shakedown"

#define SELFEXEC_GUARDIAN "guardian"	/* --journal PATH RUN */
#define SELFEXEC_PROXY "proxy"		/* -c SOCKET NAME=LISTEN,UPSTREAM... */
#define SELFEXEC_TARGET "target"	/* --port N --db URL --redis URL ... */

/* Every name above, NULL-terminated. */
extern const char *const selfexec_commands[];

#endif
