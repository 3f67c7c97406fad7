/*
 * procmem.c — see procmem.h. One pass over /proc finds each process's
 * parent; the tree is everything whose chain of parents reaches the root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "procmem.h"
#include "util.h"

struct pp {
	pid_t pid, ppid;
};

/* The parent of pid from /proc/PID/stat (after the command's closing
 * parenthesis, which a name may contain too); 0 if gone. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ppid = 0;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 1, " %*c %d",
	    &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

static int
by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct pp *)a)->pid, y = ((const struct pp *)b)->pid;

	return (x > y) - (x < y);
}

/* PSS of pid in KiB, or -1. */
static int64_t
pss_kib(pid_t pid)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "Pss:", 4) == 0) {
			v = strtoll(line + 4, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

int
procmem_tree(pid_t root, struct proc_mem *m)
{
	struct pp *all = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dir;
	int64_t pss_sum = 0, rss_sum = 0;
	int pss_ok = 1;

	memset(m, 0, sizeof *m);
	if (!proc_alive(root) || (dir = opendir("/proc")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		char *end;
		long v = strtol(d->d_name, &end, 10);
		if (*end != '\0' || v <= 0)
			continue;
		all = xgrow(all, &cap, n + 1, sizeof *all);
		all[n].pid = (pid_t)v;
		all[n++].ppid = parent_of((pid_t)v);
	}
	closedir(dir);
	/* a process is in the tree when its chain of parents reaches root;
	 * marked in rounds (a parent may come after its child), each
	 * parent found by its pid in the sorted list */
	qsort(all, n, sizeof *all, by_pid);
	char *in = xcalloc(n ? n : 1, 1);
	long *up = xcalloc(n ? n : 1, sizeof *up);
	for (size_t i = 0; i < n; i++) {
		struct pp key = { all[i].ppid, 0 }, *f = n ? bsearch(&key, all, n,
		    sizeof *all, by_pid) : NULL;
		up[i] = f ? (long)(f - all) : -1;
	}
	for (int changed = 1; changed; ) {
		changed = 0;
		for (size_t i = 0; i < n; i++)
			if (!in[i] && (all[i].pid == root || (up[i] >= 0 &&
			    in[up[i]]))) {
				in[i] = 1;
				changed = 1;
			}
	}
	free(up);
	for (size_t i = 0; i < n; i++) {
		if (!in[i])
			continue;
		int64_t r = proc_rss_kib(all[i].pid), p = pss_kib(all[i].pid);
		if (r < 0)
			continue;	/* ended meanwhile */
		m->nprocs++;
		rss_sum += r;
		if (p < 0)
			pss_ok = 0;
		pss_sum += p < 0 ? 0 : p;
	}
	free(in);
	free(all);
	if (m->nprocs == 0)
		return -1;
	m->pss = pss_ok;
	m->kib = pss_ok ? pss_sum : rss_sum;
	return 0;
}

char *
procmem_what(pid_t root, const struct proc_mem *m)
{
	if (m->nprocs <= 1)
		return xasprintf("%s of pid %d", m->pss ? "PSS" : "RSS", (int)root);
	return xasprintf("%s of pid %d and its %d descendant process%s",
	    m->pss ? "PSS" : "RSS", (int)root, m->nprocs - 1, m->nprocs == 2 ?
	    "" : "es");
}
