/*
 * cgroup.c — see cgroup.h.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"

/* v1 says "no limit" with a page-rounded LONG_MAX */
#define V1_UNLIMITED 0x7FFFFFFFFFFFF000LL

/* Does the file (a v2 controller list) name ctl? */
static int
lists(const char *mnt, const char *file, const char *ctl)
{
	char *path = xasprintf("%s/%s", mnt, file), *have = read_file(path, NULL,
	    NULL), *save = NULL;
	int yes = 0;

	for (char *t = have ? strtok_r(have, " \n", &save) : NULL; t && !yes;
	    t = strtok_r(NULL, " \n", &save))
		yes = strcmp(t, ctl) == 0;
	free(have);
	free(path);
	return yes;
}

int
cgroup_mount(const char *ctl, char *path, size_t len, int *v2, struct sd_err *e)
{
	FILE *fp = fopen("/proc/self/mountinfo", "re");
	char line[4096], v1path[4096] = "", v2path[4096] = "";
	int v2off = 0;	/* v2 has ctl, not enabled for the root's children */

	if (fp == NULL)
		return err_set(e, "/proc/self/mountinfo: %s", strerror(errno));
	while (fgets(line, sizeof line, fp) != NULL) {
		char *sep = strstr(line, " - "), mnt[4096], fstype[64], opts[1024];
		char *save = NULL;
		if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (strcmp(fstype, "cgroup2") == 0 && v2path[0] == '\0') {
			if (lists(mnt, "cgroup.subtree_control", ctl))
				snprintf(v2path, sizeof v2path, "%s", mnt);
			else if (lists(mnt, "cgroup.controllers", ctl))
				v2off = 1;
		} else if (strcmp(fstype, "cgroup") == 0 && v1path[0] == '\0') {
			for (char *t = strtok_r(opts, ",", &save); t;
			    t = strtok_r(NULL, ",", &save))
				if (strcmp(t, ctl) == 0)
					snprintf(v1path, sizeof v1path, "%s", mnt);
		}
	}
	fclose(fp);
	*v2 = v2path[0] != '\0';
	if (!*v2 && v1path[0] == '\0' && v2off)
		return err_set(e, "cgroup v2 has the %s controller but does not"
		    " hand it to its children (add +%s to the root's"
		    " cgroup.subtree_control; shakedown does not change it)", ctl,
		    ctl);
	if (!*v2 && v1path[0] == '\0')
		return err_set(e, "no cgroup %s controller on this host (neither"
		    " cgroup v2 with %s nor v1's %s hierarchy is mounted)", ctl,
		    ctl, ctl);
	snprintf(path, len, "%s", *v2 ? v2path : v1path);
	return 0;
}

/* v2's line is "0::PATH", v1's "N:CONTROLLERS:PATH" with ctl among them. */
char *
cgroup_of(pid_t pid, const char *ctl, int v2)
{
	char path[64], line[4096], *out = NULL;
	FILE *fp;

	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return NULL;
	while (out == NULL && fgets(line, sizeof line, fp) != NULL) {
		char *c = strchr(line, ':'), *cg = c ? strchr(c + 1, ':') : NULL;
		char *save = NULL;
		if (cg == NULL)
			continue;
		*c++ = '\0';
		*cg++ = '\0';
		cg[strcspn(cg, "\n")] = '\0';
		if (v2) {
			if (strcmp(line, "0") == 0 && *c == '\0')
				out = xstrdup(cg);
			continue;
		}
		for (char *t = strtok_r(c, ",", &save); t && out == NULL;
		    t = strtok_r(NULL, ",", &save))
			if (strcmp(t, ctl) == 0)
				out = xstrdup(cg);
	}
	fclose(fp);
	return out;
}

int
cgroup_write(const char *path, const char *s, struct sd_err *e)
{
	FILE *fp = fopen(path, "we");

	if (fp == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	int bad = fputs(s, fp) == EOF;
	if (fclose(fp) == EOF || bad)
		return err_set(e, "writing '%s' to %s: %s", s, path, strerror(errno));
	return 0;
}

int
cgroup_move(const char *dir, pid_t pid, struct sd_err *e)
{
	char *procs = xasprintf("%s/cgroup.procs", dir), num[32];
	int rc;

	snprintf(num, sizeof num, "%d", (int)pid);
	rc = cgroup_write(procs, num, e);
	free(procs);
	return rc;
}

int64_t
cgroup_read_int(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file), *s = read_file(path, NULL,
	    NULL), *end;
	long long v = -1;

	if (s != NULL && s[0] >= '0' && s[0] <= '9') {
		v = strtoll(s, &end, 10);
		if (*end != '\0' && *end != '\n' && *end != ' ')
			v = -1;
	}
	free(s);
	free(path);
	return v;
}

