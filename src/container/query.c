/* state and list: reading containers' state without taking their locks, so
 * a creation in progress never blocks them. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "container/container.h"
#include "linux/proctree.h"
#include "util/cleanup.h"
#include "util/log.h"

int container_state(const struct runtime *rt, const char *id, struct container_state *st,
                    struct error *err)
{
    if (state_check_id(id, err) < 0) return -1;
    _cleanup_close_ int root_fd = state_open_root(rt->root, false, err);
    if (root_fd < 0 && err->errnum == ENOENT)
        return error_set(err, 0, "container %s does not exist", id);
    if (root_fd < 0) return -1;
    return state_read(root_fd, id, st, err);
}

int container_list(const struct runtime *rt, struct container_state **states, size_t *n,
                   struct error *err)
{
    *states = NULL;
    *n = 0;
    _cleanup_close_ int root_fd = state_open_root(rt->root, false, err);
    if (root_fd < 0) return err->errnum == ENOENT ? 0 : -1; /* none yet: no containers */
    char **ids;
    size_t n_ids;
    if (state_list_ids(root_fd, &ids, &n_ids, err) < 0) return -1;
    *states = calloc(n_ids + 1, sizeof **states);
    for (size_t i = 0; i < n_ids; i++) {
        struct error skipped;
        if (*states && state_read(root_fd, ids[i], &(*states)[*n], &skipped) == 0)
            (*n)++;
        else if (*states)
            log_debug("list: %s: %s", ids[i], skipped.msg);
        free(ids[i]);
    }
    free(ids);
    return *states ? 0 : error_set(err, ENOMEM, "list containers");
}

int container_require_cgroup(const struct container_state *st, struct error *err)
{
    if (st->cgroup.n) return 0;
    return error_set(err, 0,
                     "container %s has no cgroup of its own (rootless, and no cgroup is "
                     "delegated to this user)",
                     st->id);
}

int container_pids(const struct runtime *rt, const char *id, pid_t **pids, size_t *n,
                   struct error *err)
{
    struct container_state st;
    if (container_state(rt, id, &st, err) < 0) return -1;
    int rc;
    if (st.status == STATUS_STOPPED && !st.cgroup.n)
        rc = error_set(err, 0, "container %s is stopped", id);
    else if (!st.cgroup.n) /* rootless without a cgroup: the init's tree */
        rc = proctree_list(st.pid, st.start_time, pids, n, err);
    else
        rc = cgroup_list_pids(&st.cgroup, pids, n, err);
    state_free(&st);
    return rc;
}
