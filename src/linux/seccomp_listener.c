/* Handing a seccomp notification descriptor to linux.seccomp.listenerPath:
 * one message on a new connection to that unix socket, the container
 * process state (runtime-spec's "containerProcessState") as its payload and
 * the descriptor as SCM_RIGHTS. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "linux/seccomp.h"
#include "util/cleanup.h"

int seccomp_send_listener(const char *path, const char *process_state, int listener,
                          struct error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return error_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath: %s", path);
    strcpy(addr.sun_path, path);
    _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return error_sys(err, "linux.seccomp.listenerPath: socket");
    if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0)
        return error_sys(err, "linux.seccomp.listenerPath: connect to %s", path);

    struct iovec iov = {.iov_base = (void *)process_state, .iov_len = strlen(process_state)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &listener, sizeof(int));
    ssize_t n;
    do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) return error_sys(err, "linux.seccomp.listenerPath: send to %s", path);
    if ((size_t)n != iov.iov_len)
        return error_set(err, EMSGSIZE, "linux.seccomp.listenerPath: %s took part of the state",
                         path);
    return 0;
}
