/* exec: a new process in a running container. The parent pins the init
 * through /proc/PID (checked against its start time), opens the namespaces
 * that differ from its own and the container's cgroup, joins the pid
 * namespace for its children only, and clones the process straight into the
 * pid namespace and the v2 cgroup; the child joins the rest (user first,
 * mount last) and finishes like an init. */
#include "container/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/finish.h"
#include "container/launch.h"
#include "container/supervise.h"
#include "linux/namespaces.h"
#include "linux/pidfd.h"
#include "linux/lsm.h"
#include "linux/process.h"
#include "linux/procfs.h"
#include "linux/schedule.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "spec/names.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/path.h"

struct exec_run {
    const struct exec_options *o;
    struct locked_state ls; /* locked only while it is read */
    struct spec spec;       /* the container's config */
    struct spec given;      /* --process FILE */
    struct spec_process process;
    const char **env, **args;
    const char *shell[2]; /* no command given: the shell */
    uint32_t *gids;
    struct ns_target ns;
    bool rootless;
    struct seccomp_program seccomp;
    int sync_fds[2];
    int console_fd, master;
    bool into_cgroup;
    pid_t child;
    int child_pidfd;
};

/* A user or group id; (uid_t)-1 is not one: setresuid takes it as
 * "unchanged". */
static int parse_id(const char *text, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || end == text || *end || v >= UINT32_MAX || text[0] == '-') return -1;
    *out = (uint32_t)v;
    return 0;
}

/* process.env with --env added, a KEY given again replacing the old one. */
static int build_env(struct exec_run *x, struct error *err)
{
    const struct spec_strings *base = &x->process.env;
    size_t n = 0;
    x->env = calloc(base->len + x->o->n_env + 1, sizeof *x->env);
    if (!x->env) return error_set(err, ENOMEM, "exec");
    for (size_t i = 0; i < base->len; i++) x->env[n++] = base->items[i];
    for (size_t i = 0; i < x->o->n_env; i++) {
        const char *e = x->o->env[i], *eq = strchr(e, '=');
        if (!eq || eq == e) return error_set(err, 0, "--env: expected KEY=VALUE, got \"%s\"", e);
        size_t key = (size_t)(eq - e) + 1, k = 0;
        while (k < n && strncmp(x->env[k], e, key) != 0) k++;
        x->env[k] = e;
        if (k == n) n++;
    }
    x->process.env = (struct spec_strings){x->env, n};
    return 0;
}

static int apply_user(struct exec_run *x, struct error *err)
{
    const struct exec_options *o = x->o;
    struct spec_user *u = &x->process.user;
    if (o->user) {
        char uid[32];
        const char *colon = strchr(o->user, ':');
        size_t len = colon ? (size_t)(colon - o->user) : strlen(o->user);
        if (len >= sizeof uid) return error_set(err, 0, "--user: \"%s\" is too long", o->user);
        memcpy(uid, o->user, len);
        uid[len] = '\0';
        if (parse_id(uid, &u->uid) < 0 || (colon && parse_id(colon + 1, &u->gid) < 0))
            return error_set(err, 0, "--user: expected UID[:GID], got \"%s\"", o->user);
        if (!colon) u->gid = 0;
    }
    if (o->n_additional_gids) {
        x->gids = calloc(o->n_additional_gids, sizeof *x->gids);
        if (!x->gids) return error_set(err, ENOMEM, "exec");
        for (size_t i = 0; i < o->n_additional_gids; i++)
            if (parse_id(o->additional_gids[i], &x->gids[i]) < 0)
                return error_set(err, 0, "--additional-gids: \"%s\" is not a group id",
                                 o->additional_gids[i]);
        u->additional_gids = x->gids;
        u->n_additional_gids = o->n_additional_gids;
    }
    return 0;
}

