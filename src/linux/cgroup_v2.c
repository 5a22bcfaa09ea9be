/* cgroup v2 resource files and controller delegation. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/log.h"

int cgroup_v2_memory(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    char v[32] = "max";
    if (r->memory.limit.v >= 0) snprintf(v, sizeof v, "%" PRId64, r->memory.limit.v);
    return cgroup_write(d, "memory.max", v, "linux.resources.memory.limit", err);
}

int cgroup_v2_pids(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    char v[32] = "max";
    if (r->pids_limit == 0) return 0;
    if (r->pids_limit > 0) snprintf(v, sizeof v, "%" PRId64, r->pids_limit);
    return cgroup_write(d, "pids.max", v, "linux.resources.pids.limit", err);
}

/* v1 shares [2, 262144] onto v2 weight [1, 10000], as runc and crun map them. */
static uint64_t shares_to_weight(uint64_t shares)
{
    if (shares < 2) shares = 2;
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

int cgroup_v2_cpu(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    const struct spec_cpu *c = &r->cpu;
    char v[64];
    if (c->shares.has && c->shares.v) {
        snprintf(v, sizeof v, "%" PRIu64, shares_to_weight(c->shares.v));
        if (cgroup_write(d, "cpu.weight", v, "linux.resources.cpu.shares", err) < 0) return -1;
    }
    bool quota = c->quota.has && c->quota.v, period = c->period.has && c->period.v;
    if (!quota && !period) return 0;
    uint64_t p = period ? c->period.v : 100000;
    if (quota && c->quota.v > 0)
        snprintf(v, sizeof v, "%" PRId64 " %" PRIu64, c->quota.v, p);
    else
        snprintf(v, sizeof v, "max %" PRIu64, p);
    return cgroup_write(d, "cpu.max", v, "linux.resources.cpu.quota", err);
}

int cgroup_v2_devices(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    (void)d;
    (void)r;
    return error_set(err, 0,
                     "linux.resources.devices: device rules on cgroup v2 (a BPF program) are not "
                     "supported by this version of nsrun");
}

int cgroup_v2_enable(const char *mount, const char *dir, const char *controllers, struct error *err)
{
    char path[PATH_MAX], request[128];
    size_t mount_len = strlen(mount);
    snprintf(request, sizeof request, "+%s", controllers);
    snprintf(path, sizeof path, "%s", dir);
    /* Each ancestor from the mount down to dir's parent. */
    for (char *p = path + mount_len;; p = strchr(p + 1, '/')) {
        if (!p) break;
        char saved = *p;
        *p = '\0';
        char file[PATH_MAX + 32];
        snprintf(file, sizeof file, "%s/cgroup.subtree_control", path);
        *p = saved;
        FILE *f = fopen(file, "we");
        if (!f) return error_sys(err, "open %s", file);
        int rc = fputs(request, f) < 0 ? -1 : 0;
        if (fclose(f) != 0) rc = -1;
        if (rc < 0 && errno != EBUSY) return error_sys(err, "enable %s in %s", controllers, file);
        if (rc < 0) log_debug("enable %s in %s: busy (processes in it)", controllers, file);
    }
    return 0;
}
