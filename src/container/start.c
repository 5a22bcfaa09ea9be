/* start: the created init is blocked reading exec.fifo; one byte releases
 * it, and removing the fifo marks the container as started. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "container/container.h"
#include "container/hooks.h"
#include "util/cleanup.h"

static int start_created(struct locked_state *ls, struct error *err)
{
    if (ls->st.status == STATUS_RUNNING)
        return error_set(err, 0, "cannot start an already running container");
    if (ls->st.status != STATUS_CREATED)
        return error_set(err, 0, "cannot start a container in the %s state",
                         status_name(ls->st.status));
    _cleanup_close_ int fifo = openat(ls->dir_fd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0 && errno == ENXIO) return error_set(err, 0, "container init is gone");
    if (fifo < 0) return error_sys(err, "open exec.fifo");
    if (write(fifo, "0", 1) != 1) return error_sys(err, "write exec.fifo");
    if (unlinkat(ls->dir_fd, "exec.fifo", 0) < 0) return error_sys(err, "remove exec.fifo");
    return 0;
}

/* poststart: after the process runs, before start returns; failures are
 * warnings (runtime-spec). */
static void run_poststart(struct locked_state *ls)
{
    struct spec spec;
    struct error err;
    if (spec_load(&spec, ls->dir_fd, &err) < 0) return;
    if (spec.hooks[HOOK_POSTSTART].len) {
        ls->st.status = STATUS_RUNNING;
        _cleanup_free_ char *state = state_oci_text(&ls->st, JSON_COMPACT);
        if (state) hooks_run_warn(&spec, HOOK_POSTSTART, state);
    }
    spec_free(&spec);
}

int container_start(const struct runtime *rt, const char *id, struct error *err)
{
    struct locked_state ls;
    if (state_open_locked(rt->root, id, &ls, err) < 0) return -1;
    int rc = start_created(&ls, err);
    if (rc == 0) run_poststart(&ls);
    state_close_locked(&ls);
    return rc;
}
