/* The parent/child channel of container creation: a SOCK_SEQPACKET pair on
 * which each message is one struct sync_msg. The child reports every failure
 * as {errno, message}; the parent learns the init's pid from the kernel's
 * credentials on the child's messages, translated into its own pid namespace. */
#ifndef NSRUN_LINUX_SYNC_H
#define NSRUN_LINUX_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

enum sync_type {
    SYNC_USERNS_READY = 1, /* child → parent: write my id maps */
    SYNC_USERNS_MAPPED,    /* parent → child: done */
    SYNC_READY,            /* child → parent: set up, waiting to exec */
    SYNC_ERROR,            /* child → parent: setup failed, see text */
    SYNC_GO,               /* parent → child: exec now (run) */
    SYNC_HOOKS,            /* child → parent: mounts done, run the runtime's hooks */
    SYNC_HOOKS_DONE,       /* parent → child: done; the state for createContainer hooks */
    SYNC_STATE,            /* parent → child: the state for startContainer hooks */
    SYNC_TERMINAL,         /* child → parent: the pty master, attached */
    SYNC_IDMAP_REQUEST,    /* child → parent: make my id-mapped mounts (my userns attached) */
    SYNC_IDMAP_MOUNT,      /* parent → child: one, detached, attached as a descriptor */
    SYNC_SECCOMP_LISTENER, /* child → parent: a seccomp notification descriptor, attached */
    SYNC_SECCOMP_SENT,     /* parent → child: handed to linux.seccomp.listenerPath */
    SYNC_RECORDED,         /* parent → child (create): state.json has the init's pid */
};

struct sync_msg {
    uint32_t type;
    int32_t errnum;
    char text[sizeof(((struct error *)0)->msg)];
    pid_t sender; /* filled on receipt: the sender's pid, as the receiver sees it */
    int fd;       /* filled on receipt: a descriptor sent along, or -1 */
};

/* fds[0] is the parent's end (it receives credentials), fds[1] the child's. */
int sync_pair(int fds[2], struct error *err);
int sync_send(int fd, enum sync_type type, struct error *err);
/* A message with a descriptor attached (SCM_RIGHTS). */
int sync_send_fd(int fd, enum sync_type type, int passed, struct error *err);
/* Sends err as SYNC_ERROR; best effort, for a child that is about to exit. */
void sync_send_error(int fd, const struct error *err);
/* Receives one message; end of file fails with "closed". */
int sync_recv(int fd, struct sync_msg *msg, struct error *err);
/* Receives one message that must be `want`; a SYNC_ERROR becomes err. */
int sync_expect(int fd, enum sync_type want, struct sync_msg *msg, struct error *err);

/* A message carrying text of any length (a container's state). */
int sync_send_text(int fd, enum sync_type type, const char *text, struct error *err);
/* Receives a text message of type `want`; *text is malloc'd. */
int sync_expect_text(int fd, enum sync_type want, char **text, struct error *err);

#endif
