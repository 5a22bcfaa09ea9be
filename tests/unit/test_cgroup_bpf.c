/* cgroup v2 device programs: built for rule lists and run by a small BPF
 * interpreter here, whose decisions are checked case by case and against
 * the rules' meaning written out plainly. */
#include <linux/filter.h>
#include <stdlib.h>

#include "linux/cgroup_bpf.h"
#include "tap.h"
#include "util/cleanup.h"

#define M   BPF_DEVCG_ACC_MKNOD
#define R   BPF_DEVCG_ACC_READ
#define W   BPF_DEVCG_ACC_WRITE
#define RWM (M | R | W)
#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK

#define ALLOW(t, maj, min, acc)                                                                    \
    {                                                                                              \
        true, t, maj, min, acc                                                                     \
    }
#define DENY(t, maj, min, acc)                                                                     \
    {                                                                                              \
        false, t, maj, min, acc                                                                    \
    }

static struct error err;

/* The interpreter knows only what the builder emits. It refuses, as the
 * verifier would, a backward jump, a register read before it is written, a
 * context read other than a whole field, a return other than 0 or 1, and
 * running off the end: -1. */
struct vm {
    uint64_t reg[MAX_BPF_REG];
    unsigned set; /* registers written so far */
    bool ctx_in_r1;
};

static bool readable(const struct vm *vm, unsigned r)
{
    return r < MAX_BPF_REG && (vm->set & (1u << r));
}

static bool writable(struct vm *vm, unsigned r)
{
    if (r >= BPF_REG_10) return false;
    vm->set |= 1u << r;
    if (r == BPF_REG_1) vm->ctx_in_r1 = false;
    return true;
}

static bool load_ctx(struct vm *vm, const struct bpf_insn *i, const struct bpf_cgroup_dev_ctx *ctx)
{
    if (i->src_reg != BPF_REG_1 || !vm->ctx_in_r1 || i->off < 0 ||
        (size_t)i->off + 4 > sizeof *ctx || i->off % 4)
        return false;
    uint32_t v;
    memcpy(&v, (const char *)ctx + i->off, 4);
    if (!writable(vm, i->dst_reg)) return false;
    vm->reg[i->dst_reg] = v;
    return true;
}

static bool alu(struct vm *vm, const struct bpf_insn *i)
{
    uint8_t op = BPF_OP(i->code);
    uint64_t k = (uint64_t)(int64_t)i->imm;
    if (BPF_SRC(i->code) == BPF_X) {
        if (op != BPF_MOV || !readable(vm, i->src_reg)) return false;
        k = vm->reg[i->src_reg];
    }
    if (op != BPF_MOV && !readable(vm, i->dst_reg)) return false;
    uint64_t v = vm->reg[i->dst_reg];
    switch (op) {
    case BPF_MOV: v = k; break;
    case BPF_AND: v &= k; break;
    case BPF_RSH:
        if (k >= 64) return false;
        v >>= k;
        break;
    default: return false;
    }
    if (!writable(vm, i->dst_reg)) return false;
    vm->reg[i->dst_reg] = v;
    return true;
}

/* 1: jump, 0: go on, -1: not an instruction the builder emits. */
static int jump32(const struct vm *vm, const struct bpf_insn *i)
{
    if (BPF_SRC(i->code) != BPF_K || !readable(vm, i->dst_reg)) return -1;
    uint32_t a = (uint32_t)vm->reg[i->dst_reg], b = (uint32_t)i->imm;
    switch (BPF_OP(i->code)) {
    case BPF_JEQ: return a == b;
    case BPF_JNE: return a != b;
    case BPF_JSET: return (a & b) != 0;
    default: return -1;
    }
}

static int run(const struct bpf_insn *p, size_t n, const struct bpf_cgroup_dev_ctx *ctx)
{
    struct vm vm = {.set = 1u << BPF_REG_1, .ctx_in_r1 = true};
    for (size_t pc = 0; pc < n; pc++) {
        const struct bpf_insn *i = &p[pc];
        switch (i->code) {
        case BPF_LDX | BPF_MEM | BPF_W:
            if (!load_ctx(&vm, i, ctx)) return -1;
            continue;
        case BPF_JMP | BPF_EXIT:
            if (!readable(&vm, BPF_REG_0) || vm.reg[0] > 1) return -1;
            return (int)vm.reg[0];
        }
        if (BPF_CLASS(i->code) == BPF_ALU64) {
            if (!alu(&vm, i)) return -1;
        } else if (BPF_CLASS(i->code) == BPF_JMP32) {
            int taken = jump32(&vm, i);
            if (taken < 0 || i->off < 0 || pc + 1 + (size_t)i->off >= n) return -1;
            if (taken) pc += (size_t)i->off;
        } else {
            return -1;
        }
    }
    return -1;
}

