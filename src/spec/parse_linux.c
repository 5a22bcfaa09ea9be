/* The linux object of config.json, but for linux.resources (parse_resources.c). */
#include <string.h>
#include <sys/personality.h>

#include "spec/names.h"
#include "spec/parse_internal.h"

static int parse_namespace(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_namespace *all = items, *ns = all + i;
    const char *type = NULL;
    if (rd_require(r, o, "type") < 0 || rd_string(r, o, "type", &type) < 0 ||
        rd_string(r, o, "path", &ns->path) < 0)
        return -1;
    int t = ns_type_from_spec_name(type);
    if (t < 0) return rd_fail_key(r, "type", "unknown namespace \"%s\"", type);
    ns->type = (enum ns_type)t;
    for (size_t j = 0; j < i; j++)
        if (all[j].type == ns->type)
            return rd_fail_key(r, "type", "namespace \"%s\" given twice", type);
    if (ns->path && ns->path[0] != '/')
        return rd_fail_key(r, "path", "must be an absolute path, got \"%s\"", ns->path);
    return 0;
}

static int parse_time_offsets(struct reader *r, json_t *linux, struct spec_linux *out)
{
    json_t *offsets;
    if (rd_object(r, linux, "timeOffsets", &offsets) < 0) return -1;
    if (!offsets) return 0;
    size_t mark = rd_push_key(r, "timeOffsets");
    const char *clock;
    json_t *v;
    json_object_foreach(offsets, clock, v)
    {
        struct spec_time_offset *off;
        if (strcmp(clock, "monotonic") == 0)
            off = &out->time_monotonic;
        else if (strcmp(clock, "boottime") == 0)
            off = &out->time_boottime;
        else
            return rd_fail_key(r, clock, "unknown clock (expected monotonic or boottime)");
        size_t c = rd_push_key(r, clock);
        if (!json_is_object(v)) return rd_fail(r, "expected an object");
        off->has = true;
        if (rd_i64(r, v, "secs", &off->secs, NULL) < 0 ||
            rd_u32(r, v, "nanosecs", &off->nanosecs, NULL) < 0)
            return -1;
        if (off->nanosecs >= 1000000000)
            return rd_fail_key(r, "nanosecs", "must be below 1000000000");
        rd_pop(r, c);
    }
    rd_pop(r, mark);
    return 0;
}

static int parse_device(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_device *dev = (struct spec_device *)items + i;
    const char *type = NULL;
    if (rd_require(r, o, "type") < 0 || rd_require(r, o, "path") < 0 ||
        rd_string(r, o, "type", &type) < 0 || rd_string(r, o, "path", &dev->path) < 0 ||
        rd_i64(r, o, "major", &dev->major, NULL) < 0 ||
        rd_i64(r, o, "minor", &dev->minor, NULL) < 0 ||
        rd_u32(r, o, "fileMode", &dev->file_mode, &dev->has_file_mode) < 0 ||
        rd_u32(r, o, "uid", &dev->uid, &dev->has_uid) < 0 ||
        rd_u32(r, o, "gid", &dev->gid, &dev->has_gid) < 0)
        return -1;
    if (strlen(type) != 1 || !strchr("cbup", type[0]))
        return rd_fail_key(r, "type", "unknown device type \"%s\" (expected c, b, u or p)", type);
    dev->type = type[0];
    if (dev->path[0] != '/') return rd_fail_key(r, "path", "must be an absolute path");
    if (dev->type != 'p') {
        if (rd_require(r, o, "major") < 0 || rd_require(r, o, "minor") < 0) return -1;
        if (dev->major < 0 || dev->minor < 0)
            return rd_fail(r, "major and minor must not be negative");
    }
    return 0;
}

