/* What cgroup.c shares with the resource code and its v1 and v2 writers. */
#ifndef NSRUN_LINUX_CGROUP_INTERNAL_H
#define NSRUN_LINUX_CGROUP_INTERNAL_H

#include "linux/cgroup.h"
#include "linux/cgroup_bpf.h"

/* Writes value to dir/file, naming the spec field on failure. */
int cgroup_write(const struct cgroup_dir *dir, const char *file, const char *value,
                 const char *field, struct error *err);
/* cgroup_write() of a formatted value. */
int cgroup_writef(const struct cgroup_dir *dir, const char *file, const char *field,
                  struct error *err, const char *fmt, ...) PRINTF_LIKE(5, 6);
/* Reads dir/file (a single value) into buf, newline removed. */
int cgroup_read(const struct cgroup_dir *dir, const char *file, char *buf, size_t size,
                struct error *err);
/* Does dir/file exist? */
bool cgroup_has_file(const struct cgroup_dir *dir, const char *file);
/* Whether a hierarchy's controller list holds `controller`. */
bool cgroup_has_controller(const char *controllers, const char *controller);

/* Applies every resource of r to cg, each through the hierarchy that holds
 * its controller (v1 first, then v2). v2_mount is the v2 hierarchy's mount
 * point (NULL without one), for controller delegation. */
int cgroup_apply(struct cgroup *cg, const char *v2_mount, const struct spec_resources *r,
                 struct error *err);

typedef int (*cgroup_writer)(const struct cgroup_dir *d, const struct spec_resources *r,
                             struct error *err);

int cgroup_v1_memory(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err);
int cgroup_v1_cpu(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err);
int cgroup_v1_blkio(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err);
int cgroup_v1_hugetlb(const struct cgroup_dir *d, const struct spec_resources *r,
                      struct error *err);
int cgroup_v1_net_cls(const struct cgroup_dir *d, const struct spec_resources *r,
                      struct error *err);
int cgroup_v1_net_prio(const struct cgroup_dir *d, const struct spec_resources *r,
                       struct error *err);
int cgroup_v1_devices(const struct cgroup_dir *d, const struct spec_resources *r,
                      struct error *err);
/* v1 cpuset: a new cgroup starts with empty cpus and mems, and no task may
 * join it until they are set; copies them from the parent. */
int cgroup_v1_cpuset_init(const char *dir, struct error *err);

int cgroup_v2_memory(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err);
int cgroup_v2_cpu(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err);
int cgroup_v2_io(const struct cgroup_dir *d, const struct spec_resources *r, struct error *err);
int cgroup_v2_hugetlb(const struct cgroup_dir *d, const struct spec_resources *r,
                      struct error *err);
int cgroup_v2_devices(const struct cgroup_dir *d, const struct spec_resources *r,
                      struct error *err);
int cgroup_v2_unified(const struct cgroup_dir *d, const struct spec_resources *r,
                      struct error *err);
/* Enables the controller each unified key names ("memory" of
 * "memory.high"), where the host has it: no other resource may ask for it. */
int cgroup_v2_enable_unified(const char *mount, const struct cgroup_dir *d,
                             const struct spec_resources *r, struct error *err);
/* Makes controllers available to `dir` by enabling them in the
 * subtree_control of each ancestor below the hierarchy's root; the root
 * must offer them already (nsrun does not change the host's root cgroup). */
int cgroup_v2_enable(const char *mount, const char *dir, const char *controllers,
                     struct error *err);

/* Same files and syntax on v1 and v2. */
int cgroup_write_pids(const struct cgroup_dir *d, const struct spec_resources *r,
                      struct error *err);
int cgroup_write_cpuset(const struct cgroup_dir *d, const struct spec_resources *r,
                        struct error *err);
int cgroup_write_rdma(const struct cgroup_dir *d, const struct spec_resources *r,
                      struct error *err);

/* The spec's device rules, then the devices every container may use (as
 * runc allows them), as one list in order: the last rule matching an
 * access decides. *rules is malloc'd. */
int cgroup_device_rules(const struct spec_resources *r, struct bpf_device_rule **rules, size_t *n,
                        struct error *err);

#endif
