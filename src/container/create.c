/* The parent's side of creating a container, shared by create and run:
 * validate everything first, then state directory, cgroup, clone, and the
 * init's reports over the sync channel; state.json once it is ready. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/finish.h"
#include "container/hooks.h"
#include "container/launch.h"
#include "linux/idmap.h"
#include "linux/lsm.h"
#include "linux/pidfd.h"
#include "linux/process.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "linux/userns.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/passwd.h"
#include "util/timefmt.h"

static int load_bundle(struct launch *l, struct error *err)
{
    const char *bundle = l->opts->bundle && *l->opts->bundle ? l->opts->bundle : ".";
    l->bundle_path = realpath(bundle, NULL);
    if (!l->bundle_path) return error_sys(err, "bundle %s", bundle);
    l->bundle_fd = open(l->bundle_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (l->bundle_fd < 0) return error_sys(err, "bundle %s", bundle);
    size_t len;
    if (l->opts->config_json) {
        if (!(l->config_text = strdup(l->opts->config_json))) return error_set(err, ENOMEM, "spec");
        len = strlen(l->config_text);
    } else if (fs_read_file_at(l->bundle_fd, "config.json", &l->config_text, &len, err) < 0) {
        return -1;
    }
    if (spec_parse(&l->spec, l->config_text, len, "config.json", err) < 0) return -1;
    if (l->run_mode && !l->spec.has_process)
        return error_set(err, 0, "config.json: process: missing (run needs one)");
    return spec_validate(&l->spec, err);
}

static int resolve_rootfs(struct launch *l, struct error *err)
{
    const char *root = l->spec.root_path;
    _cleanup_free_ char *joined = NULL;
    if (root[0] != '/' && asprintf(&joined, "%s/%s", l->bundle_path, root) < 0)
        return error_set(err, ENOMEM, "root.path");
    l->rootfs_path = realpath(joined ? joined : root, NULL);
    if (!l->rootfs_path) return error_sys(err, "root.path: rootfs %s", joined ? joined : root);
    struct stat st;
    if (stat(l->rootfs_path, &st) < 0) return error_sys(err, "root.path: %s", l->rootfs_path);
    if (!S_ISDIR(st.st_mode))
        return error_set(err, ENOTDIR, "root.path: rootfs %s", l->rootfs_path);
    return 0;
}

/* Who holds the terminal's master: a --console-socket listener, or nsrun
 * relaying it in the foreground; nobody is an error, as in runc. */
static int check_terminal(struct launch *l, struct error *err)
{
    bool terminal = l->spec.process.terminal;
    bool foreground = l->run_mode && !l->opts->detach;
    if (l->opts->console_socket && !terminal)
        return error_set(err, 0, "--console-socket given, but process.terminal is false");
    if (terminal && !l->opts->console_socket && !foreground)
        return error_set(err, 0,
                         "process.terminal: a detached container needs --console-socket "
                         "to hand its terminal to");
    if (l->opts->console_socket) {
        l->console_fd = unix_connect(l->opts->console_socket, "--console-socket", err);
        if (l->console_fd < 0) return -1;
    }
    return 0;
}

static int check_runtime(const struct launch *l, struct error *err)
{
    if (l->rt->systemd_cgroup) {
        if (access("/run/systemd/system", F_OK) < 0)
            return error_set(err, 0, "--systemd-cgroup: systemd is not running on this host");
        return error_set(err, 0, "--systemd-cgroup: not supported by this version of nsrun");
    }
    return 0;
}

/* Without a mount namespace of its own the container shares the host's:
 * nsrun mounts nothing there (that would change the host), and only
 * confines the process to root.path by chroot, as runc leaves it be.
 * What cannot be done is said, not silently dropped. */
static int check_shared_mounts(const struct launch *l, struct error *err)
{
    if (l->ns.has_mount) return 0;
    const struct spec *s = &l->spec;
    if (s->process.terminal)
        return error_set(err, 0,
                         "process.terminal: needs a mount namespace of the container's "
                         "own (/dev/console is a mount)");
    const char *skipped[8];
    size_t n = 0;
    if (s->n_mounts) skipped[n++] = "mounts";
    if (s->linux.masked_paths.len) skipped[n++] = "linux.maskedPaths";
    if (s->linux.readonly_paths.len) skipped[n++] = "linux.readonlyPaths";
    if (s->linux.n_devices) skipped[n++] = "linux.devices";
    if (s->root_readonly) skipped[n++] = "root.readonly";
    if (s->linux.rootfs_propagation_flags) skipped[n++] = "linux.rootfsPropagation";
    if (n == 0) return 0;
    char list[256] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 skipped[i]);
    log_warn("no mount namespace: the container shares the host's mounts, so %s %s not applied",
             list, n == 1 ? "is" : "are");
    return 0;
}

