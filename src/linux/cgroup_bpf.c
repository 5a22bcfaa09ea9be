/* cgroup v2 device rules: the BPF program for them, emitted here without a
 * compiler, and its loading and attaching with bpf(2); see cgroup_bpf.h. */
#include "linux/cgroup_bpf.h"

#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* What the program keeps in its registers; r1 holds the context on entry. */
enum {
    R_RET = BPF_REG_0,
    R_CTX = BPF_REG_1,
    R_TYPE = BPF_REG_2,    /* BPF_DEVCG_DEV_* */
    R_PENDING = BPF_REG_3, /* the access bits asked for that no rule has decided yet */
    R_MAJOR = BPF_REG_4,
    R_MINOR = BPF_REG_5,
};

/* The few instruction forms the program needs. Comparisons are 32-bit
 * (BPF_JMP32) so that a major or minor above INT32_MAX still compares equal
 * to its zero-extended register. */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

#define LOAD_U32(dst, src, off)    insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_REG(dst, src)          insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm)          insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define ALU_IMM(op, dst, imm)      insn(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define JMP_IMM(op, dst, imm, off) insn(BPF_JMP32 | (op) | BPF_K, dst, 0, off, imm)
#define EXIT()                     insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

#define PROLOGUE_LEN 7
#define TAIL_LEN     2

struct emitter {
    struct bpf_insn *insns;
    size_t n;
};

static void emit(struct emitter *e, struct bpf_insn i)
{
    e->insns[e->n++] = i;
}

/* A conditional jump to the instruction at index `to`, always forward. */
static void emit_jump(struct emitter *e, uint8_t op, uint8_t reg, int32_t imm, size_t to)
{
    emit(e, JMP_IMM(op, reg, imm, (int16_t)(to - e->n - 1)));
}

static int check_rule(const struct bpf_device_rule *r, size_t i, struct error *err)
{
    if (r->type != 'a' && r->type != 'c' && r->type != 'b')
        return error_set(err, 0, "device rule %zu: type '%c' is not a, c or b", i, r->type);
    if (r->major < -1 || r->major > UINT32_MAX || r->minor < -1 || r->minor > UINT32_MAX)
        return error_set(err, 0, "device rule %zu: major or minor out of range", i);
    if (r->access & ~(unsigned)ACC_ALL)
        return error_set(err, 0, "device rule %zu: access 0x%x is not m, r and w bits", i,
                         r->access);
    return 0;
}

/* A rule for every device and every access hides all the rules before it. */
static bool decides_everything(const struct bpf_device_rule *r)
{
    return r->type == 'a' && r->major < 0 && r->minor < 0 && r->access == ACC_ALL;
}

/* Instructions of one rule: a jump past it for each of type, major and minor
 * it names, then one step for a deny rule, two for an allow rule. A rule
 * with no access decides nothing and has none. */
static size_t rule_len(const struct bpf_device_rule *r)
{
    if (!r->access) return 0;
    return (r->type != 'a') + (r->major >= 0) + (r->minor >= 0) + (r->allow ? 2 : 1);
}

/* An allow rule takes its bits off the pending ones, and the access is
 * allowed once none is left; a deny rule denies an access with any pending
 * bit of its own. Rules run last to first, so a bit is decided by the last
 * rule that holds it. */
static void emit_rule(struct emitter *e, const struct bpf_device_rule *r, size_t allow_at,
                      size_t deny_at)
{
    size_t next = e->n + rule_len(r);
    if (!r->access) return;
    if (r->type != 'a')
        emit_jump(e, BPF_JNE, R_TYPE, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK,
                  next);
    if (r->major >= 0) emit_jump(e, BPF_JNE, R_MAJOR, (int32_t)(uint32_t)r->major, next);
    if (r->minor >= 0) emit_jump(e, BPF_JNE, R_MINOR, (int32_t)(uint32_t)r->minor, next);
    if (r->allow) {
        emit(e, ALU_IMM(BPF_AND, R_PENDING, (int32_t)~r->access));
        emit_jump(e, BPF_JEQ, R_PENDING, 0, allow_at);
    } else {
        emit_jump(e, BPF_JSET, R_PENDING, (int32_t)r->access, deny_at);
    }
}

