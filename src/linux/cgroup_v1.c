/* cgroup v1 resource files. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MEMORY "linux.resources.memory."

/* A usage above the new limit would make the kernel reclaim or kill at
 * once: refused when checkBeforeUpdate asks. */
static int check_usage(const struct cgroup_dir *d, int64_t limit, struct error *err)
{
    char usage[32];
    if (limit < 0 || cgroup_read(d, "memory.usage_in_bytes", usage, sizeof usage, err) < 0)
        return limit < 0 ? 0 : -1;
    if (strtoll(usage, NULL, 10) > limit)
        return error_set(err, 0, MEMORY "limit: %" PRId64 " is below the current usage %s", limit,
                         usage);
    return 0;
}

/* limit and limit+swap must stay ordered (memsw >= limit at every moment):
 * one order works when they grow, the other when they shrink. */
static int write_limit_and_swap(const struct cgroup_dir *d, int64_t limit, int64_t swap,
                                struct error *err)
{
    char l[32], s[32];
    snprintf(l, sizeof l, "%" PRId64, limit);
    snprintf(s, sizeof s, "%" PRId64, swap);
    if (cgroup_write(d, "memory.limit_in_bytes", l, MEMORY "limit", err) == 0 &&
        cgroup_write(d, "memory.memsw.limit_in_bytes", s, MEMORY "swap", err) == 0)
        return 0;
    if (err->errnum != EINVAL && err->errnum != EBUSY) return -1;
    if (cgroup_write(d, "memory.memsw.limit_in_bytes", s, MEMORY "swap", err) < 0) return -1;
    return cgroup_write(d, "memory.limit_in_bytes", l, MEMORY "limit", err);
}

static int write_i64(const struct cgroup_dir *d, const char *file, struct opt_i64 v,
                     const char *field, struct error *err)
{
    if (!v.has || v.v == 0) return 0; /* as runc: 0 means "not set" */
    return cgroup_writef(d, file, field, err, "%" PRId64, v.v);
}

static int write_bool(const struct cgroup_dir *d, const char *file, struct opt_bool v,
                      const char *field, struct error *err)
{
    return v.has ? cgroup_write(d, file, v.v ? "1" : "0", field, err) : 0;
}

/* Kernels since 5.16 keep memory.kmem.limit_in_bytes but ignore writes to
 * it: a limit that reads back otherwise was not applied. */
static int write_kernel_limit(const struct cgroup_dir *d, struct opt_i64 v, struct error *err)
{
    if (write_i64(d, "memory.kmem.limit_in_bytes", v, MEMORY "kernel", err) < 0) return -1;
    char now[32];
    if (!v.has || v.v <= 0) return 0;
    if (cgroup_read(d, "memory.kmem.limit_in_bytes", now, sizeof now, err) < 0) return -1;
    if (strtoll(now, NULL, 10) != v.v)
        return error_set(err, 0,
                         MEMORY "kernel: this kernel ignores kernel memory limits "
                                "(memory.kmem.limit_in_bytes reads back %s)",
                         now);
    return 0;
}

int cgroup_v1_memory(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    const struct spec_memory *m = &r->memory;
    bool limit = m->limit.has && m->limit.v, swap = m->swap.has && m->swap.v;
    if (m->check_before_update.v && limit && check_usage(d, m->limit.v, err) < 0) return -1;
    if (limit && swap) {
        if (write_limit_and_swap(d, m->limit.v, m->swap.v, err) < 0) return -1;
    } else if (write_i64(d, "memory.limit_in_bytes", m->limit, MEMORY "limit", err) < 0 ||
               write_i64(d, "memory.memsw.limit_in_bytes", m->swap, MEMORY "swap", err) < 0) {
        return -1;
    }
    if (write_i64(d, "memory.soft_limit_in_bytes", m->reservation, MEMORY "reservation", err) < 0 ||
        write_kernel_limit(d, m->kernel, err) < 0 ||
        write_i64(d, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, MEMORY "kernelTCP", err) <
            0 ||
        write_bool(d, "memory.oom_control", m->disable_oom_killer, MEMORY "disableOOMKiller", err) <
            0 ||
        write_bool(d, "memory.use_hierarchy", m->use_hierarchy, MEMORY "useHierarchy", err) < 0)
        return -1;
    if (m->swappiness.has && cgroup_writef(d, "memory.swappiness", MEMORY "swappiness", err,
                                           "%" PRIu64, m->swappiness.v) < 0)
        return -1;
    return 0;
}