static int apply_caps(struct exec_run *x, struct error *err)
{
    struct spec_capabilities *c = &x->process.capabilities;
    for (size_t i = 0; i < x->o->n_caps; i++) {
        const char *name = x->o->caps[i];
        int cap = capability_from_name(name);
        if (cap < 0) return error_set(err, 0, "--cap: unknown capability \"%s\"", name);
        uint64_t bit = UINT64_C(1) << cap;
        c->bounding |= bit;
        c->effective |= bit;
        c->permitted |= bit;
        c->ambient |= bit;
    }
    return 0;
}

/* $SHELL of the process' environment, else /bin/sh. */
static void choose_shell(struct exec_run *x)
{
    x->shell[0] = "/bin/sh";
    const struct spec_strings *env = &x->process.env;
    for (size_t i = 0; i < env->len; i++)
        if (strncmp(env->items[i], "SHELL=", 6) == 0 && env->items[i][6])
            x->shell[0] = env->items[i] + 6;
    x->process.args = (struct spec_strings){x->shell, 1};
}

/* The container's process with the command line's changes, or --process. */
static int build_process(struct exec_run *x, struct error *err)
{
    const struct exec_options *o = x->o;
    if (o->process_file) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (fs_read_file_at(AT_FDCWD, o->process_file, &text, &len, err) < 0 ||
            spec_parse_process(&x->given, text, len, "process.json", err) < 0)
            return error_wrap(err, "--process");
        x->process = x->given.process;
        if (spec_validate_process(&x->process, "process.json: ", err) < 0) return -1;
        return lsm_check(&x->process, NULL, err);
    }
    x->process = x->spec.process;
    if (o->apparmor) x->process.apparmor_profile = o->apparmor;
    if (o->process_label) x->process.selinux_label = o->process_label;
    x->process.args = (struct spec_strings){o->args, o->n_args};
    x->process.terminal = o->tty;
    if (o->cwd) {
        if (o->cwd[0] != '/') return error_set(err, 0, "--cwd: must be an absolute path");
        x->process.cwd = o->cwd;
    }
    if (!x->process.cwd) x->process.cwd = "/"; /* the container was created without a process */
    if (o->no_new_privs) x->process.no_new_privileges = true;
    if (build_env(x, err) < 0 || apply_user(x, err) < 0 || apply_caps(x, err) < 0) return -1;
    if (o->n_args == 0) choose_shell(x);
    if (spec_validate_process(&x->process, "exec: ", err) < 0) return -1;
    return lsm_check(&x->process, NULL, err);
}

static int check_terminal(struct exec_run *x, struct error *err)
{
    bool terminal = x->process.terminal;
    if (x->o->console_socket && !terminal)
        return error_set(err, 0, "--console-socket given, but the process has no terminal (-t)");
    if (terminal && !x->o->console_socket && x->o->detach)
        return error_set(err, 0, "--tty with --detach needs --console-socket");
    if (x->o->console_socket) {
        x->console_fd = unix_connect(x->o->console_socket, "--console-socket", err);
        if (x->console_fd < 0) return -1;
    }
    return 0;
}

static int pin_init(struct exec_run *x, int *proc_fd, struct error *err)
{
    const struct container_state *st = &x->ls.st;
    if (st->status == STATUS_STOPPED)
        return error_set(err, 0, "cannot exec in a stopped container");
    if (st->status == STATUS_CREATING)
        return error_set(err, 0, "cannot exec in a container that is being created");
    if (st->status == STATUS_PAUSED && !x->o->ignore_paused)
        return error_set(err, 0, "cannot exec in a paused container (--ignore-paused to try)");
    char path[32];
    snprintf(path, sizeof path, "/proc/%d", st->pid);
    *proc_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*proc_fd < 0 || pid_start_time(st->pid) != st->start_time)
        return error_set(err, 0, "cannot exec in a stopped container");
    return 0;
}

