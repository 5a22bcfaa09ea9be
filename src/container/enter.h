/* enter: a command in the namespaces of any process (a container's init or
 * another runtime's), like util-linux nsenter; and finding such a process. */
#ifndef NSRUN_CONTAINER_ENTER_H
#define NSRUN_CONTAINER_ENTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/container.h"

/* A process named by a pid or by a container id (its init, checked alive).
 * An id is a container's when one has it, even when it is all digits;
 * "pid:N" names process N whatever containers there are. */
#define TARGET_PID_PREFIX "pid:"
struct target {
    pid_t pid;
    int proc_fd;                      /* /proc/PID, which pins it */
    char container[STATE_ID_MAX + 1]; /* "" for a plain pid */
};

int target_resolve(const struct runtime *rt, const char *name, struct target *t, struct error *err);
void target_close(struct target *t);

/* Into a container the command runs as `exec` would run it (the
 * container's capabilities, no_new_privs, seccomp, security labels,
 * rlimits, user, environment, cgroup), in the namespaces chosen; into a
 * bare process, with the caller's identity and environment but no
 * capability the target lacks in its bounding or effective set.
 * `unconfined` runs it with the caller's privileges, environment and
 * cgroup instead, whatever the target (with a warning). */
struct enter_options {
    const char *target;
    unsigned types; /* bits 1 << ns_type; 0: those that differ from ours */
    char **argv;    /* NULL-terminated; empty: $SHELL (the container's) or /bin/sh */
    bool unconfined;
};

int container_enter(const struct runtime *rt, const struct enter_options *o, int *exit_status,
                    struct error *err);

#endif
