/* Applies process.capabilities; see caps.h. */
#include "linux/caps.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/names.h"
#include "util/cleanup.h"
#include "util/fs.h"
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

/* "CapBnd:\t000001ffffffffff" and the like; false when the line is absent. */
static bool status_hex(const char *status, const char *key, uint64_t *out)
{
    size_t len = strlen(key);
    for (const char *line = status; line; line = strchr(line, '\n')) {
        if (*line == '\n') line++;
        if (strncmp(line, key, len) != 0 || line[len] != ':') continue;
        char *end;
        *out = strtoull(line + len + 1, &end, 16);
        return end != line + len + 1;
    }
    return false;
}

int caps_read_process(int proc_fd, struct caps_of_process *out, struct error *err)
{
    _cleanup_free_ char *status = NULL;
    if (fs_read_file_at(proc_fd, "status", &status, NULL, err) < 0) return -1;
    uint64_t nnp = 0;
    if (!status_hex(status, "CapBnd", &out->bounding) ||
        !status_hex(status, "CapEff", &out->effective))
        return error_set(err, 0, "status: no capability sets");
    out->no_new_privs = status_hex(status, "NoNewPrivs", &nnp) && nnp;
    return 0;
}

int caps_limit(uint64_t allowed, struct error *err)
{
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) < 0) return error_sys(err, "capget");
    uint64_t permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
    uint64_t effective = data[0].effective | (uint64_t)data[1].effective << 32;
    uint64_t inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
    struct spec_capabilities caps = {
        .bounding = allowed,
        .permitted = permitted & allowed,
        .effective = effective & allowed,
        .inheritable = inheritable & allowed,
    };
    if (caps_drop_bounding(&caps, err) < 0) return -1;
    return caps_set(&caps, err);
}