/* Limits that need a cgroup. Device rules do not count: in a user
 * namespace the container cannot make device nodes anyway. */
static bool needs_cgroup(const struct spec_resources *r)
{
    return r->has_memory || r->has_cpu || r->has_pids || r->has_block_io || r->has_network ||
           r->n_hugepage_limits || r->net_class_id.has || r->n_net_priorities || r->n_rdma ||
           r->unified.len;
}

/* The config, which start, delete and exec read (hooks, the process), and
 * a first state.json without a pid but with the planned cgroup: from here
 * on, a create killed at any point leaves what delete needs to remove all
 * it made. */
static int keep_config(struct launch *l, struct error *err)
{
    if (fs_write_atomic_at(l->state_fd, "config.json", l->config_text, strlen(l->config_text), 0600,
                           err) < 0)
        return -1;
    struct container_state st = launch_state(l, STATUS_CREATING, 0);
    return state_write(l->state_fd, &st, err);
}

static int make_cgroup(struct launch *l, struct error *err)
{
    if (cgroup_host_detect(&l->host, err) < 0) return error_wrap(err, "cgroups");
    const struct spec_linux *lx = &l->spec.linux;
    if (cgroup_plan(&l->host, lx->cgroups_path, l->opts->id, &l->cgroup, err) < 0) return -1;
    l->has_cgroup = true; /* for launch_abort, which removes what was made */
    if (keep_config(l, err) < 0) return -1;
    if (cgroup_make(&l->host, lx->has_resources ? &lx->resources : NULL, &l->cgroup, err) == 0)
        return 0;
    l->has_cgroup = false; /* cgroup_make removed what it made */
    /* Rootless, a cgroup is used where one is delegated to the user; where
     * none is, the container stays in nsrun's own, unless it asks for limits. */
    bool denied = err->errnum == EACCES || err->errnum == EPERM || err->errnum == EROFS;
    if (!l->rt->rootless || !denied) return -1;
    if (lx->has_resources && needs_cgroup(&lx->resources))
        return error_wrap(err, "linux.resources: rootless, and no cgroup delegated to this user");
    log_debug("rootless: no writable cgroup (%s); the container shares nsrun's", err->msg);
    memset(&l->cgroup, 0, sizeof l->cgroup);
    l->cgroup.v2_fd = -1;
    return 0;
}

static int plan_mounts(struct launch *l, struct error *err)
{
    if (!l->ns.has_mount) return 0; /* see check_shared_mounts() */
    struct mount_plan_input in = {
        .spec = &l->spec,
        .cgroup = &l->cgroup,
        .cgroup_ns = spec_namespace(&l->spec, NS_CGROUP) != NULL,
        .user_ns = spec_namespace(&l->spec, NS_USER) != NULL,
        .host_has_kcore = access("/proc/kcore", F_OK) == 0,
        .mount_label = l->spec.linux.mount_label,
    };
    if (mount_plan_build(&in, &l->mounts, err) < 0) return error_wrap(err, "config.json");
    return 0;
}

static int make_fifo(struct launch *l, struct error *err)
{
    if (l->run_mode) return 0;
    if (mkfifoat(l->state_fd, "exec.fifo", 0600) < 0) return error_sys(err, "create exec.fifo");
    /* Read-write: the open does not wait for a writer, and the init's
     * read() blocks until `start` writes. */
    l->fifo_fd = openat(l->state_fd, "exec.fifo", O_RDWR | O_CLOEXEC);
    if (l->fifo_fd < 0) return error_sys(err, "open exec.fifo");
    return 0;
}

/* "created" and "owner" are known before the clone, so that hooks run
 * during creation see the same state as `state` shows later. */
static int fix_identity(struct launch *l, struct error *err)
{
    time_now_rfc3339(l->created, sizeof l->created);
    if (passwd_lookup_uid("/etc/passwd", geteuid(), &l->owner, NULL) < 0 &&
        asprintf(&l->owner, "%u", geteuid()) < 0)
        return error_set(err, ENOMEM, "owner");
    return 0;
}

struct container_state launch_state(struct launch *l, enum container_status status, pid_t pid)
{
    struct container_state st = {
        .pid = pid,
        .bundle = l->bundle_path,
        .rootfs = l->rootfs_path,
        .created = l->created,
        .owner = l->owner,
        .annotations = json_object_get(l->spec.doc, "annotations"),
        .cgroup = l->cgroup,
        .has_pid_namespace = spec_namespace(&l->spec, NS_PID) != NULL,
        .status = status,
    };
    snprintf(st.id, sizeof st.id, "%s", l->opts->id);
    return st;
}

