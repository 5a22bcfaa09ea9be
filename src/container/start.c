/* start: the created init is blocked reading exec.fifo; one byte releases
 * it, and removing the fifo marks the container as started. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "container/container.h"
#include "container/hooks.h"
#include "util/cleanup.h"

/* The init holds exec.fifo open (read-write, close-on-exec) and blocks
 * reading it. A byte releases it; the fifo's last writer going away (the
 * init's descriptor closing at exec, or its death) ends start, so that
 * start returns once the process runs, as poststart hooks need. */
static int start_created(struct locked_state *ls, struct error *err)
{
    if (ls->st.status == STATUS_RUNNING)
        return error_set(err, 0, "cannot start an already running container");
    if (ls->st.status != STATUS_CREATED)
        return error_set(err, 0, "cannot start a container in the %s state",
                         status_name(ls->st.status));
    /* Opened before the writer below: POLLHUP comes once every writer
     * that appeared after this open has gone. */
    _cleanup_close_ int reader = openat(ls->dir_fd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (reader < 0) return error_sys(err, "open exec.fifo");
    _cleanup_close_ int writer = openat(ls->dir_fd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (writer < 0) return error_sys(err, "open exec.fifo");
    if (write(writer, "0", 1) != 1) return error_sys(err, "write exec.fifo");
    close(TAKE_FD(writer));
    if (unlinkat(ls->dir_fd, "exec.fifo", 0) < 0) return error_sys(err, "remove exec.fifo");
    struct pollfd p = {.fd = reader, .events = 0};
    while (poll(&p, 1, -1) < 0)
        if (errno != EINTR) return error_sys(err, "wait for the container's process");
    return 0;
}

/* poststart: after the process runs, before start returns; failures are
 * warnings (runtime-spec). */
static void run_poststart(struct locked_state *ls, const struct spec *spec)
{
    if (!spec->hooks[HOOK_POSTSTART].len) return;
    ls->st.status = STATUS_RUNNING;
    _cleanup_free_ char *state = state_oci_text(&ls->st, JSON_COMPACT);
    if (state) hooks_run_warn(spec, HOOK_POSTSTART, state);
}

int container_start(const struct runtime *rt, const char *id, struct error *err)
{
    struct locked_state ls;
    if (state_open_locked(rt->root, id, &ls, err) < 0) return -1;
    struct spec spec;
    int rc = spec_load(&spec, ls.dir_fd, err);
    if (rc < 0) {
        error_wrap(err, "the container's config");
    } else {
        /* runtime-spec: process may be left out at create, not at start. */
        if (!spec.has_process)
            rc = error_set(err, 0, "config.json: process: not set, so there is nothing to start");
        if (rc == 0) rc = start_created(&ls, err);
        if (rc == 0) run_poststart(&ls, &spec);
        spec_free(&spec);
    }
    state_close_locked(&ls);
    return rc;
}
