/* seccomp: linux.seccomp compiled to a BPF program by the parent (so a bad
 * profile fails before anything exists), installed by the init as late as
 * it can. */
#ifndef NSRUN_LINUX_SECCOMP_H
#define NSRUN_LINUX_SECCOMP_H

#include <linux/filter.h>

#include "spec/spec.h"

struct seccomp_program {
    struct sock_filter *filter; /* NULL: no filter */
    unsigned short len;
    unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
};

int seccomp_compile(const struct spec_seccomp *spec, struct seccomp_program *out,
                    struct error *err);
/* Child: loads the program (needs no_new_privs or CAP_SYS_ADMIN). */
int seccomp_install(const struct seccomp_program *prog, struct error *err);
void seccomp_program_free(struct seccomp_program *prog);

#endif
