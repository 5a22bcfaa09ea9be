/* update: new resource limits for a live container. */
#include <string.h>

#include "container/container.h"

int container_update(const struct runtime *rt, const char *id, const char *resources_json,
                     struct error *err)
{
    struct spec given;
    if (spec_parse_resources(&given, resources_json, strlen(resources_json), "resources", err) < 0)
        return -1;
    struct locked_state ls;
    int rc = state_open_locked(rt->root, id, &ls, err);
    if (rc == 0) {
        if (ls.st.status == STATUS_STOPPED || ls.st.status == STATUS_CREATING)
            rc = error_set(err, 0, "container %s is %s", id, status_name(ls.st.status));
        else if ((rc = container_require_cgroup(&ls.st, err)) == 0)
            rc = cgroup_update(&ls.st.cgroup, &given.linux.resources, err);
        state_close_locked(&ls);
    }
    spec_free(&given);
    return rc;
}
