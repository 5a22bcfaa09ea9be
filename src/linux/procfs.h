/* /proc files a container process writes for itself (oom_score_adj, the
 * LSM's attr/exec, sysctls, timens_offsets) are reached through a procfs
 * opened before the process enters the container's mount namespace or
 * root: the host's /proc, which nothing in the container can reach. The
 * container's own /proc is hostile: a rootfs may fake it and a privileged
 * container process may bind other /proc files over the ones nsrun writes
 * (the class of runc's CVE-2025-52881). */
#ifndef NSRUN_LINUX_PROCFS_H
#define NSRUN_LINUX_PROCFS_H

#include "util/error.h"

/* The caller's /proc, checked to be the root of a procfs. */
int procfs_open_root(struct error *err);
/* path ("self/oom_score_adj", "sys/net/...") beneath proc_fd: no magic link,
 * no mount crossed, and the file found is on procfs. */
int procfs_open(int proc_fd, const char *path, int flags, struct error *err);
/* Writes value to path beneath proc_fd; field names the spec field. */
int procfs_write(int proc_fd, const char *path, const char *value, const char *field,
                 struct error *err);

#endif