int64_t
cgroup_read_key(const char *dir, const char *file, const char *key)
{
	char *path = xasprintf("%s/%s", dir, file), *s = read_file(path, NULL,
	    NULL), *save = NULL;
	size_t kl = strlen(key);
	long long v = -1;

	for (char *l = s ? strtok_r(s, "\n", &save) : NULL; l && v < 0;
	    l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, key, kl) == 0 && l[kl] == ' ')
			v = strtoll(l + kl + 1, NULL, 10);
	free(s);
	free(path);
	return v;
}

size_t
cgroup_count(const char *dir)
{
	char *path = xasprintf("%s/cgroup.procs", dir), *s = read_file(path, NULL,
	    NULL);
	size_t n = 0;

	for (char *p = s; p && *p; p++)
		n += *p == '\n';
	free(s);
	free(path);
	return n;
}

int
cgroup_empty_rmdir(const char *dir, int64_t timeout_ms, struct sd_err *e)
{
	char *path = xasprintf("%s/cgroup.procs", dir), *s;
	int64_t end = mono_ms() + timeout_ms;

	for (;;) {
		if ((s = read_file(path, NULL, NULL)) == NULL)
			break;	/* gone */
		int any = 0;
		for (char *p = s; *p; ) {
			long pid = strtol(p, &p, 10);
			if (pid > 1) {
				any = 1;
				kill((pid_t)pid, SIGKILL);
			}
			while (*p == '\n')
				p++;
			if (*p != '\0' && (*p < '0' || *p > '9'))
				break;
		}
		free(s);
		/* dead but not yet reaped members still block the rmdir */
		if (rmdir(dir) == 0 || errno == ENOENT)
			break;
		if (mono_ms() > end) {
			free(path);
			return err_set(e, "rmdir %s: %s%s", dir, strerror(errno),
			    any ? " (processes still in it)" : "");
		}
		sleep_ms(20);
	}
	free(path);
	return 0;
}

void
cgroup_memory(const char *root, const char *rel, int v2, int64_t *limit,
    int64_t *usage)
{
	char *dir = xasprintf("%s%s", root, strcmp(rel, "/") == 0 ? "" : rel);

	*limit = -1;
	if (v2) {
		*usage = cgroup_read_int(dir, "memory.current");
		/* the smallest memory.max from here up; the root has none */
		size_t rl = strlen(root);
		for (char *d = xstrdup(dir), *slash; ; ) {
			int64_t m = cgroup_read_int(d, "memory.max");
			if (m >= 0 && (*limit < 0 || m < *limit))
				*limit = m;
			if (strlen(d) <= rl || (slash = strrchr(d, '/')) == NULL ||
			    (size_t)(slash - d) < rl) {
				free(d);
				break;
			}
			*slash = '\0';
		}
	} else {
		*usage = cgroup_read_int(dir, "memory.usage_in_bytes");
		*limit = cgroup_read_key(dir, "memory.stat",
		    "hierarchical_memory_limit");
		if (*limit < 0)
			*limit = cgroup_read_int(dir, "memory.limit_in_bytes");
		if (*limit >= V1_UNLIMITED)
			*limit = -1;
	}
	free(dir);
}

void
cgroup_host_memory(int64_t *total, int64_t *avail)
{
	char *s = read_file("/proc/meminfo", NULL, NULL), *save = NULL;
	long long kib;

	*total = *avail = -1;
	for (char *l = s ? strtok_r(s, "\n", &save) : NULL; l;
	    l = strtok_r(NULL, "\n", &save)) {
		if (sscanf(l, "MemTotal: %lld kB", &kib) == 1)
			*total = (int64_t)kib * 1024;
		else if (sscanf(l, "MemAvailable: %lld kB", &kib) == 1)
			*avail = (int64_t)kib * 1024;
	}
	free(s);
}
