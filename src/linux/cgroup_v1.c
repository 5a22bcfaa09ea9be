/* cgroup v1 resource files. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

int cgroup_v1_memory(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    char v[32];
    snprintf(v, sizeof v, "%" PRId64, r->memory.limit.v);
    return cgroup_write(d, "memory.limit_in_bytes", v, "linux.resources.memory.limit", err);
}

int cgroup_v1_pids(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    char v[32] = "max";
    if (r->pids_limit == 0) return 0; /* as runc: 0 means "not set" */
    if (r->pids_limit > 0) snprintf(v, sizeof v, "%" PRId64, r->pids_limit);
    return cgroup_write(d, "pids.max", v, "linux.resources.pids.limit", err);
}

int cgroup_v1_cpu(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    const struct spec_cpu *c = &r->cpu;
    char v[32];
    if (c->shares.has && c->shares.v) {
        snprintf(v, sizeof v, "%" PRIu64, c->shares.v);
        if (cgroup_write(d, "cpu.shares", v, "linux.resources.cpu.shares", err) < 0) return -1;
    }
    /* The period first: the kernel checks a quota against the current period. */
    if (c->period.has && c->period.v) {
        snprintf(v, sizeof v, "%" PRIu64, c->period.v);
        if (cgroup_write(d, "cpu.cfs_period_us", v, "linux.resources.cpu.period", err) < 0)
            return -1;
    }
    if (c->quota.has && c->quota.v) {
        snprintf(v, sizeof v, "%" PRId64, c->quota.v);
        if (cgroup_write(d, "cpu.cfs_quota_us", v, "linux.resources.cpu.quota", err) < 0) return -1;
    }
    return 0;
}

static void format_number(char *out, size_t size, bool has, int64_t v)
{
    if (has && v >= 0)
        snprintf(out, size, "%" PRId64, v);
    else
        snprintf(out, size, "*");
}

static int write_device_rule(const struct cgroup_dir *d, bool allow, char type, bool has_major,
                             int64_t major, bool has_minor, int64_t minor, const char *access,
                             struct error *err)
{
    char rule[96], maj[24], min[24];
    format_number(maj, sizeof maj, has_major, major);
    format_number(min, sizeof min, has_minor, minor);
    if (type == 'a')
        snprintf(rule, sizeof rule, "a");
    else
        snprintf(rule, sizeof rule, "%c %s:%s %s", type, maj, min,
                 access && *access ? access : "rwm");
    return cgroup_write(d, allow ? "devices.allow" : "devices.deny", rule,
                        "linux.resources.devices", err);
}

int cgroup_v1_devices(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err)
{
    for (size_t i = 0; i < r->n_devices; i++) {
        const struct spec_device_rule *rule = &r->devices[i];
        char type = rule->type;
        /* "a" with an access other than everything cannot be expressed in v1
         * except as every char and block device. */
        if (type == 'a' && rule->access && strcmp(rule->access, "rwm") != 0) {
            if (write_device_rule(d, rule->allow, 'c', false, 0, false, 0, rule->access, err) < 0 ||
                write_device_rule(d, rule->allow, 'b', false, 0, false, 0, rule->access, err) < 0)
                return -1;
            continue;
        }
        if (write_device_rule(d, rule->allow, type, rule->major.has, rule->major.v, rule->minor.has,
                              rule->minor.v, rule->access, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < cgroup_n_default_devices; i++) {
        const struct cgroup_device_allow *a = &cgroup_default_devices[i];
        if (write_device_rule(d, true, a->type, a->major >= 0, a->major, a->minor >= 0, a->minor,
                              a->access, err) < 0)
            return -1;
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
