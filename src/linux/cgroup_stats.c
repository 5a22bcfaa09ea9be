/* Statistics of a container's cgroup in the JSON shape of runc's events
 * (cpu, memory, pids, blkio, hugetlb), read from v1 or v2 files, whichever
 * holds each controller; and OOM notifications. Files a host lacks leave
 * their values out rather than failing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const struct cgroup_dir *dir_for(const struct cgroup *cg, const char *v1, const char *v2)
{
    for (size_t i = 0; i < cg->n; i++)
        if (!cg->dirs[i].v2 && cgroup_has_controller(cg->dirs[i].controllers, v1))
            return &cg->dirs[i];
    for (size_t i = 0; i < cg->n; i++)
        if (cg->dirs[i].v2 && cgroup_has_controller(cg->dirs[i].controllers, v2))
            return &cg->dirs[i];
    return NULL;
}

/* A file holding one number ("max" reads as 0); 0 when absent. */
static uint64_t number(const struct cgroup_dir *d, const char *file)
{
    char buf[64];
    struct error ignored;
    if (!d || cgroup_read(d, file, buf, sizeof buf, &ignored) < 0) return 0;
    return strtoull(buf, NULL, 10);
}

static char *whole(const struct cgroup_dir *d, const char *file)
{
    char path[PATH_MAX];
    char *text = NULL;
    struct error ignored;
    snprintf(path, sizeof path, "%s/%s", d->path, file);
    return fs_read_file_at(AT_FDCWD, path, &text, NULL, &ignored) == 0 ? text : NULL;
}

/* "key value" lines (memory.stat, cpu.stat) as a JSON object. */
static json_t *key_values(const struct cgroup_dir *d, const char *file)
{
    json_t *o = json_object();
    _cleanup_free_ char *text = d ? whole(d, file) : NULL;
    char *save = NULL;
    for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char key[128];
        unsigned long long v;
        if (sscanf(line, "%127s %llu", key, &v) == 2)
            json_object_set_new(o, key, json_integer((json_int_t)v));
    }
    return o;
}

static uint64_t field_of(json_t *kv, const char *key)
{
    return (uint64_t)json_integer_value(json_object_get(kv, key));
}

static json_t *numbers_list(const struct cgroup_dir *d, const char *file)
{
    json_t *arr = json_array();
    _cleanup_free_ char *text = d ? whole(d, file) : NULL;
    for (char *p = text, *end; p && *p; p = end) {
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p) break;
        json_array_append_new(arr, json_integer((json_int_t)v));
    }
    return arr;
}

static json_t *cpu_stats(const struct cgroup *cg)
{
    const struct cgroup_dir *acct = dir_for(cg, "cpuacct", "cpu"), *cpu = dir_for(cg, "cpu", "cpu");
    json_t *usage = json_object(), *throttling = json_object();
    if (acct && !acct->v2) {
        json_t *stat = key_values(acct, "cpuacct.stat");
        /* USER_HZ ticks (100 a second) to nanoseconds, as runc reports. */
        json_object_set_new(usage, "total",
                            json_integer((json_int_t)number(acct, "cpuacct.usage")));
        json_object_set_new(usage, "percpu", numbers_list(acct, "cpuacct.usage_percpu"));
        json_object_set_new(usage, "kernel",
                            json_integer((json_int_t)(field_of(stat, "system") * 10000000)));
        json_object_set_new(usage, "user",
                            json_integer((json_int_t)(field_of(stat, "user") * 10000000)));
        json_decref(stat);
    } else if (acct) {
        json_t *stat = key_values(acct, "cpu.stat");
        json_object_set_new(usage, "total",
                            json_integer((json_int_t)(field_of(stat, "usage_usec") * 1000)));
        json_object_set_new(usage, "kernel",
                            json_integer((json_int_t)(field_of(stat, "system_usec") * 1000)));
        json_object_set_new(usage, "user",
                            json_integer((json_int_t)(field_of(stat, "user_usec") * 1000)));
        json_decref(stat);
    }
    json_t *stat = key_values(cpu, "cpu.stat");
    uint64_t throttled =
        cpu && cpu->v2 ? field_of(stat, "throttled_usec") * 1000 : field_of(stat, "throttled_time");
    json_object_set_new(throttling, "periods",
                        json_integer((json_int_t)field_of(stat, "nr_periods")));
    json_object_set_new(throttling, "throttledPeriods",
                        json_integer((json_int_t)field_of(stat, "nr_throttled")));
    json_object_set_new(throttling, "throttledTime", json_integer((json_int_t)throttled));
    json_decref(stat);
    return json_pack("{s:o, s:o}", "usage", usage, "throttling", throttling);
}

