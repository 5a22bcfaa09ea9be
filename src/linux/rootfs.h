/* The container's root file system: the rootfs made a mount of its own, the
 * mount plan executed inside it (every destination resolved inside the
 * rootfs), pivot_root (or move + chroot), and the final propagation and
 * read-only state of "/". */
#ifndef NSRUN_LINUX_ROOTFS_H
#define NSRUN_LINUX_ROOTFS_H

#include <stdbool.h>

#include "linux/mount_plan.h"

struct rootfs {
    const char *path;        /* absolute host path of the rootfs */
    const char *bundle_path; /* relative bind sources are relative to the bundle */
    int bundle_fd;           /* opened here: a mount source must be in this namespace */
    int rootfd;              /* the rootfs once it is a mount of its own */
    const int *idmap_fds;    /* detached id-mapped mounts, one per idmap step, in plan order */
    size_t n_idmap_fds, next_idmap;
};

/* Child, in its new mount namespace: "/" made a slave so that nothing
 * propagates back to the host, and the rootfs bound on itself. Paths are
 * opened anew here: a descriptor opened before the clone belongs to the
 * parent's mount namespace, and the kernel refuses it as a mount source. */
int rootfs_prepare(struct rootfs *r, struct error *err);
int rootfs_run_plan(struct rootfs *r, const struct mount_plan *plan, struct error *err);
/* mkdir -p inside the rootfs (the process' cwd, which runc creates). */
int rootfs_mkdir(struct rootfs *r, const char *path, struct error *err);
/* Makes the rootfs "/": pivot_root, or with no_pivot MS_MOVE and chroot
 * (for a rootfs on an initramfs, where pivot_root is not allowed). */
int rootfs_enter(struct rootfs *r, bool no_pivot, struct error *err);
/* After entering: linux.rootfsPropagation and root.readonly on "/". */
int rootfs_finish(unsigned long propagation, bool readonly, struct error *err);
void rootfs_close(struct rootfs *r);

#endif