#define CPU "linux.resources.cpu."

static int write_u64(const struct cgroup_dir *d, const char *file, struct opt_u64 v,
                     const char *field, struct error *err)
{
    if (!v.has || v.v == 0) return 0;
    return cgroup_writef(d, file, field, err, "%" PRIu64, v.v);
}

int cgroup_v1_cpu(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    const struct spec_cpu *c = &r->cpu;
    /* Periods first: the kernel checks quota and runtime against them. */
    if (write_u64(d, "cpu.shares", c->shares, CPU "shares", err) < 0 ||
        write_u64(d, "cpu.cfs_period_us", c->period, CPU "period", err) < 0 ||
        write_i64(d, "cpu.cfs_quota_us", c->quota, CPU "quota", err) < 0 ||
        write_u64(d, "cpu.cfs_burst_us", c->burst, CPU "burst", err) < 0 ||
        write_u64(d, "cpu.rt_period_us", c->realtime_period, CPU "realtimePeriod", err) < 0 ||
        write_i64(d, "cpu.rt_runtime_us", c->realtime_runtime, CPU "realtimeRuntime", err) < 0)
        return -1;
    if (c->idle.has && cgroup_writef(d, "cpu.idle", CPU "idle", err, "%" PRId64, c->idle.v) < 0)
        return -1;
    return 0;
}

#define BLKIO "linux.resources.blockIO."

/* CFQ's blkio.weight is gone from recent kernels; BFQ's takes its place. */
static const char *weight_file(const struct cgroup_dir *d, bool per_device)
{
    if (cgroup_has_file(d, per_device ? "blkio.weight_device" : "blkio.weight"))
        return per_device ? "blkio.weight_device" : "blkio.weight";
    return per_device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
}

static int write_throttles(const struct cgroup_dir *d, const char *file,
                           const struct spec_throttle_list *list, const char *field,
                           struct error *err)
{
    for (size_t i = 0; i < list->len; i++) {
        const struct spec_throttle_device *t = &list->items[i];
        if (cgroup_writef(d, file, field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, t->major,
                          t->minor, t->rate) < 0)
            return -1;
    }
    return 0;
}

int cgroup_v1_blkio(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    const struct spec_block_io *b = &r->block_io;
    if (write_u64(d, weight_file(d, false), b->weight, BLKIO "weight", err) < 0 ||
        write_u64(d, "blkio.leaf_weight", b->leaf_weight, BLKIO "leafWeight", err) < 0)
        return -1;
    for (size_t i = 0; i < b->n_weight_devices; i++) {
        const struct spec_weight_device *w = &b->weight_devices[i];
        if ((w->weight.has && cgroup_writef(d, weight_file(d, true), BLKIO "weightDevice", err,
                                            "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
                                            w->weight.v) < 0) ||
            (w->leaf_weight.has &&
             cgroup_writef(d, "blkio.leaf_weight_device", BLKIO "weightDevice", err,
                           "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
                           w->leaf_weight.v) < 0))
            return -1;
    }
    if (write_throttles(d, "blkio.throttle.read_bps_device", &b->read_bps,
                        BLKIO "throttleReadBpsDevice", err) < 0 ||
        write_throttles(d, "blkio.throttle.write_bps_device", &b->write_bps,
                        BLKIO "throttleWriteBpsDevice", err) < 0 ||
        write_throttles(d, "blkio.throttle.read_iops_device", &b->read_iops,
                        BLKIO "throttleReadIOPSDevice", err) < 0 ||
        write_throttles(d, "blkio.throttle.write_iops_device", &b->write_iops,
                        BLKIO "throttleWriteIOPSDevice", err) < 0)
        return -1;
    return 0;
}

