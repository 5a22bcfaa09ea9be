/* Applies process.capabilities; see caps.h. */
#include "linux/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/names.h"
#include "util/log.h"

/* The kernel's highest capability: PR_CAPBSET_READ fails past it. */
static int last_cap(void)
{
    int cap = 0;
    while (cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0) cap++;
    return cap - 1;
}

static bool has(uint64_t set, int cap)
{
    return (set >> cap) & 1;
}

int caps_drop_bounding(const struct spec_capabilities *caps, struct error *err)
{
    int last = last_cap();
    for (int cap = 0; cap <= last; cap++) {
        if (has(caps->bounding, cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return error_sys(err, "drop capability %d from the bounding set", cap);
    }
    return 0;
}

int caps_set(const struct spec_capabilities *caps, struct error *err)
{
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {
        {(uint32_t)caps->effective, (uint32_t)caps->permitted, (uint32_t)caps->inheritable},
        {(uint32_t)(caps->effective >> 32), (uint32_t)(caps->permitted >> 32),
         (uint32_t)(caps->inheritable >> 32)},
    };
    if (syscall(SYS_capset, &header, data) < 0)
        return error_sys(err, "process.capabilities: capset");

    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return error_sys(err, "process.capabilities.ambient: clear");
    int last = last_cap();
    for (int cap = 0; cap <= last; cap++) {
        if (!has(caps->ambient, cap)) continue;
        /* The kernel only raises what is both permitted and inheritable;
         * runc's own default spec lists ambient capabilities that are not
         * inheritable, and runc leaves them out. So does nsrun. */
        if (!has(caps->permitted, cap) || !has(caps->inheritable, cap)) {
            log_debug("ambient %s skipped: not permitted and inheritable", capability_name(cap));
            continue;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return error_sys(err, "process.capabilities.ambient: raise %s", capability_name(cap));
    }
    return 0;
}
