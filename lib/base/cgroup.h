/*
 * cgroup.h — where a cgroup controller is and what a process's cgroup is,
 * detected from /proc/self/mountinfo and /proc/PID/cgroup (never assumed):
 * cgroup v2 where the root hands the controller to its children, else the
 * v1 hierarchy that has it. Shared by the cpu and memory kinds and the
 * sandbox's memory limit.
 */
#ifndef SD_CGROUP_H
#define SD_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "util.h"

/* The mount of controller ctl ("cpu", "memory") into path; *v2 says which
 * version. -1 with e saying what the host lacks. */
int cgroup_mount(const char *ctl, char *path, size_t len, int *v2,
    struct sd_err *e);
/* pid's cgroup in that hierarchy, relative to its root ("/a/b"); NULL if
 * the process is gone. Caller frees. */
char *cgroup_of(pid_t pid, const char *ctl, int v2);
/* Write s to a cgroup file. */
int cgroup_write(const char *path, const char *s, struct sd_err *e);
/* Move pid (with all its threads) into the cgroup at dir. */
int cgroup_move(const char *dir, pid_t pid, struct sd_err *e);
/* A number read from dir/file (first word); -1 if absent, "max" or not a
 * number. */
int64_t cgroup_read_int(const char *dir, const char *file);
/* A "key value" line of dir/file (memory.stat); -1 if absent. */
int64_t cgroup_read_key(const char *dir, const char *file, const char *key);
/* Processes in the cgroup at dir (0 if none or gone). */
size_t cgroup_count(const char *dir);
/* Kill what is in dir with SIGKILL until it is empty (at most timeout_ms),
 * then remove it. 0: removed or gone; -1 with e. */
int cgroup_empty_rmdir(const char *dir, int64_t timeout_ms, struct sd_err *e);

/* The memory limit that applies to the cgroup at dir (relative path rel in
 * the hierarchy at root) and its usage: the smallest memory.max up to the
 * root on v2, hierarchical_memory_limit on v1. *limit is -1 when none. */
void cgroup_memory(const char *root, const char *rel, int v2, int64_t *limit,
    int64_t *usage);
/* The machine: MemTotal and MemAvailable in bytes (-1 unknown). */
void cgroup_host_memory(int64_t *total, int64_t *avail);

#endif