static int parse_seccomp_arg(struct reader *r, json_t *a, void *items, size_t i)
{
    struct spec_seccomp_arg *arg = (struct spec_seccomp_arg *)items + i;
    if (rd_require(r, a, "index") < 0 || rd_require(r, a, "value") < 0 ||
        rd_require(r, a, "op") < 0 || rd_u32(r, a, "index", &arg->index, NULL) < 0 ||
        rd_u64(r, a, "value", &arg->value, NULL) < 0 ||
        rd_u64(r, a, "valueTwo", &arg->value_two, NULL) < 0 || rd_string(r, a, "op", &arg->op) < 0)
        return -1;
    return 0;
}

static int parse_seccomp_syscall(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_seccomp_syscall *sc = (struct spec_seccomp_syscall *)items + i;
    if (rd_require(r, o, "names") < 0 || rd_require(r, o, "action") < 0 ||
        rd_strings(r, o, "names", &sc->names) < 0 || rd_string(r, o, "action", &sc->action) < 0 ||
        rd_u32(r, o, "errnoRet", &sc->errno_ret, &sc->has_errno_ret) < 0 ||
        rd_list(r, o, "args", sizeof *sc->args, &sc->args, &sc->n_args, parse_seccomp_arg) < 0)
        return -1;
    return 0;
}

static int parse_seccomp(struct reader *r, json_t *linux, struct spec_linux *out)
{
    json_t *s;
    if (rd_object(r, linux, "seccomp", &s) < 0) return -1;
    if (!s) return 0;
    out->has_seccomp = true;
    struct spec_seccomp *sec = &out->seccomp;
    size_t mark = rd_push_key(r, "seccomp");
    if (rd_require(r, s, "defaultAction") < 0 ||
        rd_string(r, s, "defaultAction", &sec->default_action) < 0 ||
        rd_u32(r, s, "defaultErrnoRet", &sec->default_errno_ret, &sec->has_default_errno_ret) < 0 ||
        rd_strings(r, s, "architectures", &sec->architectures) < 0 ||
        rd_strings(r, s, "flags", &sec->flags) < 0 ||
        rd_string(r, s, "listenerPath", &sec->listener_path) < 0 ||
        rd_string(r, s, "listenerMetadata", &sec->listener_metadata) < 0 ||
        rd_list(r, s, "syscalls", sizeof *sec->syscalls, &sec->syscalls, &sec->n_syscalls,
                parse_seccomp_syscall) < 0)
        return -1;
    rd_pop(r, mark);
    return 0;
}

static int parse_intel_rdt(struct reader *r, json_t *linux, struct spec_linux *out)
{
    json_t *o;
    if (rd_object(r, linux, "intelRdt", &o) < 0) return -1;
    if (!o) return 0;
    out->has_intel_rdt = true;
    struct spec_intel_rdt *rdt = &out->intel_rdt;
    size_t mark = rd_push_key(r, "intelRdt");
    if (rd_string(r, o, "closID", &rdt->clos_id) < 0 ||
        rd_string(r, o, "l3CacheSchema", &rdt->l3_cache_schema) < 0 ||
        rd_string(r, o, "memBwSchema", &rdt->mem_bw_schema) < 0 ||
        rd_bool(r, o, "enableCMT", &rdt->enable_cmt) < 0 ||
        rd_bool(r, o, "enableMBM", &rdt->enable_mbm) < 0)
        return -1;
    rd_pop(r, mark);
    return 0;
}

static int parse_personality(struct reader *r, json_t *linux, struct spec_linux *out)
{
    json_t *o;
    if (rd_object(r, linux, "personality", &o) < 0) return -1;
    if (!o) return 0;
    out->has_personality = true;
    struct spec_personality *p = &out->personality;
    size_t mark = rd_push_key(r, "personality");
    if (rd_require(r, o, "domain") < 0 || rd_string(r, o, "domain", &p->domain) < 0 ||
        rd_strings(r, o, "flags", &p->flags) < 0)
        return -1;
    if (strcmp(p->domain, "LINUX") == 0)
        p->domain_value = PER_LINUX;
    else if (strcmp(p->domain, "LINUX32") == 0)
        p->domain_value = PER_LINUX32;
    else
        return rd_fail_key(r, "domain", "unknown domain \"%s\" (expected LINUX or LINUX32)",
                           p->domain);
    rd_pop(r, mark);
    return 0;
}