/* The verifier also refuses an instruction no path reaches. */
static bool all_reachable(const struct bpf_insn *p, size_t n)
{
    bool seen[BPF_MAXINSNS] = {false};
    if (n == 0 || n > BPF_MAXINSNS) return false;
    seen[0] = true;
    for (size_t pc = 0; pc < n; pc++) { /* jumps only go forward: one pass */
        if (!seen[pc]) return false;
        if (p[pc].code == (BPF_JMP | BPF_EXIT)) continue;
        if (pc + 1 < n) seen[pc + 1] = true;
        if (BPF_CLASS(p[pc].code) == BPF_JMP32 && p[pc].off >= 0 && pc + 1 + p[pc].off < n)
            seen[pc + 1 + p[pc].off] = true;
    }
    return true;
}

/* What the rules mean, bit by bit: each bit asked for is decided by the last
 * rule that matches the device and holds it, else by the default. */
static bool rule_matches(const struct bpf_device_rule *r, uint32_t type, uint32_t major,
                         uint32_t minor)
{
    uint32_t rtype = r->type == 'c' ? CHR : r->type == 'b' ? BLK : type;
    return rtype == type && (r->major < 0 || r->major == major) &&
           (r->minor < 0 || r->minor == minor);
}

static int meaning(const struct bpf_device_rule *rules, size_t n, bool default_allow,
                   const struct bpf_cgroup_dev_ctx *ctx)
{
    uint32_t type = ctx->access_type & 0xffff, access = ctx->access_type >> 16;
    for (uint32_t bit = 1; bit <= 0x8000; bit <<= 1) {
        if (!(access & bit)) continue;
        bool allowed = default_allow;
        for (size_t i = n; i-- > 0;)
            if (rule_matches(&rules[i], type, ctx->major, ctx->minor) && (rules[i].access & bit)) {
                allowed = rules[i].allow;
                break;
            }
        if (!allowed) return 0;
    }
    return 1;
}

struct program {
    struct bpf_insn *insns;
    size_t n;
};

static struct program build(const struct bpf_device_rule *rules, size_t n, bool default_allow)
{
    struct program p = {NULL, 0};
    if (cgroup_bpf_build(rules, n, default_allow, &p.insns, &p.n, &err) < 0)
        ok(0, "build: %s", err.msg);
    else if (!all_reachable(p.insns, p.n))
        ok(0, "every instruction of the program is reachable");
    return p;
}

static struct bpf_cgroup_dev_ctx access_of(uint32_t type, uint32_t major, uint32_t minor,
                                           uint32_t access)
{
    return (struct bpf_cgroup_dev_ctx){access << 16 | type, major, minor};
}

static const char *acc_str(uint32_t access)
{
    static char s[8];
    snprintf(s, sizeof s, "%s%s%s%s", access & M ? "m" : "", access & R ? "r" : "",
             access & W ? "w" : "", access ? "" : "-");
    return s;
}

struct want {
    uint32_t type, major, minor, access;
    int allow;
};

/* One TAP line per case: the program's decision and the meaning's agree
 * with what the test expects. */
static void check(const char *what, const struct bpf_device_rule *rules, size_t n,
                  bool default_allow, const struct want *cases, size_t n_cases)
{
    struct program p = build(rules, n, default_allow);
    for (size_t i = 0; p.insns && i < n_cases; i++) {
        const struct want *c = &cases[i];
        struct bpf_cgroup_dev_ctx ctx = access_of(c->type, c->major, c->minor, c->access);
        int got = run(p.insns, p.n, &ctx), means = meaning(rules, n, default_allow, &ctx);
        if (!ok(got == c->allow && means == c->allow, "%s: %c %u:%u %s %s", what,
                c->type == CHR ? 'c' : 'b', c->major, c->minor, acc_str(c->access),
                c->allow ? "allowed" : "denied"))
            printf("#   program: %d, meaning: %d\n", got, means);
    }
    free(p.insns);
}

#define CHECK(what, rules, default_allow, ...)                                                     \
    do {                                                                                           \
        const struct want cases_[] = {__VA_ARGS__};                                                \
        check(what, rules, ARRAY_LEN(rules), default_allow, cases_, ARRAY_LEN(cases_));            \
    } while (0)

