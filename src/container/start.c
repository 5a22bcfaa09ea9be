/* start: the created init is blocked reading exec.fifo; one byte releases
 * it, and removing the fifo marks the container as started. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "container/container.h"
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

int container_start(const struct runtime *rt, const char *id, struct error *err)
{
    struct locked_state ls;
    if (state_open_locked(rt->root, id, &ls, err) < 0) return -1;
    int rc = start_created(&ls, err);
    state_close_locked(&ls);
    return rc;
}