static int prepare(struct exec_run *x, const struct runtime *rt, struct error *err)
{
    x->rootless = rt->rootless;
    if (state_open_locked(rt->root, x->o->id, &x->ls, err) < 0) return -1;
    int rc = spec_load(&x->spec, x->ls.dir_fd, err);
    /* The lock serialises changes; exec only reads, and may run for days. */
    close(x->ls.dir_fd);
    x->ls.dir_fd = -1;
    if (rc < 0) return error_wrap(err, "the container's config");
    _cleanup_close_ int proc_fd = -1;
    if (pin_init(x, &proc_fd, err) < 0 || build_process(x, err) < 0 || check_terminal(x, err) < 0 ||
        ns_open_target(proc_fd, x->o->ns_types, &x->ns, err) < 0)
        return -1;
    /* Outside the container's root, its cwd means nothing: the caller's
     * stays (as nsenter keeps it). */
    if (x->ns.fds[NS_MOUNT] < 0 && x->ns.root_fd < 0) x->process.cwd = NULL;
    if (x->spec.linux.has_seccomp &&
        seccomp_compile(&x->spec.linux.seccomp, x->ls.root_fd, &x->seccomp, err) < 0)
        return error_wrap(err, "config.json");
    if (pid_start_time(x->ls.st.pid) != x->ls.st.start_time)
        return error_set(err, 0, "cannot exec in a stopped container");
    return sync_pair(x->sync_fds, err);
}

/* A pty from the container's devpts; the master to the parent. */
static int make_terminal(struct exec_run *x, int *slave, struct error *err)
{
    *slave = -1;
    if (!x->process.terminal) return 0;
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int master;
    if (root < 0 || terminal_open_pair(root, &master, slave, err) < 0)
        return root < 0 ? error_sys(err, "open /") : -1;
    int rc = 0;
    if (x->process.has_console_size)
        rc = terminal_set_size(*slave, x->process.console_height, x->process.console_width, err);
    if (rc == 0) rc = sync_send_fd(x->sync_fds[1], SYNC_TERMINAL, master, err);
    close(master);
    return rc;
}

_Noreturn static void exec_child(struct exec_run *x)
{
    struct error err = {0};
    const struct spec_linux *l = &x->spec.linux;
    struct finish f = {
        .process = &x->process,
        .personality = l->has_personality ? &l->personality : NULL,
        .seccomp = &x->seccomp,
        .preserve_fds = x->o->preserve_fds,
        .proc_fd = -1,
        .sync_fd = x->sync_fds[1],
        .fifo_fd = -1,
    };
    close(x->sync_fds[0]);
    /* Not dumpable since its clone (ns_clone): until exec no process of the
     * container reaches it through /proc/PID. */
    process_reset_signals();
    if (schedule_affinity_initial(&x->process, &err) < 0 ||
        (f.proc_fd = procfs_open_root(&err)) < 0 ||
        cgroup_join_self(&x->ls.st.cgroup, x->into_cgroup, &err) < 0 ||
        ns_join_target(&x->ns, &err) < 0 || make_terminal(x, &f.terminal, &err) < 0 ||
        finish_prepare(&f, &err) < 0 || sync_send(x->sync_fds[1], SYNC_READY, &err) < 0) {
        sync_send_error(x->sync_fds[1], &err);
        _exit(1);
    }
    finish_exec(&f, &err);
    finish_die(&err, 127);
}

