/*
 * procmem.h — a service's memory as a whole: the process a pidfile names
 * and every process below it. A prefork server's master (gunicorn, uwsgi,
 * Puma, php-fpm, Node's cluster) serves nothing and stays flat while its
 * workers grow, so reading the master alone would never see a leak. The
 * tree's figure is the sum of its processes' PSS (a page shared by the
 * master and its forked workers counted once, in shares), or of their RSS
 * where PSS cannot be read (/proc/PID/smaps_rollup, Linux 4.14).
 */
#ifndef SD_PROCMEM_H
#define SD_PROCMEM_H

#include <stdint.h>
#include <sys/types.h>

struct proc_mem {
	int64_t kib;		/* the tree's memory */
	int nprocs;		/* the root and its descendants */
	int pss;		/* 1: the sum of PSS, 0: of RSS */
};

/* The memory of root's process tree now; -1 when root is gone. */
int procmem_tree(pid_t root, struct proc_mem *m);
/* What was measured, for people: "PSS of pid 41 and its 3 descendant
 * processes" (a new string). */
char *procmem_what(pid_t root, const struct proc_mem *m);

#endif
