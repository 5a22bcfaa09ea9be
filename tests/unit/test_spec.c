/* The spec layer: every field parsed, every error naming its JSON path. */
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "spec/names.h"
#include "spec/spec.h"
#include "tap.h"

static struct error err;

/* Parses text; returns the error message, or NULL on success (spec kept). */
static const char *parse(struct spec *spec, const char *text)
{
    memset(&err, 0, sizeof err);
    if (spec_parse(spec, text, strlen(text), "config.json", &err) < 0) return err.msg;
    return NULL;
}

/* Parses and validates a document; the error message or NULL. */
static const char *check(const char *text)
{
    struct spec spec;
    const char *msg = parse(&spec, text);
    if (msg) return msg;
    int rc = spec_validate(&spec, &err);
    spec_free(&spec);
    return rc < 0 ? err.msg : NULL;
}

#define BASE    "\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}"
#define PROC    "\"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]}"
#define MINIMAL "{" BASE ", " PROC ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}"

static void test_default_spec(void)
{
    struct spec s;
    const char *msg = parse(&s, spec_default_json());
    ok(msg == NULL, "the default spec parses (%s)", msg ? msg : "ok");
    if (msg) return;
    ok(spec_validate(&s, &err) == 0, "the default spec validates (%s)", err.msg);
    is_str(s.oci_version, SPEC_OCI_VERSION, "ociVersion");
    is_str(s.root_path, "rootfs", "root.path");
    ok(s.root_readonly, "root.readonly");
    is_str(s.hostname, "nsrun", "hostname");
    is_int(s.process.args.len, 1, "process.args has one entry");
    is_str(s.process.args.items[0], "sh", "process.args[0]");
    ok(s.process.args.items[1] == NULL, "process.args is NULL-terminated for execve");
    is_str(spec_getenv(&s.process, "TERM"), "xterm", "process.env TERM");
    ok(spec_getenv(&s.process, "TER") == NULL, "spec_getenv matches whole names");
    is_str(s.process.cwd, "/", "process.cwd");
    is_int(s.process.user.uid, 0, "process.user.uid");
    ok(s.process.no_new_privileges, "process.noNewPrivileges");
    ok(s.process.has_capabilities, "process.capabilities present");
    uint64_t three = 1ull << capability_from_name("CAP_AUDIT_WRITE") |
                     1ull << capability_from_name("CAP_KILL") |
                     1ull << capability_from_name("CAP_NET_BIND_SERVICE");
    is_int(s.process.capabilities.bounding, three, "bounding set bits");
    is_int(s.process.capabilities.inheritable, 0, "no inheritable capabilities");
    ok(!s.process.capabilities.has_inheritable, "inheritable absent");
    is_int(s.process.n_rlimits, 1, "one rlimit");
    is_int(s.process.rlimits[0].resource, RLIMIT_NOFILE, "RLIMIT_NOFILE");
    is_int(s.process.rlimits[0].hard, 1024, "rlimit hard");
    is_int(s.n_mounts, 7, "seven mounts");
    is_str(s.mounts[1].destination, "/dev", "mounts[1].destination");
    is_int(s.mounts[1].options.len, 4, "mounts[1].options");
    is_int(s.linux.n_namespaces, 6, "six namespaces");
    ok(spec_namespace(&s, NS_PID) && !spec_namespace(&s, NS_PID)->path, "a new pid namespace");
    ok(spec_namespace(&s, NS_USER) == NULL, "no user namespace");
    is_int(s.linux.masked_paths.len, 10, "masked paths");
    is_int(s.linux.readonly_paths.len, 5, "readonly paths");
    is_int(s.linux.resources.n_devices, 1, "one device rule");
    ok(!s.linux.resources.devices[0].allow, "deny rule");
    is_int(s.linux.resources.devices[0].type, 'a', "type defaults to a");
    spec_free(&s);
}

