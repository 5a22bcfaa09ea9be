/* Security module labels; see lsm.h. */
#include "linux/lsm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "linux/procfs.h"
#include "util/cleanup.h"

bool lsm_apparmor_enabled(void)
{
    char c = 0;
    _cleanup_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
    return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

bool lsm_selinux_enabled(void)
{
    return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static bool set(const char *s)
{
    return s && *s;
}

int lsm_check(const struct spec_process *p, const char *mount_label, struct error *err)
{
    if (set(p->apparmor_profile) && !lsm_apparmor_enabled())
        return error_set(err, 0, "process.apparmorProfile: AppArmor is not enabled on this host");
    if (set(p->selinux_label) && !lsm_selinux_enabled())
        return error_set(err, 0, "process.selinuxLabel: SELinux is not enabled on this host");
    if (set(mount_label) && !lsm_selinux_enabled())
        return error_set(err, 0, "linux.mountLabel: SELinux is not enabled on this host");
    return 0;
}

/* The attributes take effect at the next exec. */
int lsm_apply(int proc_fd, const struct spec_process *p, struct error *err)
{
    if (set(p->apparmor_profile)) {
        char value[512];
        snprintf(value, sizeof value, "exec %s", p->apparmor_profile);
        /* The module's own file where the kernel has it (stacked LSMs). */
        _cleanup_close_ int own = procfs_open(proc_fd, "self/attr/apparmor", O_PATH, err);
        const char *path = own >= 0 ? "self/attr/apparmor/exec" : "self/attr/exec";
        if (procfs_write(proc_fd, path, value, "process.apparmorProfile", err) < 0) return -1;
    }
    if (set(p->selinux_label) &&
        procfs_write(proc_fd, "self/attr/exec", p->selinux_label, "process.selinuxLabel", err) < 0)
        return -1;
    return 0;
}
