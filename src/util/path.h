/* Safe path work inside a container's root: every lookup treats the root as
 * "/", so neither ".." nor a symlink (absolute or relative) leads out of it,
 * and /proc magic links are refused. All path work on a rootfs goes through
 * here, because the rootfs is hostile. */
#ifndef NSRUN_UTIL_PATH_H
#define NSRUN_UTIL_PATH_H

#include <sys/types.h>

#include "util/error.h"

/* Opens path (absolute or not, read as relative to the root) under rootfd. */
int path_open_in_root(int rootfd, const char *path, int flags, struct error *err);
/* mkdir -p inside the root; returns an O_PATH descriptor of the directory.
 * A dangling symlink on the way is followed, inside the root, and its target
 * created, as the kernel would if the root were "/". */
int path_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct error *err);
enum { PATH_NAME_SIZE = 256 }; /* NAME_MAX + 1 */
/* Creates path's parent directories inside the root; returns an O_PATH
 * descriptor of the parent and copies the last name into `name`. */
int path_mkparent_in_root(int rootfd, const char *path, char name[PATH_NAME_SIZE],
                          struct error *err);
/* Makes sure path exists as a non-directory (creating an empty file and its
 * parents if needed); returns an O_PATH descriptor of it. */
int path_mkfile_in_root(int rootfd, const char *path, mode_t mode, struct error *err);

/* "/proc/self/fd/N": how mount(2) is pointed at a resolved descriptor. */
struct fd_path {
    char str[32];
};
struct fd_path path_of_fd(int fd);

/* True for ".", "..", an empty string, or one containing '/'. */
int path_is_plain_name(const char *name);

#endif
