/* A trusted procfs; see procfs.h. */
#include "linux/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/resolve.h"

enum { PROC_ROOT_INO = 1 };

static bool on_procfs(int fd)
{
    struct statfs st;
    return fstatfs(fd, &st) == 0 && st.f_type == PROC_SUPER_MAGIC;
}

int procfs_open_root(struct error *err)
{
    _cleanup_close_ int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "open /proc");
    struct stat st;
    if (!on_procfs(fd) || fstat(fd, &st) < 0 || st.st_ino != PROC_ROOT_INO)
        return error_set(err, 0, "/proc is not the root of a procfs");
    return TAKE_FD(fd);
}

int procfs_open(int proc_fd, const char *path, int flags, struct error *err)
{
    _cleanup_close_ int fd = resolve_open(proc_fd, path, flags, RESOLVE_MODE_BENEATH);
    if (fd < 0) return error_sys(err, "open /proc/%s", path);
    if (!on_procfs(fd)) return error_set(err, 0, "/proc/%s is not on procfs", path);
    return TAKE_FD(fd);
}

int procfs_write(int proc_fd, const char *path, const char *value, const char *field,
                 struct error *err)
{
    _cleanup_close_ int fd = procfs_open(proc_fd, path, O_WRONLY, err);
    if (fd < 0) return error_wrap(err, "%s", field);
    ssize_t len = (ssize_t)strlen(value);
    if (write(fd, value, (size_t)len) != len)
        return error_sys(err, "%s: write \"%s\" to /proc/%s", field, value, path);
    return 0;
}
