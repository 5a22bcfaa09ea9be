/* Scope-bound release of memory and file descriptors: a variable declared
 * with one of these is freed or closed on every path out of its block. */
#ifndef NSRUN_UTIL_CLEANUP_H
#define NSRUN_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
    free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno; /* close() must not clobber the errno being reported */
        close(*fd);
        errno = saved;
    }
}

static inline void cleanup_closedirp(DIR **d)
{
    if (*d) {
        int saved = errno;
        closedir(*d);
        errno = saved;
    }
}

#define _cleanup_free_     __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_    __attribute__((cleanup(cleanup_closep)))
#define _cleanup_closedir_ __attribute__((cleanup(cleanup_closedirp)))

/* Hands ownership out of a cleanup variable. */
static inline int take_fd(int *fd)
{
    int v = *fd;
    *fd = -1;
    return v;
}

static inline void *take_ptr(void *p)
{
    void *v = *(void **)p;
    *(void **)p = NULL;
    return v;
}

#define TAKE_FD(fd)  take_fd(&(fd))
#define TAKE_PTR(p)  take_ptr(&(p))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
