/* The rootfs set-up as data: config.json's mounts, the cgroup mount, default
 * and configured devices, /dev symlinks, masked and read-only paths become
 * one ordered array of small typed steps (bubblewrap's model). Building it is
 * pure (unit-tested without root); rootfs.c executes it. */
#ifndef NSRUN_LINUX_MOUNT_PLAN_H
#define NSRUN_LINUX_MOUNT_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/cgroup.h"
#include "spec/spec.h"

enum mount_step_kind {
    STEP_MOUNT,     /* a new file system (type, source, flags, data) on dest */
    STEP_BIND,      /* bind source (host path, relative to the bundle) on dest */
    STEP_PROPAGATE, /* propagation flags on dest */
    STEP_REMOUNT,   /* dest's flags set to `flags` (a tmpfs made read-only last) */
    STEP_MKNOD,     /* a device node */
    STEP_BIND_DEV,  /* the host's device node bound on dest (no mknod in a user namespace) */
    STEP_SYMLINK,   /* dest -> target */
    STEP_MASK,      /* hide dest: /dev/null over a file, a read-only tmpfs over a directory */
    STEP_READONLY,  /* dest bound on itself, read-only */
    STEP_SETATTR,   /* recursive mount attributes (rro, rnosuid, ...) on dest and below */
};

struct mount_step {
    enum mount_step_kind kind;
    const char *dest; /* path inside the container */
    const char *source;
    const char *fstype;
    const char *target;          /* STEP_SYMLINK */
    unsigned long flags;         /* MS_* */
    unsigned long propagation;   /* STEP_PROPAGATE */
    uint64_t attr_set, attr_clr; /* STEP_SETATTR: MOUNT_ATTR_* */
    bool recursive;              /* STEP_BIND: rbind */
    bool optional;               /* a missing dest is skipped, not an error */
    bool copy_up;                /* STEP_MOUNT: tmpcopyup, the tmpfs gets what dest held */
    bool idmap, idmap_recursive; /* STEP_BIND: id-mapped (idmap), every submount too (ridmap) */
    const char *data;            /* fs options, owned by the plan */
    mode_t mode;                 /* STEP_MKNOD: type and permissions */
    dev_t dev;
    uid_t uid;
    gid_t gid;
    int spec_index; /* mounts[i] it comes from, or -1 */
    /* STEP_MASK, STEP_READONLY: the type of the planned mount the path is
     * under ("proc" for /proc/kcore), which the path found must be on;
     * NULL when it is not under a new file system. */
    const char *within_fstype;
};

struct mount_plan {
    struct mount_step *steps;
    size_t n, cap;
    struct arena *arena; /* strings made while planning */
};

struct mount_plan_input {
    const struct spec *spec;
    const struct cgroup *cgroup; /* the container's cgroup, for a "cgroup" mount */
    bool cgroup_ns;              /* it has a cgroup namespace of its own */
    bool user_ns;                /* devices are bound from the host, not made */
    bool host_has_kcore;         /* /dev/core -> /proc/kcore as runc makes it */
    const char *mount_label;     /* linux.mountLabel: SELinux context of new mounts, or NULL */
};

int mount_plan_build(const struct mount_plan_input *in, struct mount_plan *plan, struct error *err);
void mount_plan_free(struct mount_plan *plan);

/* Parses a mount's options into MS_* flags, propagation, recursive
 * attributes, bind/rbind, tmpcopyup, idmap/ridmap, and the rest joined as
 * the data string (allocated in *arena). */
struct mount_options {
    unsigned long flags, propagation;
    uint64_t attr_set, attr_clr; /* recursive attributes, MOUNT_ATTR_* */
    bool bind, recursive;
    bool copy_up;                /* tmpcopyup */
    bool idmap, idmap_recursive; /* idmap, ridmap */
    const char *data;            /* NULL when empty */
};
int mount_options_parse(const struct spec_strings *options, struct arena **arena,
                        struct mount_options *out, struct error *err);

/* The i-th mount option nsrun knows (flags, recursive attributes,
 * keywords, propagation), NULL past the last: for `nsrun features`. */
const char *mount_option_name(size_t i);

#endif
