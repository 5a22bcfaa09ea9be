/* pause and resume: the container's cgroup frozen and thawed. */
#include "container/container.h"

static int set_frozen(const struct runtime *rt, const char *id, bool freeze, struct error *err)
{
    struct locked_state ls;
    if (state_open_locked(rt->root, id, &ls, err) < 0) return -1;
    enum container_status want = freeze ? STATUS_RUNNING : STATUS_PAUSED;
    int rc;
    if (ls.st.status != want)
        rc = error_set(err, 0, "container %s is %s, not %s", id, status_name(ls.st.status),
                       status_name(want));
    else if ((rc = container_require_cgroup(&ls.st, err)) == 0)
        rc = cgroup_freeze(&ls.st.cgroup, freeze, err);
    state_close_locked(&ls);
    return rc;
}

int container_pause(const struct runtime *rt, const char *id, struct error *err)
{
    return set_frozen(rt, id, true, err);
}

int container_resume(const struct runtime *rt, const char *id, struct error *err)
{
    return set_frozen(rt, id, false, err);
}
