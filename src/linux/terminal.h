/* Terminals: a pty pair from the container's own devpts, the slave made the
 * process' controlling terminal and /dev/console, the master handed over a
 * unix socket (SCM_RIGHTS) to whoever relays it: a --console-socket
 * listener (conmon, containerd's shim) or nsrun itself. */
#ifndef NSRUN_LINUX_TERMINAL_H
#define NSRUN_LINUX_TERMINAL_H

#include <stdbool.h>

#include "util/error.h"

/* Opens a pty pair on the devpts mounted at <root>/dev/pts (resolved inside
 * root, checked to be devpts). */
int terminal_open_pair(int rootfd, int *master, int *slave, struct error *err);
/* Binds the slave on <root>/dev/console, as runc does: a file (made if
 * missing) of <root>/dev, never reached through a symlink. */
int terminal_bind_console(int rootfd, int slave, struct error *err);
int terminal_set_size(int fd, unsigned rows, unsigned cols, struct error *err);
/* A new session with the slave as its controlling terminal, on 0, 1, 2. */
int terminal_attach(int slave, struct error *err);
/* A new session without a terminal, for a container process given none: it
 * keeps the caller's stdio but not the caller's terminal as its own, so it
 * cannot push input into it (TIOCSTI) or take its foreground. */
int terminal_leave_session(struct error *err);

/* Sends fd over a unix socket with SCM_RIGHTS (one byte or a name along). */
int fd_send(int sock, int fd, const char *name, struct error *err);
/* Receives a descriptor sent with fd_send. */
int fd_recv(int sock, int *fd, struct error *err);
/* Connects to a unix socket (--console-socket, a seccomp listenerPath);
 * `what` names it in errors. */
int unix_connect(const char *path, const char *what, struct error *err);

#endif
