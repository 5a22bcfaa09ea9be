/* Pty pairs, controlling terminals and descriptor passing; see terminal.h. */
#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/path.h"

int terminal_open_pair(int rootfd, int *master, int *slave, struct error *err)
{
    /* dev/pts/ptmx itself, not dev/ptmx: the latter is a link the
     * container's rootfs could point anywhere. */
    _cleanup_close_ int m = path_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, err);
    if (m < 0) return error_wrap(err, "process.terminal");
    struct statfs st;
    if (fstatfs(m, &st) < 0 || st.f_type != DEVPTS_SUPER_MAGIC)
        return error_set(err, 0, "process.terminal: /dev/pts/ptmx is not on a devpts file system");
    int unlock = 0;
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0) return error_sys(err, "process.terminal: unlock pty");
    /* The peer by descriptor, not by its /dev/pts/N path. */
    int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) return error_sys(err, "process.terminal: open the pty's slave");
    *master = TAKE_FD(m);
    *slave = s;
    return 0;
}

/* The container's /dev/console as a file of its /dev: neither /dev nor
 * console is followed if a symlink (a bound /dev's console linking to
 * /proc/sys/kernel/core_pattern would get the pty bound there: the class
 * of CVE-2025-52565); made when missing, refused when a link or a
 * directory. */
static int open_console(int rootfd, struct error *err)
{
    _cleanup_close_ int dev = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dev < 0)
        return error_sys(err, "process.terminal: /dev in the container (a directory, not a link)");
    int fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        int made =
            openat(dev, "console", O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (made < 0 && errno != EEXIST)
            return error_sys(err, "process.terminal: create /dev/console");
        if (made >= 0) close(made);
        fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) return error_sys(err, "process.terminal: open /dev/console");
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return error_sys(err, "process.terminal: stat /dev/console");
    }
    if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode)) {
        close(fd);
        return error_set(err, 0, "process.terminal: /dev/console in the container is a %s",
                         S_ISLNK(st.st_mode) ? "symlink" : "directory");
    }
    return fd;
}

int terminal_bind_console(int rootfd, int slave, struct error *err)
{
    _cleanup_close_ int console = open_console(rootfd, err);
    if (console < 0) return -1;
    if (mount(path_of_fd(slave).str, path_of_fd(console).str, NULL, MS_BIND, NULL) < 0)
        return error_sys(err, "process.terminal: bind the pty on /dev/console");
    return 0;
}

int terminal_set_size(int fd, unsigned rows, unsigned cols, struct error *err)
{
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (ioctl(fd, TIOCSWINSZ, &ws) < 0) return error_sys(err, "process.consoleSize: set");
    return 0;
}

int terminal_attach(int slave, struct error *err)
{
    if (setsid() < 0) return error_sys(err, "process.terminal: setsid");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return error_sys(err, "process.terminal: make the pty the controlling terminal");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0) return error_sys(err, "process.terminal: dup2");
    if (slave > 2) close(slave);
    return 0;
}

int terminal_leave_session(struct error *err)
{
    if (setsid() < 0) return error_sys(err, "setsid: leave the caller's session");
    return 0;
}

int fd_send(int sock, int fd, const char *name, struct error *err)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name) ? strlen(name) : 1};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) return error_sys(err, "send a descriptor");
    return 0;
}

int fd_recv(int sock, int *fd, struct error *err)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    char data[256];
    struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf};
    ssize_t n;
    do n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return error_sys(err, "receive a descriptor");
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (n == 0 || !c || c->cmsg_type != SCM_RIGHTS)
        return error_set(err, EPROTO, "receive a descriptor: none came");
    memcpy(fd, CMSG_DATA(c), sizeof *fd);
    return 0;
}

int unix_connect(const char *path, const char *what, struct error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return error_set(err, ENAMETOOLONG, "%s %s", what, path);
    strcpy(addr.sun_path, path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return error_sys(err, "%s: socket", what);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        return error_sys(err, "%s: connect to %s", what, path);
    return TAKE_FD(fd);
}
