/* The container's init, from the clone to the exec: join the cgroups, enter
 * the namespaces, set up the rootfs and the process, report ready, wait for
 * start, exec. Any failure is sent to the parent as {errno, message}. */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/finish.h"
#include "container/hooks.h"
#include "container/launch.h"
#include "linux/process.h"
#include "linux/procfs.h"
#include "linux/rootfs.h"
#include "linux/schedule.h"
#include "linux/sync.h"
#include "linux/sysctl.h"
#include "linux/terminal.h"
#include "linux/userns.h"
#include "util/cleanup.h"
#include "util/path.h"

/* The init is not dumpable from its clone on (ns_clone), so its /proc files
 * belong to the host's root. Rootless, two writes need their owner, an
 * ordinary user: the parent's id maps and the init's own timens_offsets.
 * For them alone the init is dumpable again, at a time when no process of
 * any container can see it: the pid namespace it joins or makes applies to
 * its children, and a new one at the clone has no other member yet. */
static int owner_writes(const struct launch *l, bool begin, struct error *err)
{
    if (!l->rt->rootless || !(l->ns.new_user || l->ns.time_offsets)) return 0;
    if (prctl(PR_SET_DUMPABLE, begin ? 1 : 0, 0, 0, 0) < 0)
        return error_sys(err, "prctl PR_SET_DUMPABLE");
    return 0;
}

static int enter_namespaces(struct launch *l, int proc_fd, struct error *err)
{
    int sync_fd = l->sync_fds[1];
    if (schedule_affinity_initial(&l->spec.process, err) < 0 ||
        cgroup_join_self(&l->cgroup, l->into_cgroup, err) < 0)
        return -1;
    cgroup_close_fds(&l->cgroup);
    /* Before the id maps: the init is still the host's root (or, rootless,
     * the user) then, the owner of its /proc files. */
    if (ns_enter(&l->ns, err) < 0 || owner_writes(l, true, err) < 0 ||
        ns_set_time_offsets(&l->ns, &l->spec.linux, proc_fd, err) < 0)
        return -1;
    if (l->ns.new_user) {
        struct sync_msg msg;
        if (sync_send(sync_fd, SYNC_USERNS_READY, err) < 0 ||
            sync_expect(sync_fd, SYNC_USERNS_MAPPED, &msg, err) < 0)
            return -1;
    }
    if (owner_writes(l, false, err) < 0) return -1;
    if ((l->ns.new_user || l->ns.join_user) && userns_become_root(err) < 0) return -1;
    if (ns_unshare_cgroup(&l->ns, err) < 0 || ns_loopback_up(&l->ns, err) < 0) return -1;
    if (!l->ns.fork_after) return 0;
    /* Joined or new pid and time namespaces apply to children only. */
    pid_t pid = fork();
    if (pid < 0) return error_sys(err, "fork into the pid namespace");
    if (pid > 0) _exit(0);
    return 0;
}

/* The owner of a keyring, from "keyring;UID;GID;PERM;NAME"; -1 if unknown. */
static long keyring_owner(long key)
{
    char text[256];
    long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, text, sizeof text);
    if (n < 0) return -1;
    text[sizeof text - 1] = '\0';
    char *uid = strchr(text, ';');
    return uid ? strtol(uid + 1, NULL, 10) : -1;
}

/* runc gives each container a session keyring of its own, so that keys
 * are not shared with the host's session. It is found by name: one that
 * another user made under that name (and let others join) would be theirs
 * to read and fill, so the container gets an anonymous one instead. */
static int join_session_keyring(struct launch *l, struct error *err)
{
    if (l->opts->no_new_keyring) return 0;
    char name[STATE_ID_MAX + 8];
    snprintf(name, sizeof name, "_ses.%s", l->opts->id);
    long key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
    if (key < 0 && errno == ENOSYS) return 0;
    if (key >= 0 && keyring_owner(key) == (long)geteuid()) return 0;
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
        return error_sys(err, "join a session keyring");
    return 0;
}

/* Between the mounts and pivot_root: the parent runs prestart and
 * createRuntime, then createContainer runs here, in the container's
 * namespaces while host paths still resolve. */
