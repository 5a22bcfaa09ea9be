/* The state directory: <root>/<id>/ per container, with state.json (written
 * atomically), exec.fifo while the container is created but not started,
 * and an flock on the directory that serialises operations on one container
 * without touching any other. */
#ifndef NSRUN_CONTAINER_STATE_H
#define NSRUN_CONTAINER_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "linux/cgroup.h"
#include "util/error.h"

enum { STATE_ID_MAX = 255 };

enum container_status {
    STATUS_CREATING,
    STATUS_CREATED,
    STATUS_RUNNING,
    STATUS_PAUSED,
    STATUS_STOPPED
};
const char *status_name(enum container_status status);

struct container_state {
    char id[STATE_ID_MAX + 1];
    pid_t pid;
    unsigned long long start_time; /* of the init, to tell it from a reused pid */
    char *bundle, *rootfs, *created, *owner;
    void *annotations; /* json_t object */
    struct cgroup cgroup;
    bool has_pid_namespace;       /* when false, delete kills what is left in the cgroup */
    enum container_status status; /* derived when read, never stored */
};

/* The state as the runtime-spec shows it (to `state`, `list` and hooks), with
 * runc's fields that clients read: bundle, rootfs, created, owner,
 * annotations. A stopped container's pid is 0. */
json_t *state_oci_json(const struct container_state *st);
/* The same as text, or NULL when out of memory. */
char *state_oci_text(const struct container_state *st, size_t flags);
/* runtime-spec's containerProcessState, for a seccomp listener: the state,
 * the pid of the process whose listener is sent, the listener's metadata,
 * and the name of the one descriptor that comes with it. */
char *state_process_state_text(const struct container_state *st, pid_t pid, const char *metadata);

/* Ids as runc accepts them: letters, digits, "_+-.", not "." or "..". */
int state_check_id(const char *id, struct error *err);
/* Opens (creating it, 0700, when asked) the state root. */
int state_open_root(const char *root, bool create, struct error *err);
/* Whether the state root holds a container of this id (checked first). */
bool state_exists(const char *root, const char *id);
/* A new container's directory, locked; fails if the id exists. */
int state_create_dir(int root_fd, const char *id, struct error *err);
/* An existing container's directory, locked. */
int state_lock_dir(int root_fd, const char *id, struct error *err);
/* Removes the directory and everything nsrun put in it. */
int state_remove_dir(int root_fd, const char *id, struct error *err);

int state_write(int dir_fd, const struct container_state *st, struct error *err);
/* Reads state.json and derives the status. A directory without one is a
 * creation in progress (locked by its creator) or a dead one (stopped). */
int state_read(int root_fd, const char *id, struct container_state *st, struct error *err);
void state_free(struct container_state *st);

/* A container opened for a change: its directory locked, its state read. */
struct locked_state {
    int root_fd, dir_fd;
    struct container_state st;
};
int state_open_locked(const char *root, const char *id, struct locked_state *ls, struct error *err);
void state_close_locked(struct locked_state *ls);

/* The ids in the state root, sorted; free each and the array. */
int state_list_ids(int root_fd, char ***ids, size_t *n, struct error *err);

/* Is the init of st alive (and not a zombie)? */
bool state_init_alive(const struct container_state *st);

#endif