/* Splits the context into registers. An access that asks for nothing has
 * nothing to deny. */
static void emit_prologue(struct emitter *e, size_t allow_at)
{
    emit(e, LOAD_U32(R_TYPE, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type)));
    emit(e, MOV_REG(R_PENDING, R_TYPE));
    emit(e, ALU_IMM(BPF_AND, R_TYPE, 0xffff));
    emit(e, ALU_IMM(BPF_RSH, R_PENDING, 16));
    emit(e, LOAD_U32(R_MAJOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, major)));
    emit(e, LOAD_U32(R_MINOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor)));
    emit_jump(e, BPF_JEQ, R_PENDING, 0, allow_at);
}

static void emit_return(struct emitter *e, bool allow)
{
    emit(e, MOV_IMM(R_RET, allow ? 1 : 0));
    emit(e, EXIT());
}

/* Per bit, last rule first, is what v1 does in both of its modes: denying by
 * default, an access is allowed when an allow exception holds all its bits
 * (allow and deny writes add bits to and take them off a device's
 * exception); allowing by default, it is denied when a deny exception holds
 * any of its bits. It gives one answer for any mix of the two. */
int cgroup_bpf_build(const struct bpf_device_rule *rules, size_t n, bool default_allow,
                     struct bpf_insn **insns, size_t *count, struct error *err)
{
    for (size_t i = 0; i < n; i++)
        if (check_rule(&rules[i], i, err) < 0) return -1;
    /* Rules [first, n) are emitted; what a catch-all rule hides is not. */
    size_t first = 0, rules_len = 0;
    bool any_deny = false;
    for (size_t i = n; i-- > 0;) {
        rules_len += rule_len(&rules[i]);
        any_deny |= !rules[i].allow && rules[i].access;
        if (decides_everything(&rules[i])) {
            first = i;
            break;
        }
    }
    /* The end holds "return default" (where the last rule falls through) and,
     * if anything jumps there, "return !default": the verifier refuses an
     * instruction no path reaches. The prologue always jumps to allow. */
    bool other_tail = !default_allow || any_deny;
    size_t len = PROLOGUE_LEN + rules_len + TAIL_LEN + (other_tail ? TAIL_LEN : 0);
    if (len > BPF_MAXINSNS)
        return error_set(err, 0, "%zu device rules need %zu BPF instructions, more than %d", n, len,
                         BPF_MAXINSNS);
    size_t default_at = PROLOGUE_LEN + rules_len, other_at = default_at + TAIL_LEN;
    size_t allow_at = default_allow ? default_at : other_at;
    size_t deny_at = default_allow ? other_at : default_at;

    struct emitter e = {.insns = calloc(len, sizeof *e.insns)};
    if (!e.insns) return error_sys(err, "allocate %zu BPF instructions", len);
    emit_prologue(&e, allow_at);
    for (size_t i = n; i-- > first;) emit_rule(&e, &rules[i], allow_at, deny_at);
    emit_return(&e, default_allow);
    if (other_tail) emit_return(&e, !default_allow);
    *insns = e.insns;
    *count = e.n;
    return 0;
}

