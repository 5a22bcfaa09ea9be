/* Namespace planning, joining and the clone; see namespaces.h. */
#include "linux/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

const enum ns_type ns_join_order[NS_COUNT] = {NS_USER, NS_IPC,    NS_UTS,  NS_NET,
                                              NS_PID,  NS_CGROUP, NS_TIME, NS_MOUNT};

void ns_plan_make(const struct spec *spec, struct ns_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    int new_flags = 0;
    for (size_t i = 0; i < NS_COUNT; i++) {
        const struct spec_namespace *ns = spec_namespace(spec, ns_join_order[i]);
        if (!ns) continue;
        if (ns->type == NS_MOUNT) plan->has_mount = true;
        if (ns->path) {
            plan->joins[plan->n_joins++] = (struct ns_join){ns->type, ns->path, -1};
            plan->join_user |= ns->type == NS_USER;
            continue;
        }
        if (ns->type == NS_CGROUP) {
            plan->late_cgroup = true;
            continue;
        }
        new_flags |= ns_type_clone_flag(ns->type);
    }
    plan->new_user = (new_flags & CLONE_NEWUSER) != 0;
    /* Offsets can only be written into a time namespace no process is in
     * yet: the init makes it by unshare, writes them, and forks into it.
     * A new pid namespace is unshared too, so that the forked init is its
     * pid 1 (the go-between's exit would end a namespace it was pid 1 of). */
    bool offsets = spec->linux.time_monotonic.has || spec->linux.time_boottime.has;
    if (offsets && (new_flags & CLONE_NEWTIME)) {
        plan->unshare_flags = new_flags & (CLONE_NEWTIME | CLONE_NEWPID);
        new_flags &= ~(CLONE_NEWTIME | CLONE_NEWPID);
        plan->time_offsets = true;
        plan->fork_after = true;
    }
    if (plan->n_joins == 0) {
        plan->clone_flags = new_flags;
        return;
    }
    plan->unshare_flags |= new_flags;
    plan->fork_after |= (new_flags & (CLONE_NEWPID | CLONE_NEWTIME)) != 0;
    for (size_t i = 0; i < plan->n_joins; i++)
        if (plan->joins[i].type == NS_PID || plan->joins[i].type == NS_TIME)
            plan->fork_after = true;
}

int ns_open_joins(struct ns_plan *plan, struct error *err)
{
    for (size_t i = 0; i < plan->n_joins; i++) {
        struct ns_join *j = &plan->joins[i];
        j->fd = open(j->path, O_RDONLY | O_CLOEXEC);
        if (j->fd < 0)
            return error_sys(err, "linux.namespaces: %s namespace %s", ns_type_spec_name(j->type),
                             j->path);
        int type = ioctl(j->fd, NS_GET_NSTYPE);
        if (type < 0) return error_set(err, 0, "linux.namespaces: %s is not a namespace", j->path);
        if (type != ns_type_clone_flag(j->type)) {
            const char *actual = "other";
            for (int t = 0; t < NS_COUNT; t++)
                if (ns_type_clone_flag((enum ns_type)t) == type)
                    actual = ns_type_spec_name((enum ns_type)t);
            return error_set(err, 0, "linux.namespaces: %s is a %s namespace, not a %s namespace",
                             j->path, actual, ns_type_spec_name(j->type));
        }
    }
    return 0;
}

void ns_close_joins(struct ns_plan *plan)
{
    for (size_t i = 0; i < plan->n_joins; i++) {
        if (plan->joins[i].fd >= 0) close(plan->joins[i].fd);
        plan->joins[i].fd = -1;
    }
}

int ns_enter(const struct ns_plan *plan, struct error *err)
{
    for (size_t i = 0; i < plan->n_joins; i++) {
        const struct ns_join *j = &plan->joins[i];
        if (setns(j->fd, ns_type_clone_flag(j->type)) < 0)
            return error_sys(err, "join %s namespace %s", ns_type_spec_name(j->type), j->path);
    }
    if (plan->unshare_flags && unshare(plan->unshare_flags) < 0)
        return error_sys(err, "unshare namespaces");
    return 0;
}