int cgroup_v1_hugetlb(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const struct spec_hugepage_limit *h = &r->hugepage_limits[i];
        char file[64];
        snprintf(file, sizeof file, "hugetlb.%s.limit_in_bytes", h->page_size);
        if (!cgroup_has_file(d, file))
            return error_set(err, 0,
                             "linux.resources.hugepageLimits[%zu].pageSize: no %s pages here", i,
                             h->page_size);
        if (cgroup_writef(d, file, "linux.resources.hugepageLimits", err, "%" PRIu64, h->limit) < 0)
            return -1;
    }
    return 0;
}

int cgroup_v1_net_cls(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    return cgroup_writef(d, "net_cls.classid", "linux.resources.network.classID", err, "%" PRIu64,
                         r->net_class_id.v);
}

int cgroup_v1_net_prio(const struct cgroup_dir *d, const struct spec_resources *r,
                       struct error *err)
{
    for (size_t i = 0; i < r->n_net_priorities; i++)
        if (cgroup_writef(d, "net_prio.ifpriomap", "linux.resources.network.priorities", err,
                          "%s %u", r->net_priorities[i].name, r->net_priorities[i].priority) < 0)
            return -1;
    return 0;
}

static void format_id(char *out, size_t size, int64_t v)
{
    if (v >= 0)
        snprintf(out, size, "%" PRId64, v);
    else
        snprintf(out, size, "*");
}

/* One rule as devices.allow/deny takes it: "c 1:3 rw", or "a" for all. */
static int write_device_rule(const struct cgroup_dir *d, const struct bpf_device_rule *rule,
                             char type, struct error *err)
{
    char text[96], maj[24], min[24], access[4] = "";
    format_id(maj, sizeof maj, rule->major);
    format_id(min, sizeof min, rule->minor);
    if (rule->access & BPF_DEVCG_ACC_READ) strcat(access, "r");
    if (rule->access & BPF_DEVCG_ACC_WRITE) strcat(access, "w");
    if (rule->access & BPF_DEVCG_ACC_MKNOD) strcat(access, "m");
    if (type == 'a')
        snprintf(text, sizeof text, "a");
    else
        snprintf(text, sizeof text, "%c %s:%s %s", type, maj, min, access);
    return cgroup_write(d, rule->allow ? "devices.allow" : "devices.deny", text,
                        "linux.resources.devices", err);
}

int cgroup_v1_devices(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    _cleanup_free_ struct bpf_device_rule *rules = NULL;
    size_t n;
    if (cgroup_device_rules(r, &rules, &n, err) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        const struct bpf_device_rule *rule = &rules[i];
        /* v1 has "a" only for every device and every access: anything
         * narrower is written for char and block devices alike. */
        bool all = rule->major < 0 && rule->minor < 0 &&
                   rule->access == (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
        if (rule->type != 'a' || all) {
            if (write_device_rule(d, rule, rule->type, err) < 0) return -1;
        } else if (write_device_rule(d, rule, 'c', err) < 0 ||
                   write_device_rule(d, rule, 'b', err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int copy_from_parent(const char *dir, const char *file, struct error *err)
{
    char path[PATH_MAX], parent[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (!slash) return 0;
    snprintf(slash, sizeof parent - (size_t)(slash - parent), "/%s", file);
    _cleanup_free_ char *value = NULL;
    if (fs_read_file_at(AT_FDCWD, parent, &value, NULL, err) < 0) return -1;
    if (!value[strspn(value, " \n")]) return 0;
    return fs_write_file_at(AT_FDCWD, path, value, err);
}
int cgroup_v1_cpuset_init(const char *dir, struct error *err)
{
    _cleanup_free_ char *cpus = NULL;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/cpuset.cpus", dir);
    if (fs_read_file_at(AT_FDCWD, path, &cpus, NULL, err) < 0) return -1;
    if (cpus[strspn(cpus, " \n")]) return 0; /* clone_children already filled it */
    if (copy_from_parent(dir, "cpuset.cpus", err) < 0 ||
        copy_from_parent(dir, "cpuset.mems", err) < 0)
        return error_wrap(err, "cpuset of %s", dir);
    return 0;
}
