/* The parent/child message channel; see sync.h. */
#include "linux/sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int sync_pair(int fds[2], struct error *err)
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
        return error_sys(err, "socketpair");
    int on = 1;
    if (setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) < 0)
        return error_sys(err, "setsockopt SO_PASSCRED");
    return 0;
}

static int send_msg_fd(int fd, const struct sync_msg *msg, int passed)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = {.iov_base = (void *)msg, .iov_len = sizeof *msg};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (passed >= 0) {
        mh.msg_control = control.buf;
        mh.msg_controllen = sizeof control.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &passed, sizeof passed);
    }
    ssize_t n;
    do n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof *msg ? 0 : -1;
}

static int send_msg(int fd, const struct sync_msg *msg)
{
    return send_msg_fd(fd, msg, -1);
}

int sync_send(int fd, enum sync_type type, struct error *err)
{
    struct sync_msg msg = {.type = type};
    if (send_msg(fd, &msg) < 0) return error_sys(err, "sync: send");
    return 0;
}

int sync_send_fd(int fd, enum sync_type type, int passed, struct error *err)
{
    struct sync_msg msg = {.type = type};
    if (send_msg_fd(fd, &msg, passed) < 0) return error_sys(err, "sync: send");
    return 0;
}

void sync_send_error(int fd, const struct error *err)
{
    struct sync_msg msg = {.type = SYNC_ERROR, .errnum = err->errnum};
    memcpy(msg.text, err->msg, sizeof msg.text);
    (void)send_msg(fd, &msg);
}

int sync_recv(int fd, struct sync_msg *msg, struct error *err)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = {.iov_base = msg, .iov_len = sizeof *msg};
    struct msghdr mh = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof control.buf,
    };
    ssize_t n;
    do n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return error_sys(err, "sync: receive");
    if (n == 0) return error_set(err, 0, "sync: closed");
    if (n != (ssize_t)sizeof *msg) return error_set(err, EPROTO, "sync: short message");
    msg->text[sizeof msg->text - 1] = '\0';
    msg->sender = 0;
    msg->fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            msg->sender = cred.pid;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            memcpy(&msg->fd, CMSG_DATA(c), sizeof msg->fd);
        }
    }
    return 0;
}

int sync_expect(int fd, enum sync_type want, struct sync_msg *msg, struct error *err)
{
    if (sync_recv(fd, msg, err) < 0) return -1;
    if (msg->type == SYNC_ERROR) {
        error_set(err, msg->errnum, "%s", msg->text);
        return -1;
    }
    if (msg->type != want)
        return error_set(err, EPROTO, "sync: expected message %d, got %u", want, msg->type);
    return 0;
}

/* Text messages are a uint32_t type followed by the text, in one packet. */
int sync_send_text(int fd, enum sync_type type, const char *text, struct error *err)
{
    uint32_t t = type;
    struct iovec iov[2] = {{&t, sizeof t}, {(void *)text, strlen(text)}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t n;
    do n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) return error_sys(err, "sync: send");
    return 0;
}

int sync_expect_text(int fd, enum sync_type want, char **text, struct error *err)
{
    *text = NULL;
    ssize_t size;
    do size = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
    while (size < 0 && errno == EINTR);
    if (size < 0) return error_sys(err, "sync: receive");
    if (size == 0) return error_set(err, 0, "sync: closed");
    char *buf = malloc((size_t)size + 1);
    if (!buf) return error_set(err, ENOMEM, "sync: receive");
    ssize_t n;
    do n = recv(fd, buf, (size_t)size, 0);
    while (n < 0 && errno == EINTR);
    uint32_t type = 0;
    if (n >= (ssize_t)sizeof type) memcpy(&type, buf, sizeof type);
    if (n == (ssize_t)sizeof(struct sync_msg) && type == SYNC_ERROR) {
        struct sync_msg msg;
        memcpy(&msg, buf, sizeof msg);
        free(buf);
        msg.text[sizeof msg.text - 1] = '\0';
        return error_set(err, msg.errnum, "%s", msg.text);
    }
    if (n < (ssize_t)sizeof type || type != want) {
        free(buf);
        return error_set(err, EPROTO, "sync: expected message %d, got %u", want, type);
    }
    memmove(buf, buf + sizeof type, (size_t)n - sizeof type);
    buf[(size_t)n - sizeof type] = '\0';
    *text = buf;
    return 0;
}
