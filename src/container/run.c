/* run: create and start in one process. In the foreground nsrun stays the
 * init's parent (a subreaper when the init is a grandchild), forwards every
 * signal it gets to it, exits with its status, and removes the container
 * unless --keep. */
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/hooks.h"
#include "container/launch.h"
#include "container/supervise.h"
#include "linux/pidfd.h"
#include "linux/sync.h"
#include "util/cleanup.h"
#include "util/log.h"

/* The init's end of the sync channel closes at exec: end of file means the
 * process runs; a message is a failure before it (a startContainer hook). */
static int wait_exec(struct launch *l, struct error *err)
{
    struct sync_msg msg;
    if (sync_recv(l->sync_fds[0], &msg, err) < 0) return err->errnum ? -1 : 0;
    if (msg.type == SYNC_ERROR) return error_set(err, msg.errnum, "%s", msg.text);
    return error_set(err, EPROTO, "sync: unexpected message %u", msg.type);
}

/* What delete would do, from what run already holds: no state to read back.
 * The lock is taken again: a `delete` from elsewhere may be under way. */
static void remove_after_run(struct launch *l)
{
    struct error err;
    _cleanup_close_ int dir_fd = state_lock_dir(l->root_fd, l->opts->id, &err);
    if (dir_fd < 0) return; /* removed by someone else */
    struct container_state st = launch_state(l, STATUS_STOPPED, l->init_pid);
    if (container_remove(l->root_fd, &st, &l->spec, &err) < 0)
        log_error("run: remove %s: %s", l->opts->id, err.msg);
    l->cgroup = st.cgroup; /* container_remove updated what is left to remove */
}

static int start_and_wait(const struct runtime *rt, const struct create_options *opts, int sig_fd,
                          int *exit_status, struct error *err)
{
    struct launch l = {.rt = rt, .opts = opts, .run_mode = true};
    if (launch_container(&l, err) < 0) return -1;
    if (launch_record(&l, err) < 0 || sync_send(l.sync_fds[0], SYNC_GO, err) < 0 ||
        wait_exec(&l, err) < 0) {
        launch_abort(&l);
        launch_release(&l);
        return -1;
    }
    /* Unlocked from here: state, kill and delete work on the running container. */
    close(l.state_fd);
    l.state_fd = -1;
    if (l.spec.hooks[HOOK_POSTSTART].len) {
        _cleanup_free_ char *state = launch_state_text(&l, STATUS_RUNNING, l.init_pid);
        if (state) hooks_run_warn(&l.spec, HOOK_POSTSTART, state);
    }
    if (opts->detach) {
        *exit_status = 0;
        launch_release(&l);
        return 0;
    }
    struct supervision sv = {
        .child = l.init_pid,
        .child_pidfd = l.init_pidfd,
        .sig_fd = sig_fd,
        .master = l.terminal,
        .relay_stdin = !opts->no_stdin,
    };
    *exit_status = supervise(&sv);
    if (!opts->keep) remove_after_run(&l);
    launch_release(&l);
    return 0;
}

int container_run(const struct runtime *rt, const struct create_options *opts, int *exit_status,
                  struct error *err)
{
    /* Blocked before the clone so that no signal or exit is missed; the
     * init restores an empty mask for itself. */
    sigset_t old;
    _cleanup_close_ int sig_fd = supervise_signals(&old, err);
    if (sig_fd < 0) return -1;
    int rc = start_and_wait(rt, opts, sig_fd, exit_status, err);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}
