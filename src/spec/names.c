/* Name tables for kernel constants; see names.h. */
#include "spec/names.h"

#include <linux/ioprio.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "spec/spec.h"
#include "util/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_ISO
#define SCHED_ISO 4
#endif

struct name_value {
    const char *name;
    long value;
};

static long lookup(const struct name_value *table, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].value;
    return -1;
}

/* Indexed by capability number. */
static const char *const capabilities[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

int capability_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(capabilities); i++)
        if (strcmp(capabilities[i], name) == 0) return (int)i;
    return -1;
}

const char *capability_name(int cap)
{
    return cap >= 0 && (size_t)cap < ARRAY_LEN(capabilities) ? capabilities[cap] : NULL;
}

int capability_last_known(void)
{
    return (int)ARRAY_LEN(capabilities) - 1;
}

static const struct name_value rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int rlimit_from_name(const char *name)
{
    return (int)lookup(rlimits, ARRAY_LEN(rlimits), name);
}

static const struct name_value sched_policies[] = {
    {"SCHED_OTHER", SCHED_OTHER},       {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},       {"SCHED_ISO", SCHED_ISO},   {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
};

int sched_policy_from_name(const char *name)
{
    return (int)lookup(sched_policies, ARRAY_LEN(sched_policies), name);
}

static const struct name_value ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
    {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
    {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
};

int ioprio_class_from_name(const char *name)
{
    return (int)lookup(ioprio_classes, ARRAY_LEN(ioprio_classes), name);
}

static const struct name_value propagations[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

const char *propagation_name(size_t i)
{
    return i < ARRAY_LEN(propagations) ? propagations[i].name : NULL;
}

unsigned long propagation_from_name(const char *name)
{
    long v = lookup(propagations, ARRAY_LEN(propagations), name);
    return v < 0 ? 0 : (unsigned long)v;
}

/* Indexed by enum ns_type. */
static const struct {
    const char *spec_name, *proc_name;
    int clone_flag;
} namespaces[NS_COUNT] = {
    [NS_USER] = {"user", "user", CLONE_NEWUSER},
    [NS_MOUNT] = {"mount", "mnt", CLONE_NEWNS},
    [NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
    [NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [NS_NET] = {"network", "net", CLONE_NEWNET},
    [NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

const char *ns_type_spec_name(enum ns_type type)
{
    return namespaces[type].spec_name;
}

const char *ns_type_proc_name(enum ns_type type)
{
    return namespaces[type].proc_name;
}

int ns_type_clone_flag(enum ns_type type)
{
    return namespaces[type].clone_flag;
}

int ns_type_from_spec_name(const char *name)
{
    for (int t = 0; t < NS_COUNT; t++)
        if (strcmp(namespaces[t].spec_name, name) == 0) return t;
    return -1;
}

static const char *const hook_kinds[HOOK_KIND_COUNT] = {
    [HOOK_PRESTART] = "prestart",
    [HOOK_CREATE_RUNTIME] = "createRuntime",
    [HOOK_CREATE_CONTAINER] = "createContainer",
    [HOOK_START_CONTAINER] = "startContainer",
    [HOOK_POSTSTART] = "poststart",
    [HOOK_POSTSTOP] = "poststop",
};

const char *hook_kind_name(enum hook_kind kind)
{
    return hook_kinds[kind];
}