static int run_create_hooks(struct launch *l, struct error *err)
{
    const struct spec *spec = &l->spec;
    if (!spec->hooks[HOOK_PRESTART].len && !spec->hooks[HOOK_CREATE_RUNTIME].len &&
        !spec->hooks[HOOK_CREATE_CONTAINER].len)
        return 0;
    _cleanup_free_ char *state = NULL;
    if (sync_send(l->sync_fds[1], SYNC_HOOKS, err) < 0 ||
        sync_expect_text(l->sync_fds[1], SYNC_HOOKS_DONE, &state, err) < 0)
        return -1;
    return hooks_run(spec, HOOK_CREATE_CONTAINER, state, err);
}

/* A pty from the container's devpts, its slave on /dev/console and kept for
 * the process; the master to the parent. */
static int make_terminal(struct launch *l, struct rootfs *r, struct error *err)
{
    const struct spec_process *p = &l->spec.process;
    if (!p->terminal) return 0;
    int master;
    if (terminal_open_pair(r->rootfd, &master, &l->terminal, err) < 0) return -1;
    int rc = terminal_bind_console(r->rootfd, l->terminal, err);
    if (rc == 0 && p->has_console_size)
        rc = terminal_set_size(l->terminal, p->console_height, p->console_width, err);
    if (rc == 0) rc = sync_send_fd(l->sync_fds[1], SYNC_TERMINAL, master, err);
    close(master);
    return rc;
}

/* No mount namespace of its own (see check_shared_mounts()): no mount at
 * all, the process confined to root.path by chroot. */
static int enter_shared_root(struct launch *l, const char *cwd, struct error *err)
{
    _cleanup_close_ int root = open(l->rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return error_sys(err, "open the rootfs %s", l->rootfs_path);
    _cleanup_close_ int dir = path_mkdir_in_root(root, cwd, 0755, err);
    if (dir < 0) return error_wrap(err, "process.cwd");
    if (run_create_hooks(l, err) < 0) return -1;
    if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return error_sys(err, "chroot to the rootfs %s", l->rootfs_path);
    return 0;
}

/* The id-mapped mounts, made by the parent (it has privilege over their
 * sources): one descriptor per idmap step, in plan order. */
static int receive_idmapped(struct launch *l, int **fds, size_t *n, struct error *err)
{
    size_t want = 0;
    for (size_t i = 0; i < l->mounts.n; i++) want += l->mounts.steps[i].idmap;
    *fds = NULL;
    *n = 0;
    if (!want) return 0;
    if (!(*fds = calloc(want, sizeof **fds))) return error_set(err, ENOMEM, "id-mapped mounts");
    /* The init's user namespace goes along: a parent that is not root may
     * not open /proc/PID/ns of a process that is not dumpable. */
    _cleanup_close_ int userns = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (userns < 0) return error_sys(err, "id-mapped mounts: open /proc/self/ns/user");
    if (sync_send_fd(l->sync_fds[1], SYNC_IDMAP_REQUEST, userns, err) < 0) return -1;
    for (; *n < want; (*n)++) {
        struct sync_msg msg;
        if (sync_expect(l->sync_fds[1], SYNC_IDMAP_MOUNT, &msg, err) < 0) return -1;
        (*fds)[*n] = msg.fd;
    }
    return 0;
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]);
    free(fds);
}

static int setup_rootfs(struct launch *l, struct error *err)
{
    const struct spec *spec = &l->spec;
    struct rootfs r = {
        .path = l->rootfs_path, .bundle_path = l->bundle_path, .bundle_fd = -1, .rootfd = -1};
    const char *cwd = spec->has_process ? spec->process.cwd : "/";
    if (!l->ns.has_mount) return enter_shared_root(l, cwd, err);
    int *idmapped;
    int rc = receive_idmapped(l, &idmapped, &r.n_idmap_fds, err);
    r.idmap_fds = idmapped;
    if (rc == 0 && (rootfs_prepare(&r, err) < 0 || rootfs_mkdir(&r, cwd, err) < 0 ||
                    rootfs_run_plan(&r, &l->mounts, err) < 0))
        rc = -1;
    close_all(idmapped, r.n_idmap_fds);
    if (rc < 0 || make_terminal(l, &r, err) < 0 || run_create_hooks(l, err) < 0 ||
        rootfs_enter(&r, l->opts->no_pivot, err) < 0) {
        rootfs_close(&r);
        return -1;
    }
    return rootfs_finish(spec->linux.rootfs_propagation_flags, spec->root_readonly, err);
}

