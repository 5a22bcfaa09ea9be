/* config.json (OCI runtime-spec v1.2) as typed C structs: every field that
 * applies to Linux. Strings point into the parsed JSON document and arrays
 * live in the spec's arena; both go with spec_free(). */
#ifndef NSRUN_SPEC_SPEC_H
#define NSRUN_SPEC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define SPEC_OCI_VERSION "1.2.0"

enum ns_type { NS_USER, NS_MOUNT, NS_UTS, NS_IPC, NS_PID, NS_NET, NS_CGROUP, NS_TIME, NS_COUNT };

/* The spec's name ("network") and the /proc/PID/ns name ("net") of a type. */
const char *ns_type_spec_name(enum ns_type type);
const char *ns_type_proc_name(enum ns_type type);
int ns_type_clone_flag(enum ns_type type);

struct spec_strings {
    const char **items;
    size_t len;
};

struct spec_id_mapping {
    uint32_t container_id, host_id, size;
};

struct spec_id_mappings {
    struct spec_id_mapping *items;
    size_t len;
};

struct spec_mount {
    const char *destination;
    const char *type;   /* NULL when absent */
    const char *source; /* NULL when absent */
    struct spec_strings options;
    struct spec_id_mappings uid_mappings, gid_mappings;
};

struct spec_rlimit {
    const char *type; /* "RLIMIT_NOFILE" */
    int resource;     /* RLIMIT_NOFILE */
    uint64_t soft, hard;
};

struct spec_capabilities {
    /* Bit N is capability N; has_* says whether the list was given. */
    uint64_t bounding, effective, inheritable, permitted, ambient;
    bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
};

struct spec_scheduler {
    const char *policy;
    int policy_value;
    int32_t nice, priority;
    struct spec_strings flags;
    uint64_t runtime, deadline, period;
};

struct spec_io_priority {
    const char *class_name;
    int class_value;
    int32_t priority;
};

struct spec_user {
    uint32_t uid, gid;
    bool has_umask;
    uint32_t umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
};

struct spec_process {
    bool terminal;
    bool has_console_size;
    uint32_t console_height, console_width;
    struct spec_user user;
    struct spec_strings args;
    struct spec_strings env;
    const char *cwd;
    bool has_capabilities;
    struct spec_capabilities capabilities;
    struct spec_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    const char *apparmor_profile;
    bool has_oom_score_adj;
    int oom_score_adj;
    const char *selinux_label;
    bool has_scheduler;
    struct spec_scheduler scheduler;
    bool has_io_priority;
    struct spec_io_priority io_priority;
    const char *exec_cpu_affinity_initial, *exec_cpu_affinity_final;
};

struct spec_hook {
    const char *path;
    struct spec_strings args, env;
    bool has_timeout;
    int timeout;
};

struct spec_hook_list {
    struct spec_hook *items;
    size_t len;
};

enum hook_kind {
    HOOK_PRESTART,
    HOOK_CREATE_RUNTIME,
    HOOK_CREATE_CONTAINER,
    HOOK_START_CONTAINER,
    HOOK_POSTSTART,
    HOOK_POSTSTOP,
    HOOK_KIND_COUNT
};
const char *hook_kind_name(enum hook_kind kind);

struct spec_namespace {
    enum ns_type type;
    const char *path; /* NULL: create a new one */
};

struct spec_device {
    char type; /* 'c', 'b', 'u', 'p' */
    const char *path;
    int64_t major, minor;
    bool has_file_mode, has_uid, has_gid;
    uint32_t file_mode, uid, gid;
};

/* Optional numbers in resources: `has` says whether the field was given. */
struct opt_i64 {
    bool has;
    int64_t v;
};
struct opt_u64 {
    bool has;
    uint64_t v;
};
struct opt_bool {
    bool has;
    bool v;
};

struct spec_device_rule {
    bool allow;
    char type; /* 'a', 'c', 'b'; 'a' when absent */
    struct opt_i64 major, minor;
    const char *access; /* "rwm"; NULL when absent */
};

