/* exec: a new process in a running container, as runc exec starts one. */
#ifndef NSRUN_CONTAINER_EXEC_H
#define NSRUN_CONTAINER_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "container/container.h"

struct exec_options {
    const char *id;
    const char *process_file; /* --process: the whole process; the flags below are then unused */
    const char **args;        /* the command, NULL-terminated; none: the shell (below) */
    size_t n_args;
    /* enter: the namespaces to join, bits 1 << ns_type; 0 (exec): every
     * one that differs from nsrun's. Outside the container's root the cwd
     * stays the caller's; with no command, $SHELL of the process' env, or
     * /bin/sh, runs. */
    unsigned ns_types;
    const char *cwd;
    const char **env; /* KEY=VALUE added to (or replacing in) the container's */
    size_t n_env;
    const char *user; /* "UID[:GID]" */
    const char **additional_gids;
    size_t n_additional_gids;
    const char **caps; /* added to the bounding, effective, permitted and ambient sets */
    size_t n_caps;
    bool no_new_privs;
    bool tty;
    bool detach;
    const char *pid_file;
    const char *console_socket;
    int preserve_fds;
    const char *process_label, *apparmor;
    bool ignore_paused;
};

/* In the foreground *exit_status is the process' exit code. */
int container_exec(const struct runtime *rt, const struct exec_options *o, int *exit_status,
                   struct error *err);

#endif
