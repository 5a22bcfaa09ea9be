/* linux.resources onto a container's cgroup: which controller each
 * resource needs, which hierarchy holds it on this host (v1 first, then the
 * v2 one), and the writers that are the same on v1 and v2. A resource
 * whose controller the host lacks is an error naming it, never dropped. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"

struct resource_kind {
    const char *v1, *v2; /* the controller's name in each; NULL: none there */
    const char *field;
    bool (*wanted)(const struct spec_resources *r);
    cgroup_writer write_v1, write_v2;
};

static bool wants_memory(const struct spec_resources *r)
{
    const struct spec_memory *m = &r->memory;
    return r->has_memory && (m->limit.has || m->reservation.has || m->swap.has || m->kernel.has ||
                             m->kernel_tcp.has || m->swappiness.has || m->disable_oom_killer.has ||
                             m->use_hierarchy.has);
}

static bool wants_pids(const struct spec_resources *r)
{
    return r->has_pids;
}

static bool wants_cpu(const struct spec_resources *r)
{
    const struct spec_cpu *c = &r->cpu;
    return r->has_cpu && (c->shares.has || c->quota.has || c->period.has || c->burst.has ||
                          c->realtime_runtime.has || c->realtime_period.has || c->idle.has);
}

static bool wants_cpuset(const struct spec_resources *r)
{
    return r->has_cpu && ((r->cpu.cpus && *r->cpu.cpus) || (r->cpu.mems && *r->cpu.mems));
}

static bool wants_blkio(const struct spec_resources *r)
{
    const struct spec_block_io *b = &r->block_io;
    return r->has_block_io &&
           (b->weight.has || b->leaf_weight.has || b->n_weight_devices || b->read_bps.len ||
            b->write_bps.len || b->read_iops.len || b->write_iops.len);
}

static bool wants_hugetlb(const struct spec_resources *r)
{
    return r->n_hugepage_limits > 0;
}

static bool wants_net_cls(const struct spec_resources *r)
{
    return r->has_network && r->net_class_id.has;
}

static bool wants_net_prio(const struct spec_resources *r)
{
    return r->has_network && r->n_net_priorities > 0;
}

static bool wants_rdma(const struct spec_resources *r)
{
    return r->n_rdma > 0;
}

static bool wants_devices(const struct spec_resources *r)
{
    return r->n_devices > 0;
}

static bool wants_unified(const struct spec_resources *r)
{
    return r->unified.len > 0;
}

/* Devices and unified come last: unified may refine what the others set. */
static const struct resource_kind kinds[] = {
    {"memory", "memory", "linux.resources.memory", wants_memory, cgroup_v1_memory,
     cgroup_v2_memory},
    {"pids", "pids", "linux.resources.pids", wants_pids, cgroup_write_pids, cgroup_write_pids},
    {"cpu", "cpu", "linux.resources.cpu", wants_cpu, cgroup_v1_cpu, cgroup_v2_cpu},
    {"cpuset", "cpuset", "linux.resources.cpu", wants_cpuset, cgroup_write_cpuset,
     cgroup_write_cpuset},
    {"blkio", "io", "linux.resources.blockIO", wants_blkio, cgroup_v1_blkio, cgroup_v2_io},
    {"hugetlb", "hugetlb", "linux.resources.hugepageLimits", wants_hugetlb, cgroup_v1_hugetlb,
     cgroup_v2_hugetlb},
    {"net_cls", NULL, "linux.resources.network.classID", wants_net_cls, cgroup_v1_net_cls, NULL},
    {"net_prio", NULL, "linux.resources.network.priorities", wants_net_prio, cgroup_v1_net_prio,
     NULL},
    {"rdma", "rdma", "linux.resources.rdma", wants_rdma, cgroup_write_rdma, cgroup_write_rdma},
    {"devices", "", "linux.resources.devices", wants_devices, cgroup_v1_devices, cgroup_v2_devices},
    {NULL, "", "linux.resources.unified", wants_unified, NULL, cgroup_v2_unified},
};

/* The directory whose hierarchy holds the controller: v1 first. v2 devices
 * and unified need no controller (v2_name ""), only a v2 directory. */
static struct cgroup_dir *find_dir(struct cgroup *cg, const struct resource_kind *k)
{
    for (size_t i = 0; k->v1 && i < cg->n; i++)
        if (!cg->dirs[i].v2 && cgroup_has_controller(cg->dirs[i].controllers, k->v1))
            return &cg->dirs[i];
    for (size_t i = 0; k->v2 && i < cg->n; i++)
        if (cg->dirs[i].v2 && (!*k->v2 || cgroup_has_controller(cg->dirs[i].controllers, k->v2)))
            return &cg->dirs[i];
    return NULL;
}

