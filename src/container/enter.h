/* enter: a command in the namespaces of any process (a container's init or
 * another runtime's), like util-linux nsenter; and finding such a process. */
#ifndef NSRUN_CONTAINER_ENTER_H
#define NSRUN_CONTAINER_ENTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/container.h"

/* A process named by a pid or by a container id (its init, checked alive). */
struct target {
    pid_t pid;
    int proc_fd;                      /* /proc/PID, which pins it */
    char container[STATE_ID_MAX + 1]; /* "" for a plain pid */
};

int target_resolve(const struct runtime *rt, const char *name, struct target *t, struct error *err);
void target_close(struct target *t);

struct enter_options {
    const char *target;
    unsigned types; /* bits 1 << ns_type; 0: those that differ from ours */
    char **argv;    /* NULL-terminated; empty: $SHELL or /bin/sh */
};

int container_enter(const struct runtime *rt, const struct enter_options *o, int *exit_status,
                    struct error *err);

#endif
