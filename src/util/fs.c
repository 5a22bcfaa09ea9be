/* Whole-file reads and writes and host-side directory creation; see fs.h. */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

int fs_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t fs_read_all(int fd, void *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, (char *)buf + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Reads all of fd, failing past max bytes (0: no bound). */
static int read_whole(int fd, const char *path, size_t max, char **out, size_t *len,
                      struct error *err)
{
    size_t cap = 4096, used = 0;
    _cleanup_free_ char *buf = malloc(cap);
    if (!buf) return error_set(err, ENOMEM, "read %s", path);
    for (;;) {
        if (cap - used < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) return error_set(err, ENOMEM, "read %s", path);
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + used, cap - used - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return error_sys(err, "read %s", path);
        if (n == 0) break;
        used += (size_t)n;
        if (max && used > max)
            return error_set(err, EFBIG, "read %s: more than %zu bytes", path, max);
    }
    buf[used] = '\0';
    if (len) *len = used;
    *out = TAKE_PTR(buf);
    return 0;
}

int fs_read_file_at(int dirfd, const char *path, char **out, size_t *len, struct error *err)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "open %s", path);
    return read_whole(fd, path, 0, out, len, err);
}

int fs_read_regular_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
                       struct error *err)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "open %s", path);
    struct stat st;
    if (fstat(fd, &st) < 0) return error_sys(err, "stat %s", path);
    if (!S_ISREG(st.st_mode)) return error_set(err, EINVAL, "%s: not a regular file", path);
    return read_whole(fd, path, max, out, len, err);
}

int fs_write_file_at(int dirfd, const char *path, const char *data, struct error *err)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "open %s", path);
    size_t len = strlen(data);
    ssize_t n = write(fd, data, len);
    if (n < 0) return error_sys(err, "write %s to %s", data, path);
    if ((size_t)n != len) return error_set(err, EIO, "short write of %s to %s", data, path);
    return 0;
}

int fs_create_temp_at(int dirfd, const char *name, mode_t mode, char tmp[FS_TEMP_NAME_SIZE],
                      struct error *err)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        uint64_t r;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
            return error_sys(err, "create a file beside %s: getrandom", name);
        if (snprintf(tmp, FS_TEMP_NAME_SIZE, ".%s.%016llx.tmp", name, (unsigned long long)r) >=
            FS_TEMP_NAME_SIZE)
            return error_set(err, ENAMETOOLONG, "create a file beside %s", name);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0) return fd;
        if (errno != EEXIST) return error_sys(err, "create %s", tmp);
    }
    return error_set(err, EEXIST, "create a file beside %s", name);
}

int fs_write_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                       struct error *err)
{
    char tmp[FS_TEMP_NAME_SIZE];
    _cleanup_close_ int fd = fs_create_temp_at(dirfd, name, mode, tmp, err);
    if (fd < 0) return -1;
    if (fs_write_all(fd, data, len) < 0) {
        error_sys(err, "write %s", tmp);
        unlinkat(dirfd, tmp, 0);
        return -1;
    }
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        error_sys(err, "rename %s to %s", tmp, name);
        unlinkat(dirfd, tmp, 0);
        return -1;
    }
    return 0;
}

int fs_replace_file(const char *path, const char *data, size_t len, mode_t mode, struct error *err)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return error_set(err, ENAMETOOLONG, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *name = slash ? path + (slash - dir) + 1 : path;
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    _cleanup_close_ int dir_fd = open(slash ? dir : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return error_sys(err, "open the directory of %s", path);
    return fs_write_atomic_at(dir_fd, name, data, len, mode, err);
}

DIR *fs_list_dir(int dir_fd)
{
    int dup = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return NULL;
    DIR *d = fdopendir(dup);
    if (!d) {
        int saved = errno;
        close(dup);
        errno = saved;
        return NULL;
    }
    rewinddir(d); /* a duplicate shares the offset of earlier listings */
    return d;
}

int fs_mkdir_p(const char *path, mode_t mode, struct error *err)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return error_set(err, ENAMETOOLONG, "mkdir %s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST) return error_sys(err, "mkdir %s", buf);
        *p = saved;
        if (saved == '\0') break;
    }
    return 0;
}
