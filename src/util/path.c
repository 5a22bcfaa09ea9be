/* Resolution inside a root (util/resolve.h: openat2(RESOLVE_IN_ROOT), or its
 * equivalent walk); see path.h. */
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/resolve.h"

enum { MAX_SYMLINK_HOPS = 40 };

static int openat2_in_root(int rootfd, const char *path, int flags)
{
    while (*path == '/') path++;
    if (!*path) path = ".";
    return resolve_open(rootfd, path, flags, RESOLVE_MODE_IN_ROOT);
}

int path_open_in_root(int rootfd, const char *path, int flags, struct error *err)
{
    int fd = openat2_in_root(rootfd, path, flags);
    if (fd < 0) return error_sys(err, "open %s in the container's root", path);
    return fd;
}

int path_is_plain_name(const char *name)
{
    return *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

/* Joins a symlink's target to the directory it was found in (both inside the
 * root) so that the walk can continue on the target. */
static int join_link_target(char *out, size_t size, const char *dir, const char *target)
{
    int n = target[0] == '/' ? snprintf(out, size, "%s", target)
                             : snprintf(out, size, "%s/%s", dir, target);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int mkdir_walk(int rootfd, const char *path, mode_t mode, int hops, struct error *err)
{
    char prefix[PATH_MAX] = "";
    size_t used = 0;
    _cleanup_close_ int cur = openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
    if (cur < 0) return error_sys(err, "open the container's root");

    for (const char *p = path; *p;) {
        while (*p == '/') p++;
        size_t len = strcspn(p, "/");
        if (len == 0) break;
        char name[NAME_MAX + 1];
        if (len > NAME_MAX) return error_set(err, ENAMETOOLONG, "mkdir %s", path);
        memcpy(name, p, len);
        name[len] = '\0';
        const char *rest = p + len;
        p = rest;

        int n = snprintf(prefix + used, sizeof prefix - used, "/%s", name);
        if (n < 0 || (size_t)n >= sizeof prefix - used)
            return error_set(err, ENAMETOOLONG, "mkdir %s", path);
        size_t parent_len = used;
        used += (size_t)n;

        int next = openat2_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
        if (next < 0 && errno == ENOENT) {
            if (mkdirat(cur, name, mode) < 0 && errno != EEXIST)
                return error_sys(err, "mkdir %s", prefix);
            next = openat2_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
        }
        if (next < 0 && errno == ENOENT) {
            /* name exists but leads nowhere: a dangling symlink. */
            char target[PATH_MAX], joined[PATH_MAX * 2];
            ssize_t tl = readlinkat(cur, name, target, sizeof target - 1);
            if (tl < 0) return error_sys(err, "mkdir %s", prefix);
            target[tl] = '\0';
            if (hops >= MAX_SYMLINK_HOPS) return error_set(err, ELOOP, "mkdir %s", path);
            prefix[parent_len] = '\0';
            if (join_link_target(joined, sizeof joined, prefix, target) < 0)
                return error_set(err, ENAMETOOLONG, "mkdir %s", path);
            size_t jl = strlen(joined);
            if (snprintf(joined + jl, sizeof joined - jl, "%s", rest) >= (int)(sizeof joined - jl))
                return error_set(err, ENAMETOOLONG, "mkdir %s", path);
            return mkdir_walk(rootfd, joined, mode, hops + 1, err);
        }
        if (next < 0) return error_sys(err, "open %s in the container's root", prefix);
        close(cur);
        cur = next;
    }
    return TAKE_FD(cur);
}

int path_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct error *err)
{
    int fd = openat2_in_root(rootfd, path, O_PATH | O_DIRECTORY);
    if (fd >= 0) return fd;
    if (errno != ENOENT) return error_sys(err, "open %s in the container's root", path);
    return mkdir_walk(rootfd, path, mode, 0, err);
}

int path_mkparent_in_root(int rootfd, const char *path, char name[PATH_NAME_SIZE],
                          struct error *err)
{
    char parent[PATH_MAX];
    if (snprintf(parent, sizeof parent, "%s", path) >= (int)sizeof parent)
        return error_set(err, ENAMETOOLONG, "%s", path);
    char *slash = strrchr(parent, '/');
    const char *base = slash ? slash + 1 : parent;
    size_t len = strlen(base);
    if (!path_is_plain_name(base)) return error_set(err, EINVAL, "%s: not a file name", path);
    if (len >= PATH_NAME_SIZE) return error_set(err, ENAMETOOLONG, "%s", path);
    memcpy(name, base, len + 1);
    if (slash)
        *slash = '\0';
    else
        parent[0] = '\0';
    return path_mkdir_in_root(rootfd, parent, 0755, err);
}

static int mkfile_walk(int rootfd, const char *path, mode_t mode, int hops, struct error *err)
{
    int fd = openat2_in_root(rootfd, path, O_PATH);
    if (fd >= 0) return fd;
    if (errno != ENOENT) return error_sys(err, "open %s in the container's root", path);

    char name[PATH_NAME_SIZE];
    _cleanup_close_ int dirfd = path_mkparent_in_root(rootfd, path, name, err);
    if (dirfd < 0) return -1;
    _cleanup_close_ int created =
        openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
    if (created < 0 && errno != EEXIST) return error_sys(err, "create %s", path);
    fd = openat2_in_root(rootfd, path, O_PATH);
    if (fd >= 0 || errno != ENOENT) {
        if (fd < 0) return error_sys(err, "open %s in the container's root", path);
        return fd;
    }
    /* name exists but leads nowhere: a dangling symlink, followed inside
     * the root as for directories. */
    char target[PATH_MAX], parent[PATH_MAX], joined[PATH_MAX * 2];
    ssize_t tl = readlinkat(dirfd, name, target, sizeof target - 1);
    if (tl < 0) return error_sys(err, "create %s", path);
    target[tl] = '\0';
    if (hops >= MAX_SYMLINK_HOPS) return error_set(err, ELOOP, "create %s", path);
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash)
        *slash = '\0';
    else
        parent[0] = '\0';
    if (join_link_target(joined, sizeof joined, parent, target) < 0)
        return error_set(err, ENAMETOOLONG, "create %s", path);
    return mkfile_walk(rootfd, joined, mode, hops + 1, err);
}

int path_mkfile_in_root(int rootfd, const char *path, mode_t mode, struct error *err)
{
    return mkfile_walk(rootfd, path, mode, 0, err);
}

struct fd_path path_of_fd(int fd)
{
    struct fd_path p;
    snprintf(p.str, sizeof p.str, "/proc/self/fd/%d", fd);
    return p;
}
