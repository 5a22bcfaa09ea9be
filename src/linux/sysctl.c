/* Writes linux.sysctl; see sysctl.h. Which keys a container may set is
 * decided by the spec layer (spec_validate), from its namespaces. */
#include "linux/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"

static int write_one(int sys_fd, const char *key, const char *value, struct error *err)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", key) >= (int)sizeof path)
        return error_set(err, ENAMETOOLONG, "linux.sysctl.%s", key);
    for (char *p = path; *p; p++)
        if (*p == '.') *p = '/';
    /* Beneath /proc/sys, through no symlink: the key names a file there. */
    struct open_how how = {.flags = O_WRONLY | O_CLOEXEC,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV};
    _cleanup_close_ int fd = (int)syscall(SYS_openat2, sys_fd, path, &how, sizeof how);
    if (fd < 0) return error_sys(err, "linux.sysctl.%s: open /proc/sys/%s", key, path);
    ssize_t len = (ssize_t)strlen(value);
    if (write(fd, value, (size_t)len) != len)
        return error_sys(err, "linux.sysctl.%s: write \"%s\"", key, value);
    return 0;
}

int sysctl_apply(const struct spec_key_values *sysctl, struct error *err)
{
    if (sysctl->len == 0) return 0;
    _cleanup_close_ int sys_fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (sys_fd < 0) return error_sys(err, "linux.sysctl: open /proc/sys");
    struct statfs st;
    if (fstatfs(sys_fd, &st) < 0 || st.f_type != PROC_SUPER_MAGIC)
        return error_set(err, 0, "linux.sysctl: /proc/sys is not procfs");
    for (size_t i = 0; i < sysctl->len; i++)
        if (write_one(sys_fd, sysctl->items[i].key, sysctl->items[i].value, err) < 0) return -1;
    return 0;
}
