/* Linux security modules: process.apparmorProfile, process.selinuxLabel
 * and linux.mountLabel, applied where the module is enabled, and refused
 * with a clear error where it is not, as runc does. */
#ifndef NSRUN_LINUX_LSM_H
#define NSRUN_LINUX_LSM_H

#include "spec/spec.h"

bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
/* Parent: every label the spec asks for has its module enabled here. */
int lsm_check(const struct spec_process *p, const char *mount_label, struct error *err);
/* Child, before exec: the labels the exec'd program gets, written through
 * a trusted procfs (linux/procfs.h). */
int lsm_apply(int proc_fd, const struct spec_process *p, struct error *err);

#endif
