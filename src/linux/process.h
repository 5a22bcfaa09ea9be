/* The container process itself: rlimits, oom_score_adj, user and groups,
 * capabilities, umask, no_new_privs, the executable's lookup inside the
 * container, the environment, and exec. */
#ifndef NSRUN_LINUX_PROCESS_H
#define NSRUN_LINUX_PROCESS_H

#include <limits.h>

#include "spec/spec.h"

int process_set_rlimits(const struct spec_process *p, struct error *err);
/* Writes oom_score_adj through a trusted procfs (linux/procfs.h). */
int process_set_oom_score_adj(int proc_fd, const struct spec_process *p, struct error *err);
/* Bounding set, groups, gid, uid, then the capability sets; umask. */
int process_set_identity(const struct spec_process *p, struct error *err);
int process_set_no_new_privs(const struct spec_process *p, struct error *err);
/* linux.personality (NULL: nothing to do). */
int process_set_personality(const struct spec_personality *p, struct error *err);
/* Finds args[0] as exec would in the container ($PATH from process.env),
 * with the error texts runc gives, which engines map to exit codes:
 * "executable file not found in $PATH", "no such file or directory",
 * "permission denied". */
int process_find_executable(const struct spec_process *p, char out[PATH_MAX], struct error *err);
/* process.env, plus HOME from the container's /etc/passwd when it is not set
 * (as runc does). NULL-terminated; lives until exec. */
char **process_environment(const struct spec_process *p, const char *const *extra,
                           struct error *err);
/* Default dispositions and an empty signal mask, as a new process expects. */
void process_reset_signals(void);
/* Every descriptor from 3 + preserve_fds on is closed at exec. */
int process_close_fds_on_exec(int preserve_fds, struct error *err);
int process_exec(const char *file, const struct spec_process *p, char **env, struct error *err);

#endif
