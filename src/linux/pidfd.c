/* pidfd helpers; see pidfd.h. */
#include "linux/pidfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

unsigned long long pid_start_time(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    _cleanup_free_ char *text = NULL;
    struct error ignored;
    if (pid <= 0 || fs_read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0) return 0;
    /* "pid (comm) S ..." where comm may hold spaces and parentheses. */
    char *p = strrchr(text, ')');
    if (!p || !p[1]) return 0;
    p += 2;
    if (*p == 'Z' || *p == 'X') return 0;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p) p++;
    }
    return p ? strtoull(p, NULL, 10) : 0;
}

int pidfd_open_verified(pid_t pid, unsigned long long start_time, struct error *err)
{
    if (pid <= 0) return error_set(err, ESRCH, "no process");
    _cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) return error_sys(err, "open process %d", pid);
    /* The pidfd pins this pid to one process; check it is the one we mean. */
    if (pid_start_time(pid) != start_time) return error_set(err, ESRCH, "process %d", pid);
    return TAKE_FD(fd);
}

int pidfd_signal(int pidfd, int sig, struct error *err)
{
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        return error_sys(err, "send signal %d", sig);
    return 0;
}

int pidfd_wait_exit(int pidfd, int timeout_ms)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int rc;
    do rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc > 0 ? 0 : -1;
}
