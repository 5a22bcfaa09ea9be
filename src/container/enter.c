/* enter: join another process' namespaces and run a command there; see
 * enter.h. The pid namespace is joined for the children only, and the
 * command forked into it, so that it is a member as nsenter makes it. */
#include "container/enter.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/finish.h"
#include "container/supervise.h"
#include "linux/namespaces.h"
#include "linux/pidfd.h"
#include "linux/process.h"

static bool all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

int target_resolve(const struct runtime *rt, const char *name, struct target *t, struct error *err)
{
    *t = (struct target){.proc_fd = -1};
    unsigned long long start_time = 0;
    if (all_digits(name)) {
        t->pid = (pid_t)strtol(name, NULL, 10);
    } else {
        struct container_state st;
        if (container_state(rt, name, &st, err) < 0) return -1;
        t->pid = st.pid;
        start_time = st.start_time;
        enum container_status status = st.status;
        snprintf(t->container, sizeof t->container, "%s", name);
        state_free(&st);
        if (status != STATUS_CREATED && status != STATUS_RUNNING && status != STATUS_PAUSED)
            return error_set(err, 0, "container %s is %s", name, status_name(status));
    }
    char path[32];
    snprintf(path, sizeof path, "/proc/%d", t->pid);
    t->proc_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (t->proc_fd < 0) return error_sys(err, "process %d", t->pid);
    if (start_time && pid_start_time(t->pid) != start_time) {
        target_close(t);
        return error_set(err, 0, "container %s is stopped", name);
    }
    return 0;
}

void target_close(struct target *t)
{
    if (t->proc_fd >= 0) close(t->proc_fd);
    t->proc_fd = -1;
}

_Noreturn static void enter_child(const struct ns_target *ns, char **argv)
{
    struct error err = {0};
    process_reset_signals();
    if (ns_join_target(ns, &err) < 0) finish_die(&err, 1);
    char *shell[] = {getenv("SHELL") ? getenv("SHELL") : "/bin/sh", NULL};
    char **cmd = argv[0] ? argv : shell;
    execvp(cmd[0], cmd);
    int e = errno;
    error_set(&err, e, "exec %s", cmd[0]);
    finish_die(&err, e == ENOENT ? 127 : 126);
}

static int enter(const struct runtime *rt, const struct enter_options *o, const struct target *t,
                 int sig_fd, int *status, struct error *err)
{
    struct ns_target ns;
    if (ns_open_target(t->proc_fd, o->types, &ns, err) < 0) return -1;
    int rc = -1;
    if (ns_join_pid_for_children(&ns, rt->rootless, err) < 0) goto out;
    bool unused;
    int pidfd;
    pid_t pid = ns_clone(0, -1, &unused, &pidfd, err);
    if (pid < 0) goto out;
    if (pid == 0) enter_child(&ns, o->argv);
    struct supervision sv = {.child = pid, .child_pidfd = pidfd, .sig_fd = sig_fd, .master = -1};
    *status = supervise(&sv);
    close(pidfd);
    rc = 0;
out:
    ns_close_target(&ns);
    return rc;
}

int container_enter(const struct runtime *rt, const struct enter_options *o, int *exit_status,
                    struct error *err)
{
    struct target t;
    if (target_resolve(rt, o->target, &t, err) < 0) return -1;
    sigset_t old;
    int sig_fd = supervise_signals(&old, err);
    int rc = sig_fd < 0 ? -1 : enter(rt, o, &t, sig_fd, exit_status, err);
    if (sig_fd >= 0) {
        close(sig_fd);
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    target_close(&t);
    return rc;
}
