/* Device access rules for cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program
 * built here instruction by instruction, loaded and attached to a cgroup. */
#ifndef NSRUN_LINUX_CGROUP_BPF_H
#define NSRUN_LINUX_CGROUP_BPF_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct bpf_device_rule {
    bool allow;
    char type;            /* 'a' (any), 'c' or 'b' */
    int64_t major, minor; /* -1: any */
    unsigned access;      /* BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE bits */
};

/* The name nsrun gives its program, by which it finds it again on a cgroup. */
#define CGROUP_BPF_PROG_NAME "nsrun_devices"

/* Pure: the program for the rules in order, where the LAST rule that matches
 * an access decides (as successive writes to v1's devices.allow/devices.deny
 * do), each access bit on its own: a bit is decided by the last rule whose
 * type, major and minor match the device and whose access holds that bit, or
 * by default_allow when no rule holds it; the access is allowed iff every
 * bit it asks for is. So a deny rule denies any access asking for one of its
 * bits (after "allow c 1:3 rwm, deny c 1:3 w", r is allowed, w and rw are
 * not), and allow rules add up (after "deny a rwm, allow c 1:3 r, allow
 * c 1:3 w", rw is allowed). An access asking for no bit is allowed. Rules
 * are taken literally ('a' with a major is every type with that major).
 * Refuses a type other than a, c, b, a major or minor outside
 * [-1, UINT32_MAX], an access bit beyond m, r, w, and rules that need more
 * than BPF_MAXINSNS instructions. *insns is malloc'd, *count its length. */
int cgroup_bpf_build(const struct bpf_device_rule *rules, size_t n, bool default_allow,
                     struct bpf_insn **insns, size_t *count, struct error *err);

/* Loads the program and attaches it to the cgroup (an O_RDONLY|O_DIRECTORY fd
 * of the cgroup's directory). If a program nsrun attached before (known by
 * CGROUP_BPF_PROG_NAME) is there, it is replaced atomically
 * (BPF_F_ALLOW_MULTI | BPF_F_REPLACE) so that there is never a moment
 * without rules; otherwise it is attached with BPF_F_ALLOW_MULTI. Programs
 * others attached stay, and must allow an access too. */
int cgroup_bpf_attach_devices(int cgroup_fd, const struct bpf_insn *insns, size_t count,
                              struct error *err);

#endif
