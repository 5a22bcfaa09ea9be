/* cgroup v2 resource files, with the conversions from the spec's v1-shaped
 * values that runc and crun apply, and controller delegation. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"

#define MEMORY "linux.resources.memory."
#define CPU    "linux.resources.cpu."
#define BLKIO  "linux.resources.blockIO."

static int not_on_v2(const char *field, struct error *err)
{
    return error_set(err, 0, "%s: not available on cgroup v2", field);
}

static void format_max(char *buf, size_t size, int64_t v)
{
    if (v < 0)
        snprintf(buf, size, "max");
    else
        snprintf(buf, size, "%" PRId64, v);
}

/* The spec's swap is memory+swap (v1's memsw); v2's memory.swap.max is the
 * swap alone. */
static int swap_max(const struct spec_memory *m, char *buf, size_t size, struct error *err)
{
    if (m->swap.v == -1) {
        snprintf(buf, size, "max");
        return 0;
    }
    if (!m->limit.has || m->limit.v <= 0)
        return error_set(err, 0, MEMORY "swap: a swap limit on cgroup v2 needs a memory limit");
    if (m->swap.v < m->limit.v)
        return error_set(err, 0, MEMORY "swap: %" PRId64 " is below the memory limit %" PRId64,
                         m->swap.v, m->limit.v);
    snprintf(buf, size, "%" PRId64, m->swap.v - m->limit.v);
    return 0;
}

int cgroup_v2_memory(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    const struct spec_memory *m = &r->memory;
    char v[32];
    if (m->kernel.has && m->kernel.v) return not_on_v2(MEMORY "kernel", err);
    if (m->kernel_tcp.has && m->kernel_tcp.v) return not_on_v2(MEMORY "kernelTCP", err);
    if (m->swappiness.has) return not_on_v2(MEMORY "swappiness", err);
    if (m->disable_oom_killer.has && m->disable_oom_killer.v)
        return not_on_v2(MEMORY "disableOOMKiller", err);
    if (m->use_hierarchy.has && !m->use_hierarchy.v)
        return error_set(err, 0, MEMORY "useHierarchy: cgroup v2 is always hierarchical");
    if (m->limit.has && m->limit.v) {
        format_max(v, sizeof v, m->limit.v);
        if (m->check_before_update.v && m->limit.v > 0) {
            char usage[32];
            if (cgroup_read(d, "memory.current", usage, sizeof usage, err) < 0) return -1;
            if (strtoll(usage, NULL, 10) > m->limit.v)
                return error_set(err, 0, MEMORY "limit: %s is below the current usage %s", v,
                                 usage);
        }
        if (cgroup_write(d, "memory.max", v, MEMORY "limit", err) < 0) return -1;
    }
    if (m->reservation.has && m->reservation.v) {
        format_max(v, sizeof v, m->reservation.v);
        if (cgroup_write(d, "memory.low", v, MEMORY "reservation", err) < 0) return -1;
    }
    if (m->swap.has && m->swap.v) {
        if (swap_max(m, v, sizeof v, err) < 0 ||
            cgroup_write(d, "memory.swap.max", v, MEMORY "swap", err) < 0)
            return -1;
    }
    return 0;
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
    if ((c->realtime_runtime.has && c->realtime_runtime.v) ||
        (c->realtime_period.has && c->realtime_period.v))
        return not_on_v2(CPU "realtimeRuntime", err);
    if (c->shares.has && c->shares.v &&
        cgroup_writef(d, "cpu.weight", CPU "shares", err, "%" PRIu64,
                      shares_to_weight(c->shares.v)) < 0)
        return -1;
    bool quota = c->quota.has && c->quota.v, period = c->period.has && c->period.v;
    if (quota || period) {
        uint64_t p = period ? c->period.v : 100000;
        char q[32];
        format_max(q, sizeof q, quota ? c->quota.v : -1);
        if (cgroup_writef(d, "cpu.max", CPU "quota", err, "%s %" PRIu64, q, p) < 0) return -1;
    }
    if (c->burst.has &&
        cgroup_writef(d, "cpu.max.burst", CPU "burst", err, "%" PRIu64, c->burst.v) < 0)
        return -1;
    if (c->idle.has && cgroup_writef(d, "cpu.idle", CPU "idle", err, "%" PRId64, c->idle.v) < 0)
        return -1;
    return 0;
}

