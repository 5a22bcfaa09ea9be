/* Translating linux.seccomp with libseccomp, and loading it; see seccomp.h.
 * As runc does: syscalls libseccomp does not know are skipped with a debug
 * note, a rule whose action is the default one is dropped, and a rule that
 * names an argument twice becomes one rule per condition (libseccomp ANDs
 * the conditions of a rule and refuses two on the same argument). */
#include "linux/seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/seccomp_cache.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/log.h"

#define FIELD "linux.seccomp"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const struct {
    const char *name;
    uint32_t action;
} actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
};
/* With an errnoRet (EPERM by default). */
static const char *const actions_with_ret[] = {"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"};

static const struct {
    const char *name;
    enum scmp_compare op;
} operators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const struct {
    const char *name;
    unsigned int flag;
} filter_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* The architectures runtime-spec names; which of them libseccomp knows is
 * asked of it (seccomp_arch_name()). */
static const char *const arch_names[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
};

/* "SCMP_ARCH_X86_64" (or "x86_64") as libseccomp knows it; 0 if it does not. */
static uint32_t arch_resolve(const char *name)
{
    char lower[32];
    const char *bare = strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : name;
    size_t n = 0;
    for (; bare[n] && n < sizeof lower - 1; n++)
        lower[n] = (char)(bare[n] >= 'A' && bare[n] <= 'Z' ? bare[n] + 32 : bare[n]);
    lower[n] = '\0';
    return seccomp_arch_resolve_name(lower);
}

const char *seccomp_action_name(size_t i)
{
    if (i < ARRAY_LEN(actions)) return actions[i].name;
    i -= ARRAY_LEN(actions);
    return i < ARRAY_LEN(actions_with_ret) ? actions_with_ret[i] : NULL;
}

const char *seccomp_operator_name(size_t i)
{
    return i < ARRAY_LEN(operators) ? operators[i].name : NULL;
}

const char *seccomp_flag_name(size_t i)
{
    return i < ARRAY_LEN(filter_flags) ? filter_flags[i].name : NULL;
}

const char *seccomp_arch_name(size_t i)
{
    for (size_t k = 0; k < ARRAY_LEN(arch_names); k++)
        if (arch_resolve(arch_names[k]) && i-- == 0) return arch_names[k];
    return NULL;
}

/* The action of a name; errno_ret applies to ERRNO and TRACE. */
static int action_of(const char *name, bool has_ret, uint32_t ret, uint32_t *out)
{
    if (strcmp(name, "SCMP_ACT_ERRNO") == 0) {
        *out = SCMP_ACT_ERRNO(has_ret ? ret : EPERM);
        return 0;
    }
    if (strcmp(name, "SCMP_ACT_TRACE") == 0) {
        *out = SCMP_ACT_TRACE(has_ret ? ret : EPERM);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_LEN(actions); i++)
        if (strcmp(actions[i].name, name) == 0) {
            *out = actions[i].action;
            return 0;
        }
    return -1;
}

static int operator_of(const char *name, enum scmp_compare *out)
{
    for (size_t i = 0; i < ARRAY_LEN(operators); i++)
        if (strcmp(operators[i].name, name) == 0) {
            *out = operators[i].op;
            return 0;
        }
    return -1;
}

static int flag_of(const char *name, unsigned int *out)
{
    for (size_t i = 0; i < ARRAY_LEN(filter_flags); i++)
        if (strcmp(filter_flags[i].name, name) == 0) {
            *out |= filter_flags[i].flag;
            return 0;
        }
    return -1;
}

/* The names are known: check_profile() came first. */
static int add_architectures(scmp_filter_ctx ctx, const struct spec_strings *archs,
                             struct error *err)
{
    for (size_t i = 0; i < archs->len; i++) {
        int rc = seccomp_arch_add(ctx, arch_resolve(archs->items[i]));
        if (rc < 0 && rc != -EEXIST)
            return error_set(err, -rc, FIELD ".architectures[%zu]: add %s", i, archs->items[i]);
    }
    return 0;
}

static bool repeats_an_argument(const struct spec_seccomp_syscall *sc)
{
    for (size_t i = 0; i < sc->n_args; i++)
        for (size_t j = 0; j < i; j++)
            if (sc->args[i].index == sc->args[j].index) return true;
    return false;
}