char *launch_state_text(struct launch *l, enum container_status status, pid_t pid)
{
    struct container_state st = launch_state(l, status, pid);
    return state_oci_text(&st, JSON_COMPACT);
}

/* systemd's socket activation, as runc honours it: LISTEN_FDS descriptors
 * from 3 on, when LISTEN_PID names this process, go to the container's
 * process (before --preserve-fds ones), which is told LISTEN_PID=1. */
static void take_listen_fds(struct launch *l)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    if (!pid || !fds) return;
    char *end;
    long who = strtol(pid, &end, 10);
    if (*end || who != getpid()) return;
    long n = strtol(fds, &end, 10);
    if (*end || n <= 0 || n > 4096) return;
    l->listen_fds = (int)n;
    snprintf(l->listen_env[0], sizeof l->listen_env[0], "LISTEN_FDS=%ld", n);
    snprintf(l->listen_env[1], sizeof l->listen_env[1], "LISTEN_PID=1");
    l->listen_envp[0] = l->listen_env[0];
    l->listen_envp[1] = l->listen_env[1];
}

static int prepare(struct launch *l, struct error *err)
{
    if (state_check_id(l->opts->id, err) < 0 || load_bundle(l, err) < 0 ||
        resolve_rootfs(l, err) < 0 || fix_identity(l, err) < 0)
        return -1;
    ns_plan_make(&l->spec, &l->ns);
    take_listen_fds(l);
    if (check_runtime(l, err) < 0 || check_shared_mounts(l, err) < 0 ||
        check_terminal(l, err) < 0 ||
        lsm_check(&l->spec.process, l->spec.linux.mount_label, err) < 0 ||
        ns_open_joins(&l->ns, err) < 0)
        return -1;
    if (l->spec.linux.has_seccomp && seccomp_check(&l->spec.linux.seccomp, err) < 0)
        return error_wrap(err, "config.json");
    /* Nothing is touched before this point: bad input stops above. */
    if ((l->root_fd = state_open_root(l->rt->root, true, err)) < 0) return -1;
    if (l->spec.linux.has_seccomp &&
        seccomp_compile(&l->spec.linux.seccomp, l->root_fd, &l->seccomp, err) < 0)
        return error_wrap(err, "config.json");
    if ((l->state_fd = state_create_dir(l->root_fd, l->opts->id, err)) < 0) return -1;
    if (make_cgroup(l, err) < 0 || plan_mounts(l, err) < 0 || make_fifo(l, err) < 0) return -1;
    return sync_pair(l->sync_fds, err);
}

static int spawn(struct launch *l, struct error *err)
{
    /* `run` waits for the init even when it is a grandchild. */
    if (l->run_mode && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        return error_sys(err, "prctl PR_SET_CHILD_SUBREAPER");
    int pidfd = -1;
    struct oom_saved oom;
    if (process_oom_score_adj_push(&l->spec.process, &oom, err) < 0) return -1;
    pid_t pid = ns_clone(l->ns.clone_flags, l->cgroup.v2_fd, &l->into_cgroup, &pidfd, err);
    if (pid == 0) init_main(l);
    process_oom_score_adj_pop(&oom);
    if (pid < 0) return -1;
    l->child_pid = pid;
    l->init_pidfd = pidfd;
    close(l->sync_fds[1]);
    l->sync_fds[1] = -1;
    if (l->fifo_fd >= 0) close(l->fifo_fd);
    l->fifo_fd = -1;
    cgroup_close_fds(&l->cgroup);
    return 0;
}

/* Why the child went away without a word. */
static int child_vanished(struct launch *l, struct error *err)
{
    int status;
    if (waitpid(l->child_pid, &status, 0) == l->child_pid) {
        l->child_pid = 0;
        /* A memory limit below what the init needs: runc fails to set it,
         * nsrun sets it before the init joins, and the kernel kills it. */
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && cgroup_oom_kills(&l->cgroup))
            return error_set(err, 0,
                             "container init was killed by the OOM killer: "
                             "linux.resources.memory.limit is below what it needs");
        if (WIFSIGNALED(status))
            return error_set(err, 0, "container init was killed by signal %d", WTERMSIG(status));
        return error_set(err, 0, "container init exited with status %d", WEXITSTATUS(status));
    }
    return error_set(err, 0, "container init exited unexpectedly");
}