/* blkio weights [10, 1000] onto io.weight [1, 10000]; BFQ's io.bfq.weight
 * keeps the v1 scale. */
static uint64_t blkio_to_io_weight(uint64_t w)
{
    if (w < 10) w = 10;
    if (w > 1000) w = 1000;
    return 1 + (w - 10) * 9999 / 990;
}

static int write_weight(const struct cgroup_dir *d, const char *device, uint64_t weight,
                        const char *field, struct error *err)
{
    bool bfq = cgroup_has_file(d, "io.bfq.weight");
    uint64_t w = bfq ? weight : blkio_to_io_weight(weight);
    return cgroup_writef(d, bfq ? "io.bfq.weight" : "io.weight", field, err, "%s%s%" PRIu64, device,
                         *device ? " " : "", w);
}

static int write_io_max(const struct cgroup_dir *d, const struct spec_throttle_list *list,
                        const char *key, const char *field, struct error *err)
{
    for (size_t i = 0; i < list->len; i++) {
        const struct spec_throttle_device *t = &list->items[i];
        if (cgroup_writef(d, "io.max", field, err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t->major,
                          t->minor, key, t->rate) < 0)
            return -1;
    }
    return 0;
}

int cgroup_v2_io(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    const struct spec_block_io *b = &r->block_io;
    if (b->leaf_weight.has) return not_on_v2(BLKIO "leafWeight", err);
    if (b->weight.has && b->weight.v && write_weight(d, "", b->weight.v, BLKIO "weight", err) < 0)
        return -1;
    for (size_t i = 0; i < b->n_weight_devices; i++) {
        const struct spec_weight_device *w = &b->weight_devices[i];
        char device[48];
        if (w->leaf_weight.has) return not_on_v2(BLKIO "weightDevice.leafWeight", err);
        snprintf(device, sizeof device, "%" PRId64 ":%" PRId64, w->major, w->minor);
        if (w->weight.has && write_weight(d, device, w->weight.v, BLKIO "weightDevice", err) < 0)
            return -1;
    }
    if (write_io_max(d, &b->read_bps, "rbps", BLKIO "throttleReadBpsDevice", err) < 0 ||
        write_io_max(d, &b->write_bps, "wbps", BLKIO "throttleWriteBpsDevice", err) < 0 ||
        write_io_max(d, &b->read_iops, "riops", BLKIO "throttleReadIOPSDevice", err) < 0 ||
        write_io_max(d, &b->write_iops, "wiops", BLKIO "throttleWriteIOPSDevice", err) < 0)
        return -1;
    return 0;
}

int cgroup_v2_hugetlb(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const struct spec_hugepage_limit *h = &r->hugepage_limits[i];
        char file[64];
        snprintf(file, sizeof file, "hugetlb.%s.max", h->page_size);
        if (!cgroup_has_file(d, file))
            return error_set(err, 0,
                             "linux.resources.hugepageLimits[%zu].pageSize: no %s pages here", i,
                             h->page_size);
        if (cgroup_writef(d, file, "linux.resources.hugepageLimits", err, "%" PRIu64, h->limit) < 0)
            return -1;
    }
    return 0;
}

/* v2 has no devices controller: the rules are a BPF program on the cgroup,
 * replaced (never removed first) when they change. A new cgroup allows
 * every device until told otherwise, as v1's does. */
int cgroup_v2_devices(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    _cleanup_free_ struct bpf_device_rule *rules = NULL;
    _cleanup_free_ struct bpf_insn *insns = NULL;
    size_t n, count;
    if (cgroup_device_rules(r, &rules, &n, err) < 0 ||
        cgroup_bpf_build(rules, n, true, &insns, &count, err) < 0)
        return error_wrap(err, "linux.resources.devices");
    _cleanup_close_ int fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "linux.resources.devices: open %s", d->path);
    if (cgroup_bpf_attach_devices(fd, insns, count, err) < 0)
        return error_wrap(err, "linux.resources.devices");
    return 0;
}