int ns_set_time_offsets(const struct ns_plan *plan, const struct spec_linux *linux_spec,
                        int proc_fd, struct error *err)
{
    if (!plan->time_offsets) return 0;
    char text[128];
    int n = 0;
    const struct spec_time_offset *m = &linux_spec->time_monotonic, *b = &linux_spec->time_boottime;
    if (m->has)
        n += snprintf(text + n, sizeof text - (size_t)n, "monotonic %lld %u\n", (long long)m->secs,
                      m->nanosecs);
    if (b->has)
        n += snprintf(text + n, sizeof text - (size_t)n, "boottime %lld %u\n", (long long)b->secs,
                      b->nanosecs);
    return procfs_write(proc_fd, "self/timens_offsets", text, "linux.timeOffsets", err);
}

int ns_loopback_up(const struct ns_plan *plan, struct error *err)
{
    if (!((plan->clone_flags | plan->unshare_flags) & CLONE_NEWNET)) return 0;
    _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return error_sys(err, "network namespace: socket");
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) return error_sys(err, "network namespace: lo");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) return error_sys(err, "network namespace: lo up");
    return 0;
}

int ns_unshare_cgroup(const struct ns_plan *plan, struct error *err)
{
    if (plan->late_cgroup && unshare(CLONE_NEWCGROUP) < 0)
        return error_sys(err, "unshare cgroup namespace");
    return 0;
}

int ns_set_uts_names(const char *hostname, const char *domainname, struct error *err)
{
    if (hostname && *hostname && sethostname(hostname, strlen(hostname)) < 0)
        return error_sys(err, "hostname: set \"%s\"", hostname);
    if (domainname && *domainname && setdomainname(domainname, strlen(domainname)) < 0)
        return error_sys(err, "domainname: set \"%s\"", domainname);
    return 0;
}

static int open_shared_root(int proc_fd, struct ns_target *t, struct error *err)
{
    t->root_fd = openat(proc_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (t->root_fd < 0) return error_sys(err, "open the root of the container's process");
    return 0;
}

int ns_open_target(int proc_fd, unsigned types, struct ns_target *t, struct error *err)
{
    for (int i = 0; i < NS_COUNT; i++) t->fds[i] = -1;
    t->root_fd = -1;
    t->user_joined = false;
    for (int type = 0; type < NS_COUNT; type++) {
        if (types && !(types & (1u << type))) continue;
        char path[32], self[64];
        snprintf(path, sizeof path, "ns/%s", ns_type_proc_name((enum ns_type)type));
        snprintf(self, sizeof self, "/proc/self/%s", path);
        int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) continue; /* a kernel without this type */
        if (fd < 0) {
            error_sys(err, "open the %s namespace", ns_type_spec_name((enum ns_type)type));
            ns_close_target(t);
            return -1;
        }
        struct stat theirs, ours;
        if (fstat(fd, &theirs) == 0 && stat(self, &ours) == 0 && theirs.st_ino == ours.st_ino &&
            theirs.st_dev == ours.st_dev) {
            close(fd);
            if (type == NS_MOUNT && open_shared_root(proc_fd, t, err) < 0) {
                ns_close_target(t);
                return -1;
            }
            continue;
        }
        t->fds[type] = fd;
    }
    return 0;
}

static int become_root(struct error *err)
{
    /* Files made and checked from here on belong to a mapped id. */
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return error_sys(err, "become root of the joined user namespace");
    return 0;
}