static json_t *memory_entry(const struct cgroup_dir *d, const char *prefix)
{
    char usage[64], max[64], failcnt[64], limit[64];
    snprintf(usage, sizeof usage, "%s.usage_in_bytes", prefix);
    snprintf(max, sizeof max, "%s.max_usage_in_bytes", prefix);
    snprintf(failcnt, sizeof failcnt, "%s.failcnt", prefix);
    snprintf(limit, sizeof limit, "%s.limit_in_bytes", prefix);
    return json_pack("{s:I, s:I, s:I, s:I}", "limit", (json_int_t)number(d, limit), "usage",
                     (json_int_t)number(d, usage), "max", (json_int_t)number(d, max), "failcnt",
                     (json_int_t)number(d, failcnt));
}

static json_t *memory_stats(const struct cgroup *cg)
{
    const struct cgroup_dir *d = dir_for(cg, "memory", "memory");
    if (!d) return json_object();
    json_t *raw = key_values(d, "memory.stat");
    if (!d->v2) {
        uint64_t cache =
            field_of(raw, json_object_get(raw, "total_cache") ? "total_cache" : "cache");
        return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "cache", (json_int_t)cache, "usage",
                         memory_entry(d, "memory"), "swap", memory_entry(d, "memory.memsw"),
                         "kernel", memory_entry(d, "memory.kmem"), "kernelTCP",
                         memory_entry(d, "memory.kmem.tcp"), "raw", raw);
    }
    json_t *events = key_values(d, "memory.events");
    json_t *usage = json_pack("{s:I, s:I, s:I}", "limit", (json_int_t)number(d, "memory.max"),
                              "usage", (json_int_t)number(d, "memory.current"), "failcnt",
                              (json_int_t)field_of(events, "max"));
    json_t *swap = json_pack("{s:I, s:I}", "limit", (json_int_t)number(d, "memory.swap.max"),
                             "usage", (json_int_t)number(d, "memory.swap.current"));
    json_decref(events);
    return json_pack("{s:I, s:o, s:o, s:o}", "cache", (json_int_t)field_of(raw, "file"), "usage",
                     usage, "swap", swap, "raw", raw);
}

static json_t *pids_stats(const struct cgroup *cg)
{
    const struct cgroup_dir *d = dir_for(cg, "pids", "pids");
    return json_pack("{s:I, s:I}", "current", (json_int_t)number(d, "pids.current"), "limit",
                     (json_int_t)number(d, "pids.max"));
}

static void blkio_entry(json_t *list, unsigned maj, unsigned min, const char *op, uint64_t v)
{
    json_array_append_new(list, json_pack("{s:i, s:i, s:s, s:I}", "major", maj, "minor", min, "op",
                                          op, "value", (json_int_t)v));
}

/* v1: "MAJ:MIN Op Value" lines; v2's io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N". */
static json_t *blkio_stats(const struct cgroup *cg)
{
    const struct cgroup_dir *d = dir_for(cg, "blkio", "io");
    json_t *bytes = json_array(), *ios = json_array();
    if (d && !d->v2) {
        const char *files[2] = {"blkio.throttle.io_service_bytes_recursive",
                                "blkio.throttle.io_serviced_recursive"};
        for (int f = 0; f < 2; f++) {
            _cleanup_free_ char *text = whole(d, files[f]);
            char *save = NULL;
            for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
                 l = strtok_r(NULL, "\n", &save)) {
                unsigned maj, min;
                char op[16];
                unsigned long long v;
                if (sscanf(l, "%u:%u %15s %llu", &maj, &min, op, &v) == 4)
                    blkio_entry(f ? ios : bytes, maj, min, op, v);
            }
        }
    } else if (d) {
        _cleanup_free_ char *text = whole(d, "io.stat");
        char *save = NULL;
        for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
             l = strtok_r(NULL, "\n", &save)) {
            unsigned maj, min;
            unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
            if (sscanf(l, "%u:%u rbytes=%llu wbytes=%llu rios=%llu wios=%llu", &maj, &min, &rb, &wb,
                       &ri, &wi) < 2)
                continue;
            blkio_entry(bytes, maj, min, "Read", rb);
            blkio_entry(bytes, maj, min, "Write", wb);
            blkio_entry(ios, maj, min, "Read", ri);
            blkio_entry(ios, maj, min, "Write", wi);
        }
    }
    return json_pack("{s:o, s:o}", "ioServiceBytesRecursive", bytes, "ioServicedRecursive", ios);
}

