/* See resolve.h. The walk keeps a stack of directory descriptors from dirfd
 * down to where it is: ".." pops it (never below dirfd) rather than asking
 * the file system, so neither ".." nor a rename can lead out; each name is
 * opened O_PATH | O_NOFOLLOW, and a symlink's target is spliced into what
 * is left of the path; procfs' magic links (the symlinks below a process'
 * directory) are refused. The last name is opened with the caller's flags
 * and O_NOFOLLOW, and must still be what the walk saw. */
#include "util/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

enum {
    MAX_HOPS = 40,    /* symlinks per lookup, as the kernel's limit */
    MAX_DEPTH = 256,  /* directories below dirfd */
    MAX_RETRIES = 16, /* a last name swapped under the walk */
    PROC_ROOT_INO = 1,
};

struct walk {
    int dirs[MAX_DEPTH + 1]; /* dirs[0] is dirfd itself (not ours to close) */
    int depth;
    dev_t dev; /* dirfd's, for RESOLVE_MODE_BENEATH */
    char rest[PATH_MAX * 2];
    int hops;
};

static int fail(int err)
{
    errno = err;
    return -1;
}

static void unwind(struct walk *w, int depth)
{
    while (w->depth > depth) close(w->dirs[w->depth--]);
}

/* Next name of w->rest into name; false at the end. */
static bool next_name(struct walk *w, char name[NAME_MAX + 1], bool *last, int *err)
{
    char *p = w->rest;
    while (*p == '/') p++;
    size_t len = strcspn(p, "/");
    if (len == 0) return false;
    if (len > NAME_MAX) {
        *err = ENAMETOOLONG;
        return false;
    }
    memcpy(name, p, len);
    name[len] = '\0';
    const char *after = p + len;
    while (*after == '/') after++;
    *last = *after == '\0';
    memmove(w->rest, after, strlen(after) + 1);
    return true;
}

/* A symlink below a process' directory on procfs: /proc/PID/exe, fd/N, ... */
static bool is_magic_link(int dir)
{
    struct statfs fs;
    struct stat st;
    return fstatfs(dir, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC && fstat(dir, &st) == 0 &&
           st.st_ino != PROC_ROOT_INO;
}

/* Puts the link's target in front of what is left. */
static int splice_link(struct walk *w, int link, enum resolve_mode mode)
{
    if (++w->hops > MAX_HOPS) return fail(ELOOP);
    if (is_magic_link(w->dirs[w->depth])) return fail(ELOOP);
    char target[PATH_MAX];
    ssize_t n = readlinkat(link, "", target, sizeof target - 1);
    if (n < 0) return -1;
    target[n] = '\0';
    if (target[0] == '/') {
        if (mode == RESOLVE_MODE_BENEATH) return fail(EXDEV);
        unwind(w, 0);
    }
    size_t tl = (size_t)n, rl = strlen(w->rest);
    if (tl + 1 + rl + 1 > sizeof w->rest) return fail(ENAMETOOLONG);
    memmove(w->rest + tl + 1, w->rest, rl + 1);
    memcpy(w->rest, target, tl);
    w->rest[tl] = rl ? '/' : '\0';
    return 0;
}

/* The last name, opened for real: still the inode the walk saw (seen), or
 * -EAGAIN for the caller to walk again. */
static int open_last(int dir, const char *name, int flags, const struct stat *seen)
{
    int fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ELOOP ? -EAGAIN : -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_dev != seen->st_dev || st.st_ino != seen->st_ino) {
        close(fd);
        return -EAGAIN;
    }
    return fd;
}

/* Where a path ends on a directory of the stack ("", ".", "a/.."). */
static int open_current(const struct walk *w, int flags)
{
    int cur = w->dirs[w->depth];
    if (flags & O_PATH) return fcntl(cur, F_DUPFD_CLOEXEC, 0);
    return openat(cur, ".", flags | O_CLOEXEC);
}

/* One name that is neither "." nor "..": descend, follow, or finish. */
static int step(struct walk *w, const char *name, bool last, int flags, bool slash,
                enum resolve_mode mode, bool *done)
{
    int cur = w->dirs[w->depth];
    int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) < 0)
        err = errno;
    else if (mode == RESOLVE_MODE_BENEATH && st.st_dev != w->dev)
        err = EXDEV;
    /* A trailing slash follows a last symlink even with O_NOFOLLOW. */
    else if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW) && !slash)) {
        if (splice_link(w, fd, mode) < 0) err = errno;
    } else if (!last) {
        if (!S_ISDIR(st.st_mode))
            err = ENOTDIR;
        else if (w->depth == MAX_DEPTH)
            err = ENAMETOOLONG;
        else {
            w->dirs[++w->depth] = fd;
            return 0;
        }
    } else if ((slash || (flags & O_DIRECTORY)) && !S_ISDIR(st.st_mode)) {
        err = ENOTDIR;
    } else {
        *done = true;
        if (flags & O_PATH) return fd;
        close(fd);
        if (S_ISLNK(st.st_mode)) return fail(ELOOP); /* O_NOFOLLOW on a symlink */
        int real = open_last(cur, name, flags, &st);
        return real < 0 ? fail(-real) : real;
    }
    close(fd);
    return err ? fail(err) : 0;
}

static int walk_once(struct walk *w, const char *path, int flags, enum resolve_mode mode)
{
    if (!*path) return fail(ENOENT); /* as openat2 without AT_EMPTY_PATH */
    if (*path == '/' && mode == RESOLVE_MODE_BENEATH) return fail(EXDEV);
    if (strlen(path) >= sizeof w->rest) return fail(ENAMETOOLONG);
    strcpy(w->rest, path);
    bool slash = path[strlen(path) - 1] == '/';
    char name[NAME_MAX + 1];
    bool last = false;
    int err = 0;
    while (next_name(w, name, &last, &err)) {
        if (strcmp(name, "..") == 0) {
            if (w->depth > 0)
                unwind(w, w->depth - 1);
            else if (mode == RESOLVE_MODE_BENEATH)
                return fail(EXDEV);
        } else if (strcmp(name, ".") != 0) {
            bool done = false;
            int fd = step(w, name, last, flags, slash, mode, &done);
            if (fd < 0 || done) return fd;
            continue;
        }
        if (last) return open_current(w, flags);
    }
    return err ? fail(err) : open_current(w, flags);
}

int resolve_open_walk(int dirfd, const char *path, int flags, enum resolve_mode mode)
{
    struct stat st;
    if (fstat(dirfd, &st) < 0) return -1;
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
        struct walk w = {.dirs = {dirfd}, .depth = 0, .dev = st.st_dev};
        int fd = walk_once(&w, path, flags, mode);
        int saved = errno;
        unwind(&w, 0);
        errno = saved;
        if (fd >= 0 || errno != EAGAIN) return fd;
    }
    return fail(EAGAIN);
}

int resolve_open(int dirfd, const char *path, int flags, enum resolve_mode mode)
{
#ifdef NSRUN_NO_OPENAT2
    return resolve_open_walk(dirfd, path, flags, mode);
#else
    static bool no_openat2;
    if (no_openat2) return resolve_open_walk(dirfd, path, flags, mode);
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve = mode == RESOLVE_MODE_IN_ROOT
                       ? RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS
                       : RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    long fd;
    do fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    while (fd < 0 && errno == EAGAIN); /* a rename raced the lookup */
    if (fd < 0 && errno == ENOSYS) {
        no_openat2 = true;
        return resolve_open_walk(dirfd, path, flags, mode);
    }
    return (int)fd;
#endif
}