int ns_join_target(const struct ns_target *t, struct error *err)
{
    if (t->user_joined && become_root(err) < 0) return -1;
    for (size_t i = 0; i < NS_COUNT; i++) {
        enum ns_type type = ns_join_order[i];
        if (t->fds[type] < 0 || type == NS_PID) continue;
        if (type == NS_USER && t->user_joined) continue;
        if (setns(t->fds[type], ns_type_clone_flag(type)) < 0)
            return error_sys(err, "join the %s namespace", ns_type_spec_name(type));
        if (type == NS_USER && become_root(err) < 0) return -1;
    }
    if (t->root_fd >= 0 && (fchdir(t->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0))
        return error_sys(err, "enter the container's root");
    return 0;
}

int ns_join_pid_for_children(struct ns_target *t, bool rootless, struct error *err)
{
    if (t->fds[NS_PID] < 0) return 0;
    if (rootless && t->fds[NS_USER] >= 0) {
        if (setns(t->fds[NS_USER], CLONE_NEWUSER) < 0)
            return error_sys(err, "join the user namespace");
        t->user_joined = true;
    }
    if (setns(t->fds[NS_PID], CLONE_NEWPID) < 0) return error_sys(err, "join the pid namespace");
    return 0;
}

void ns_close_target(struct ns_target *t)
{
    for (int i = 0; i < NS_COUNT; i++) {
        if (t->fds[i] >= 0) close(t->fds[i]);
        t->fds[i] = -1;
    }
    if (t->root_fd >= 0) close(t->root_fd);
    t->root_fd = -1;
}

int ns_identify(int proc_fd, enum ns_type type, struct ns_identity *id, struct error *err)
{
    char path[32];
    snprintf(path, sizeof path, "ns/%s", ns_type_proc_name(type));
    *id = (struct ns_identity){0, 0};
    _cleanup_close_ int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return 0;
    if (fd < 0) return error_sys(err, "open %s", path);
    struct stat st;
    if (fstat(fd, &st) < 0) return error_sys(err, "stat %s", path);
    id->inode = (unsigned long)st.st_ino;
    _cleanup_close_ int owner = ioctl(fd, type == NS_USER ? NS_GET_PARENT : NS_GET_USERNS);
    if (owner >= 0 && fstat(owner, &st) == 0) id->owner = (unsigned long)st.st_ino;
    return 0;
}

pid_t ns_pid_inside(int proc_fd)
{
    _cleanup_free_ char *status = NULL;
    struct error ignored;
    if (fs_read_file_at(proc_fd, "status", &status, NULL, &ignored) < 0) return 0;
    char *line = strstr(status, "\nNSpid:");
    if (!line) return 0;
    line += 7;
    char *end = strchr(line, '\n');
    if (end) *end = '\0';
    char *last = strrchr(line, '\t');
    return last ? (pid_t)strtol(last + 1, NULL, 10) : 0;
}

static pid_t clone3_call(uint64_t flags, int cgroup_fd, int *pidfd)
{
    struct clone_args args = {
        .flags = flags | CLONE_PIDFD,
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        .exit_signal = SIGCHLD,
    };
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

/* The dumpable flag belongs to the memory map, which the clone copies: a
 * caller that is not dumpable for the moment has a child that is not
 * dumpable from its first instruction, before it is visible in any
 * namespace of a container. */
static int undumpable_begin(struct error *err)
{
    int was = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (was < 0) return error_sys(err, "prctl PR_GET_DUMPABLE");
    if (was != 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return error_sys(err, "prctl PR_SET_DUMPABLE");
    return was;
}

/* Only 1 can be set again (2, "root only", comes from a setuid exec). */
static void undumpable_end(int was)
{
    if (was == 1) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static pid_t clone_any(int flags, int cgroup_fd, bool *into_cgroup, int *pidfd)
{
    *into_cgroup = cgroup_fd >= 0;
    pid_t pid = clone3_call((uint64_t)flags, cgroup_fd, pidfd);
    if (pid < 0 && cgroup_fd >= 0 && errno != ENOMEM && errno != EAGAIN) {
        /* The cgroup may refuse a process at birth (a threaded or busy
         * cgroup, an older kernel): clone, and let the child join it. */
        *into_cgroup = false;
        pid = clone3_call((uint64_t)flags, -1, pidfd);
    }
    if (pid < 0 && errno == ENOSYS) {
        *into_cgroup = false;
        pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, NULL, NULL, 0);
        if (pid > 0) *pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    }
    return pid;
}

pid_t ns_clone(int flags, int cgroup_fd, bool *into_cgroup, int *pidfd, struct error *err)
{
    *pidfd = -1;
    int was = undumpable_begin(err);
    if (was < 0) return -1;
    pid_t pid = clone_any(flags, cgroup_fd, into_cgroup, pidfd);
    if (pid == 0) return 0;
    int saved = errno;
    undumpable_end(was);
    if (pid < 0) return error_set(err, saved, "clone");
    return pid;
}
