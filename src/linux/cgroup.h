/* cgroups on v1, v2 and hybrid hosts: the host's layout, detected once; a
 * container's cgroup in every hierarchy, with its resources applied before
 * the init exists; the init's join; removal. */
#ifndef NSRUN_LINUX_CGROUP_H
#define NSRUN_LINUX_CGROUP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/spec.h"

enum cgroup_mode { CGROUP_V1, CGROUP_HYBRID, CGROUP_V2 };
enum { CGROUP_MAX_HIERARCHIES = 16 };

struct cgroup_hierarchy {
    char *mount;       /* where it is mounted: /sys/fs/cgroup/cpu */
    char *root;        /* the hierarchy path mounted there (mountinfo's root) */
    char *own;         /* this process's cgroup in it (/proc/self/cgroup) */
    char *controllers; /* v1: "cpu,cpuacct" or "name=systemd"; v2: the
                          controllers the root offers, space separated */
    bool v2;
};

struct cgroup_host {
    enum cgroup_mode mode;
    struct cgroup_hierarchy h[CGROUP_MAX_HIERARCHIES];
    size_t n;
};

/* A container's cgroup: its directory in each hierarchy. */
struct cgroup_dir {
    char *path; /* absolute host path */
    bool v2;
    char *name;        /* the hierarchy's directory name under /sys/fs/cgroup */
    char *controllers; /* as in struct cgroup_hierarchy */
    int created;       /* how many trailing levels of path nsrun made (removed on delete) */
};

struct cgroup {
    struct cgroup_dir dirs[CGROUP_MAX_HIERARCHIES];
    size_t n;
    int v2_fd; /* the v2 directory, for CLONE_INTO_CGROUP; -1 without v2 */
    int join_fds[CGROUP_MAX_HIERARCHIES]; /* files the init writes "0" to */
    size_t n_join;
};

int cgroup_host_detect(struct cgroup_host *host, struct error *err);
void cgroup_host_free(struct cgroup_host *host);

/* The container's cgroup (cgroups_path from the spec, "" for the default
 * of <id>; a relative path is below nsrun's own cgroup on v1, below its
 * parent on v2, as runc has it) in each hierarchy, made of nothing yet: each dir's
 * `created` counts the levels cgroup_make will make, so that a record of
 * the plan lets delete remove them even if nsrun dies while making them. */
int cgroup_plan(const struct cgroup_host *host, const char *cgroups_path, const char *id,
                struct cgroup *cg, struct error *err);
/* Makes the planned directories, applies resources (NULL for none) and
 * opens what the init needs to join. On failure nothing is left behind. */
int cgroup_make(const struct cgroup_host *host, const struct spec_resources *resources,
                struct cgroup *cg, struct error *err);
/* Applies resources to an existing container cgroup (update). */
int cgroup_update(struct cgroup *cg, const struct spec_resources *resources, struct error *err);
/* Child: joins every hierarchy the clone did not already put it in. A
 * single-threaded process writing "0" to a v1 "tasks" file moves itself
 * without the threadgroup lock that "cgroup.procs" takes (an RCU grace
 * period each, ~10 ms): see shared/bench/README.md. */
int cgroup_join_self(struct cgroup *cg, bool v2_joined, struct error *err);
void cgroup_close_fds(struct cgroup *cg);
/* Freezes (pause) or thaws (resume) every process of the cgroup, waiting
 * (bounded) until it is done; a freeze that does not complete is undone. */
int cgroup_freeze(const struct cgroup *cg, bool freeze, struct error *err);
bool cgroup_is_frozen(const struct cgroup *cg);
/* The pids in the cgroup and every cgroup below it (malloc'd), from its
 * first directory: every hierarchy holds every process of the container. */
int cgroup_list_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct error *err);
/* Sends sig to every process in the cgroup and below it (SIGKILL through
 * v2's cgroup.kill where there is one). */
int cgroup_signal_all(const struct cgroup *cg, int sig, struct error *err);
/* Does the cgroup, or one below it, still hold processes? */
bool cgroup_has_processes(const struct cgroup *cg);
/* Removes the directories nsrun made, and any cgroup the container made
 * below them, waiting (bounded) for dying processes. */
int cgroup_destroy(struct cgroup *cg, struct error *err);
void cgroup_free(struct cgroup *cg);

/* Statistics in the shape of runc's events ("cpu", "memory", "pids",
 * "blkio", "hugetlb"). */
json_t *cgroup_stats(const struct cgroup *cg);

/* OOM kills in the container's memory cgroup so far (0 without one). */
uint64_t cgroup_oom_kills(const struct cgroup *cg);
/* OOM kills in the container's memory cgroup, as they happen: poll fd for
 * input (v1, an eventfd) or POLLPRI (v2), then ask how many are new. */
struct oom_watch {
    int fd;
    const struct cgroup_dir *dir;
    uint64_t seen;
};
int cgroup_oom_watch(const struct cgroup *cg, struct oom_watch *w, struct error *err);
unsigned cgroup_oom_new(struct oom_watch *w);
void cgroup_oom_close(struct oom_watch *w);

/* Cleans a cgroup path lexically: "/a/../b//c/" → "/b/c", never above "/". */
void cgroup_clean_path(char *path);

#endif