/* The OCI default spec's deny-all, then nsrun's default allows. */
static const struct bpf_device_rule oci_default[] = {
    DENY('a', -1, -1, RWM), ALLOW('c', -1, -1, M),    ALLOW('b', -1, -1, M),
    ALLOW('c', 1, 3, RWM),  ALLOW('c', 1, 5, RWM),    ALLOW('c', 1, 7, RWM),
    ALLOW('c', 1, 8, RWM),  ALLOW('c', 1, 9, RWM),    ALLOW('c', 5, 0, RWM),
    ALLOW('c', 5, 2, RWM),  ALLOW('c', 136, -1, RWM), ALLOW('c', 10, 200, RWM),
};

static void test_oci_default(void)
{
    CHECK("default", oci_default, false, {CHR, 1, 3, R | W, 1}, {CHR, 1, 3, R, 1},
          {CHR, 1, 3, W, 1}, {BLK, 8, 0, R, 0}, {BLK, 8, 0, R | W, 0}, {CHR, 1234, 5678, M, 1},
          {CHR, 4, 64, M, 1}, {BLK, 8, 0, M, 1}, {CHR, 1, 11, W, 0}, {CHR, 1, 11, R, 0},
          {CHR, 136, 5, R | W, 1}, {CHR, 136, 0, RWM, 1}, {CHR, 10, 200, R | W, 1},
          {CHR, 10, 229, R | W, 0}, {CHR, 5, 1, R | W, 0}, {CHR, 4, 64, R | M, 0},
          {BLK, 1, 3, R, 0}, {CHR, 5, 0, RWM, 1}, {CHR, 1, 9, R, 1});
    /* The same allows on a default that allows: the deny-all decides. */
    CHECK("default, default allow", oci_default, true, {CHR, 1, 3, R | W, 1}, {BLK, 8, 0, R, 0},
          {CHR, 1, 11, W, 0});

    struct program p = build(oci_default, ARRAY_LEN(oci_default), false);
    ok(p.insns && p.n <= 64, "the default list is a program of %zu instructions", p.n);
    free(p.insns);
}

static void test_order(void)
{
    const struct bpf_device_rule then_allow[] = {DENY('a', -1, -1, RWM), ALLOW('c', 1, 3, R | W)};
    CHECK("deny all, allow c 1:3 rw", then_allow, true, {CHR, 1, 3, R, 1}, {CHR, 1, 3, R | W, 1},
          {CHR, 1, 3, M, 0}, {CHR, 1, 3, RWM, 0}, {CHR, 1, 5, R, 0}, {BLK, 1, 3, R, 0});

    const struct bpf_device_rule then_deny[] = {ALLOW('c', 1, 3, RWM), DENY('c', 1, 3, RWM)};
    CHECK("allow c 1:3, then deny it", then_deny, false, {CHR, 1, 3, R, 0}, {CHR, 1, 3, M, 0});
    CHECK("allow c 1:3, then deny it, default allow", then_deny, true, {CHR, 1, 3, R, 0},
          {CHR, 1, 4, R, 1});

    const struct bpf_device_rule deny_then_allow[] = {DENY('c', 1, 3, RWM), ALLOW('c', 1, 3, RWM)};
    CHECK("deny c 1:3, then allow it", deny_then_allow, false, {CHR, 1, 3, RWM, 1},
          {CHR, 1, 4, R, 0});

    const struct bpf_device_rule allow_hides_deny[] = {ALLOW('c', -1, -1, RWM), DENY('c', 1, -1, W),
                                                       ALLOW('c', 1, 3, W)};
    CHECK("a later allow reopens what a deny closed", allow_hides_deny, false,
          {CHR, 1, 3, R | W, 1}, {CHR, 1, 5, R | W, 0}, {CHR, 1, 5, R, 1}, {CHR, 2, 5, W, 1});
}