static int bpf(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

/* The verifier's reason: the last line of its log before the "processed"
 * statistics. Its first line names the fault only when the program's shape
 * is wrong (an unreachable instruction), where it is the only line; a fault
 * on a path comes after the trace of the path's instructions. */
static const char *log_reason(char *log)
{
    char *line = log, *reason = NULL;
    while (*line) {
        char *end = strchrnul(line, '\n');
        bool last = !*end;
        *end = '\0';
        if (strncmp(line, "processed ", 10) == 0) break;
        if (*line) reason = line;
        if (last) break;
        line = end + 1;
    }
    return reason ? reason : "no verifier log";
}

_Static_assert(sizeof CGROUP_BPF_PROG_NAME <= BPF_OBJ_NAME_LEN, "a program name has 15 bytes");

static int prog_load(const struct bpf_insn *insns, size_t count, struct error *err)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uintptr_t)insns;
    attr.insn_cnt = (uint32_t)count;
    /* No GPL-only helper is called, so any license will do. */
    attr.license = (uintptr_t) "Apache-2.0";
    memcpy(attr.prog_name, CGROUP_BPF_PROG_NAME, sizeof CGROUP_BPF_PROG_NAME);
    int fd = bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0) return fd;
    int saved = errno;
    /* Only now with a log: a log too small for it fails a good program. */
    size_t size = 256 * 1024;
    _cleanup_free_ char *log = calloc(1, size);
    if (!log) return error_set(err, saved, "load the device program");
    attr.log_buf = (uintptr_t)log;
    attr.log_size = (uint32_t)size;
    attr.log_level = 1;
    fd = bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0) return fd;
    return error_set(err, saved, "load the device program (%zu instructions): %s", count,
                     log_reason(log));
}

/* Whether the program is one nsrun loaded, by its name. */
static int is_ours(int prog_fd, bool *ours, struct error *err)
{
    struct bpf_prog_info info;
    union bpf_attr attr;
    memset(&info, 0, sizeof info);
    memset(&attr, 0, sizeof attr);
    attr.info.bpf_fd = (uint32_t)prog_fd;
    attr.info.info_len = sizeof info;
    attr.info.info = (uintptr_t)&info;
    if (bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
        return error_sys(err, "read a device program's information");
    *ours = strncmp(info.name, CGROUP_BPF_PROG_NAME, sizeof info.name) == 0;
    return 0;
}

/* *out: an fd of the device program nsrun attached to the cgroup before, or
 * -1. Programs others attached stay: with BPF_F_ALLOW_MULTI every program of
 * the cgroup must allow an access. */
static int find_ours(int cgroup_fd, int *out, struct error *err)
{
    uint32_t ids[64]; /* the kernel's limit of programs per cgroup and type */
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.query.target_fd = (uint32_t)cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uintptr_t)ids;
    attr.query.prog_cnt = ARRAY_LEN(ids);
    if (bpf(BPF_PROG_QUERY, &attr) < 0) return error_sys(err, "query the cgroup's device programs");
    *out = -1;
    for (uint32_t i = 0; i < attr.query.prog_cnt; i++) {
        union bpf_attr get;
        memset(&get, 0, sizeof get);
        get.prog_id = ids[i];
        _cleanup_close_ int fd = bpf(BPF_PROG_GET_FD_BY_ID, &get);
        if (fd < 0 && errno == ENOENT) continue; /* detached since the query */
        if (fd < 0) return error_sys(err, "open device program %u", ids[i]);
        bool ours = false;
        if (is_ours(fd, &ours, err) < 0) return -1;
        if (ours) {
            *out = TAKE_FD(fd);
            return 0;
        }
    }
    return 0;
}

int cgroup_bpf_attach_devices(int cgroup_fd, const struct bpf_insn *insns, size_t count,
                              struct error *err)
{
    _cleanup_close_ int prog = prog_load(insns, count, err);
    if (prog < 0) return -1;
    _cleanup_close_ int old = -1;
    if (find_ours(cgroup_fd, &old, err) < 0) return -1;
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (old >= 0) {
        attr.attach_flags |= BPF_F_REPLACE;
        attr.replace_bpf_fd = (uint32_t)old;
    }
    if (bpf(BPF_PROG_ATTACH, &attr) < 0)
        return error_sys(err, "%s the device program", old >= 0 ? "replace" : "attach");
    return 0;
}
