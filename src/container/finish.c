/* The end of a container process' set-up; see finish.h. */
#include "container/finish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "linux/lsm.h"
#include "linux/sync.h"
#include "linux/process.h"
#include "linux/schedule.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/path.h"

/* The cwd is resolved inside the root without magic links, so it can never
 * be a descriptor's directory on the host (runc's CVE-2024-21626). */
static int enter_cwd(const char *cwd, struct error *err)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return error_sys(err, "open /");
    _cleanup_close_ int dir = path_open_in_root(root, cwd, O_PATH | O_DIRECTORY, err);
    if (dir < 0) return error_wrap(err, "process.cwd");
    if (fchdir(dir) < 0) return error_sys(err, "process.cwd: chdir %s", cwd);
    return 0;
}

/* Loads the filter; a listener goes to the runtime, which hands it to
 * listenerPath before the process goes on (a notifying syscall nobody
 * listens for fails with ENOSYS). */
static int load_seccomp(struct finish *f, struct error *err)
{
    int listener;
    if (seccomp_install(f->seccomp, &listener, err) < 0) return -1;
    if (listener < 0) return 0;
    int rc = sync_send_fd(f->sync_fd, SYNC_SECCOMP_LISTENER, listener, err);
    close(listener);
    struct sync_msg msg;
    return rc < 0 ? -1 : sync_expect(f->sync_fd, SYNC_SECCOMP_SENT, &msg, err);
}

/* With no_new_privs the filter comes as late as possible: in finish_exec,
 * unless a listener must reach the runtime first. */
static bool seccomp_late(const struct finish *f)
{
    return f->process->no_new_privileges && !f->seccomp->notify;
}

int finish_forward_listener(const struct spec_seccomp *sc, const struct container_state *st,
                            const struct sync_msg *msg, int sync_fd, struct error *err)
{
    _cleanup_close_ int fd = msg->fd;
    if (fd < 0) return error_set(err, EPROTO, "sync: the seccomp listener did not come");
    _cleanup_free_ char *text = state_process_state_text(st, msg->sender, sc->listener_metadata);
    if (!text) return error_set(err, ENOMEM, "linux.seccomp.listenerPath");
    if (seccomp_send_listener(sc->listener_path, text, fd, err) < 0) return -1;
    return sync_send(sync_fd, SYNC_SECCOMP_SENT, err);
}

int finish_prepare(struct finish *f, struct error *err)
{
    const struct spec_process *p = f->process;
    if ((p->cwd && enter_cwd(p->cwd, err) < 0) || process_set_rlimits(p, err) < 0 ||
        process_set_personality(f->personality, err) < 0 || schedule_apply(p, err) < 0 ||
        schedule_affinity_final(p, err) < 0 || lsm_apply(f->proc_fd, p, err) < 0)
        return -1;
    /* The host's last use: what follows reads the container's files. */
    if (finish_close_host_fds(f, err) < 0) return -1;
    /* Without no_new_privs loading a filter needs CAP_SYS_ADMIN: before the
     * capabilities go. With it, as late as possible (finish_exec). */
    if (!p->no_new_privileges && load_seccomp(f, err) < 0) return -1;
    if (process_set_identity(p, err) < 0 || process_find_executable(p, f->exe, err) < 0) return -1;
    if (!(f->env = process_environment(p, f->extra_env, err))) return -1;
    if (process_set_no_new_privs(p, err) < 0) return -1;
    if (p->no_new_privileges && !seccomp_late(f) && load_seccomp(f, err) < 0) return -1;
    return f->terminal >= 0 ? terminal_attach(f->terminal, err) : terminal_leave_session(err);
}

int finish_close_host_fds(struct finish *f, struct error *err)
{
    if (f->proc_fd >= 0) close(f->proc_fd);
    f->proc_fd = -1;
    log_forget_file();
    const int keep[] = {f->sync_fd, f->fifo_fd, f->terminal};
    return process_close_fds(f->preserve_fds, keep, ARRAY_LEN(keep), err);
}

int finish_exec(struct finish *f, struct error *err)
{
    int listener;
    if (seccomp_late(f) && seccomp_install(f->seccomp, &listener, err) < 0) return -1;
    return process_exec(f->exe, f->process, f->env, err);
}

_Noreturn void finish_die(const struct error *err, int status)
{
    char text[sizeof err->msg + 64];
    dprintf(STDERR_FILENO, "nsrun: %s\n", error_text(err, text, sizeof text));
    _exit(status);
}
