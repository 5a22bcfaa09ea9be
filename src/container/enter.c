/* enter: join another process' namespaces and run a command there; see
 * enter.h. Into a container it is an exec with the namespaces chosen as
 * nsenter chooses them: the command is found inside, so it runs confined as
 * the container's processes are. Into a bare process the pid namespace is
 * joined for the children only, the command forked into it, and it holds no
 * capability the target does not. */
#include "container/enter.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "container/exec.h"
#include "container/finish.h"
#include "container/supervise.h"
#include "linux/caps.h"
#include "linux/namespaces.h"
#include "linux/pidfd.h"
#include "linux/process.h"
#include "linux/terminal.h"
#include "util/log.h"

static bool all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

/* "pid:N" always names a process; other digits do where no container has
 * that id. */
static bool names_a_pid(const struct runtime *rt, const char *name, const char **digits)
{
    *digits = name;
    if (strncmp(name, TARGET_PID_PREFIX, strlen(TARGET_PID_PREFIX)) == 0) {
        *digits = name + strlen(TARGET_PID_PREFIX);
        return true;
    }
    return all_digits(name) && !state_exists(rt->root, name);
}

int target_resolve(const struct runtime *rt, const char *name, struct target *t, struct error *err)
{
    *t = (struct target){.proc_fd = -1};
    unsigned long long start_time = 0;
    const char *digits;
    if (names_a_pid(rt, name, &digits)) {
        errno = 0;
        long pid = all_digits(digits) ? strtol(digits, NULL, 10) : 0;
        if (pid <= 0 || errno || pid > INT32_MAX)
            return error_set(err, 0, "%s: not a process id", name);
        t->pid = (pid_t)pid;
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

/* A bare process' command holds no capability that the target lacks in
 * its bounding or its effective set, has no_new_privs if it has, and a
 * session of its own (not the caller's terminal). */
struct process_limits {
    bool apply;
    struct caps_of_process caps;
};

static int apply_limits(const struct process_limits *lim, struct error *err)
{
    if (!lim->apply) return 0;
    if (caps_limit(lim->caps.bounding & lim->caps.effective, err) < 0) return -1;
    if (lim->caps.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return error_sys(err, "prctl PR_SET_NO_NEW_PRIVS");
    return terminal_leave_session(err);
}

_Noreturn static void enter_child(const struct ns_target *ns, const struct process_limits *lim,
                                  char **argv)
{
    struct error err = {0};
    process_reset_signals();
    if (ns_join_target(ns, &err) < 0 || apply_limits(lim, &err) < 0) finish_die(&err, 1);
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
    struct process_limits lim = {.apply = !o->unconfined};
    if (lim.apply && caps_read_process(t->proc_fd, &lim.caps, err) < 0)
        return error_wrap(err, "process %d", t->pid);
    struct ns_target ns;
    if (ns_open_target(t->proc_fd, o->types, &ns, err) < 0) return -1;
    int rc = -1;
    if (ns_join_pid_for_children(&ns, rt->rootless, err) < 0) goto out;
    bool unused;
    int pidfd;
    pid_t pid = ns_clone(0, -1, &unused, &pidfd, err);
    if (pid < 0) goto out;
    if (pid == 0) enter_child(&ns, &lim, o->argv);
    struct supervision sv = {.child = pid, .child_pidfd = pidfd, .sig_fd = sig_fd, .master = -1};
    *status = supervise(&sv);
    close(pidfd);
    rc = 0;
out:
    ns_close_target(&ns);
    return rc;
}

/* The container's process as exec runs it, in the namespaces chosen (its
 * user namespace always, when it has one: its capabilities are meant for
 * that namespace, not the host's). */
static int enter_confined(const struct runtime *rt, const struct enter_options *o, const char *id,
                          int *exit_status, struct error *err)
{
    size_t n_args = 0;
    while (o->argv[n_args]) n_args++;
    struct exec_options x = {
        .id = id,
        .args = (const char **)o->argv,
        .n_args = n_args,
        .ns_types = o->types ? o->types | 1u << NS_USER : 0,
    };
    return container_exec(rt, &x, exit_status, err);
}

int container_enter(const struct runtime *rt, const struct enter_options *o, int *exit_status,
                    struct error *err)
{
    struct target t;
    if (target_resolve(rt, o->target, &t, err) < 0) return -1;
    if (o->unconfined)
        log_warn("enter --unconfined: %s runs with all of your privileges, your environment and "
                 "your cgroup; a program the container has replaced can take over the host",
                 o->argv[0] ? o->argv[0] : "the shell");
    if (t.container[0] && !o->unconfined) {
        target_close(&t);
        return enter_confined(rt, o, t.container, exit_status, err);
    }
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
