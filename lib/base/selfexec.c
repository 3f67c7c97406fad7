/*
 * selfexec.c — see selfexec.h.
 */
#include <stddef.h>

#include "selfexec.h"

const char *const selfexec_commands[] = {
	SELFEXEC_GUARDIAN, SELFEXEC_PROXY, SELFEXEC_TARGET, NULL
};