/* netDevices maps a host interface to {"name": its name inside}. */
static int parse_net_devices(struct reader *r, json_t *linux, struct spec_linux *out)
{
    json_t *o;
    if (rd_object(r, linux, "netDevices", &o) < 0) return -1;
    if (!o) return 0;
    size_t n = json_object_size(o);
    out->net_devices.items = rd_alloc(r, n, sizeof *out->net_devices.items);
    if (n && !out->net_devices.items) return -1;
    size_t mark = rd_push_key(r, "netDevices");
    const char *host_name;
    json_t *v;
    json_object_foreach(o, host_name, v)
    {
        struct spec_key_value *kv = &out->net_devices.items[out->net_devices.len++];
        size_t item = rd_push_key(r, host_name);
        if (!json_is_object(v)) return rd_fail(r, "expected an object");
        kv->key = host_name;
        kv->value = host_name;
        if (rd_string(r, v, "name", &kv->value) < 0) return -1;
        rd_pop(r, item);
    }
    rd_pop(r, mark);
    return 0;
}

static int parse_paths(struct reader *r, json_t *linux, const char *key, struct spec_strings *out,
                       bool *has)
{
    *has = json_object_get(linux, key) != NULL;
    if (rd_strings(r, linux, key, out) < 0) return -1;
    for (size_t i = 0; i < out->len; i++) {
        if (out->items[i][0] == '/') continue;
        size_t mark = rd_push_key(r, key);
        rd_push_index(r, i);
        rd_fail(r, "must be an absolute path, got \"%s\"", out->items[i]);
        rd_pop(r, mark);
        return -1;
    }
    return 0;
}

int parse_linux(struct reader *r, json_t *linux, struct spec_linux *out)
{
    json_t *resources;
    if (rd_list(r, linux, "namespaces", sizeof *out->namespaces, &out->namespaces,
                &out->n_namespaces, parse_namespace) < 0 ||
        parse_id_mappings(r, linux, "uidMappings", &out->uid_mappings) < 0 ||
        parse_id_mappings(r, linux, "gidMappings", &out->gid_mappings) < 0 ||
        parse_time_offsets(r, linux, out) < 0 ||
        rd_list(r, linux, "devices", sizeof *out->devices, &out->devices, &out->n_devices,
                parse_device) < 0 ||
        rd_string(r, linux, "cgroupsPath", &out->cgroups_path) < 0 ||
        rd_object(r, linux, "resources", &resources) < 0 || parse_intel_rdt(r, linux, out) < 0 ||
        rd_key_values(r, linux, "sysctl", &out->sysctl) < 0 || parse_seccomp(r, linux, out) < 0 ||
        rd_string(r, linux, "rootfsPropagation", &out->rootfs_propagation) < 0 ||
        parse_paths(r, linux, "maskedPaths", &out->masked_paths, &out->has_masked_paths) < 0 ||
        parse_paths(r, linux, "readonlyPaths", &out->readonly_paths, &out->has_readonly_paths) <
            0 ||
        rd_string(r, linux, "mountLabel", &out->mount_label) < 0 ||
        parse_personality(r, linux, out) < 0 || parse_net_devices(r, linux, out) < 0)
        return -1;
    if (out->rootfs_propagation && out->rootfs_propagation[0]) {
        out->rootfs_propagation_flags = propagation_from_name(out->rootfs_propagation);
        if (!out->rootfs_propagation_flags)
            return rd_fail_key(r, "rootfsPropagation", "unknown propagation \"%s\"",
                               out->rootfs_propagation);
    }
    if (resources) {
        out->has_resources = true;
        size_t mark = rd_push_key(r, "resources");
        if (parse_resources(r, resources, &out->resources) < 0) return -1;
        rd_pop(r, mark);
    }
    return 0;
}