static void test_malformed(void)
{
    struct spec s;
    has_str(parse(&s, "{\n  \"ociVersion\": \"1.2.0\",\n  \"root\": {\"path\": }\n}"),
            "config.json: malformed JSON at line 3, column 20",
            "malformed JSON names line and column");
    has_str(parse(&s, ""), "malformed JSON at line", "empty file");
    has_str(parse(&s, "[]"), "config.json: expected a JSON object at the top level",
            "not an object");
    has_str(parse(&s, "{}"), "config.json: ociVersion: missing (required)", "ociVersion required");
    has_str(parse(&s, "{\"ociVersion\": \"2.0.0\"}"), "ociVersion: unsupported version \"2.0.0\"",
            "major version 2 refused");
    has_str(parse(&s, "{\"ociVersion\": 1}"), "config.json: ociVersion: expected a string",
            "ociVersion type");
}

static void test_field_errors(void)
{
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"uts\"}, "
         "{\"type\": \"foo\"}]}}",
         "config.json: linux.namespaces[2].type: unknown namespace \"foo\""},
        {"{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
         "config.json: linux.namespaces[1].type: namespace \"pid\" given twice"},
        {"{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"net\", \"path\": \"x\"}]}}",
         "linux.namespaces[0].type: unknown namespace \"net\""},
        {"{" BASE ", \"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"x\"}]}}",
         "config.json: linux.namespaces[0].path: must be an absolute path, got \"x\""},
        {"{" BASE ", \"linux\": {\"namespaces\": [{}]}}",
         "config.json: linux.namespaces[0].type: missing (required)"},
        {"{" BASE ", \"linux\": {\"namespaces\": {}}}", "linux.namespaces: expected an array"},
        {"{" BASE ", \"linux\": {\"namespaces\": [\"pid\"]}}",
         "linux.namespaces[0]: expected an object"},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\", 3]}}",
         "config.json: process.args[1]: expected a string"},
        {"{" BASE ", \"process\": {\"args\": [\"sh\"]}}",
         "config.json: process.cwd: missing (required)"},
        {"{" BASE ", \"process\": {\"cwd\": \"tmp\", \"args\": [\"sh\"]}}",
         "process.cwd: must be an absolute path, got \"tmp\""},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"env\": [\"A=1\", \"NOEQUALS\"]}}",
         "config.json: process.env[1]: expected KEY=VALUE, got \"NOEQUALS\""},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 0}}}",
         "config.json: process.user.gid: missing (required)"},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": -1, \"gid\": 0}}}",
         "process.user.uid: must not be negative"},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 4294967296, \"gid\": 0}}}",
         "process.user.uid: integer out of range"},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 1.5, \"gid\": 0}}}",
         "process.user.uid: expected an integer"},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"capabilities\": {\"bounding\": [\"CAP_KILL\", "
         "\"CAP_FOO\"]}}}",
         "config.json: process.capabilities.bounding[1]: unknown capability \"CAP_FOO\""},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", "
         "\"soft\": 1, \"hard\": 1}]}}",
         "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\""},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", "
         "\"soft\": 1, \"hard\": 1}, {\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}]}}",
         "process.rlimits[1].type: RLIMIT_NOFILE given twice"},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", "
         "\"soft\": 2, \"hard\": 1}]}}",
         "process.rlimits[0]: soft limit 2 is above the hard limit 1"},
        {"{" BASE ", \"process\": {\"cwd\": \"/\", \"oomScoreAdj\": 1001}}",
         "process.oomScoreAdj: must be between -1000 and 1000"},
        {"{" BASE ", \"mounts\": [{\"type\": \"tmpfs\"}]}",
         "config.json: mounts[0].destination: missing (required)"},
        {"{" BASE ", \"mounts\": [{\"destination\": \"/x\", \"options\": \"ro\"}]}",
         "config.json: mounts[0].options: expected an array"},
        {"{" BASE ", \"hooks\": {\"prestart\": [{\"path\": \"hook\"}]}}",
         "config.json: hooks.prestart[0].path: must be an absolute path"},
        {"{" BASE ", \"linux\": {\"devices\": [{\"type\": \"x\", \"path\": \"/dev/x\"}]}}",
         "linux.devices[0].type: unknown device type \"x\""},
        {"{" BASE ", \"linux\": {\"devices\": [{\"type\": \"c\", \"path\": \"/dev/x\"}]}}",
         "linux.devices[0].major: missing (required)"},
        {"{" BASE ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, "
         "\"size\": 0}]}}",
         "config.json: linux.uidMappings[0].size: must be greater than zero"},
        {"{" BASE ", \"linux\": {\"rootfsPropagation\": \"sideways\"}}",
         "linux.rootfsPropagation: unknown propagation \"sideways\""},
        {"{" BASE ", \"linux\": {\"maskedPaths\": [\"proc/kcore\"]}}",
         "linux.maskedPaths[0]: must be an absolute path"},
        {"{" BASE ", \"linux\": {\"resources\": {\"memory\": {\"limit\": \"1G\"}}}}",
         "config.json: linux.resources.memory.limit: expected an integer"},
        {"{" BASE ", \"linux\": {\"resources\": {\"pids\": {}}}}",
         "linux.resources.pids.limit: missing (required)"},
        {"{" BASE ", \"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": "
         "\"rwx\"}]}}}",
         "linux.resources.devices[0].access: \"rwx\" is not made of r, w and m"},
        {"{" BASE ", \"linux\": {\"resources\": {\"blockIO\": {\"throttleReadBpsDevice\": "
         "[{\"major\": 8, \"minor\": 0}]}}}}",
         "linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing (required)"},
        {"{" BASE ", \"linux\": {\"seccomp\": {\"syscalls\": []}}}",
         "linux.seccomp.defaultAction: missing (required)"},
        {"{" BASE
         ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
         "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0}]}]}}}",
         "linux.seccomp.syscalls[0].args[0].value: missing (required)"},
        {"{" BASE ", \"linux\": {\"timeOffsets\": {\"realtime\": {\"secs\": 1}}}}",
         "linux.timeOffsets.realtime: unknown clock"},
        {"{" BASE ", \"linux\": {\"personality\": {\"domain\": \"BSD\"}}}",
         "linux.personality.domain: unknown domain \"BSD\""},
        {"{" BASE ", \"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": 1}}}",
         "linux.sysctl.net.ipv4.ip_forward: expected a string"},
        {"{" BASE ", \"annotations\": {\"a\": 1}}",
         "config.json: annotations.a: expected a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct spec s;
        const char *msg = parse(&s, cases[i].json);
        if (!msg) spec_free(&s);
        has_str(msg, cases[i].want, cases[i].want);
    }
}

