/*
 * fuzz_pidfile.c — what shakedown reads before it aims a signal, a cgroup
 * move or a memory hog: a pidfile's bytes (written to a file, read back
 * through the capped, non-blocking reader and the pid checks) and the
 * HOST:PORT of a proxy's ends. Nothing is signalled.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/base/hosts.h"
#include "../../lib/base/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char *s = strndup((const char *)data, size), host[256];
	struct sd_err e;
	pid_t pid;
	FILE *f;
	int port;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/fuzz-pidfile.%d", (int)getpid());
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(data, 1, size, f);
		fclose(f);
		pid = pidfile_read(path, &e);
		if (pid != 0 && (pid < 3 || pid_check(pid, &e) == -1))
			abort();	/* read gave a pid the checks refuse */
		unlink(path);
	}
	pid_parse(s, &pid, &e);
	hosts_split(s, host, sizeof host, &port, &e);
	free(s);
	return 0;
}