static void test_wildcards(void)
{
    const struct bpf_device_rule any_minor[] = {DENY('a', -1, -1, RWM), ALLOW('c', 1, -1, R)};
    CHECK("allow c 1:* r", any_minor, false, {CHR, 1, 77, R, 1}, {CHR, 1, 0, R, 1},
          {CHR, 2, 77, R, 0}, {BLK, 1, 77, R, 0}, {CHR, 1, 77, W, 0});

    const struct bpf_device_rule any_major[] = {DENY('a', -1, -1, RWM), ALLOW('c', -1, 3, R)};
    CHECK("allow c *:3 r", any_major, false, {CHR, 9, 3, R, 1}, {CHR, 9, 4, R, 0},
          {BLK, 9, 3, R, 0});

    const struct bpf_device_rule any_type[] = {DENY('a', -1, -1, RWM), ALLOW('a', 1, 3, R | W)};
    CHECK("allow a 1:3 rw", any_type, false, {CHR, 1, 3, R | W, 1}, {BLK, 1, 3, R | W, 1},
          {CHR, 1, 3, M, 0}, {BLK, 1, 4, R, 0});

    const struct bpf_device_rule deny_type_any[] = {DENY('a', 8, -1, RWM)};
    CHECK("deny a 8:* on a default that allows", deny_type_any, true, {BLK, 8, 0, R, 0},
          {CHR, 8, 16, M, 0}, {BLK, 9, 0, R | W, 1}, {CHR, 1, 3, RWM, 1});

    const struct bpf_device_rule high[] = {ALLOW('c', 4294967295, 2147483648, R)};
    CHECK("majors and minors above INT32_MAX", high, false, {CHR, 4294967295u, 2147483648u, R, 1},
          {CHR, 4294967295u, 0, R, 0}, {CHR, 2147483647u, 2147483648u, R, 0});
}

static void test_partial_access(void)
{
    const struct bpf_device_rule deny_w[] = {ALLOW('c', 1, 3, RWM), DENY('c', 1, 3, W)};
    CHECK("allow c 1:3 rwm, deny w", deny_w, false, {CHR, 1, 3, R, 1}, {CHR, 1, 3, M | R, 1},
          {CHR, 1, 3, W, 0}, {CHR, 1, 3, R | W, 0}, {CHR, 1, 3, RWM, 0});

    const struct bpf_device_rule two_allows[] = {ALLOW('c', 1, 3, R), ALLOW('c', 1, 3, W)};
    CHECK("allow r, then allow w: the bits add up", two_allows, false, {CHR, 1, 3, R | W, 1},
          {CHR, 1, 3, M | R, 0}, {CHR, 1, 3, M, 0});

    const struct bpf_device_rule wide_and_narrow[] = {ALLOW('c', -1, -1, R), ALLOW('c', 1, 3, W)};
    CHECK("allow c *:* r, allow c 1:3 w", wide_and_narrow, false, {CHR, 1, 3, R | W, 1},
          {CHR, 1, 4, R | W, 0}, {CHR, 1, 4, R, 1});

    const struct bpf_device_rule deny_w_everywhere[] = {ALLOW('c', 1, 3, R | W),
                                                        DENY('c', -1, -1, W)};
    CHECK("deny c *:* w after an allow", deny_w_everywhere, true, {CHR, 1, 3, R, 1},
          {CHR, 1, 3, W, 0}, {CHR, 2, 2, R, 1}, {CHR, 2, 2, R | W, 0}, {BLK, 2, 2, W, 1});

    const struct bpf_device_rule allow_r_over_deny[] = {DENY('c', 1, 3, R | W),
                                                        ALLOW('c', 1, 3, R)};
    CHECK("deny rw, then allow r", allow_r_over_deny, true, {CHR, 1, 3, R, 1}, {CHR, 1, 3, W, 0},
          {CHR, 1, 3, R | W, 0}, {CHR, 1, 3, M, 1});

    const struct bpf_device_rule no_access[] = {DENY('a', -1, -1, 0)};
    CHECK("a rule with no access decides nothing", no_access, true, {CHR, 1, 3, RWM, 1});
}

static void test_defaults(void)
{
    struct bpf_device_rule none[1];
    const struct want cases[] = {{CHR, 1, 3, R, 1}, {BLK, 8, 0, RWM, 1}};
    check("no rules, default allow", none, 0, true, cases, ARRAY_LEN(cases));
    const struct want denied[] = {{CHR, 1, 3, R, 0}, {BLK, 8, 0, RWM, 0}, {CHR, 1, 3, 0, 1}};
    check("no rules, default deny", none, 0, false, denied, ARRAY_LEN(denied));

    struct program p = build(none, 0, false);
    struct bpf_cgroup_dev_ctx ctx = access_of(CHR, 1, 3, 8 | R);
    ok(p.insns && run(p.insns, p.n, &ctx) == 0, "an access bit nsrun does not know is denied");
    free(p.insns);
}

