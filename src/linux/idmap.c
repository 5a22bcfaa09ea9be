/* Id-mapped mounts; see idmap.h. */
#include "linux/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/userns.h"
#include "util/cleanup.h"

/* The helper: a new user namespace, then it waits for its pipe to close. */
_Noreturn static void hold_userns(int ready, int hold)
{
    char byte = 0;
    if (unshare(CLONE_NEWUSER) < 0) _exit(1);
    if (write(ready, &byte, 1) != 1) _exit(1);
    (void)!read(hold, &byte, 1); /* returns when the parent closes its end */
    _exit(0);
}

int idmap_userns(const struct spec_id_mappings *uids, const struct spec_id_mappings *gids,
                 bool rootless, const char *prefix, struct error *err)
{
    int ready[2], hold[2];
    if (pipe2(ready, O_CLOEXEC) < 0) return error_sys(err, "%sidmap: pipe", prefix);
    if (pipe2(hold, O_CLOEXEC) < 0) {
        close(ready[0]);
        close(ready[1]);
        return error_sys(err, "%sidmap: pipe", prefix);
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(hold[1]);
        hold_userns(ready[1], hold[0]);
    }
    close(ready[1]);
    close(hold[0]);
    int fd = -1;
    char byte;
    if (pid < 0) {
        error_sys(err, "%sidmap: fork", prefix);
    } else if (read(ready[0], &byte, 1) != 1) {
        error_set(err, 0, "%sidmap: could not make a user namespace", prefix);
    } else if (userns_write_maps(pid, uids, gids, rootless, prefix, err) == 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) error_sys(err, "%sidmap: open %s", prefix, path);
    }
    close(ready[0]);
    close(hold[1]);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    return fd;
}

int idmap_open_mount(int dirfd, const char *source, bool tree, bool recursive, int userns_fd,
                     const char *prefix, struct error *err)
{
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (tree ? AT_RECURSIVE : 0);
    _cleanup_close_ int fd = open_tree(dirfd, source, flags);
    if (fd < 0 && errno != EPERM) return error_sys(err, "%ssource: open %s", prefix, source);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
    unsigned at = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    if (fd >= 0 && mount_setattr(fd, "", at, &attr, sizeof attr) == 0) return TAKE_FD(fd);
    if (errno == EINVAL)
        return error_set(err, EINVAL,
                         "%sidmap: the file system of %s does not support id-mapped mounts "
                         "(or a submount of it does not)",
                         prefix, source);
    /* Cloning the mount or mapping it: both need privilege over it. */
    if (errno == EPERM)
        return error_set(err, EPERM,
                         "%sidmap: id-mapping %s needs privilege over its mount, which this "
                         "user does not have",
                         prefix, source);
    return error_sys(err, "%sidmap: %s", prefix, source);
}