static int make_condition(const struct spec_seccomp_syscall *sc, size_t rule, size_t a,
                          struct scmp_arg_cmp *out, struct error *err)
{
    const struct spec_seccomp_arg *arg = &sc->args[a];
    enum scmp_compare op;
    if (operator_of(arg->op, &op) < 0)
        return error_set(err, 0, FIELD ".syscalls[%zu].args[%zu].op: unknown operator \"%s\"", rule,
                         a, arg->op);
    if (arg->index > 5)
        return error_set(err, 0, FIELD ".syscalls[%zu].args[%zu].index: must be 0 to 5", rule, a);
    *out = (struct scmp_arg_cmp){arg->index, op, arg->value, arg->value_two};
    return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct scmp_arg_cmp *conds,
                    unsigned n, const char *name, size_t rule, struct error *err)
{
    int rc = seccomp_rule_add_array(ctx, action, nr, n, conds);
    if (rc < 0) return error_set(err, -rc, FIELD ".syscalls[%zu]: add a rule for %s", rule, name);
    return 0;
}

/* The action and conditions of syscalls[i], checked. */
static int syscall_rule(const struct spec_seccomp *spec, size_t i, uint32_t *action,
                        struct scmp_arg_cmp conds[6], struct error *err)
{
    const struct spec_seccomp_syscall *sc = &spec->syscalls[i];
    if (strcmp(sc->action, "SCMP_ACT_NOTIFY") == 0 &&
        !(spec->listener_path && *spec->listener_path))
        return error_set(err, 0,
                         FIELD ".syscalls[%zu].action: SCMP_ACT_NOTIFY needs a listenerPath", i);
    if (action_of(sc->action, sc->has_errno_ret, sc->errno_ret, action) < 0)
        return error_set(err, 0, FIELD ".syscalls[%zu].action: unknown action \"%s\"", i,
                         sc->action);
    if (sc->n_args > 6) return error_set(err, 0, FIELD ".syscalls[%zu].args: more than 6", i);
    for (size_t a = 0; a < sc->n_args; a++)
        if (make_condition(sc, i, a, &conds[a], err) < 0) return -1;
    return 0;
}

static int add_syscall_rules(scmp_filter_ctx ctx, const struct spec_seccomp *spec,
                             uint32_t default_action, size_t i, struct error *err)
{
    const struct spec_seccomp_syscall *sc = &spec->syscalls[i];
    uint32_t action;
    struct scmp_arg_cmp conds[6];
    if (syscall_rule(spec, i, &action, conds, err) < 0) return -1;
    if (action == default_action) return 0; /* the default does it already */

    for (size_t k = 0; k < sc->names.len; k++) {
        const char *name = sc->names.items[k];
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) {
            log_debug("seccomp: syscall %s is unknown to libseccomp here; skipped", name);
            continue;
        }
        if (!repeats_an_argument(sc)) {
            if (add_rule(ctx, action, nr, conds, (unsigned)sc->n_args, name, i, err) < 0) return -1;
            continue;
        }
        for (size_t a = 0; a < sc->n_args; a++)
            if (add_rule(ctx, action, nr, &conds[a], 1, name, i, err) < 0) return -1;
    }
    return 0;
}

/* libseccomp writes the program to a descriptor; read it back into memory. */
static int export_program(scmp_filter_ctx ctx, struct seccomp_program *out, struct error *err)
{
    _cleanup_close_ int fd = memfd_create("nsrun-seccomp", MFD_CLOEXEC);
    if (fd < 0) return error_sys(err, FIELD ": memfd_create");
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) return error_set(err, -rc, FIELD ": export the filter");
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
        size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
        return error_set(err, 0, FIELD ": the filter has a bad size (%lld bytes)", (long long)size);
    out->filter = malloc((size_t)size);
    if (!out->filter) return error_set(err, ENOMEM, FIELD);
    if (pread(fd, out->filter, (size_t)size, 0) != size) {
        free(out->filter);
        out->filter = NULL;
        return error_sys(err, FIELD ": read the filter");
    }
    out->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
    return 0;
}

static int build(scmp_filter_ctx ctx, const struct spec_seccomp *spec, uint32_t default_action,
                 struct seccomp_program *out, struct error *err)
{
    if (add_architectures(ctx, &spec->architectures, err) < 0) return -1;
    for (size_t i = 0; i < spec->n_syscalls; i++)
        if (add_syscall_rules(ctx, spec, default_action, i, err) < 0) return -1;
    return export_program(ctx, out, err);
}

