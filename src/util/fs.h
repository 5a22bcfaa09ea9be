/* Small file helpers: whole-file reads and writes, atomic replacement,
 * directory creation on the host side (never inside a container's rootfs:
 * that is path.h's job). */
#ifndef NSRUN_UTIL_FS_H
#define NSRUN_UTIL_FS_H

#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Reads the whole of `path` (relative to dirfd) into a NUL-terminated buffer
 * the caller frees. */
int fs_read_file_at(int dirfd, const char *path, char **out, size_t *len, struct error *err);
/* fs_read_file_at() for a file someone else controls (a container's):
 * never waits (a FIFO), must be a regular file, and no larger than max. */
int fs_read_regular_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
                       struct error *err);
/* Writes data to an existing file (cgroup, /proc), in one write() call, since
 * kernel files take a value per write. */
int fs_write_file_at(int dirfd, const char *path, const char *data, struct error *err);
/* A new file beside dirfd/name, ".NAME.<16 random hex digits>.tmp", made by
 * this call (O_EXCL, no symlink followed): nobody else owns it or holds it
 * open, even in a directory others can write (a pid file's). Its name goes
 * to tmp; returns the descriptor, open for writing. */
enum { FS_TEMP_NAME_SIZE = 256 }; /* NAME_MAX + 1 */
int fs_create_temp_at(int dirfd, const char *name, mode_t mode, char tmp[FS_TEMP_NAME_SIZE],
                      struct error *err);
/* Replaces dirfd/name by data: a file of fs_create_temp_at(), fsync-free,
 * renamed over. */
int fs_write_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                       struct error *err);
/* fs_write_atomic_at() for a path (its directory opened first). */
int fs_replace_file(const char *path, const char *data, size_t len, mode_t mode, struct error *err);
/* mkdir -p for host paths. */
int fs_mkdir_p(const char *path, mode_t mode, struct error *err);

/* A listing of the directory dir_fd (which stays open and unmoved: the
 * listing reads a close-on-exec duplicate, closed with it); NULL and errno
 * on failure, with nothing left open. */
DIR *fs_list_dir(int dir_fd);

int fs_write_all(int fd, const void *buf, size_t len);
ssize_t fs_read_all(int fd, void *buf, size_t size);

#endif
