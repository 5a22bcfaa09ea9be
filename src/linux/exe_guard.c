/* See exe_guard.h. The detached bind mount costs no copy: open_tree()
 * clones the mount of /proc/self/exe's file, mount_setattr() makes the
 * clone read-only, execveat() runs it. The mount lives as long as a process
 * runs from it, and a write open through it fails with EROFS. */
#include "linux/exe_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"

/* Set across the re-execution: a second one would mean the first did not
 * give what it should, and nsrun must not loop. */
#define GUARD_ENV "_NSRUN_EXE_GUARDED"
#define SEALS     (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static bool is_safe(int exe)
{
    struct statvfs vfs;
    if (fstatvfs(exe, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) return true;
    /* Rootless, a binary of root's that only root may write (the usual
     * install) is out of reach already: no container of an ordinary user
     * can map uid 0 or gain rights over its files. */
    struct stat st;
    if (geteuid() != 0 && fstat(exe, &st) == 0 && st.st_uid == 0 && !(st.st_mode & 022))
        return true;
    int seals = fcntl(exe, F_GET_SEALS);
    return seals >= 0 && (seals & F_SEAL_WRITE);
}

/* -1 where nsrun may not make mounts (rootless): the caller copies. */
static int readonly_bind(void)
{
    _cleanup_close_ int tree =
        open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) return -1;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) return -1;
    return TAKE_FD(tree);
}

static int sealed_copy(int exe, struct error *err)
{
    struct stat st;
    if (fstat(exe, &st) < 0) return error_sys(err, "stat /proc/self/exe");
    _cleanup_close_ int copy = memfd_create("nsrun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (copy < 0) return error_sys(err, "memfd_create");
    for (off_t done = 0; done < st.st_size;) {
        ssize_t n = sendfile(copy, exe, &done, (size_t)(st.st_size - done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return error_sys(err, "copy nsrun's binary");
    }
    if (fcntl(copy, F_ADD_SEALS, SEALS) < 0) return error_sys(err, "seal nsrun's copy");
    return TAKE_FD(copy);
}

int exe_guard(char *const argv[], struct error *err)
{
    _cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe < 0) return error_sys(err, "open /proc/self/exe");
    bool again = getenv(GUARD_ENV) != NULL;
    unsetenv(GUARD_ENV);
    /* execveat() names the process after the descriptor ("3"): ps should
     * still say nsrun. */
    if (again) prctl(PR_SET_NAME, basename(argv[0]), 0, 0, 0);
    if (is_safe(exe)) return 0;
    if (again)
        return error_set(err, 0,
                         "nsrun's binary is still writable after re-executing from a "
                         "protected copy");
    _cleanup_close_ int safe = readonly_bind();
    if (safe < 0 && (safe = sealed_copy(exe, err)) < 0) return -1;
    if (setenv(GUARD_ENV, "1", 1) < 0) return error_sys(err, "setenv");
    execveat(safe, "", argv, environ, AT_EMPTY_PATH);
    int saved = errno;
    unsetenv(GUARD_ENV);
    errno = saved;
    return error_sys(err, "re-execute nsrun from a protected copy of itself");
}
