/* linux.resources of config.json: every cgroup resource of runtime-spec 1.2. */
#include <string.h>

#include "spec/parse_internal.h"

static int opt_i64(struct reader *r, json_t *o, const char *key, struct opt_i64 *out)
{
    return rd_i64(r, o, key, &out->v, &out->has);
}

static int opt_u64(struct reader *r, json_t *o, const char *key, struct opt_u64 *out)
{
    return rd_u64(r, o, key, &out->v, &out->has);
}

static int opt_bool(struct reader *r, json_t *o, const char *key, struct opt_bool *out)
{
    out->has = json_object_get(o, key) && !json_is_null(json_object_get(o, key));
    return rd_bool(r, o, key, &out->v);
}

static int parse_device_rule(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_device_rule *rule = (struct spec_device_rule *)items + i;
    const char *type = "a";
    if (rd_require(r, o, "allow") < 0 || rd_bool(r, o, "allow", &rule->allow) < 0 ||
        rd_string(r, o, "type", &type) < 0 || opt_i64(r, o, "major", &rule->major) < 0 ||
        opt_i64(r, o, "minor", &rule->minor) < 0 || rd_string(r, o, "access", &rule->access) < 0)
        return -1;
    if (strlen(type) != 1 || !strchr("acb", type[0]))
        return rd_fail_key(r, "type", "unknown device type \"%s\" (expected a, c or b)", type);
    rule->type = type[0];
    if (rule->access && rule->access[strspn(rule->access, "rwm")] != '\0')
        return rd_fail_key(r, "access", "\"%s\" is not made of r, w and m", rule->access);
    return 0;
}

static int parse_memory(struct reader *r, json_t *res, struct spec_resources *out)
{
    json_t *o;
    if (rd_object(r, res, "memory", &o) < 0) return -1;
    if (!o) return 0;
    out->has_memory = true;
    struct spec_memory *m = &out->memory;
    size_t mark = rd_push_key(r, "memory");
    if (opt_i64(r, o, "limit", &m->limit) < 0 ||
        opt_i64(r, o, "reservation", &m->reservation) < 0 || opt_i64(r, o, "swap", &m->swap) < 0 ||
        opt_i64(r, o, "kernel", &m->kernel) < 0 || opt_i64(r, o, "kernelTCP", &m->kernel_tcp) < 0 ||
        opt_u64(r, o, "swappiness", &m->swappiness) < 0 ||
        opt_bool(r, o, "disableOOMKiller", &m->disable_oom_killer) < 0 ||
        opt_bool(r, o, "useHierarchy", &m->use_hierarchy) < 0 ||
        opt_bool(r, o, "checkBeforeUpdate", &m->check_before_update) < 0)
        return -1;
    if (m->swappiness.has && m->swappiness.v > 100)
        return rd_fail_key(r, "swappiness", "must be between 0 and 100");
    rd_pop(r, mark);
    return 0;
}

static int parse_cpu(struct reader *r, json_t *res, struct spec_resources *out)
{
    json_t *o;
    if (rd_object(r, res, "cpu", &o) < 0) return -1;
    if (!o) return 0;
    out->has_cpu = true;
    struct spec_cpu *c = &out->cpu;
    size_t mark = rd_push_key(r, "cpu");
    if (opt_u64(r, o, "shares", &c->shares) < 0 || opt_i64(r, o, "quota", &c->quota) < 0 ||
        opt_u64(r, o, "burst", &c->burst) < 0 || opt_u64(r, o, "period", &c->period) < 0 ||
        opt_i64(r, o, "realtimeRuntime", &c->realtime_runtime) < 0 ||
        opt_u64(r, o, "realtimePeriod", &c->realtime_period) < 0 ||
        rd_string(r, o, "cpus", &c->cpus) < 0 || rd_string(r, o, "mems", &c->mems) < 0 ||
        opt_i64(r, o, "idle", &c->idle) < 0)
        return -1;
    rd_pop(r, mark);
    return 0;
}

static int parse_weight_device(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_weight_device *d = (struct spec_weight_device *)items + i;
    if (rd_require(r, o, "major") < 0 || rd_require(r, o, "minor") < 0 ||
        rd_i64(r, o, "major", &d->major, NULL) < 0 || rd_i64(r, o, "minor", &d->minor, NULL) < 0 ||
        opt_u64(r, o, "weight", &d->weight) < 0 || opt_u64(r, o, "leafWeight", &d->leaf_weight) < 0)
        return -1;
    return 0;
}

static int parse_throttle_device(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_throttle_device *d = (struct spec_throttle_device *)items + i;
    if (rd_require(r, o, "major") < 0 || rd_require(r, o, "minor") < 0 ||
        rd_require(r, o, "rate") < 0 || rd_i64(r, o, "major", &d->major, NULL) < 0 ||
        rd_i64(r, o, "minor", &d->minor, NULL) < 0 || rd_u64(r, o, "rate", &d->rate, NULL) < 0)
        return -1;
    return 0;
}

static int parse_throttles(struct reader *r, json_t *o, const char *key,
                           struct spec_throttle_list *out)
{
    return rd_list(r, o, key, sizeof *out->items, &out->items, &out->len, parse_throttle_device);
}