static json_t *hugetlb_stats(const struct cgroup *cg)
{
    const struct cgroup_dir *d = dir_for(cg, "hugetlb", "hugetlb");
    json_t *o = json_object();
    DIR *dir = d ? opendir(d->path) : NULL;
    for (struct dirent *e; dir && (e = readdir(dir));) {
        char size[32], file[96];
        const char *usage = d->v2 ? "current" : "usage_in_bytes";
        char suffix[32];
        snprintf(suffix, sizeof suffix, ".%s", usage);
        size_t len = strlen(e->d_name), sl = strlen(suffix);
        if (strncmp(e->d_name, "hugetlb.", 8) || len <= 8 + sl ||
            strcmp(e->d_name + len - sl, suffix) || strstr(e->d_name, "rsvd"))
            continue;
        snprintf(size, sizeof size, "%.*s", (int)(len - 8 - sl), e->d_name + 8);
        snprintf(file, sizeof file, "hugetlb.%s.%s", size, d->v2 ? "max" : "max_usage_in_bytes");
        uint64_t max = number(d, file);
        snprintf(file, sizeof file, "hugetlb.%s.failcnt", size);
        json_object_set_new(o, size,
                            json_pack("{s:I, s:I, s:I}", "usage", (json_int_t)number(d, e->d_name),
                                      "max", (json_int_t)max, "failcnt",
                                      (json_int_t)number(d, file)));
    }
    if (dir) closedir(dir);
    return o;
}

json_t *cgroup_stats(const struct cgroup *cg)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "cpu", cpu_stats(cg), "memory", memory_stats(cg),
                     "pids", pids_stats(cg), "blkio", blkio_stats(cg), "hugetlb",
                     hugetlb_stats(cg));
}

/* The OOM kills so far: v1's memory.oom_control or v2's memory.events. */
static uint64_t oom_kills(const struct cgroup_dir *d)
{
    json_t *kv = key_values(d, d->v2 ? "memory.events" : "memory.oom_control");
    uint64_t n = field_of(kv, "oom_kill");
    json_decref(kv);
    return n;
}

uint64_t cgroup_oom_kills(const struct cgroup *cg)
{
    const struct cgroup_dir *d = dir_for(cg, "memory", "memory");
    return d ? oom_kills(d) : 0;
}

int cgroup_oom_watch(const struct cgroup *cg, struct oom_watch *w, struct error *err)
{
    const struct cgroup_dir *d = dir_for(cg, "memory", "memory");
    w->fd = -1;
    w->dir = d;
    if (!d) return error_set(err, 0, "no memory controller for the container's cgroup");
    w->seen = oom_kills(d);
    char path[PATH_MAX];
    if (d->v2) {
        /* Each change of memory.events wakes a poll() for POLLPRI. */
        snprintf(path, sizeof path, "%s/memory.events", d->path);
        w->fd = open(path, O_RDONLY | O_CLOEXEC);
        return w->fd < 0 ? error_sys(err, "open %s", path) : 0;
    }
    /* v1: an eventfd registered through cgroup.event_control. */
    snprintf(path, sizeof path, "%s/memory.oom_control", d->path);
    _cleanup_close_ int control = open(path, O_RDONLY | O_CLOEXEC);
    if (control < 0) return error_sys(err, "open %s", path);
    w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->fd < 0) return error_sys(err, "eventfd");
    if (cgroup_writef(d, "cgroup.event_control", "events", err, "%d %d", w->fd, control) < 0) {
        close(w->fd);
        w->fd = -1;
        return -1;
    }
    return 0;
}

unsigned cgroup_oom_new(struct oom_watch *w)
{
    if (!w->dir) return 0;
    if (!w->dir->v2) {
        uint64_t ignored;
        (void)!read(w->fd, &ignored, sizeof ignored);
    }
    uint64_t now = oom_kills(w->dir);
    unsigned fresh = now > w->seen ? (unsigned)(now - w->seen) : 0;
    w->seen = now;
    return fresh;
}

void cgroup_oom_close(struct oom_watch *w)
{
    if (w->fd >= 0) close(w->fd);
    w->fd = -1;
}
