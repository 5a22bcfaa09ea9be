/* linux.sysctl: namespaced kernel parameters written by the init once it is
 * in its namespaces, through the host's /proc/sys (the container's own /proc
 * does not exist yet, and a rootfs cannot redirect the host's). */
#ifndef NSRUN_LINUX_SYSCTL_H
#define NSRUN_LINUX_SYSCTL_H

#include "spec/spec.h"

int sysctl_apply(const struct spec_key_values *sysctl, struct error *err);

#endif
