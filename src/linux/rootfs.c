/* Executes the mount plan inside the rootfs and enters it; see rootfs.h.
 * Every destination is resolved with util/path.h inside the rootfs and the
 * mount is made on the resolved descriptor (/proc/self/fd/N), so a symlink
 * in a hostile rootfs cannot point a mount outside it. */
#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/copyup.h"
#include "util/cleanup.h"
#include "util/path.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

int rootfs_prepare(struct rootfs *r, struct error *err)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        return error_sys(err, "make / a slave mount");
    if (mount(r->path, r->path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return error_sys(err, "bind the rootfs %s on itself", r->path);
    r->rootfd = open(r->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (r->rootfd < 0) return error_sys(err, "open the rootfs %s", r->path);
    r->bundle_fd = open(r->bundle_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (r->bundle_fd < 0) return error_sys(err, "open the bundle %s", r->bundle_path);
    return 0;
}

void rootfs_close(struct rootfs *r)
{
    if (r->rootfd >= 0) close(r->rootfd);
    if (r->bundle_fd >= 0) close(r->bundle_fd);
    r->rootfd = r->bundle_fd = -1;
}

int rootfs_mkdir(struct rootfs *r, const char *path, struct error *err)
{
    int fd = path_mkdir_in_root(r->rootfd, path, 0755, err);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

/* The per-mount flags a remount must keep: in a user namespace the kernel
 * refuses to clear the ones the mount was locked with. */
static unsigned long mount_flags_of(int fd)
{
    struct statvfs st;
    if (fstatvfs(fd, &st) < 0) return 0;
    static const struct {
        unsigned long st, ms;
    } map[] = {
        {ST_RDONLY, MS_RDONLY},     {ST_NOSUID, MS_NOSUID},
        {ST_NODEV, MS_NODEV},       {ST_NOEXEC, MS_NOEXEC},
        {ST_NOATIME, MS_NOATIME},   {ST_NODIRATIME, MS_NODIRATIME},
        {ST_RELATIME, MS_RELATIME}, {ST_NOSYMFOLLOW, MS_NOSYMFOLLOW},
    };
    unsigned long flags = 0;
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (st.f_flag & map[i].st) flags |= map[i].ms;
    return flags;
}

/* Re-resolves dest: after a mount on it, only a new lookup sees the mount. */
static int reopen(struct rootfs *r, const char *dest, struct error *err)
{
    return path_open_in_root(r->rootfd, dest, O_PATH, err);
}

static int bind_remount(struct rootfs *r, const char *dest, unsigned long flags, struct error *err)
{
    _cleanup_close_ int fd = reopen(r, dest, err);
    if (fd < 0) return -1;
    unsigned long base = MS_BIND | MS_REMOUNT;
    struct fd_path target = path_of_fd(fd);
    if (mount(NULL, target.str, NULL, base | flags, NULL) == 0) return 0;
    /* Locked flags (user namespace): keep what the mount has and retry. */
    if (errno == EPERM &&
        mount(NULL, target.str, NULL, base | mount_flags_of(fd) | flags, NULL) == 0)
        return 0;
    return error_sys(err, "remount %s", dest);
}

/* tmpcopyup: what the directory held before the mount covered it, which
 * the descriptor taken before still reaches. */
static int copy_up(struct rootfs *r, const struct mount_step *s, int below, struct error *err)
{
    _cleanup_close_ int top = reopen(r, s->dest, err);
    if (top < 0) return -1;
    if (copyup_tree(below, top, err) < 0) return error_wrap(err, "tmpcopyup of %s", s->dest);
    return 0;
}

static int do_bind(struct rootfs *r, const struct mount_step *s, struct error *err);

/* Mount attributes on dest and every mount below it. */
static int set_tree_attr(struct rootfs *r, const char *dest, uint64_t set, uint64_t clr,
                         struct error *err)
{
    _cleanup_close_ int fd = reopen(r, dest, err);
    if (fd < 0) return -1;
    struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
    if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
        return error_sys(err, "set recursive mount attributes on %s", dest);
    return 0;
}

/* The per-mount flags a recursive bind asks for, as attributes that reach
 * its submounts too: "rbind,ro" makes no writable mount anywhere below
 * (the host's /sys/fs/cgroup hierarchies, for one: CVE-2023-25809). */
static uint64_t tree_attr_of_flags(unsigned long flags)
{
    static const struct {
        unsigned long ms;
        uint64_t attr;
    } map[] = {
        {MS_RDONLY, MOUNT_ATTR_RDONLY},
        {MS_NOSUID, MOUNT_ATTR_NOSUID},
        {MS_NODEV, MOUNT_ATTR_NODEV},
        {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
        {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
    };
    uint64_t attr = 0;
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (flags & map[i].ms) attr |= map[i].attr;
    return attr;
}

/* A user namespace that does not own the network namespace cannot mount
 * sysfs: the host's /sys is bound instead, with the flags asked for. */
static int bind_host_sys(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    struct mount_step bind = *s;
    bind.kind = STEP_BIND;
    bind.source = "/sys";
    bind.recursive = true;
    return do_bind(r, &bind, err);
}

/* proc and sysfs go on an ordinary directory, as runc has it: an image
 * whose /proc is a symlink would have procfs land elsewhere (on its /etc,
 * say), where the masks and read-only paths planned for /proc are not. The
 * directory (made when missing) is opened without following a last
 * symlink, checked, and mounted on as opened: no second lookup to race. */
static int open_special_mountpoint(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    int fd = path_open_in_root(r->rootfd, s->dest, O_PATH | O_NOFOLLOW, err);
    if (fd < 0 && err->errnum == ENOENT) {
        int made = path_mkdir_in_root(r->rootfd, s->dest, 0755, err);
        if (made < 0) return -1;
        close(made);
        fd = path_open_in_root(r->rootfd, s->dest, O_PATH | O_NOFOLLOW, err);
    }
    if (fd < 0) return -1;
    struct stat st = {0};
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) return fd;
    close(fd);
    return error_set(err, 0, "must be an ordinary directory, not %s",
                     S_ISLNK(st.st_mode) ? "a symlink" : "a file");
}

static int do_mount(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    bool special = strcmp(s->fstype, "proc") == 0 || strcmp(s->fstype, "sysfs") == 0;
    _cleanup_close_ int fd = special ? open_special_mountpoint(r, s, err)
                                     : path_mkdir_in_root(r->rootfd, s->dest, 0755, err);
    if (fd < 0) return error_wrap(err, "mount %s on %s", s->fstype, s->dest);
    if (mount(s->source, path_of_fd(fd).str, s->fstype, s->flags, s->data) < 0) {
        if (errno == EPERM && strcmp(s->fstype, "sysfs") == 0) return bind_host_sys(r, s, err);
        return error_sys(err, "mount %s on %s", s->fstype, s->dest);
    }
    /* fd still names the directory below the new mount: what is copied up. */
    return s->copy_up ? copy_up(r, s, fd, err) : 0;
}

static int open_bind_source(struct rootfs *r, const char *source, struct error *err)
{
    int fd = openat(r->bundle_fd, source, O_PATH | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "bind mount source %s", source);
    return fd;
}

/* The parent made the id-mapped copy of the source: attach it. */
static int attach_idmapped(struct rootfs *r, const struct mount_step *s, int dst, struct error *err)
{
    if (r->next_idmap >= r->n_idmap_fds)
        return error_set(err, EPROTO, "bind %s on %s: no id-mapped mount came", s->source, s->dest);
    int fd = r->idmap_fds[r->next_idmap++];
    if (move_mount(fd, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return error_sys(err, "bind %s on %s (id-mapped)", s->source, s->dest);
    return 0;
}

static int do_bind(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    _cleanup_close_ int src = open_bind_source(r, s->source, err);
    if (src < 0) return -1;
    struct stat st;
    if (fstat(src, &st) < 0) return error_sys(err, "stat %s", s->source);
    _cleanup_close_ int dst = S_ISDIR(st.st_mode)
                                  ? path_mkdir_in_root(r->rootfd, s->dest, 0755, err)
                                  : path_mkfile_in_root(r->rootfd, s->dest, 0644, err);
    if (dst < 0) return error_wrap(err, "bind %s on %s", s->source, s->dest);
    unsigned long flags = MS_BIND | (s->recursive ? MS_REC : 0);
    if (s->idmap) {
        if (attach_idmapped(r, s, dst, err) < 0) return -1;
    } else if (mount(path_of_fd(src).str, path_of_fd(dst).str, NULL, flags, NULL) < 0) {
        return error_sys(err, "bind %s on %s", s->source, s->dest);
    }
    unsigned long extra = s->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
    if (!extra) return 0;
    if (bind_remount(r, s->dest, extra, err) < 0) return -1;
    uint64_t tree = s->recursive ? tree_attr_of_flags(extra) : 0;
    return tree ? set_tree_attr(r, s->dest, tree, 0, err) : 0;
}

static int do_propagate(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    _cleanup_close_ int fd = reopen(r, s->dest, err);
    if (fd < 0) return -1;
    if (mount(NULL, path_of_fd(fd).str, NULL, s->propagation, NULL) < 0)
        return error_sys(err, "set the propagation of %s", s->dest);
    return 0;
}

static int do_remount(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    _cleanup_close_ int fd = reopen(r, s->dest, err);
    if (fd < 0) return -1;
    if (mount(NULL, path_of_fd(fd).str, s->fstype, MS_REMOUNT | s->flags, s->data) < 0)
        return error_sys(err, "remount %s", s->dest);
    return 0;
}

static int do_mknod(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    char name[PATH_NAME_SIZE];
    _cleanup_close_ int dir = path_mkparent_in_root(r->rootfd, s->dest, name, err);
    if (dir < 0) return error_wrap(err, "create device %s", s->dest);
    if (mknodat(dir, name, s->mode, s->dev) < 0) {
        if (errno == EEXIST) return 0; /* the rootfs has its own node: kept, as runc does */
        return error_sys(err, "create device %s", s->dest);
    }
    if (s->uid == 0 && s->gid == 0) return 0;
    if (fchownat(dir, name, s->uid, s->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return error_sys(err, "chown device %s", s->dest);
    return 0;
}

static int do_bind_dev(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    _cleanup_close_ int dst = path_mkfile_in_root(r->rootfd, s->dest, 0644, err);
    if (dst < 0) return error_wrap(err, "bind device %s", s->dest);
    if (mount(s->source, path_of_fd(dst).str, NULL, MS_BIND, NULL) < 0)
        return error_sys(err, "bind device %s", s->dest);
    return 0;
}

static int do_symlink(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    char name[PATH_NAME_SIZE];
    _cleanup_close_ int dir = path_mkparent_in_root(r->rootfd, s->dest, name, err);
    if (dir < 0) return error_wrap(err, "symlink %s", s->dest);
    if (symlinkat(s->target, dir, name) < 0 && !(errno == EEXIST && s->optional))
        return error_sys(err, "symlink %s -> %s", s->dest, s->target);
    return 0;
}

/* The container's /dev/null, checked to be the null device: masking binds
 * it, and a rootfs could have replaced it (runc's CVE-2025-31133). */
static int open_null(struct rootfs *r, struct error *err)
{
    _cleanup_close_ int fd = path_open_in_root(r->rootfd, "/dev/null", O_PATH, err);
    if (fd < 0) return error_wrap(err, "mask paths");
    struct stat st;
    if (fstat(fd, &st) < 0) return error_sys(err, "stat /dev/null");
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
        return error_set(err, 0, "mask paths: /dev/null in the container is not the null device");
    return TAKE_FD(fd);
}

static const struct {
    const char *type;
    long magic;
} fs_magics[] = {
    {"proc", PROC_SUPER_MAGIC},
    {"sysfs", SYSFS_MAGIC},
    {"tmpfs", TMPFS_MAGIC},
    {"devpts", DEVPTS_SUPER_MAGIC},
    {"cgroup2", CGROUP2_SUPER_MAGIC},
    {"cgroup", CGROUP_SUPER_MAGIC},
    {"overlay", OVERLAYFS_SUPER_MAGIC},
};

/* fd must be on the file system the plan mounted above the step's path: a
 * rootfs that swapped a directory for a symlink while nsrun worked (a
 * container sharing it, say) would otherwise have nsrun hide something
 * else and leave the real /proc/kcore in view. */
static int check_within(int fd, const struct mount_step *s, const char *found, struct error *err)
{
    if (!s->within_fstype) return 0;
    for (size_t i = 0; i < ARRAY_LEN(fs_magics); i++) {
        if (strcmp(s->within_fstype, fs_magics[i].type) != 0) continue;
        struct statfs st;
        if (fstatfs(fd, &st) < 0) return error_sys(err, "statfs %s", found);
        if (st.f_type == fs_magics[i].magic) return 0;
        return error_set(err, 0, "%s: %s is not on the %s file system mounted above it",
                         s->kind == STEP_MASK ? "linux.maskedPaths" : "linux.readonlyPaths", found,
                         s->within_fstype);
    }
    return 0;
}

/* Opens a masked or read-only path: 0 with *fd -1 when it is absent, which
 * is no error, but the nearest ancestor that exists must be on the file
 * system it is planned under, like an existing path. */
static int open_hidden_path(struct rootfs *r, const struct mount_step *s, int *fd,
                            struct error *err)
{
    *fd = path_open_in_root(r->rootfd, s->dest, O_PATH, err);
    if (*fd >= 0) return check_within(*fd, s, s->dest, err);
    if (err->errnum != ENOENT) return -1;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", s->dest);
    for (char *slash; (slash = strrchr(dir, '/')) && slash != dir;) {
        *slash = '\0';
        _cleanup_close_ int up = path_open_in_root(r->rootfd, dir, O_PATH, err);
        if (up >= 0) return check_within(up, s, dir, err);
        if (err->errnum != ENOENT) return -1;
    }
    return check_within(r->rootfd, s, "/", err);
}

static int do_mask(struct rootfs *r, const struct mount_step *s, int *null_fd, struct error *err)
{
    _cleanup_close_ int fd = -1;
    if (open_hidden_path(r, s, &fd, err) < 0) return -1;
    if (fd < 0) return 0;
    struct stat st;
    if (fstat(fd, &st) < 0) return error_sys(err, "stat %s", s->dest);
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", path_of_fd(fd).str, "tmpfs", MS_RDONLY, NULL) < 0)
            return error_sys(err, "mask %s", s->dest);
        return 0;
    }
    if (*null_fd < 0 && (*null_fd = open_null(r, err)) < 0) return -1;
    if (mount(path_of_fd(*null_fd).str, path_of_fd(fd).str, NULL, MS_BIND, NULL) < 0)
        return error_sys(err, "mask %s", s->dest);
    return 0;
}

static int do_readonly(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    _cleanup_close_ int fd = -1;
    if (open_hidden_path(r, s, &fd, err) < 0) return -1;
    if (fd < 0) return 0;
    struct fd_path p = path_of_fd(fd);
    if (mount(p.str, p.str, NULL, MS_BIND | MS_REC, NULL) < 0)
        return error_sys(err, "make %s read-only", s->dest);
    /* Every mount below too (a remount would reach the top one only). */
    return set_tree_attr(r, s->dest, MOUNT_ATTR_RDONLY, 0, err);
}

static int do_setattr(struct rootfs *r, const struct mount_step *s, struct error *err)
{
    return set_tree_attr(r, s->dest, s->attr_set, s->attr_clr, err);
}

int rootfs_run_plan(struct rootfs *r, const struct mount_plan *plan, struct error *err)
{
    _cleanup_close_ int null_fd = -1;
    for (size_t i = 0; i < plan->n; i++) {
        const struct mount_step *s = &plan->steps[i];
        int rc = 0;
        switch (s->kind) {
        case STEP_MOUNT: rc = do_mount(r, s, err); break;
        case STEP_BIND: rc = do_bind(r, s, err); break;
        case STEP_PROPAGATE: rc = do_propagate(r, s, err); break;
        case STEP_REMOUNT: rc = do_remount(r, s, err); break;
        case STEP_MKNOD: rc = do_mknod(r, s, err); break;
        case STEP_BIND_DEV: rc = do_bind_dev(r, s, err); break;
        case STEP_SYMLINK: rc = do_symlink(r, s, err); break;
        case STEP_MASK: rc = do_mask(r, s, &null_fd, err); break;
        case STEP_READONLY: rc = do_readonly(r, s, err); break;
        case STEP_SETATTR: rc = do_setattr(r, s, err); break;
        }
        if (rc < 0) return -1;
    }
    return 0;
}

int rootfs_enter(struct rootfs *r, bool no_pivot, struct error *err)
{
    if (fchdir(r->rootfd) < 0) return error_sys(err, "chdir to the rootfs");
    if (no_pivot) {
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) return error_sys(err, "move the rootfs to /");
        if (chroot(".") < 0) return error_sys(err, "chroot to the rootfs");
    } else {
        /* pivot_root(".", ".") stacks the old root on the new one; detaching
         * it leaves the rootfs alone, with no directory needed for it. */
        if (syscall(SYS_pivot_root, ".", ".") < 0) return error_sys(err, "pivot_root");
        if (umount2(".", MNT_DETACH) < 0) return error_sys(err, "detach the old root");
    }
    if (chdir("/") < 0) return error_sys(err, "chdir /");
    rootfs_close(r);
    return 0;
}

int rootfs_finish(unsigned long propagation, bool readonly, struct error *err)
{
    if (propagation && mount(NULL, "/", NULL, propagation, NULL) < 0)
        return error_sys(err, "linux.rootfsPropagation: set on /");
    if (!readonly) return 0;
    _cleanup_close_ int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "open /");
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of(fd), NULL) < 0)
        return error_sys(err, "root.readonly: remount / read-only");
    return 0;
}
