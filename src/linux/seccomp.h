/* seccomp: linux.seccomp compiled to a BPF program by the parent (so a bad
 * profile fails before anything exists), installed by the init as late as
 * it can. */
#ifndef NSRUN_LINUX_SECCOMP_H
#define NSRUN_LINUX_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>

#include "spec/spec.h"

struct seccomp_program {
    struct sock_filter *filter; /* NULL: no filter */
    unsigned short len;
    unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
    bool notify;        /* SCMP_ACT_NOTIFY rules: loaded with a listener */
};

/* What can be wrong in the profile (everything but libseccomp refusing a
 * rule): cheap, for checking a config before anything is made. */
int seccomp_check(const struct spec_seccomp *spec, struct error *err);
/* The program, from the cache in the state root root_fd when it holds this
 * profile (seccomp_cache.h), else compiled and cached; root_fd -1: no cache. */
int seccomp_compile(const struct spec_seccomp *spec, int root_fd, struct seccomp_program *out,
                    struct error *err);
/* Child: loads the program (needs no_new_privs or CAP_SYS_ADMIN). With
 * notify, *listener is the new notification descriptor (else -1), which
 * the runtime must hand to linux.seccomp.listenerPath. */
int seccomp_install(const struct seccomp_program *prog, int *listener, struct error *err);
/* Runtime: sends the listener and the container process state (JSON) to
 * the unix socket at path, as runtime-spec describes. */
int seccomp_send_listener(const char *path, const char *process_state, int listener,
                          struct error *err);
void seccomp_program_free(struct seccomp_program *prog);

/* What this build knows, for `nsrun features`: the i-th name, NULL past
 * the last (architectures: those libseccomp knows too). */
const char *seccomp_action_name(size_t i);
const char *seccomp_operator_name(size_t i);
const char *seccomp_flag_name(size_t i);
const char *seccomp_arch_name(size_t i);

#endif
