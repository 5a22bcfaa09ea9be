/* delete: stop what is left (a created container's init too, as runc and
 * crun do, since containerd relies on it), remove the cgroup and the state
 * directory. A running container needs --force. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "container/container.h"
#include "container/launch.h"
#include "container/hooks.h"
#include "linux/pidfd.h"
#include "linux/proctree.h"
#include "util/cleanup.h"
#include "util/log.h"

enum { DEATH_TIMEOUT_MS = 10000 };

/* SIGKILL to the init, and wait for it to be gone. A frozen process dies
 * only once thawed. */
static int kill_init(const struct container_state *st, struct error *err)
{
    _cleanup_close_ int pidfd = pidfd_open_verified(st->pid, st->start_time, err);
    if (pidfd < 0) return 0; /* already gone */
    /* No cgroup (rootless): the init's tree is all there is to find. */
    if (!st->cgroup.n && proctree_signal(st->pid, st->start_time, SIGKILL, err) < 0) return -1;
    if (pidfd_signal(pidfd, SIGKILL, err) < 0) return -1;
    if (st->status == STATUS_PAUSED) {
        cgroup_signal_all(&st->cgroup, SIGKILL, err);
        if (cgroup_freeze(&st->cgroup, false, err) < 0) return -1;
    }
    if (pidfd_wait_exit(pidfd, DEATH_TIMEOUT_MS) < 0)
        return error_set(err, ETIMEDOUT, "container init %d did not die", st->pid);
    return 0;
}

int container_remove(int root_fd, struct container_state *st, const struct spec *spec,
                     struct error *err)
{
    /* Without a pid namespace the kernel does not kill the rest with the
     * init: whatever is left in the cgroup goes now. */
    if (cgroup_has_processes(&st->cgroup) && cgroup_signal_all(&st->cgroup, SIGKILL, err) < 0)
        return -1;
    if (cgroup_destroy(&st->cgroup, err) < 0 || state_remove_dir(root_fd, st->id, err) < 0)
        return -1;
    if (spec && spec->hooks[HOOK_POSTSTOP].len) {
        st->status = STATUS_STOPPED;
        _cleanup_free_ char *state = state_oci_text(st, JSON_COMPACT);
        if (state) hooks_run_warn(spec, HOOK_POSTSTOP, state);
    }
    return 0;
}

int container_delete(const struct runtime *rt, const char *id, bool force, struct error *err)
{
    struct locked_state ls;
    /* --force of what is not there succeeds, as runc's does: engines clean
     * up after a failed create that way. */
    if (state_check_id(id, err) < 0) return -1;
    if (force && !state_exists(rt->root, id)) return 0;
    if (state_open_locked(rt->root, id, &ls, err) < 0) return -1;
    struct container_state *st = &ls.st;
    int rc = 0;
    if ((st->status == STATUS_RUNNING || st->status == STATUS_PAUSED) && !force)
        rc = error_set(err, 0, "cannot delete container %s that is not stopped: %s", id,
                       status_name(st->status));
    else if (st->status != STATUS_STOPPED)
        rc = kill_init(st, err);
    if (rc == 0) {
        /* The config goes with the state directory: read poststop hooks first. */
        struct spec spec;
        struct error no_config;
        bool have_spec = spec_load(&spec, ls.dir_fd, &no_config) == 0;
        rc = container_remove(ls.root_fd, st, have_spec ? &spec : NULL, err);
        if (have_spec) spec_free(&spec);
    }
    state_close_locked(&ls);
    return rc;
}
