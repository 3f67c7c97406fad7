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

#define TCP_LISTEN 0x0A

/* The inode of the connection lport -> rport in one /proc/net table (a
 * listening socket: rport -1). */
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
		unsigned lp, rp, st;
		if (sscanf(line, "%*d: %63s %63s %x %*s %*s %*s %*d %*d %lu",
		    local, remote, &st, &inode) != 4)
			continue;
		if ((rport < 0) != (st == TCP_LISTEN))
			continue;
		char *lc = strrchr(local, ':'), *rc = strrchr(remote, ':');
		if (lc == NULL || rc == NULL || sscanf(lc + 1, "%x", &lp) != 1 ||
		    sscanf(rc + 1, "%x", &rp) != 1)
			continue;
		if ((int)lp == lport && (rport < 0 || (int)rp == rport) &&
		    inode != 0)
			ino = inode;
	}
	fclose(f);
	return ino;
}

/* The processes with a descriptor on socket inode ino, up to max in out;
 * how many. */
static size_t
owners_of(unsigned long ino, pid_t *out, size_t max)
{
	char want[64], path[300], link[64];
	struct dirent *p, *fd;
	DIR *procs = opendir("/proc"), *fds;
	size_t found = 0;

	if (procs == NULL)
		return 0;
	snprintf(want, sizeof want, "socket:[%lu]", ino);
	while (found < max && (p = readdir(procs)) != NULL) {
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
				out[found++] = (pid_t)pid;
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
	pid_t p = 0;

	if (ino == 0)
		ino = inode_in("/proc/net/tcp6", lport, rport);
	return ino && owners_of(ino, &p, 1) == 1 ? p : 0;
}

size_t
sock_listeners_tcp(int lport, pid_t *out, size_t max)
{
	static const char *const tables[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	size_t n = 0;

	for (size_t t = 0; t < 2 && n < max; t++) {
		unsigned long ino = inode_in(tables[t], lport, -1);
		if (ino != 0)
			n += owners_of(ino, out + n, max - n);
	}
	return n;
}

/* Is inode ino one of pid's descriptors? */
static int
holds(pid_t pid, unsigned long ino)
{
	size_t n = 0;
	char want[64], path[300], link[64];
	struct dirent *fd;
	DIR *fds;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	if ((fds = opendir(path)) == NULL)
		return 0;
	snprintf(want, sizeof want, "socket:[%lu]", ino);
	while (n == 0 && (fd = readdir(fds)) != NULL) {
		ssize_t k;
		snprintf(path, sizeof path, "/proc/%d/fd/%s", (int)pid, fd->d_name);
		if ((k = readlink(path, link, sizeof link - 1)) <= 0)
			continue;
		link[k] = '\0';
		n = strcmp(link, want) == 0;
	}
	closedir(fds);
	return (int)n;
}

size_t
sock_listen_ports(pid_t pid, int *out, size_t max)
{
	static const char *const tables[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	size_t n = 0;

	for (size_t t = 0; t < 2; t++) {
		char line[512];
		FILE *f = fopen(tables[t], "re");
		if (f == NULL)
			continue;
		if (fgets(line, sizeof line, f) == NULL) {
			fclose(f);
			continue;
		}
		while (n < max && fgets(line, sizeof line, f) != NULL) {
			char local[64];
			unsigned long inode;
			unsigned lp, st;
			size_t k;
			if (sscanf(line, "%*d: %63s %*s %x %*s %*s %*s %*d %*d %lu",
			    local, &st, &inode) != 3 || st != TCP_LISTEN)
				continue;
			char *lc = strrchr(local, ':');
			if (lc == NULL || sscanf(lc + 1, "%x", &lp) != 1)
				continue;
			for (k = 0; k < n && out[k] != (int)lp; k++)
				;
			if (k == n && holds(pid, inode))
				out[n++] = (int)lp;
		}
		fclose(f);
	}
	return n;
}
