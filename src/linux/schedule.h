/* Where and how the process runs: process.scheduler (sched_setattr),
 * process.ioPriority (ioprio_set), process.execCPUAffinity. */
#ifndef NSRUN_LINUX_SCHEDULE_H
#define NSRUN_LINUX_SCHEDULE_H

#include "spec/spec.h"

/* Scheduler and I/O priority of the calling process. */
int schedule_apply(const struct spec_process *p, struct error *err);
/* process.execCPUAffinity, as runc has it. Before the process joins the
 * container's cgroups: the initial CPUs, where given. After: the final
 * CPUs, or else every CPU, so that the process gets its cgroup's cpuset and
 * not whatever affinity nsrun itself was started with. */
int schedule_affinity_initial(const struct spec_process *p, struct error *err);
int schedule_affinity_final(const struct spec_process *p, struct error *err);

#endif