static int compile(const struct spec_seccomp *spec, uint32_t default_action,
                   struct seccomp_program *out, struct error *err)
{
    scmp_filter_ctx ctx = seccomp_init(default_action);
    if (!ctx) return error_set(err, ENOMEM, FIELD ": seccomp_init");
    /* The init sets no_new_privs itself when the spec asks for it. */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    int rc = build(ctx, spec, default_action, out, err);
    seccomp_release(ctx);
    return rc;
}

/* Everything that can be wrong in a profile, short of libseccomp refusing a
 * rule: the default action and flags (returned), architectures, rules. */
static int check_profile(const struct spec_seccomp *spec, uint32_t *default_action,
                         unsigned int *flags, struct error *err)
{
    *flags = 0;
    /* As runc: the process would wait on the listener for every syscall,
     * nsrun's own last ones included. */
    if (strcmp(spec->default_action, "SCMP_ACT_NOTIFY") == 0)
        return error_set(err, 0, FIELD ".defaultAction: SCMP_ACT_NOTIFY cannot be the default");
    if (spec->listener_path && *spec->listener_path && spec->listener_path[0] != '/')
        return error_set(err, 0, FIELD ".listenerPath: must be an absolute path");
    if (action_of(spec->default_action, spec->has_default_errno_ret, spec->default_errno_ret,
                  default_action) < 0)
        return error_set(err, 0, FIELD ".defaultAction: unknown action \"%s\"",
                         spec->default_action);
    for (size_t i = 0; i < spec->flags.len; i++)
        if (flag_of(spec->flags.items[i], flags) < 0)
            return error_set(err, 0, FIELD ".flags[%zu]: unknown flag \"%s\"", i,
                             spec->flags.items[i]);
    for (size_t i = 0; i < spec->architectures.len; i++)
        if (!arch_resolve(spec->architectures.items[i]))
            return error_set(err, 0, FIELD ".architectures[%zu]: unknown architecture \"%s\"", i,
                             spec->architectures.items[i]);
    for (size_t i = 0; i < spec->n_syscalls; i++) {
        uint32_t action;
        struct scmp_arg_cmp conds[6];
        if (syscall_rule(spec, i, &action, conds, err) < 0) return -1;
    }
    return 0;
}

static bool uses_notify(const struct spec_seccomp *spec)
{
    for (size_t i = 0; i < spec->n_syscalls; i++)
        if (strcmp(spec->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0 && spec->syscalls[i].names.len)
            return true;
    return false;
}

int seccomp_check(const struct spec_seccomp *spec, struct error *err)
{
    uint32_t default_action;
    unsigned int flags;
    return check_profile(spec, &default_action, &flags, err);
}

int seccomp_compile(const struct spec_seccomp *spec, int root_fd, struct seccomp_program *out,
                    struct error *err)
{
    memset(out, 0, sizeof *out);
    uint32_t default_action;
    unsigned int flags;
    if (check_profile(spec, &default_action, &flags, err) < 0) return -1;
    struct seccomp_cache_key key = {0};
    bool cached = root_fd >= 0 && seccomp_cache_key_make(spec, &key) == 0;
    out->flags = flags;
    out->notify = uses_notify(spec);
    if (cached && seccomp_cache_lookup(root_fd, &key, &out->filter, &out->len)) {
        seccomp_cache_key_free(&key);
        return 0;
    }
    int rc = compile(spec, default_action, out, err);
    if (rc == 0 && cached) seccomp_cache_store(root_fd, &key, out->filter, out->len);
    seccomp_cache_key_free(&key);
    return rc;
}

int seccomp_install(const struct seccomp_program *prog, int *listener, struct error *err)
{
    *listener = -1;
    if (!prog->filter) return 0;
    struct sock_fprog fprog = {.len = prog->len, .filter = prog->filter};
    unsigned int flags = prog->flags | (prog->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    if (rc < 0) return error_sys(err, FIELD ": load the filter");
    /* The kernel marks a listener close-on-exec. */
    if (prog->notify) *listener = (int)rc;
    return 0;
}

/* One message on a new connection: the state as payload, the listener as
 * SCM_RIGHTS (runtime-spec's "containerProcessState"). */
int seccomp_send_listener(const char *path, const char *process_state, int listener,
                          struct error *err)
{
    _cleanup_close_ int sock = unix_connect(path, FIELD ".listenerPath", err);
    if (sock < 0) return -1;
    if (fd_send(sock, listener, process_state, err) < 0)
        return error_wrap(err, FIELD ".listenerPath %s", path);
    return 0;
}

void seccomp_program_free(struct seccomp_program *prog)
{
    free(prog->filter);
    prog->filter = NULL;
}
