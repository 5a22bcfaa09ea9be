/* Safe lookups below a directory: openat2(2) with RESOLVE_* flags where the
 * kernel has it, and an equivalent walk, one component at a time, where it
 * does not (kernels before 5.6, or a build with -DNSRUN_NO_OPENAT2, which
 * `make check NO_OPENAT2=1` uses so that both stay tested). */
#ifndef NSRUN_UTIL_RESOLVE_H
#define NSRUN_UTIL_RESOLVE_H

enum resolve_mode {
    /* RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: dirfd is "/" for ".." and
     * for absolute symlinks; for a container's rootfs. */
    RESOLVE_MODE_IN_ROOT,
    /* RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV: nothing may
     * lead above dirfd or off its file system; for a trusted procfs. */
    RESOLVE_MODE_BENEATH,
};

/* A descriptor (O_CLOEXEC always), or -1 with errno (ELOOP for a magic link
 * or too many symlinks, EXDEV for a way out in RESOLVE_MODE_BENEATH). */
int resolve_open(int dirfd, const char *path, int flags, enum resolve_mode mode);
/* The walk alone, whatever the kernel has: for tests. */
int resolve_open_walk(int dirfd, const char *path, int flags, enum resolve_mode mode);

#endif