struct spec_memory {
    struct opt_i64 limit, reservation, swap, kernel, kernel_tcp;
    struct opt_u64 swappiness;
    struct opt_bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct spec_cpu {
    struct opt_u64 shares, period, realtime_period, burst;
    struct opt_i64 quota, realtime_runtime, idle;
    const char *cpus, *mems;
};

struct spec_weight_device {
    int64_t major, minor;
    struct opt_u64 weight, leaf_weight;
};

struct spec_throttle_device {
    int64_t major, minor;
    uint64_t rate;
};

struct spec_throttle_list {
    struct spec_throttle_device *items;
    size_t len;
};

struct spec_block_io {
    struct opt_u64 weight, leaf_weight;
    struct spec_weight_device *weight_devices;
    size_t n_weight_devices;
    struct spec_throttle_list read_bps, write_bps, read_iops, write_iops;
};

struct spec_hugepage_limit {
    const char *page_size;
    uint64_t limit;
};

struct spec_net_priority {
    const char *name;
    uint32_t priority;
};

struct spec_rdma {
    const char *device;
    struct opt_u64 hca_handles, hca_objects;
};

struct spec_key_value {
    const char *key, *value;
};

struct spec_key_values {
    struct spec_key_value *items;
    size_t len;
};

struct spec_resources {
    struct spec_device_rule *devices;
    size_t n_devices;
    bool has_memory, has_cpu, has_pids, has_block_io, has_network;
    struct spec_memory memory;
    struct spec_cpu cpu;
    int64_t pids_limit;
    struct spec_block_io block_io;
    struct spec_hugepage_limit *hugepage_limits;
    size_t n_hugepage_limits;
    struct opt_u64 net_class_id;
    struct spec_net_priority *net_priorities;
    size_t n_net_priorities;
    struct spec_rdma *rdma;
    size_t n_rdma;
    struct spec_key_values unified;
};

struct spec_seccomp_arg {
    uint32_t index;
    uint64_t value, value_two;
    const char *op;
};

struct spec_seccomp_syscall {
    struct spec_strings names;
    const char *action;
    bool has_errno_ret;
    uint32_t errno_ret;
    struct spec_seccomp_arg *args;
    size_t n_args;
};

struct spec_seccomp {
    const char *default_action;
    bool has_default_errno_ret;
    uint32_t default_errno_ret;
    struct spec_strings architectures, flags;
    const char *listener_path, *listener_metadata;
    struct spec_seccomp_syscall *syscalls;
    size_t n_syscalls;
};

struct spec_time_offset {
    bool has;
    int64_t secs;
    uint32_t nanosecs;
};

struct spec_intel_rdt {
    const char *clos_id, *l3_cache_schema, *mem_bw_schema;
    bool enable_cmt, enable_mbm;
};

struct spec_personality {
    const char *domain;
    unsigned long domain_value;
    struct spec_strings flags;
};

struct spec_linux {
    struct spec_namespace *namespaces;
    size_t n_namespaces;
    struct spec_id_mappings uid_mappings, gid_mappings;
    struct spec_time_offset time_monotonic, time_boottime;
    struct spec_device *devices;
    size_t n_devices;
    const char *cgroups_path;
    bool has_resources;
    struct spec_resources resources;
    bool has_intel_rdt;
    struct spec_intel_rdt intel_rdt;
    struct spec_key_values sysctl;
    bool has_seccomp;
    struct spec_seccomp seccomp;
    const char *rootfs_propagation;
    unsigned long rootfs_propagation_flags;
    bool has_masked_paths, has_readonly_paths;
    struct spec_strings masked_paths, readonly_paths;
    const char *mount_label;
    bool has_personality;
    struct spec_personality personality;
    struct spec_key_values net_devices; /* host name -> name in the container */
};

struct spec {
    void *doc;   /* the json_t the strings point into */
    void *arena; /* where the arrays live */

    const char *oci_version;
    const char *root_path;
    bool root_readonly;
    struct spec_mount *mounts;
    size_t n_mounts;
    bool has_process;
    struct spec_process process;
    const char *hostname, *domainname;
    struct spec_hook_list hooks[HOOK_KIND_COUNT];
    struct spec_key_values annotations;
    bool has_linux;
    struct spec_linux linux;
};

/* Parses a config.json document. `name` prefixes every error
 * ("config.json: linux.namespaces[2].type: unknown namespace \"foo\""). */
int spec_parse(struct spec *spec, const char *json, size_t len, const char *name,
               struct error *err);
/* Parses a lone process object (exec --process FILE) into spec->process;
 * the rest of spec stays empty. */
int spec_parse_process(struct spec *spec, const char *json, size_t len, const char *name,
                       struct error *err);
/* Parses a lone linux.resources object (update --resources) into
 * spec->linux.resources. */
int spec_parse_resources(struct spec *spec, const char *json, size_t len, const char *name,
                         struct error *err);
/* Reads and parses <bundle>/config.json. */
int spec_load(struct spec *spec, int bundle_dirfd, struct error *err);
void spec_free(struct spec *spec);

/* Cross-field rules, and refusal of fields whose feature nsrun does not
 * implement yet: after this, every field set in the spec is acted on. */
int spec_validate(const struct spec *spec, struct error *err);

/* The rules for a process, the container's or one given to exec; `where`
 * starts each error ("config.json: process.", "process.json: "). */
int spec_validate_process(const struct spec_process *p, const char *where, struct error *err);

/* The namespace of a type, or NULL when the spec does not list it. */
const struct spec_namespace *spec_namespace(const struct spec *spec, enum ns_type type);
/* The value of NAME in a process' env ("PATH"), or NULL. */
const char *spec_getenv(const struct spec_process *p, const char *name);

/* The default config.json `nsrun spec` writes (a NUL-terminated string). */
const char *spec_default_json(void);
/* `nsrun spec --rootless`: root inside is uid/gid outside (one id each), the
 * host's network, no cgroup resources (malloc'd JSON text). */
char *spec_build_rootless(unsigned uid, unsigned gid, struct error *err);

/* What a person asks of `nsrun run --rootfs DIR`. */
struct rootfs_volume {
    const char *source, *destination; /* source absolute */
    bool readonly;
};
struct rootfs_run {
    const char *rootfs; /* absolute */
    const char *const *args;
    size_t n_args; /* 0: the default shell */
    const char *const *env;
    size_t n_env; /* KEY=VALUE added to the default environment */
    bool terminal, writable, host_network;
    bool rootless; /* a user namespace where root is uid/gid */
    unsigned uid, gid;
    const char *hostname; /* NULL: the default */
    int64_t memory, pids; /* 0: no limit */
    const struct rootfs_volume *volumes;
    size_t n_volumes;
};
/* The default spec with those choices applied, as JSON text (malloc'd). */
char *spec_build_rootfs_run(const struct rootfs_run *r, struct error *err);

#endif