static int open_cgroup(struct exec_run *x, struct error *err)
{
    struct cgroup *cg = &x->ls.st.cgroup;
    for (size_t i = 0; i < cg->n; i++) {
        const struct cgroup_dir *d = &cg->dirs[i];
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", d->path, d->v2 ? "cgroup.procs" : "tasks");
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return error_sys(err, "join the container's cgroup %s", d->path);
        cg->join_fds[cg->n_join++] = fd;
        if (d->v2 && (cg->v2_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
            return error_sys(err, "open %s", d->path);
    }
    return 0;
}

static int spawn(struct exec_run *x, struct error *err)
{
    if (open_cgroup(x, err) < 0) return -1;
    /* For the children only: the process is born in the container's pid
     * namespace, without a go-between. */
    struct oom_saved oom;
    if (process_oom_score_adj_push(&x->process, &oom, err) < 0) return -1;
    pid_t pid = -1;
    if (ns_join_pid_for_children(&x->ns, x->rootless, err) < 0)
        error_wrap(err, "exec");
    else
        pid = ns_clone(0, x->ls.st.cgroup.v2_fd, &x->into_cgroup, &x->child_pidfd, err);
    if (pid == 0) exec_child(x);
    process_oom_score_adj_pop(&oom);
    if (pid < 0) return -1;
    x->child = pid;
    close(x->sync_fds[1]);
    x->sync_fds[1] = -1;
    cgroup_close_fds(&x->ls.st.cgroup);
    return 0;
}

/* Until the process runs: its terminal, ready, then end of file at exec. */
static int wait_exec(struct exec_run *x, struct error *err)
{
    for (;;) {
        struct sync_msg msg;
        if (sync_recv(x->sync_fds[0], &msg, err) < 0) return err->errnum ? -1 : 0;
        if (msg.type == SYNC_ERROR) return error_set(err, msg.errnum, "%s", msg.text);
        if (msg.type == SYNC_READY) continue;
        if (msg.type == SYNC_SECCOMP_LISTENER) {
            if (finish_forward_listener(&x->spec.linux.seccomp, &x->ls.st, &msg, x->sync_fds[0],
                                        err) < 0)
                return -1;
            continue;
        }
        if (msg.type != SYNC_TERMINAL || msg.fd < 0)
            return error_set(err, EPROTO, "sync: unexpected message %u", msg.type);
        if (x->console_fd < 0) {
            x->master = msg.fd;
            continue;
        }
        int rc = fd_send(x->console_fd, msg.fd, "/dev/ptmx", err);
        close(msg.fd);
        if (rc < 0) return error_wrap(err, "--console-socket");
    }
}

static void release(struct exec_run *x)
{
    state_close_locked(&x->ls);
    spec_free(&x->spec);
    spec_free(&x->given);
    ns_close_target(&x->ns);
    for (int i = 0; i < 2; i++)
        if (x->sync_fds[i] >= 0) close(x->sync_fds[i]);
    if (x->console_fd >= 0) close(x->console_fd);
    if (x->master >= 0) close(x->master);
    if (x->child_pidfd >= 0) close(x->child_pidfd);
    seccomp_program_free(&x->seccomp);
    free(x->env);
    free(x->gids);
}

static int run_exec(struct exec_run *x, const struct runtime *rt, int sig_fd, int *exit_status,
                    struct error *err)
{
    if (prepare(x, rt, err) < 0 || spawn(x, err) < 0) return -1;
    if (wait_exec(x, err) < 0) {
        kill(x->child, SIGKILL);
        waitpid(x->child, NULL, 0);
        return -1;
    }
    if (x->o->pid_file && launch_write_pid_file(x->o->pid_file, x->child, err) < 0) return -1;
    if (x->o->detach) {
        *exit_status = 0;
        return 0;
    }
    struct supervision sv = {
        .child = x->child,
        .child_pidfd = x->child_pidfd,
        .sig_fd = sig_fd,
        .master = x->master,
        .relay_stdin = true,
    };
    *exit_status = supervise(&sv);
    return 0;
}

int container_exec(const struct runtime *rt, const struct exec_options *o, int *exit_status,
                   struct error *err)
{
    struct exec_run x = {
        .o = o, .sync_fds = {-1, -1}, .console_fd = -1, .master = -1, .child_pidfd = -1};
    for (size_t i = 0; i < NS_COUNT; i++) x.ns.fds[i] = -1;
    x.ls.root_fd = x.ls.dir_fd = -1;
    sigset_t old;
    int sig_fd = supervise_signals(&old, err);
    if (sig_fd < 0) return -1;
    int rc = run_exec(&x, rt, sig_fd, exit_status, err);
    close(sig_fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    release(&x);
    return rc;
}
