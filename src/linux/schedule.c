/* Scheduler, I/O priority and CPU affinity; see schedule.h. */
#include "linux/schedule.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

/* The kernel's struct sched_attr: its header clashes with glibc's sched.h. */
struct kernel_sched_attr {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};

static const struct {
    const char *name;
    uint64_t flag;
} sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
};

static int set_scheduler(const struct spec_scheduler *s, struct error *err)
{
    struct kernel_sched_attr attr = {
        .size = sizeof attr,
        .sched_policy = (uint32_t)s->policy_value,
        .sched_nice = s->nice,
        .sched_priority = (uint32_t)s->priority,
        .sched_runtime = s->runtime,
        .sched_deadline = s->deadline,
        .sched_period = s->period,
    };
    for (size_t i = 0; i < s->flags.len; i++) {
        size_t k = 0;
        while (k < ARRAY_LEN(sched_flags) && strcmp(sched_flags[k].name, s->flags.items[i])) k++;
        if (k == ARRAY_LEN(sched_flags))
            return error_set(err, 0, "process.scheduler.flags[%zu]: unknown flag \"%s\"", i,
                             s->flags.items[i]);
        attr.sched_flags |= sched_flags[k].flag;
    }
    if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
        return error_sys(err, "process.scheduler: sched_setattr %s", s->policy);
    return 0;
}

int schedule_apply(const struct spec_process *p, struct error *err)
{
    if (p->has_scheduler && set_scheduler(&p->scheduler, err) < 0) return -1;
    if (!p->has_io_priority) return 0;
    int prio = IOPRIO_PRIO_VALUE(p->io_priority.class_value, p->io_priority.priority);
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
        return error_sys(err, "process.ioPriority: ioprio_set %s %d", p->io_priority.class_name,
                         p->io_priority.priority);
    return 0;
}

/* "0-3,7" into a set; -1 on a malformed list. */
static int parse_cpus(const char *text, cpu_set_t *set)
{
    CPU_ZERO(set);
    for (const char *p = text; *p;) {
        char *end;
        long first = strtol(p, &end, 10), last = first;
        if (end == p || first < 0) return -1;
        if (*end == '-') {
            p = end + 1;
            last = strtol(p, &end, 10);
            if (end == p || last < first) return -1;
        }
        if (last >= CPU_SETSIZE) return -1;
        for (long c = first; c <= last; c++) CPU_SET((int)c, set);
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return 0;
}

static int set_affinity(const char *cpus, const char *field, struct error *err)
{
    cpu_set_t set;
    if (parse_cpus(cpus, &set) < 0)
        return error_set(err, 0, "%s: \"%s\" is not a CPU list such as 0-3,7", field, cpus);
    if (sched_setaffinity(0, sizeof set, &set) < 0)
        return error_sys(err, "%s: sched_setaffinity %s", field, cpus);
    return 0;
}

int schedule_affinity_initial(const struct spec_process *p, struct error *err)
{
    const char *cpus = p->exec_cpu_affinity_initial;
    return cpus ? set_affinity(cpus, "process.execCPUAffinity.initial", err) : 0;
}

int schedule_affinity_final(const struct spec_process *p, struct error *err)
{
    const char *cpus = p->exec_cpu_affinity_final;
    if (cpus) return set_affinity(cpus, "process.execCPUAffinity.final", err);
    /* The kernel narrows a full set to the cpuset's CPUs. */
    cpu_set_t all;
    memset(&all, 0xff, sizeof all);
    if (sched_setaffinity(0, sizeof all, &all) < 0) return error_sys(err, "reset the CPU affinity");
    return 0;
}