/* unified: any v2 interface file "controller.name", as given; not the
 * cgroup core's own files, which would let a config move or reshape the
 * cgroup, and never a path. */
int cgroup_v2_unified(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    for (size_t i = 0; i < r->unified.len; i++) {
        const char *key = r->unified.items[i].key;
        char field[300];
        snprintf(field, sizeof field, "linux.resources.unified.%s", key);
        const char *dot = strchr(key, '.');
        if (!dot || dot == key || !dot[1] || strchr(key, '/') || key[0] == '.')
            return error_set(err, 0, "%s: not a cgroup v2 file name", field);
        if (strncmp(key, "cgroup.", 7) == 0)
            return error_set(err, 0, "%s: the cgroup core's files are not resources", field);
        if (!cgroup_has_file(d, key))
            return error_set(err, 0,
                             "%s: no such file in the container's cgroup (is its "
                             "controller enabled?)",
                             field);
        if (cgroup_write(d, key, r->unified.items[i].value, field, err) < 0) return -1;
    }
    return 0;
}

/* Enables controllers in one ancestor's subtree_control, unless they are. */
static int enable_below(const char *ancestor, const char *controllers, struct error *err)
{
    struct cgroup_dir d = {.path = (char *)ancestor, .v2 = true};
    char enabled[256] = "", request[128];
    if (cgroup_read(&d, "cgroup.subtree_control", enabled, sizeof enabled, err) == 0 &&
        cgroup_has_controller(enabled, controllers))
        return 0;
    snprintf(request, sizeof request, "+%s", controllers);
    if (cgroup_write(&d, "cgroup.subtree_control", request, "cgroup controllers", err) == 0)
        return 0;
    if (err->errnum != EBUSY) return -1;
    /* v2's "no internal processes": nsrun's own cgroup, say, when the
     * container's is made below it (no linux.cgroupsPath, on a systemd
     * host where nsrun runs in a service). */
    return error_set(err, 0,
                     "cgroup v2: the %s controller cannot be enabled below %s, which has "
                     "processes of its own (give linux.cgroupsPath a place outside it)",
                     controllers, ancestor);
}

/* The root cgroup belongs to the host: what it offers its children is the
 * host's choice (systemd's, or an administrator's), never nsrun's. */
static int check_root_offers(const char *mount, const char *controllers, struct error *err)
{
    struct cgroup_dir root = {.path = (char *)mount, .v2 = true};
    char enabled[256] = "";
    if (cgroup_read(&root, "cgroup.subtree_control", enabled, sizeof enabled, err) < 0) return -1;
    if (cgroup_has_controller(enabled, controllers)) return 0;
    return error_set(err, 0,
                     "the %s controller is not enabled for the host's cgroups (%s/"
                     "cgroup.subtree_control); nsrun does not change the root cgroup",
                     controllers, mount);
}

int cgroup_v2_enable_unified(const char *mount, const struct cgroup_dir *d,
                             const struct spec_resources *r, struct error *err)
{
    for (size_t i = 0; i < r->unified.len; i++) {
        const char *key = r->unified.items[i].key;
        char controller[64];
        size_t len = strcspn(key, ".");
        if (!key[len] || len == 0 || len >= sizeof controller) continue; /* unified says why */
        memcpy(controller, key, len);
        controller[len] = '\0';
        if (!cgroup_has_controller(d->controllers, controller)) continue;
        if (cgroup_v2_enable(mount, d->path, controller, err) < 0)
            return error_wrap(err, "linux.resources.unified.%s", key);
    }
    return 0;
}

int cgroup_v2_enable(const char *mount, const char *dir, const char *controllers, struct error *err)
{
    if (check_root_offers(mount, controllers, err) < 0) return -1;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", dir);
    /* Each ancestor below the root, down to dir's parent. */
    size_t mount_len = strlen(mount);
    for (char *p = strchr(path + mount_len + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        int rc = enable_below(path, controllers, err);
        *p = '/';
        if (rc < 0) return -1;
    }
    return 0;
}
