/* kill: a signal to the init (through a pidfd checked against the recorded
 * start time, so a reused pid is never hit), or with --all to every process
 * in the container's cgroup. */
#include <errno.h>
#include <unistd.h>

#include "container/container.h"
#include "linux/pidfd.h"
#include "linux/proctree.h"
#include "util/cleanup.h"

static int signal_container(const struct container_state *st, int sig, bool all, struct error *err)
{
    if (all && st->cgroup.n) return cgroup_signal_all(&st->cgroup, sig, err);
    if (st->status != STATUS_CREATED && st->status != STATUS_RUNNING && st->status != STATUS_PAUSED)
        return error_set(err, 0, "container not running");
    if (all)
        return proctree_signal(st->pid, st->start_time, sig, err); /* no cgroup: the init's tree */
    _cleanup_close_ int pidfd = pidfd_open_verified(st->pid, st->start_time, err);
    if (pidfd < 0) return error_set(err, 0, "container not running");
    return pidfd_signal(pidfd, sig, err);
}

int container_kill(const struct runtime *rt, const char *id, int sig, bool all, struct error *err)
{
    struct locked_state ls;
    if (state_open_locked(rt->root, id, &ls, err) < 0) return -1;
    int rc = signal_container(&ls.st, sig, all, err);
    state_close_locked(&ls);
    return rc;
}