/* prestart and createRuntime run here, in the runtime's namespaces, once the
 * init has its namespaces and mounts; then the init runs createContainer.
 * Their state says "created": in the runtime-spec lifecycle they follow
 * step 2, the environment's creation, which is what "creating" names (as
 * crun and the validation suite have it; runc says "creating"). */
static int run_runtime_hooks(struct launch *l, pid_t init, struct error *err)
{
    _cleanup_free_ char *state = launch_state_text(l, STATUS_CREATED, init);
    if (!state) return error_set(err, ENOMEM, "hooks");
    if (hooks_run(&l->spec, HOOK_PRESTART, state, err) < 0 ||
        hooks_run(&l->spec, HOOK_CREATE_RUNTIME, state, err) < 0) {
        l->hook_failed = true;
        return -1;
    }
    return sync_send_text(l->sync_fds[0], SYNC_HOOKS_DONE, state, err);
}

/* The init runs startContainer hooks after start: it needs the state then. */
static int send_state_for_start(struct launch *l, struct error *err)
{
    if (!l->spec.hooks[HOOK_START_CONTAINER].len) return 0;
    _cleanup_free_ char *state = launch_state_text(l, STATUS_CREATED, l->init_pid);
    if (!state) return error_set(err, ENOMEM, "hooks");
    return sync_send_text(l->sync_fds[0], SYNC_STATE, state, err);
}

/* The pty master goes to the console socket, or stays for run to relay. */
static int take_terminal(struct launch *l, int master, struct error *err)
{
    if (master < 0) return error_set(err, EPROTO, "process.terminal: no pty master came");
    if (l->console_fd < 0) {
        l->terminal = master;
        return 0;
    }
    int rc = fd_send(l->console_fd, master, "/dev/ptmx", err);
    close(master);
    return rc < 0 ? error_wrap(err, "--console-socket") : 0;
}

/* The init's id-mapped mounts, made here, where the sources' mounts are
 * ours to clone: through the mount's own maps, or the container's user
 * namespace (which the init has entered, and sent as init_userns). */
static int send_idmapped(struct launch *l, int init_userns, struct error *err)
{
    if (init_userns < 0)
        return error_set(err, EPROTO, "sync: the init's user namespace did not come");
    for (size_t i = 0; i < l->mounts.n; i++) {
        const struct mount_step *s = &l->mounts.steps[i];
        if (!s->idmap) continue;
        const struct spec_mount *m = &l->spec.mounts[s->spec_index];
        char prefix[32];
        snprintf(prefix, sizeof prefix, "mounts[%d].", s->spec_index);
        _cleanup_close_ int userns = -1;
        if (m->uid_mappings.len) {
            userns = idmap_userns(&m->uid_mappings, &m->gid_mappings, l->rt->rootless, prefix, err);
        } else if ((userns = fcntl(init_userns, F_DUPFD_CLOEXEC, 0)) < 0) {
            error_sys(err, "%sidmap: the container's user namespace", prefix);
        }
        if (userns < 0) return -1;
        _cleanup_close_ int tree = idmap_open_mount(l->bundle_fd, s->source, s->recursive,
                                                    s->idmap_recursive, userns, prefix, err);
        if (tree < 0 || sync_send_fd(l->sync_fds[0], SYNC_IDMAP_MOUNT, tree, err) < 0) return -1;
    }
    return 0;
}

static int wait_ready(struct launch *l, struct error *err)
{
    for (;;) {
        struct sync_msg msg;
        if (sync_recv(l->sync_fds[0], &msg, err) < 0)
            return err->errnum ? -1 : child_vanished(l, err);
        switch (msg.type) {
        case SYNC_USERNS_READY:
            if (userns_write_maps(msg.sender, &l->spec.linux.uid_mappings,
                                  &l->spec.linux.gid_mappings, l->rt->rootless, "linux.",
                                  err) < 0 ||
                sync_send(l->sync_fds[0], SYNC_USERNS_MAPPED, err) < 0)
                return -1;
            break;
        case SYNC_HOOKS:
            if (run_runtime_hooks(l, msg.sender, err) < 0) return -1;
            break;
        case SYNC_TERMINAL:
            if (take_terminal(l, msg.fd, err) < 0) return -1;
            break;
        case SYNC_IDMAP_REQUEST: {
            int rc = send_idmapped(l, msg.fd, err);
            if (msg.fd >= 0) close(msg.fd);
            if (rc < 0) return -1;
            break;
        }
        case SYNC_SECCOMP_LISTENER: {
            struct container_state st = launch_state(l, STATUS_CREATING, msg.sender);
            if (finish_forward_listener(&l->spec.linux.seccomp, &st, &msg, l->sync_fds[0], err) < 0)
                return -1;
            break;
        }
        case SYNC_READY: l->init_pid = msg.sender; return send_state_for_start(l, err);
        case SYNC_ERROR: return error_set(err, msg.errnum, "%s", msg.text);
        default: return error_set(err, EPROTO, "sync: unexpected message %u", msg.type);
        }
    }
}