static int parse_block_io(struct reader *r, json_t *res, struct spec_resources *out)
{
    json_t *o;
    if (rd_object(r, res, "blockIO", &o) < 0) return -1;
    if (!o) return 0;
    out->has_block_io = true;
    struct spec_block_io *b = &out->block_io;
    size_t mark = rd_push_key(r, "blockIO");
    if (opt_u64(r, o, "weight", &b->weight) < 0 ||
        opt_u64(r, o, "leafWeight", &b->leaf_weight) < 0 ||
        rd_list(r, o, "weightDevice", sizeof *b->weight_devices, &b->weight_devices,
                &b->n_weight_devices, parse_weight_device) < 0 ||
        parse_throttles(r, o, "throttleReadBpsDevice", &b->read_bps) < 0 ||
        parse_throttles(r, o, "throttleWriteBpsDevice", &b->write_bps) < 0 ||
        parse_throttles(r, o, "throttleReadIOPSDevice", &b->read_iops) < 0 ||
        parse_throttles(r, o, "throttleWriteIOPSDevice", &b->write_iops) < 0)
        return -1;
    rd_pop(r, mark);
    return 0;
}

/* "2MB", "1GB", "64KB": the size as the kernel names the hugetlb.SIZE.*
 * cgroup files. Nothing else, since it becomes part of a file name. */
static bool is_page_size(const char *s)
{
    size_t digits = strspn(s, "0123456789");
    return digits > 0 && digits < 12 && strchr("KMG", s[digits]) && s[digits] &&
           strcmp(s + digits + 1, "B") == 0;
}

static int parse_hugepage_limit(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_hugepage_limit *h = (struct spec_hugepage_limit *)items + i;
    if (rd_require(r, o, "pageSize") < 0 || rd_require(r, o, "limit") < 0 ||
        rd_string(r, o, "pageSize", &h->page_size) < 0 ||
        rd_u64(r, o, "limit", &h->limit, NULL) < 0)
        return -1;
    if (!is_page_size(h->page_size))
        return rd_fail_key(r, "pageSize", "expected a size such as 2MB or 1GB, got \"%.64s\"",
                           h->page_size);
    return 0;
}

static int parse_net_priority(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_net_priority *p = (struct spec_net_priority *)items + i;
    if (rd_require(r, o, "name") < 0 || rd_require(r, o, "priority") < 0 ||
        rd_string(r, o, "name", &p->name) < 0 || rd_u32(r, o, "priority", &p->priority, NULL) < 0)
        return -1;
    return 0;
}

static int parse_network(struct reader *r, json_t *res, struct spec_resources *out)
{
    json_t *o;
    if (rd_object(r, res, "network", &o) < 0) return -1;
    if (!o) return 0;
    out->has_network = true;
    size_t mark = rd_push_key(r, "network");
    if (opt_u64(r, o, "classID", &out->net_class_id) < 0 ||
        rd_list(r, o, "priorities", sizeof *out->net_priorities, &out->net_priorities,
                &out->n_net_priorities, parse_net_priority) < 0)
        return -1;
    rd_pop(r, mark);
    return 0;
}

static int parse_rdma(struct reader *r, json_t *res, struct spec_resources *out)
{
    json_t *o;
    if (rd_object(r, res, "rdma", &o) < 0) return -1;
    if (!o) return 0;
    size_t n = json_object_size(o);
    out->rdma = rd_alloc(r, n, sizeof *out->rdma);
    if (n && !out->rdma) return -1;
    size_t mark = rd_push_key(r, "rdma");
    const char *device;
    json_t *v;
    json_object_foreach(o, device, v)
    {
        struct spec_rdma *rd = &out->rdma[out->n_rdma++];
        size_t item = rd_push_key(r, device);
        if (!json_is_object(v)) return rd_fail(r, "expected an object");
        rd->device = device;
        if (opt_u64(r, v, "hcaHandles", &rd->hca_handles) < 0 ||
            opt_u64(r, v, "hcaObjects", &rd->hca_objects) < 0)
            return -1;
        rd_pop(r, item);
    }
    rd_pop(r, mark);
    return 0;
}

int parse_resources(struct reader *r, json_t *res, struct spec_resources *out)
{
    json_t *pids;
    if (rd_list(r, res, "devices", sizeof *out->devices, &out->devices, &out->n_devices,
                parse_device_rule) < 0 ||
        parse_memory(r, res, out) < 0 || parse_cpu(r, res, out) < 0 ||
        rd_object(r, res, "pids", &pids) < 0 || parse_block_io(r, res, out) < 0 ||
        rd_list(r, res, "hugepageLimits", sizeof *out->hugepage_limits, &out->hugepage_limits,
                &out->n_hugepage_limits, parse_hugepage_limit) < 0 ||
        parse_network(r, res, out) < 0 || parse_rdma(r, res, out) < 0 ||
        rd_key_values(r, res, "unified", &out->unified) < 0)
        return -1;
    if (pids) {
        size_t mark = rd_push_key(r, "pids");
        out->has_pids = true;
        if (rd_require(r, pids, "limit") < 0 ||
            rd_i64(r, pids, "limit", &out->pids_limit, NULL) < 0)
            return -1;
        rd_pop(r, mark);
    }
    return 0;
}
