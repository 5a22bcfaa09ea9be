/* The container process itself: rlimits, oom_score_adj, user and groups,
 * capabilities, umask, no_new_privs, the executable's lookup inside the
 * container, the environment, and exec. */
#ifndef NSRUN_LINUX_PROCESS_H
#define NSRUN_LINUX_PROCESS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec/spec.h"

int process_set_rlimits(const struct spec_process *p, struct error *err);
/* process.oomScoreAdj reaches a container process by inheritance: the
 * runtime takes the value for itself just before the clone (push) and goes
 * back to its own just after (pop). The child cannot write it itself: in a
 * user namespace a process that is not dumpable does not own its /proc
 * files. */
struct oom_saved {
    bool set;
    char value[16];
};
int process_oom_score_adj_push(const struct spec_process *p, struct oom_saved *saved,
                               struct error *err);
void process_oom_score_adj_pop(const struct oom_saved *saved);
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
/* Closes every descriptor from 3 on but the preserve_fds the caller passed
 * (3, 4, ...) and those in keep (-1 entries are ignored). */
int process_close_fds(int preserve_fds, const int *keep, size_t n_keep, struct error *err);
int process_exec(const char *file, const struct spec_process *p, char **env, struct error *err);

#endif