int cgroup_apply(struct cgroup *cg, const char *v2_mount, const struct spec_resources *r,
                 struct error *err)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        const struct resource_kind *k = &kinds[i];
        if (!k->wanted(r)) continue;
        struct cgroup_dir *d = find_dir(cg, k);
        if (!d && !k->v1)
            return error_set(err, 0, "%s: needs cgroup v2, which this host does not have",
                             k->field);
        if (!d)
            return error_set(err, 0, "%s: the %s controller is not available on this host",
                             k->field, k->v1 ? k->v1 : k->v2);
        if (d->v2 && *k->v2 && cgroup_v2_enable(v2_mount, d->path, k->v2, err) < 0)
            return error_wrap(err, "%s", k->field);
        /* unified names its controllers in its keys, not in the table */
        if (d->v2 && k->wanted == wants_unified &&
            cgroup_v2_enable_unified(v2_mount, d, r, err) < 0)
            return -1;
        if ((d->v2 ? k->write_v2 : k->write_v1)(d, r, err) < 0) return -1;
    }
    return 0;
}

int cgroup_write_pids(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    if (r->pids_limit == 0) return 0; /* as runc: 0 means "not set" */
    if (r->pids_limit < 0)
        return cgroup_write(d, "pids.max", "max", "linux.resources.pids.limit", err);
    return cgroup_writef(d, "pids.max", "linux.resources.pids.limit", err, "%" PRId64,
                         r->pids_limit);
}

int cgroup_write_cpuset(const struct cgroup_dir *d, const struct spec_resources *r,
                        struct error *err)
{
    if (r->cpu.cpus && *r->cpu.cpus &&
        cgroup_write(d, "cpuset.cpus", r->cpu.cpus, "linux.resources.cpu.cpus", err) < 0)
        return -1;
    if (r->cpu.mems && *r->cpu.mems &&
        cgroup_write(d, "cpuset.mems", r->cpu.mems, "linux.resources.cpu.mems", err) < 0)
        return -1;
    return 0;
}

static void format_limit(char *buf, size_t size, const char *name, struct opt_u64 v)
{
    if (v.has)
        snprintf(buf, size, " %s=%" PRIu64, name, v.v);
    else
        buf[0] = '\0';
}

int cgroup_write_rdma(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct spec_rdma *x = &r->rdma[i];
        char handles[48], objects[48];
        format_limit(handles, sizeof handles, "hca_handle", x->hca_handles);
        format_limit(objects, sizeof objects, "hca_object", x->hca_objects);
        if (cgroup_writef(d, "rdma.max", "linux.resources.rdma", err, "%s%s%s", x->device, handles,
                          objects) < 0)
            return -1;
    }
    return 0;
}

enum { RWM = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD };

/* Allowed after the spec's own rules, as runc does, so that the devices
 * every container gets (null, zero, ..., the pty pair) are usable. */
static const struct bpf_device_rule default_devices[] = {
    {true, 'c', -1, -1, BPF_DEVCG_ACC_MKNOD},
    {true, 'b', -1, -1, BPF_DEVCG_ACC_MKNOD},
    {true, 'c', 1, 3, RWM},
    {true, 'c', 1, 5, RWM},
    {true, 'c', 1, 7, RWM},
    {true, 'c', 1, 8, RWM},
    {true, 'c', 1, 9, RWM},
    {true, 'c', 5, 0, RWM},
    {true, 'c', 5, 2, RWM},
    {true, 'c', 136, -1, RWM},
    {true, 'c', 10, 200, RWM},
};

static unsigned access_bits(const char *access)
{
    if (!access || !*access) return RWM;
    unsigned bits = 0;
    for (const char *c = access; *c; c++)
        bits |= *c == 'r'   ? BPF_DEVCG_ACC_READ
                : *c == 'w' ? BPF_DEVCG_ACC_WRITE
                            : BPF_DEVCG_ACC_MKNOD;
    return bits;
}

int cgroup_device_rules(const struct spec_resources *r, struct bpf_device_rule **rules, size_t *n,
                        struct error *err)
{
    *n = r->n_devices + ARRAY_LEN(default_devices);
    *rules = calloc(*n, sizeof **rules);
    if (!*rules) return error_set(err, ENOMEM, "linux.resources.devices");
    for (size_t i = 0; i < r->n_devices; i++) {
        const struct spec_device_rule *d = &r->devices[i];
        (*rules)[i] = (struct bpf_device_rule){
            .allow = d->allow,
            .type = d->type,
            .major = d->major.has ? d->major.v : -1,
            .minor = d->minor.has ? d->minor.v : -1,
            .access = access_bits(d->access),
        };
    }
    memcpy(*rules + r->n_devices, default_devices, sizeof default_devices);
    return 0;
}