/* A catch-all rule hides everything before it: those rules are not emitted. */
static void test_hidden_rules(void)
{
    struct bpf_device_rule rules[2000];
    for (size_t i = 0; i < ARRAY_LEN(rules); i++)
        rules[i] = (struct bpf_device_rule)ALLOW('c', (int64_t)i, (int64_t)i, R);
    rules[1998] = (struct bpf_device_rule)DENY('a', -1, -1, RWM);
    rules[1999] = (struct bpf_device_rule)ALLOW('c', 1, 3, R);
    struct program p = build(rules, ARRAY_LEN(rules), true);
    ok(p.insns && p.n < 20, "rules before a catch-all are left out (%zu instructions)", p.n);
    struct bpf_cgroup_dev_ctx ctx = access_of(CHR, 5, 5, R);
    ok(p.insns && run(p.insns, p.n, &ctx) == 0, "the hidden allow c 5:5 r does not apply");
    free(p.insns);
}

static void test_errors(void)
{
    struct bpf_insn *insns = NULL;
    size_t n = 0;
    const struct bpf_device_rule bad_type[] = {ALLOW('x', 1, 3, R)};
    ok(cgroup_bpf_build(bad_type, 1, false, &insns, &n, &err) < 0 && strstr(err.msg, "type"),
       "type x is refused: %s", err.msg);
    const struct bpf_device_rule bad_major[] = {ALLOW('c', 1LL << 32, 3, R)};
    ok(cgroup_bpf_build(bad_major, 1, false, &insns, &n, &err) < 0 && strstr(err.msg, "range"),
       "a major past 32 bits is refused: %s", err.msg);
    const struct bpf_device_rule bad_minor[] = {ALLOW('c', 1, -2, R)};
    ok(cgroup_bpf_build(bad_minor, 1, false, &insns, &n, &err) < 0, "a minor of -2 is refused: %s",
       err.msg);
    const struct bpf_device_rule bad_access[] = {ALLOW('c', 1, 3, 8)};
    ok(cgroup_bpf_build(bad_access, 1, false, &insns, &n, &err) < 0 && strstr(err.msg, "access"),
       "an unknown access bit is refused: %s", err.msg);

    struct bpf_device_rule many[1000];
    for (size_t i = 0; i < ARRAY_LEN(many); i++)
        many[i] = (struct bpf_device_rule)ALLOW('c', 1, (int64_t)i, RWM);
    ok(cgroup_bpf_build(many, ARRAY_LEN(many), false, &insns, &n, &err) < 0 &&
           strstr(err.msg, "4096"),
       "too many rules for one program are refused: %s", err.msg);
    struct program p = build(many, 800, false);
    ok(p.insns && p.n <= BPF_MAXINSNS, "800 rules fit (%zu instructions)", p.n);
    free(p.insns);
}

/* Small domains, so that random rules overlap often. */
static struct bpf_device_rule random_rule(void)
{
    static const char types[] = {'a', 'c', 'b'};
    static const int64_t numbers[] = {-1, 1, 2};
    struct bpf_device_rule r = {rand() % 2, types[rand() % 3], numbers[rand() % 3],
                                numbers[rand() % 3], (unsigned)(rand() % 8)};
    if (rand() % 10 == 0) r = (struct bpf_device_rule){rand() % 2, 'a', -1, -1, RWM};
    return r;
}

/* Every access on a small grid, for many random rule lists: the program
 * decides as the rules mean. */
static void test_random(void)
{
    srand(20240611);
    size_t lists = 2000, accesses = 0, wrong = 0;
    for (size_t l = 0; l < lists; l++) {
        struct bpf_device_rule rules[10];
        size_t n = (size_t)rand() % (ARRAY_LEN(rules) + 1);
        for (size_t i = 0; i < n; i++) rules[i] = random_rule();
        bool default_allow = rand() % 2;
        struct program p = build(rules, n, default_allow);
        if (!p.insns) return;
        for (uint32_t type = BLK; type <= CHR; type++)
            for (uint32_t major = 1; major <= 3; major++)
                for (uint32_t minor = 1; minor <= 3; minor++)
                    for (uint32_t access = 0; access <= (RWM | 8); access++) {
                        struct bpf_cgroup_dev_ctx ctx = access_of(type, major, minor, access);
                        int got = run(p.insns, p.n, &ctx);
                        if (got != meaning(rules, n, default_allow, &ctx) && wrong++ < 5)
                            printf("# list %zu: %u %u:%u access %u: program %d\n", l, type, major,
                                   minor, access, got);
                        accesses++;
                    }
        free(p.insns);
    }
    ok(wrong == 0, "%zu random rule lists decide %zu accesses as the rules mean", lists, accesses);
}

int main(void)
{
    test_oci_default();
    test_order();
    test_wildcards();
    test_partial_access();
    test_defaults();
    test_hidden_rules();
    test_errors();
    test_random();
    return done_testing();
}