static void test_full_linux(void)
{
    struct spec s;
    const char *msg = parse(
        &s, "{" BASE ", \"linux\": {"
            "\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"network\", \"path\": \"/n\"}],"
            "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
            "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
            "\"timeOffsets\": {\"monotonic\": {\"secs\": -5, \"nanosecs\": 7}},"
            "\"devices\": [{\"type\": \"c\", \"path\": \"/dev/fuse\", \"major\": 10, \"minor\": "
            "229, \"fileMode\": 438, \"uid\": 1, \"gid\": 2}],"
            "\"cgroupsPath\": \"/a/b\","
            "\"resources\": {\"memory\": {\"limit\": 1048576, \"swap\": -1, \"disableOOMKiller\": "
            "false}, \"cpu\": {\"shares\": 512, \"quota\": 20000, \"period\": 100000, \"cpus\": "
            "\"0\"}, \"pids\": {\"limit\": 64}, \"hugepageLimits\": [{\"pageSize\": \"2MB\", "
            "\"limit\": 0}], \"network\": {\"classID\": 1, \"priorities\": [{\"name\": \"eth0\", "
            "\"priority\": 5}]}, \"rdma\": {\"mlx\": {\"hcaHandles\": 3}}, \"unified\": "
            "{\"io.weight\": \"50\"}, \"blockIO\": {\"weight\": 10, \"weightDevice\": [{\"major\": "
            "8, \"minor\": 0, \"weight\": 5}]}},"
            "\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},"
            "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, "
            "\"architectures\": [\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": [\"read\"], "
            "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": "
            "\"SCMP_CMP_EQ\"}]}]},"
            "\"rootfsPropagation\": \"rslave\", \"mountLabel\": \"x\","
            "\"personality\": {\"domain\": \"LINUX32\"},"
            "\"netDevices\": {\"eth1\": {\"name\": \"net1\"}},"
            "\"intelRdt\": {\"closID\": \"c\"}}}");
    ok(msg == NULL, "a linux object using every field parses (%s)", msg ? msg : "ok");
    if (msg) return;
    const struct spec_linux *l = &s.linux;
    is_int(l->uid_mappings.items[0].host_id, 100000, "uidMappings hostID");
    is_int(l->time_monotonic.secs, -5, "timeOffsets.monotonic.secs");
    is_int(l->time_monotonic.nanosecs, 7, "timeOffsets.monotonic.nanosecs");
    is_int(l->devices[0].file_mode, 0666, "devices fileMode");
    is_str(l->cgroups_path, "/a/b", "cgroupsPath");
    is_int(l->resources.memory.limit.v, 1048576, "memory.limit");
    ok(l->resources.memory.swap.has && l->resources.memory.swap.v == -1, "memory.swap -1");
    ok(l->resources.memory.disable_oom_killer.has, "disableOOMKiller given (false)");
    is_int(l->resources.cpu.shares.v, 512, "cpu.shares");
    is_int(l->resources.cpu.quota.v, 20000, "cpu.quota");
    is_str(l->resources.cpu.cpus, "0", "cpu.cpus");
    is_int(l->resources.pids_limit, 64, "pids.limit");
    is_str(l->resources.hugepage_limits[0].page_size, "2MB", "hugepageLimits");
    is_int(l->resources.net_priorities[0].priority, 5, "network priorities");
    is_str(l->resources.rdma[0].device, "mlx", "rdma device");
    is_str(l->resources.unified.items[0].key, "io.weight", "unified");
    is_int(l->resources.block_io.weight_devices[0].weight.v, 5, "blockIO weightDevice");
    is_str(l->sysctl.items[0].value, "1", "sysctl");
    is_int(l->seccomp.n_syscalls, 1, "seccomp syscalls");
    is_str(l->seccomp.syscalls[0].args[0].op, "SCMP_CMP_EQ", "seccomp arg op");
    is_int(l->rootfs_propagation_flags, MS_SLAVE | MS_REC, "rootfsPropagation rslave");
    is_str(l->net_devices.items[0].value, "net1", "netDevices name");
    is_str(l->namespaces[1].path, "/n", "namespace path");
    spec_free(&s);
}

static void test_big_integers(void)
{
    struct spec s;
    const char *msg = parse(&s, "{" BASE ", \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": "
                                "\"RLIMIT_CORE\", \"soft\": 18446744073709551615, \"hard\": "
                                "18446744073709551615}]}}");
    ok(msg == NULL, "RLIM_INFINITY (2^64-1) parses (%s)", msg ? msg : "ok");
    if (msg) return;
    ok(s.process.rlimits[0].hard == UINT64_MAX, "2^64-1 reads as unlimited");
    spec_free(&s);
}

static void test_validation(void)
{
    ok(check(MINIMAL) == NULL, "a minimal spec validates");
    has_str(check("{\"ociVersion\": \"1.2.0\", " PROC "}"), "config.json: root.path: missing",
            "root.path required");
    ok(check("{" BASE "}") == NULL, "process is optional until start (runtime-spec)");
    has_str(check("{" BASE ", \"process\": {\"cwd\": \"/\", \"args\": []}}"),
            "process.args: must not be empty", "args must not be empty");
    has_str(check("{" BASE ", " PROC ", \"hostname\": \"h\"}"), "hostname: needs a uts namespace",
            "hostname without a uts namespace");
    has_str(check("{" BASE ", " PROC ", \"linux\": {\"namespaces\": [{\"type\": \"user\"}]}}"),
            "linux.uidMappings: a new user namespace needs uid mappings", "userns needs maps");
    has_str(check("{" BASE ", " PROC ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, "
                  "\"hostID\": 1, \"size\": 1}]}}"),
            "mappings given without a user namespace", "maps need a userns");
    has_str(check("{" BASE ", " PROC ", \"linux\": {\"intelRdt\": {\"closID\": \"x\"}}}"),
            "config.json: linux.intelRdt: not supported by this version of nsrun",
            "intelRdt refused until implemented");
    ok(check("{" BASE ", " PROC ", \"hostname\": \"h\", \"linux\": {\"namespaces\": "
             "[{\"type\": \"uts\", \"path\": \"/u\"}]}}") == NULL,
       "hostname with a joined uts namespace");
    has_str(check("{" BASE ", " PROC ", \"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": "
                  "\"1\"}}}"),
            "linux.sysctl.net.ipv4.ip_forward: needs a network namespace", "net.* needs a netns");
    has_str(check("{" BASE ", " PROC ", \"linux\": {\"namespaces\": [{\"type\": \"ipc\"}], "
                  "\"sysctl\": {\"kernel.shmmax\": \"1\", \"vm.swappiness\": \"1\"}}}"),
            "linux.sysctl.vm.swappiness: not a namespaced parameter", "host-wide keys refused");
    has_str(check("{" BASE ", " PROC ", \"linux\": {\"namespaces\": [{\"type\": \"network\"}], "
                  "\"sysctl\": {\"net...x\": \"1\"}}}"),
            "linux.sysctl.net...x: not a sysctl name", "no path tricks in keys");
    ok(check("{" BASE ", " PROC ", \"linux\": {\"namespaces\": [{\"type\": \"network\"}, "
             "{\"type\": \"ipc\"}], \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", "
             "\"kernel.msgmax\": \"9\", \"fs.mqueue.msg_max\": \"5\"}}}") == NULL,
       "namespaced keys with their namespaces");
}

static void test_process_file(void)
{
    struct spec s;
    const char *text = "{\"args\": [\"ls\", \"-l\"], \"cwd\": \"/tmp\", \"env\": [\"A=1\"], "
                       "\"user\": {\"uid\": 5, \"gid\": 6}, \"terminal\": true}";
    ok(spec_parse_process(&s, text, strlen(text), "process.json", &err) == 0,
       "a lone process object parses (%s)", err.msg);
    is_str(s.process.args.items[1], "-l", "args");
    is_str(s.process.cwd, "/tmp", "cwd");
    ok(s.process.terminal && s.process.user.uid == 5, "terminal, user");
    ok(spec_validate_process(&s.process, "process.json: ", &err) == 0, "validates");
    spec_free(&s);
    const char *bad = "{\"cwd\": \"/\", \"args\": []}";
    ok(spec_parse_process(&s, bad, strlen(bad), "process.json", &err) == 0, "parses");
    ok(spec_validate_process(&s.process, "process.json: ", &err) < 0, "empty args refused");
    has_str(err.msg, "process.json: args: must not be empty", "named");
    spec_free(&s);
    has_str(spec_parse_process(&s, "{\"args\": [1]}", 13, "process.json", &err) < 0 ? err.msg : "",
            "process.json: args[0]: expected a string", "errors name the file");
}

int main(void)
{
    test_process_file();
    test_default_spec();
    test_malformed();
    test_field_errors();
    test_full_linux();
    test_big_integers();
    test_validation();
    return done_testing();
}
