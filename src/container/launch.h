/* What the parent prepares for the container's init and hands it across the
 * clone, shared by create and run (parent side: create.c; child: init.c). */
#ifndef NSRUN_CONTAINER_LAUNCH_H
#define NSRUN_CONTAINER_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/container.h"
#include "linux/cgroup.h"
#include "linux/mount_plan.h"
#include "linux/namespaces.h"
#include "linux/seccomp.h"
#include "spec/spec.h"

struct launch {
    const struct runtime *rt;
    const struct create_options *opts;
    bool run_mode; /* the init starts on SYNC_GO rather than on exec.fifo */

    struct spec spec;
    char *config_text; /* config.json as read: kept in the state directory */
    char created[64];  /* the state's "created" and "owner", fixed before the clone */
    char *owner;
    bool hook_failed; /* a create-time hook failed: poststop hooks run on abort */
    int bundle_fd;
    char *bundle_path, *rootfs_path;
    int root_fd, state_fd; /* the state root and the container's (locked) directory */

    struct ns_plan ns;
    struct cgroup_host host;
    struct cgroup cgroup;
    bool has_cgroup;
    struct mount_plan mounts;
    struct seccomp_program seccomp;
    int sync_fds[2]; /* [0] parent, [1] child */
    int fifo_fd;     /* exec.fifo, held open read-write by the init */
    int console_fd;  /* connected --console-socket, or -1 */
    int terminal;    /* parent: the pty master nsrun relays itself; init: the slave; or -1 */
    bool into_cgroup;
    int listen_fds;             /* socket activation: descriptors from 3 on, kept */
    char listen_env[2][32];     /* LISTEN_FDS=N, LISTEN_PID=1 for the container */
    const char *listen_envp[3]; /* the two, NULL-terminated, once set */

    pid_t child_pid; /* the direct child: the init, or a parent of it that exits */
    pid_t init_pid;
    int init_pidfd;
};

/* Everything up to an init waiting to exec: state directory, spec, cgroup,
 * namespaces, the clone and the set-up reports. On failure nothing is left. */
int launch_container(struct launch *l, struct error *err);
/* The container's state for a status and init pid (pointing into l), and as
 * hooks get it. */
struct container_state launch_state(struct launch *l, enum container_status status, pid_t pid);
char *launch_state_text(struct launch *l, enum container_status status, pid_t pid);
/* Writes state.json and the pid file for a launched container. */
int launch_record(struct launch *l, struct error *err);
/* --pid-file, written atomically. */
int launch_write_pid_file(const char *path, pid_t pid, struct error *err);
/* Undoes a launch that failed part way, or a run that ended. */
void launch_abort(struct launch *l);
/* Releases what the parent holds (descriptors, memory), not the container. */
void launch_release(struct launch *l);

/* Removes a container whose init is gone, its directory locked by the
 * caller: what is left in its cgroup, the cgroup, the state directory; then
 * poststop hooks (spec may be NULL). Shared by delete and run. */
int container_remove(int root_fd, struct container_state *st, const struct spec *spec,
                     struct error *err);

/* The init's side: never returns. */
_Noreturn void init_main(struct launch *l);

#endif
