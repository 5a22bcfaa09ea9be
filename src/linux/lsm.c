/* Security module labels; see lsm.h. */
#include "linux/lsm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

static bool apparmor_enabled(void)
{
    char c = 0;
    _cleanup_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
    return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

static bool selinux_enabled(void)
{
    return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static bool set(const char *s)
{
    return s && *s;
}

int lsm_check(const struct spec_process *p, const char *mount_label, struct error *err)
{
    if (set(p->apparmor_profile) && !apparmor_enabled())
        return error_set(err, 0, "process.apparmorProfile: AppArmor is not enabled on this host");
    if (set(p->selinux_label) && !selinux_enabled())
        return error_set(err, 0, "process.selinuxLabel: SELinux is not enabled on this host");
    if (set(mount_label) && !selinux_enabled())
        return error_set(err, 0, "linux.mountLabel: SELinux is not enabled on this host");
    return 0;
}

/* Writes an attribute that takes effect at the next exec. */
static int write_attr(const char *path, const char *value, const char *field, struct error *err)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "%s: open %s", field, path);
    ssize_t len = (ssize_t)strlen(value);
    if (write(fd, value, (size_t)len) != len) return error_sys(err, "%s: set \"%s\"", field, value);
    return 0;
}

int lsm_apply(const struct spec_process *p, struct error *err)
{
    if (set(p->apparmor_profile)) {
        char value[512];
        snprintf(value, sizeof value, "exec %s", p->apparmor_profile);
        const char *path = access("/proc/self/attr/apparmor/exec", F_OK) == 0
                               ? "/proc/self/attr/apparmor/exec"
                               : "/proc/self/attr/exec";
        if (write_attr(path, value, "process.apparmorProfile", err) < 0) return -1;
    }
    if (set(p->selinux_label) &&
        write_attr("/proc/self/attr/exec", p->selinux_label, "process.selinuxLabel", err) < 0)
        return -1;
    return 0;
}