/* With a forked init, the direct child is a go-between that has exited. */
static int adopt_init(struct launch *l, struct error *err)
{
    if (l->init_pid == l->child_pid) return 0;
    int status;
    waitpid(l->child_pid, &status, 0);
    l->child_pid = 0;
    if (l->init_pidfd >= 0) close(l->init_pidfd);
    l->init_pidfd = (int)pidfd_open_verified(l->init_pid, pid_start_time(l->init_pid), err);
    return l->init_pidfd < 0 ? -1 : 0;
}

int launch_container(struct launch *l, struct error *err)
{
    l->bundle_fd = l->root_fd = l->state_fd = l->fifo_fd = l->init_pidfd = -1;
    l->console_fd = l->terminal = -1;
    l->sync_fds[0] = l->sync_fds[1] = -1;
    if (prepare(l, err) < 0 || spawn(l, err) < 0 || wait_ready(l, err) < 0 ||
        adopt_init(l, err) < 0) {
        launch_abort(l);
        launch_release(l);
        return -1;
    }
    return 0;
}

int launch_record(struct launch *l, struct error *err)
{
    struct container_state st = launch_state(l, STATUS_CREATED, l->init_pid);
    st.start_time = pid_start_time(l->init_pid);
    if (!st.start_time) return error_set(err, 0, "container init exited before it was recorded");
    if (state_write(l->state_fd, &st, err) < 0) return -1;
    if (l->opts->pid_file && launch_write_pid_file(l->opts->pid_file, l->init_pid, err) < 0)
        return -1;
    return 0;
}

int launch_write_pid_file(const char *path, pid_t pid, struct error *err)
{
    char text[32];
    int len = snprintf(text, sizeof text, "%d", pid);
    if (fs_replace_file(path, text, (size_t)len, 0644, err) < 0)
        return error_wrap(err, "pid file %s", path);
    return 0;
}

void launch_abort(struct launch *l)
{
    struct error ignored;
    if (l->init_pidfd >= 0) {
        pidfd_signal(l->init_pidfd, SIGKILL, &ignored);
        pidfd_wait_exit(l->init_pidfd, 5000);
    }
    if (l->child_pid > 0) {
        kill(l->child_pid, SIGKILL);
        waitpid(l->child_pid, NULL, 0);
        l->child_pid = 0;
    }
    if (l->has_cgroup) {
        cgroup_signal_all(&l->cgroup, SIGKILL, &ignored);
        if (cgroup_destroy(&l->cgroup, &ignored) < 0) log_warn("%s", ignored.msg);
    }
    if (l->state_fd >= 0) state_remove_dir(l->root_fd, l->opts->id, &ignored);
    /* A failed create-time hook ends the lifecycle as a deletion would. */
    if (l->hook_failed) {
        _cleanup_free_ char *state = launch_state_text(l, STATUS_STOPPED, 0);
        if (state) hooks_run_warn(&l->spec, HOOK_POSTSTOP, state);
    }
}

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

void launch_release(struct launch *l)
{
    close_fd(&l->bundle_fd);
    close_fd(&l->root_fd);
    close_fd(&l->state_fd);
    close_fd(&l->fifo_fd);
    close_fd(&l->console_fd);
    close_fd(&l->terminal);
    close_fd(&l->init_pidfd);
    close_fd(&l->sync_fds[0]);
    close_fd(&l->sync_fds[1]);
    ns_close_joins(&l->ns);
    cgroup_free(&l->cgroup);
    cgroup_host_free(&l->host);
    mount_plan_free(&l->mounts);
    seccomp_program_free(&l->seccomp);
    spec_free(&l->spec);
    free(l->bundle_path);
    free(l->rootfs_path);
    free(l->config_text);
    free(l->owner);
    l->bundle_path = l->rootfs_path = l->config_text = l->owner = NULL;
    l->has_cgroup = false;
}

int container_create(const struct runtime *rt, const struct create_options *opts, struct error *err)
{
    struct launch l = {.rt = rt, .opts = opts};
    if (launch_container(&l, err) < 0) return -1;
    int rc = launch_record(&l, err);
    if (rc == 0) rc = sync_send(l.sync_fds[0], SYNC_RECORDED, err);
    if (rc < 0) launch_abort(&l);
    launch_release(&l);
    return rc;
}
