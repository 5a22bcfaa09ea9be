/* linux.sysctl: namespaced kernel parameters written by the init once it is
 * in its namespaces, through a procfs opened before it entered them (the
 * container's own /proc does not exist yet, and is hostile when it does). */
#ifndef NSRUN_LINUX_SYSCTL_H
#define NSRUN_LINUX_SYSCTL_H

#include "spec/spec.h"

int sysctl_apply(int proc_fd, const struct spec_key_values *sysctl, struct error *err);

#endif
