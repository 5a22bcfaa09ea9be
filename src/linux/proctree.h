/* The processes of a container that has no cgroup of its own (rootless,
 * none delegated): with a pid namespace of its own, every process in it;
 * else the init and its descendants (/proc/PID/task/TID/children), which
 * misses an exec'd process whose nsrun parent has gone. */
#ifndef NSRUN_LINUX_PROCTREE_H
#define NSRUN_LINUX_PROCTREE_H

#include <sys/types.h>

#include "util/error.h"

/* root first, then the rest (malloc'd); none when root is no longer the
 * process that started at root_start (its pid reused). */
int proctree_list(pid_t root, unsigned long long root_start, pid_t **pids, size_t *n,
                  struct error *err);
/* sig to each of them, children first, through pidfds; gone ones are skipped. */
int proctree_signal(pid_t root, unsigned long long root_start, int sig, struct error *err);

#endif
