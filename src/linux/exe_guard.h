/* nsrun's own binary out of a container's reach (CVE-2019-5736): a process
 * of nsrun that enters a container (the init before its exec, an exec'd
 * process, enter's shell) can be reached through /proc/PID/exe, or run
 * again as "#!/proc/self/exe" from inside; a container process that opens
 * that file for writing must never reach the host's binary. */
#ifndef NSRUN_LINUX_EXE_GUARD_H
#define NSRUN_LINUX_EXE_GUARD_H

#include "util/error.h"

/* Returns 0 when nsrun already runs from a file nobody can write through
 * (a read-only mount, a sealed memfd); otherwise re-executes nsrun with
 * argv from a read-only, detached bind mount of its own binary (no copy;
 * needs CAP_SYS_ADMIN), or else from a sealed memfd copy, and returns only
 * on failure. Rootless, a binary only root can write needs neither. */
int exe_guard(char *const argv[], struct error *err);

#endif
