/* The copy behind tmpcopyup; see copyup.h. */
#include "linux/copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"

enum { COPYUP_MAX_DEPTH = 128 };

struct copyup {
    bool from_nodev, to_nodev; /* the mounts' nodev: see copy_node() */
    struct error *err;
};

static int copy_file(struct copyup *c, int from, int to, const char *name, const struct stat *st)
{
    _cleanup_close_ int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (in < 0) return error_sys(c->err, "%s", name);
    struct stat now;
    if (fstat(in, &now) < 0) return error_sys(c->err, "%s", name);
    if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino)
        return error_set(c->err, 0, "%s: changed while it was copied", name);
    _cleanup_close_ int out =
        openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) return error_sys(c->err, "%s", name);
    for (;;) {
        ssize_t n = sendfile(out, in, NULL, 1 << 20);
        if (n == 0) return 0;
        if (n < 0 && errno != EINTR) return error_sys(c->err, "%s: copy", name);
    }
}

static int copy_symlink(struct copyup *c, int from, int to, const char *name)
{
    char target[PATH_MAX];
    ssize_t n = readlinkat(from, name, target, sizeof target - 1);
    if (n < 0) return error_sys(c->err, "%s", name);
    target[n] = '\0';
    if (symlinkat(target, to, name) < 0) return error_sys(c->err, "%s", name);
    return 0;
}

/* A device node that is inert where it is (a nodev mount) must not become
 * usable on the tmpfs. */
static int copy_node(struct copyup *c, int to, const char *name, const struct stat *st)
{
    bool device = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
    if (device && c->from_nodev && !c->to_nodev)
        return error_set(c->err, 0,
                         "%s: a device node from a nodev mount is not copied to a "
                         "tmpfs without nodev",
                         name);
    if (mknodat(to, name, st->st_mode & S_IFMT, device ? st->st_rdev : 0) < 0)
        return error_sys(c->err, "%s", name);
    return 0;
}

static int copy_dir(struct copyup *c, int from, int to, int depth);

static int copy_subdir(struct copyup *c, int from, int to, const char *name, int depth)
{
    if (depth >= COPYUP_MAX_DEPTH)
        return error_set(c->err, ELOOP, "%s: more than %d directories deep", name,
                         COPYUP_MAX_DEPTH);
    if (mkdirat(to, name, 0700) < 0) return error_sys(c->err, "%s", name);
    _cleanup_close_ int sub_from =
        openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int sub_to = openat(to, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_from < 0 || sub_to < 0) return error_sys(c->err, "%s", name);
    if (copy_dir(c, sub_from, sub_to, depth + 1) < 0) return error_wrap(c->err, "%s", name);
    return 0;
}

/* Owner, then mode (a chown clears set-id bits), then times. */
static int copy_metadata(struct copyup *c, int to, const char *name, const struct stat *st)
{
    if (fchownat(to, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return error_sys(c->err, "%s: chown", name);
    if (!S_ISLNK(st->st_mode) && fchmodat(to, name, st->st_mode & 07777, 0) < 0)
        return error_sys(c->err, "%s: chmod", name);
    const struct timespec times[2] = {st->st_atim, st->st_mtim};
    if (utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) < 0)
        return error_sys(c->err, "%s: set times", name);
    return 0;
}

static int copy_entry(struct copyup *c, int from, int to, const char *name, int depth)
{
    struct stat st;
    if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return error_sys(c->err, "%s", name);
    int rc;
    switch (st.st_mode & S_IFMT) {
    case S_IFDIR: rc = copy_subdir(c, from, to, name, depth); break;
    case S_IFREG: rc = copy_file(c, from, to, name, &st); break;
    case S_IFLNK: rc = copy_symlink(c, from, to, name); break;
    default: rc = copy_node(c, to, name, &st); break;
    }
    return rc < 0 ? -1 : copy_metadata(c, to, name, &st);
}

static int copy_dir(struct copyup *c, int from, int to, int depth)
{
    int listing = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing < 0) return error_sys(c->err, "open");
    _cleanup_closedir_ DIR *dir = fdopendir(listing);
    if (!dir) {
        close(listing);
        return error_sys(c->err, "list");
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(dir);
        if (!e) return errno ? error_sys(c->err, "list") : 0;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (copy_entry(c, from, to, e->d_name, depth) < 0) return -1;
    }
}

static bool is_nodev(int fd)
{
    struct statvfs st;
    return fstatvfs(fd, &st) == 0 && (st.f_flag & ST_NODEV);
}

int copyup_tree(int from, int to, struct error *err)
{
    struct copyup c = {.from_nodev = is_nodev(from), .to_nodev = is_nodev(to), .err = err};
    return copy_dir(&c, from, to, 0);
}
