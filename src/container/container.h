/* The container lifecycle as the command line sees it: create, start, run,
 * state, list, kill, delete. */
#ifndef NSRUN_CONTAINER_CONTAINER_H
#define NSRUN_CONTAINER_CONTAINER_H

#include <stdbool.h>

#include "container/state.h"
#include "util/error.h"

struct runtime {
    const char *root; /* state root, /run/nsrun by default (see linux/rootless.h) */
    bool systemd_cgroup;
    bool rootless; /* without the host's privileges: --rootless, detected by default */
};

struct create_options {
    const char *id;
    const char *bundle;         /* "." by default */
    const char *pid_file;       /* NULL: none */
    const char *console_socket; /* NULL: none; else receives the pty master */
    const char *config_json;    /* the config itself, instead of <bundle>/config.json */
    bool no_stdin;              /* the process' stdin is /dev/null; nothing relayed to it */
    bool no_pivot;
    bool no_new_keyring;
    int preserve_fds;
    /* run only */
    bool detach;
    bool keep;
};

int container_create(const struct runtime *rt, const struct create_options *opts,
                     struct error *err);
int container_start(const struct runtime *rt, const char *id, struct error *err);
/* create + start; in the foreground it forwards signals and *exit_status is
 * the container's (128+N for a signal). */
int container_run(const struct runtime *rt, const struct create_options *opts, int *exit_status,
                  struct error *err);
/* The state of one container (st is freed with state_free). */
int container_state(const struct runtime *rt, const char *id, struct container_state *st,
                    struct error *err);
/* Every container's state; unreadable ones are skipped. */
int container_list(const struct runtime *rt, struct container_state **states, size_t *n,
                   struct error *err);
int container_kill(const struct runtime *rt, const char *id, int sig, bool all, struct error *err);
int container_delete(const struct runtime *rt, const char *id, bool force, struct error *err);
/* Freezes or thaws every process of a running (paused) container. */
int container_pause(const struct runtime *rt, const char *id, struct error *err);
int container_resume(const struct runtime *rt, const char *id, struct error *err);
/* Applies linux.resources (JSON text of that object) to a live container. */
int container_update(const struct runtime *rt, const char *id, const char *resources_json,
                     struct error *err);
/* Statistics once (stats_once), or every interval_ms with OOM events as
 * they come, as JSON lines on stdout until the container stops. */
int container_events(const struct runtime *rt, const char *id, bool stats_once, int interval_ms,
                     struct error *err);
/* The pids in the container's cgroup (freed by the caller). */
/* What needs the container's own cgroup (pause, update, events) fails
 * clearly for one that has none (rootless, none delegated). */
int container_require_cgroup(const struct container_state *st, struct error *err);
int container_pids(const struct runtime *rt, const char *id, pid_t **pids, size_t *n,
                   struct error *err);

#endif