static int receive_start(struct launch *l, struct error *err)
{
    struct sync_msg msg;
    if (l->run_mode) return sync_expect(l->sync_fds[1], SYNC_GO, &msg, err);
    /* Only once its pid is recorded may the init outlive create: a create
     * killed before that leaves nothing delete could not find. */
    if (sync_expect(l->sync_fds[1], SYNC_RECORDED, &msg, err) < 0) return -1;
    close(l->sync_fds[1]);
    l->sync_fds[1] = -1;
    char byte;
    ssize_t n;
    do n = read(l->fifo_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) return error_sys(err, "wait for start on exec.fifo");
    return 0;
}

/* After ready: the state for startContainer hooks (if any), then the
 * signal to start, then those hooks, inside the container. */
static int wait_for_start(struct launch *l, struct error *err)
{
    _cleanup_free_ char *state = NULL;
    if (l->spec.hooks[HOOK_START_CONTAINER].len &&
        sync_expect_text(l->sync_fds[1], SYNC_STATE, &state, err) < 0)
        return -1;
    if (receive_start(l, err) < 0) return -1;
    return state ? hooks_run(&l->spec, HOOK_START_CONTAINER, state, err) : 0;
}

/* The host's /dev/null on stdin, for a process given no input. */
static int close_stdin(struct error *err)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || dup2(fd, STDIN_FILENO) < 0) return error_sys(err, "stdin from /dev/null");
    close(fd);
    return 0;
}

static int setup(struct launch *l, struct finish *f, struct error *err)
{
    const struct spec *spec = &l->spec;
    *f = (struct finish){
        .process = &spec->process,
        .personality = spec->linux.has_personality ? &spec->linux.personality : NULL,
        .seccomp = &l->seccomp,
        .preserve_fds = l->listen_fds + l->opts->preserve_fds,
        .extra_env = l->listen_fds ? l->listen_envp : NULL,
        .sync_fd = l->sync_fds[1],
        .fifo_fd = l->fifo_fd,
    };
    process_reset_signals();
    if (l->opts->no_stdin && close_stdin(err) < 0) return -1;
    umask(0); /* device nodes get exactly the modes the spec asks for */
    /* Before any mount namespace is joined and the root changes. */
    if ((f->proc_fd = procfs_open_root(err)) < 0) return -1;
    if (enter_namespaces(l, f->proc_fd, err) < 0 || join_session_keyring(l, err) < 0 ||
        ns_set_uts_names(spec->hostname, spec->domainname, err) < 0 ||
        sysctl_apply(f->proc_fd, &spec->linux.sysctl, err) < 0 || setup_rootfs(l, err) < 0)
        return -1;
    f->terminal = l->terminal; /* made with the rootfs' /dev/pts */
    /* Without a process the container waits for a start that refuses. */
    int rc = spec->has_process ? finish_prepare(f, err) : finish_close_host_fds(f, err);
    if (rc < 0) return -1;
    return sync_send(l->sync_fds[1], SYNC_READY, err);
}

_Noreturn void init_main(struct launch *l)
{
    struct error err = {0};
    struct finish f;
    /* The parent's: the state directory's descriptor holds its lock. */
    close(l->sync_fds[0]);
    close(l->state_fd);
    close(l->root_fd);
    close(l->bundle_fd);
    if (l->console_fd >= 0) close(l->console_fd);
    if (setup(l, &f, &err) < 0) {
        sync_send_error(l->sync_fds[1], &err);
        _exit(1);
    }
    if (wait_for_start(l, &err) < 0) {
        /* run is still listening; after create, only stderr is. */
        if (!l->run_mode) finish_die(&err, 1);
        sync_send_error(l->sync_fds[1], &err);
        _exit(1);
    }
    if (l->spec.has_process)
        finish_exec(&f, &err);
    else
        error_set(&err, 0, "config.json: process: not set, nothing to run");
    /* Nobody is listening any more: say it where the process' stderr goes. */
    finish_die(&err, 127);
}
