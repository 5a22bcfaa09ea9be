/* The v1 and v2 resource writers against plain files standing in for a
 * cgroup's: what each field writes where, and the v1-to-v2 conversions
 * (shares to weight, blkio weight to io.weight, memory+swap to swap). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "tap.h"

static struct error err;
static char dir[] = "/tmp/nsrun-cgfiles-XXXXXX";
static struct cgroup_dir d = {.path = dir};

static void touch(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    close(open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644));
}

static const char *content(const char *name)
{
    static char buf[256];
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = '\0';
    return f ? buf : "(absent)";
}

static struct spec_resources parse(const char *json)
{
    static struct spec holder;
    spec_free(&holder);
    if (spec_parse_resources(&holder, json, strlen(json), "resources", &err) < 0)
        ok(0, "parse %s: %s", json, err.msg);
    return holder.linux.resources;
}

static void fresh(const char *const *files)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -f %s/*", dir);
    (void)!system(cmd);
    for (; *files; files++) touch(*files);
}

static void test_v2(void)
{
    d.v2 = true;
    const char *files[] = {
        "memory.max",    "memory.low", "memory.swap.max", "cpu.weight", "cpu.max",
        "cpu.max.burst", "cpu.idle",   "io.weight",       "io.max",     NULL};
    fresh(files);
    struct spec_resources r = parse("{\"memory\": {\"limit\": 1000, \"reservation\": 500, "
                                    "\"swap\": 3000}, \"cpu\": {\"shares\": 1024, \"quota\": "
                                    "50000, \"period\": 100000, \"burst\": 7, \"idle\": 1}}");
    ok(cgroup_v2_memory(&d, &r, &err) == 0, "v2 memory (%s)", err.msg);
    is_str(content("memory.max"), "1000", "limit to memory.max");
    is_str(content("memory.low"), "500", "reservation to memory.low");
    is_str(content("memory.swap.max"), "2000", "memory+swap 3000 is swap 2000");
    ok(cgroup_v2_cpu(&d, &r, &err) == 0, "v2 cpu (%s)", err.msg);
    is_str(content("cpu.weight"), "39", "shares 1024 is weight 39");
    is_str(content("cpu.max"), "50000 100000", "quota and period to cpu.max");
    is_str(content("cpu.max.burst"), "7", "burst");
    is_str(content("cpu.idle"), "1", "idle");

    r = parse("{\"memory\": {\"limit\": -1, \"swap\": -1}, \"cpu\": {\"period\": 20000}}");
    fresh(files);
    ok(cgroup_v2_memory(&d, &r, &err) == 0 && strcmp(content("memory.max"), "max") == 0 &&
           strcmp(content("memory.swap.max"), "max") == 0,
       "-1 is max");
    ok(cgroup_v2_cpu(&d, &r, &err) == 0, "period alone");
    is_str(content("cpu.max"), "max 20000", "no quota: max");

    r = parse("{\"memory\": {\"limit\": 2000, \"swap\": 1000}}");
    ok(cgroup_v2_memory(&d, &r, &err) < 0, "swap below the limit refused");
    has_str(err.msg, "linux.resources.memory.swap: 1000 is below the memory limit 2000", "named");
    r = parse("{\"memory\": {\"swap\": 1000}}");
    ok(cgroup_v2_memory(&d, &r, &err) < 0, "swap without a limit refused on v2");
    r = parse("{\"memory\": {\"kernel\": 1000}}");
    ok(cgroup_v2_memory(&d, &r, &err) < 0, "kernel memory refused on v2");
    has_str(err.msg, "linux.resources.memory.kernel: not available on cgroup v2", "named");
    r = parse("{\"memory\": {\"swappiness\": 10}}");
    ok(cgroup_v2_memory(&d, &r, &err) < 0, "swappiness refused on v2");
    r = parse("{\"cpu\": {\"realtimeRuntime\": 1000}}");
    ok(cgroup_v2_cpu(&d, &r, &err) < 0, "realtime refused on v2");

    r = parse("{\"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\": 8, "
              "\"minor\": 0, \"rate\": 1048576}]}}");
    ok(cgroup_v2_io(&d, &r, &err) == 0, "v2 io (%s)", err.msg);
    is_str(content("io.weight"), "4950", "blkio weight 500 is io.weight 4950");
    is_str(content("io.max"), "8:0 rbps=1048576", "throttle to io.max");
    touch("io.bfq.weight");
    ok(cgroup_v2_io(&d, &r, &err) == 0, "v2 io with BFQ");
    is_str(content("io.bfq.weight"), "500", "BFQ keeps the v1 scale");
    r = parse("{\"blockIO\": {\"leafWeight\": 5}}");
    ok(cgroup_v2_io(&d, &r, &err) < 0, "leafWeight refused on v2");

    r = parse("{\"unified\": {\"memory.high\": \"4096\", \"io.max\": \"8:0 wbps=5\"}}");
    touch("memory.high");
    ok(cgroup_v2_unified(&d, &r, &err) == 0, "unified keys written (%s)", err.msg);
    is_str(content("memory.high"), "4096", "unified memory.high");
    static const char *bad[] = {
        "{\"unified\": {\"cgroup.procs\": \"1\"}}", "{\"unified\": {\"../x.y\": \"1\"}}",
        "{\"unified\": {\"nodot\": \"1\"}}", "{\"unified\": {\"memory.nosuchfile\": \"1\"}}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = parse(bad[i]);
        ok(cgroup_v2_unified(&d, &r, &err) < 0, "refused: %s (%s)", bad[i], err.msg);
    }
}

static void test_v1(void)
{
    d.v2 = false;
    const char *files[] = {"memory.limit_in_bytes",
                           "memory.memsw.limit_in_bytes",
                           "memory.soft_limit_in_bytes",
                           "memory.swappiness",
                           "memory.oom_control",
                           "cpu.shares",
                           "cpu.cfs_period_us",
                           "cpu.cfs_quota_us",
                           "cpu.rt_period_us",
                           "cpu.rt_runtime_us",
                           "blkio.throttle.write_iops_device",
                           "blkio.bfq.weight",
                           NULL};
    fresh(files);
    struct spec_resources r = parse(
        "{\"memory\": {\"limit\": 1000, \"swap\": 3000, \"reservation\": 10, \"swappiness\": 5, "
        "\"disableOOMKiller\": true}, \"cpu\": {\"shares\": 100, \"quota\": 20, \"period\": 30, "
        "\"realtimePeriod\": 40, \"realtimeRuntime\": 50}, \"blockIO\": {\"weight\": 300, "
        "\"throttleWriteIOPSDevice\": [{\"major\": 254, \"minor\": 0, \"rate\": 77}]}}");
    ok(cgroup_v1_memory(&d, &r, &err) == 0, "v1 memory (%s)", err.msg);
    is_str(content("memory.limit_in_bytes"), "1000", "limit");
    is_str(content("memory.memsw.limit_in_bytes"), "3000", "swap is memsw");
    is_str(content("memory.soft_limit_in_bytes"), "10", "reservation is the soft limit");
    is_str(content("memory.swappiness"), "5", "swappiness");
    is_str(content("memory.oom_control"), "1", "disableOOMKiller");
    ok(cgroup_v1_cpu(&d, &r, &err) == 0, "v1 cpu (%s)", err.msg);
    is_str(content("cpu.cfs_quota_us"), "20", "quota");
    is_str(content("cpu.rt_runtime_us"), "50", "realtime runtime");
    ok(cgroup_v1_blkio(&d, &r, &err) == 0, "v1 blkio (%s)", err.msg);
    is_str(content("blkio.bfq.weight"), "300", "BFQ's weight where CFQ's is gone");
    is_str(content("blkio.throttle.write_iops_device"), "254:0 77", "throttle");
    r = parse("{\"memory\": {\"kernel\": 4096}}");
    ok(cgroup_v1_memory(&d, &r, &err) < 0, "a file the host lacks is an error");
    has_str(err.msg, "linux.resources.memory.kernel: open", "naming the field");
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    test_v2();
    test_v1();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ok(system(cmd) == 0, "cleanup");
    return done_testing();
}
