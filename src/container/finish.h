/* The last steps of a container process before exec, the same for the init
 * and for exec'd processes: by then they are in the container's namespaces
 * and root. cwd (resolved inside the root; none: left as it is), rlimits,
 * personality, scheduler, I/O priority, the final CPU affinity, security
 * labels (all needing privileges nsrun still has), seccomp (early without
 * no_new_privs), user and capabilities, the executable's lookup, the
 * environment, no_new_privs, the terminal or a session of its own; then,
 * once told to go, exec. Every descriptor of the host is closed before the
 * first file of the container is read. A filter with SCMP_ACT_NOTIFY rules is loaded
 * in finish_prepare either way: its listener must reach the runtime, which
 * is only listening until then. */
#ifndef NSRUN_CONTAINER_FINISH_H
#define NSRUN_CONTAINER_FINISH_H

#include <limits.h>

#include "container/state.h"
#include "linux/seccomp.h"
#include "linux/sync.h"
#include "spec/spec.h"

struct finish {
    const struct spec_process *process;
    const struct spec_personality *personality; /* NULL: left as it is */
    const struct seccomp_program *seccomp;
    int preserve_fds;
    const char *const *extra_env; /* NULL-terminated, added to process.env; or NULL */
    int terminal;                 /* the pty slave to attach, or -1 */
    int proc_fd; /* a procfs opened before entering the container (linux/procfs.h) */
    int sync_fd; /* to the runtime, for a seccomp listener (SYNC_SECCOMP_*) */
    int fifo_fd; /* the init's exec.fifo, which start writes; -1 */
    char exe[PATH_MAX];
    char **env;
};

int finish_prepare(struct finish *f, struct error *err);
/* Part of finish_prepare, and all of it for an init without a process:
 * nothing of the host stays open in a process that others in the container
 * may see, but for what is preserved, the sync channel, exec.fifo and the
 * terminal. The trusted procfs, the log, the caller's other descriptors,
 * nsrun's own are closed; the log's records are dropped from then on. */
int finish_close_host_fds(struct finish *f, struct error *err);
/* Runtime side of a SYNC_SECCOMP_LISTENER message from the process being
 * finished (pid msg->sender): the listener, with the container's state as
 * st has it, on to linux.seccomp.listenerPath; then SYNC_SECCOMP_SENT. */
int finish_forward_listener(const struct spec_seccomp *sc, const struct container_state *st,
                            const struct sync_msg *msg, int sync_fd, struct error *err);
/* Loads a late seccomp filter and execs; returns only on failure. */
int finish_exec(struct finish *f, struct error *err);
/* For a child that cannot report to anyone any more: the error on stderr. */
_Noreturn void finish_die(const struct error *err, int status);

#endif
