/* Staying with a container's process in the foreground (run, exec): every
 * signal nsrun gets goes to it, a terminal is relayed (raw mode, window
 * size, restored on every way out), and its exit status is nsrun's. */
#ifndef NSRUN_CONTAINER_SUPERVISE_H
#define NSRUN_CONTAINER_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

struct supervision {
    pid_t child;      /* the process whose exit ends it */
    int child_pidfd;  /* signals go through it */
    int sig_fd;       /* from supervise_signals() */
    int master;       /* pty master to relay, or -1 */
    bool relay_stdin; /* copy nsrun's stdin to the master */
};

/* Blocks every signal (saving the old mask) and returns a signalfd for
 * them; done before the child exists so that nothing is missed. */
int supervise_signals(sigset_t *old, struct error *err);
/* Until the child exits; returns its exit code (128+N for a signal). */
int supervise(const struct supervision *s);

#endif
