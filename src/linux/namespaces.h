/* Namespaces: which the container gets anew at clone, which the init creates
 * itself (unshare) or joins (setns, user first, mount last), and the clone. */
#ifndef NSRUN_LINUX_NAMESPACES_H
#define NSRUN_LINUX_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/spec.h"

/* setns order: the user namespace first, so that the joiner holds
 * capabilities over what that namespace owns; the mount namespace last,
 * since joining it changes what paths mean. */
extern const enum ns_type ns_join_order[NS_COUNT];

struct ns_join {
    enum ns_type type;
    const char *path;
    int fd; /* opened by the parent, checked to be a namespace of `type` */
};

struct ns_plan {
    int clone_flags;                /* CLONE_NEW* given to clone3 */
    int unshare_flags;              /* CLONE_NEW* the child unshares after its joins */
    bool new_user;                  /* the parent writes the id maps */
    bool join_user;                 /* the init enters an existing user namespace */
    bool late_cgroup;               /* CLONE_NEWCGROUP after the child joined its cgroups,
                                       so that the namespace's root is the container's cgroup */
    bool fork_after;                /* joined or unshared pid/time namespaces only apply to
                                       children: the child forks and its child is the init */
    bool has_mount;                 /* the container has a mount namespace of its own */
    bool time_offsets;              /* the init unshares the time namespace and writes
                                       linux.timeOffsets before forking into it */
    struct ns_join joins[NS_COUNT]; /* in setns order */
    size_t n_joins;
};

/* Pure: how the spec's namespaces are made. With nothing to join, every new
 * namespace comes from the one clone; otherwise the child joins first (so
 * that what it creates belongs to the joined user namespace) and unshares. */
void ns_plan_make(const struct spec *spec, struct ns_plan *plan);
/* Parent: opens each namespace to join and checks its type. */
int ns_open_joins(struct ns_plan *plan, struct error *err);
void ns_close_joins(struct ns_plan *plan);
/* Child: setns into the joins in order, then unshare what is created. */
int ns_enter(const struct ns_plan *plan, struct error *err);
/* Child: linux.timeOffsets into the time namespace it unshared. */
int ns_set_time_offsets(const struct ns_plan *plan, const struct spec_linux *linux_spec,
                        int proc_fd, struct error *err);
/* Child: lo up in a network namespace the container made (runc and crun
 * do so; an engine that wants networking joins one it set up itself). */
int ns_loopback_up(const struct ns_plan *plan, struct error *err);
/* Child: the cgroup namespace, once the cgroups are joined. */
int ns_unshare_cgroup(const struct ns_plan *plan, struct error *err);

/* The namespaces of another process, to enter (exec, enter). */
struct ns_target {
    int fds[NS_COUNT]; /* by type; -1 where nothing is to be joined */
    int root_fd;       /* the process' root where it shares our mount namespace (a
                          container without one of its own is confined by chroot), or -1 */
    bool user_joined;  /* ns_join_pid_for_children() entered the user namespace already */
};

/* Opens, through proc_fd (a /proc/PID directory, which pins the process),
 * the namespaces of the types in `types` (bits 1 << type; 0 for all) that
 * differ from the caller's: joining one's own is not needed, and for a user
 * namespace not allowed. */
int ns_open_target(int proc_fd, unsigned types, struct ns_target *t, struct error *err);
/* setns into them in ns_join_order, but pid (it applies to children: the
 * caller does it before its fork); root of a joined user namespace; then
 * the process' root, where the mount namespace is shared. */
int ns_join_target(const struct ns_target *t, struct error *err);
/* Before the fork: the pid namespace, for the children. Rootless, that
 * needs privilege over it, so the caller enters the user namespace first
 * (keeping its ids: files it makes stay its own); the child then only
 * becomes root of it. */
int ns_join_pid_for_children(struct ns_target *t, bool rootless, struct error *err);
void ns_close_target(struct ns_target *t);

/* The inode of a process' namespace of a type and of the user namespace
 * that owns it (for a user namespace, its parent); 0 where unknown. */
struct ns_identity {
    unsigned long inode, owner;
};
int ns_identify(int proc_fd, enum ns_type type, struct ns_identity *id, struct error *err);

/* A process' pid in its own (innermost) pid namespace, from NSpid; 0 if
 * unknown. */
pid_t ns_pid_inside(int proc_fd);

/* Child, in its uts namespace: hostname and domainname (NULL: left alone). */
int ns_set_uts_names(const char *hostname, const char *domainname, struct error *err);

/* clone3() returning in the child like fork(). cgroup_fd >= 0 asks for
 * CLONE_INTO_CGROUP; *into_cgroup says whether the kernel did it (old kernels
 * and some cgroups refuse: the child must then join by writing). *pidfd gets a
 * pidfd of the child. The child is not dumpable from its first instruction
 * (exec makes it so again): no process of a container it enters can reach
 * it through /proc/PID (its descriptors, memory, root) before it execs. */
pid_t ns_clone(int flags, int cgroup_fd, bool *into_cgroup, int *pidfd, struct error *err);

#endif
