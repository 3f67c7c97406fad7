/*
 * sockown.c — see sockown.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockown.h"

/* The inode of the connection lport -> rport in one /proc/net table. */
static unsigned long
inode_in(const char *table, int lport, int rport)
{
	char line[512];
	unsigned long ino = 0;
	FILE *f = fopen(table, "re");

	if (f == NULL)
		return 0;
	if (fgets(line, sizeof line, f) == NULL) {	/* the header */
		fclose(f);
		return 0;
	}
	while (ino == 0 && fgets(line, sizeof line, f) != NULL) {
		char local[64], remote[64];
		unsigned long inode;
		unsigned lp, rp;
		if (sscanf(line, "%*d: %63s %63s %*x %*s %*s %*s %*d %*d %lu",
		    local, remote, &inode) != 3)
			continue;
		char *lc = strrchr(local, ':'), *rc = strrchr(remote, ':');
		if (lc == NULL || rc == NULL || sscanf(lc + 1, "%x", &lp) != 1 ||
		    sscanf(rc + 1, "%x", &rp) != 1)
			continue;
		if ((int)lp == lport && (int)rp == rport && inode != 0)
			ino = inode;
	}
	fclose(f);
	return ino;
}

/* The process with a descriptor on socket inode ino; 0 if none. */
static pid_t
owner_of(unsigned long ino)
{
	char want[64], path[300], link[64];
	struct dirent *p, *fd;
	DIR *procs = opendir("/proc"), *fds;
	pid_t found = 0;

	if (procs == NULL)
		return 0;
	snprintf(want, sizeof want, "socket:[%lu]", ino);
	while (found == 0 && (p = readdir(procs)) != NULL) {
		char *end;
		long pid = strtol(p->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/fd", pid);
		if ((fds = opendir(path)) == NULL)
			continue;
		while ((fd = readdir(fds)) != NULL) {
			ssize_t n;
			snprintf(path, sizeof path, "/proc/%ld/fd/%s", pid, fd->d_name);
			if ((n = readlink(path, link, sizeof link - 1)) <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				found = (pid_t)pid;
				break;
			}
		}
		closedir(fds);
	}
	closedir(procs);
	return found;
}

pid_t
sock_owner_tcp(int lport, int rport)
{
	unsigned long ino = inode_in("/proc/net/tcp", lport, rport);

	if (ino == 0)
		ino = inode_in("/proc/net/tcp6", lport, rport);
	return ino ? owner_of(ino) : 0;
}
