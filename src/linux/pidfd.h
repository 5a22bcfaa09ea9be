/* Processes by pidfd: a pid recorded earlier is only trusted once a pidfd is
 * open on it and its start time still matches, so a reused pid is never
 * signalled. */
#ifndef NSRUN_LINUX_PIDFD_H
#define NSRUN_LINUX_PIDFD_H

#include <sys/types.h>

#include "util/error.h"

/* Start time of a live process (/proc/PID/stat field 22); 0 when it is gone
 * or a zombie. */
unsigned long long pid_start_time(pid_t pid);
/* A pidfd on pid if it is still the process that started at start_time;
 * -1 with ESRCH in err when it is not. */
int pidfd_open_verified(pid_t pid, unsigned long long start_time, struct error *err);
int pidfd_signal(int pidfd, int sig, struct error *err);
/* Waits until the process exits: 0, or -1 when timeout_ms passed. */
int pidfd_wait_exit(int pidfd, int timeout_ms);

#endif
