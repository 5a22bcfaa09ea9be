/* The mount plan: what the rootfs set-up does, in which order, with which
 * flags, checked without root. */
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "linux/mount_plan.h"
#include "tap.h"
#include "util/arena.h"

static struct error err;

static int find(const struct mount_plan *p, enum mount_step_kind kind, const char *dest)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->steps[i].kind == kind && strcmp(p->steps[i].dest, dest) == 0) return (int)i;
    return -1;
}

static int load(struct spec *s, const char *json)
{
    return spec_parse(s, json, strlen(json), "config.json", &err);
}

static void v1_cgroup(struct cgroup *cg)
{
    static struct cgroup_dir dirs[] = {
        {.path = "/sys/fs/cgroup/cpu,cpuacct/c1",
         .name = "cpu,cpuacct",
         .controllers = "cpu,cpuacct"},
        {.path = "/sys/fs/cgroup/memory/c1", .name = "memory", .controllers = "memory"},
        {.path = "/sys/fs/cgroup/unified/c1", .name = "unified", .controllers = "", .v2 = true},
    };
    memset(cg, 0, sizeof *cg);
    memcpy(cg->dirs, dirs, sizeof dirs);
    cg->n = 3;
}

static void test_default_plan(void)
{
    struct spec s;
    if (!ok(load(&s, spec_default_json()) == 0, "default spec")) return;
    struct cgroup cg;
    v1_cgroup(&cg);
    struct mount_plan_input in = {.spec = &s, .cgroup = &cg, .cgroup_ns = true};
    struct mount_plan p;
    if (!ok(mount_plan_build(&in, &p, &err) == 0, "plan builds (%s)", err.msg)) return;

    int proc = find(&p, STEP_MOUNT, "/proc"), dev = find(&p, STEP_MOUNT, "/dev");
    int pts = find(&p, STEP_MOUNT, "/dev/pts"), sys = find(&p, STEP_MOUNT, "/sys");
    int null = find(&p, STEP_MKNOD, "/dev/null"), ptmx = find(&p, STEP_SYMLINK, "/dev/ptmx");
    int ro_sys = find(&p, STEP_READONLY, "/proc/sys"), kcore = find(&p, STEP_MASK, "/proc/kcore");
    ok(proc == 0, "proc is mounted first, as listed");
    ok(dev > proc && pts > dev, "/dev/pts after /dev");
    ok(null > pts && null > sys, "devices after the spec's mounts");
    ok(ptmx > null, "/dev/ptmx symlink after the devices");
    ok(ro_sys > ptmx && kcore > ro_sys, "read-only then masked paths, last");
    is_str(p.steps[ptmx].target, "pts/ptmx", "/dev/ptmx -> pts/ptmx");
    is_int(p.steps[null].mode, S_IFCHR | 0666, "/dev/null mode");
    is_int(p.steps[null].dev, makedev(1, 3), "/dev/null is 1:3");
    is_int(p.steps[dev].flags, MS_NOSUID | MS_STRICTATIME, "/dev flags");
    is_str(p.steps[dev].data, "mode=755,size=65536k", "/dev data keeps unknown options");
    is_int(p.steps[sys].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, "/sys flags");
    ok(find(&p, STEP_SYMLINK, "/dev/core") < 0, "no /dev/core without /proc/kcore");
    ok(p.steps[kcore].optional, "masked paths may be missing");
    is_str(p.steps[kcore].within_fstype, "proc", "/proc/kcore must be found on proc");
    int firmware = find(&p, STEP_MASK, "/sys/firmware");
    is_str(firmware >= 0 ? p.steps[firmware].within_fstype : NULL, "sysfs",
           "/sys/firmware on sysfs");

    int cgroup_tmpfs = find(&p, STEP_MOUNT, "/sys/fs/cgroup");
    int cpu = find(&p, STEP_BIND, "/sys/fs/cgroup/cpu,cpuacct");
    int alias = find(&p, STEP_SYMLINK, "/sys/fs/cgroup/cpuacct");
    int unified = find(&p, STEP_BIND, "/sys/fs/cgroup/unified");
    int ro_again = find(&p, STEP_REMOUNT, "/sys/fs/cgroup");
    ok(cgroup_tmpfs > sys, "v1: a tmpfs on /sys/fs/cgroup");
    is_str(cgroup_tmpfs >= 0 ? p.steps[cgroup_tmpfs].fstype : NULL, "tmpfs", "it is a tmpfs");
    ok(cpu > cgroup_tmpfs, "each hierarchy bound below it");
    is_str(cpu >= 0 ? p.steps[cpu].source : NULL, "/sys/fs/cgroup/cpu,cpuacct/c1",
           "from the container's own cgroup");
    ok(cpu >= 0 && (p.steps[cpu].flags & MS_RDONLY), "read-only, as the mount asks");
    ok(alias > 0, "cpuacct -> cpu,cpuacct symlink");
    ok(unified > 0, "the hybrid v2 hierarchy too");
    bool only_hidden_after = ro_again > unified && ro_again > alias;
    for (size_t i = ro_again >= 0 ? (size_t)ro_again + 1 : 0; i < p.n; i++)
        only_hidden_after &= p.steps[i].kind == STEP_MASK || p.steps[i].kind == STEP_READONLY;
    ok(ro_again >= 0 && only_hidden_after,
       "the cgroup tmpfs is made read-only after what goes below it; only masked and "
       "read-only paths come later");
    mount_plan_free(&p);
    spec_free(&s);
}

static void test_v2_cgroup_mount(void)
{
    struct spec s;
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": [{\"destination\": \"/sys/fs/cgroup\", "
             "\"type\": \"cgroup\", \"options\": [\"ro\"]}], \"linux\": {\"maskedPaths\": []}}");
    struct cgroup cg = {.n = 1};
    cg.dirs[0] = (struct cgroup_dir){
        .path = "/sys/fs/cgroup/c1", .name = "cgroup", .v2 = true, .controllers = "memory pids"};
    struct mount_plan p;
    struct mount_plan_input in = {.spec = &s, .cgroup = &cg, .cgroup_ns = true};
    ok(mount_plan_build(&in, &p, &err) == 0, "v2 plan (%s)", err.msg);
    int m = find(&p, STEP_MOUNT, "/sys/fs/cgroup");
    is_str(m >= 0 ? p.steps[m].fstype : NULL, "cgroup2", "v2 with a cgroup namespace: cgroup2");
    mount_plan_free(&p);
    in.cgroup_ns = false;
    mount_plan_build(&in, &p, &err);
    m = find(&p, STEP_BIND, "/sys/fs/cgroup");
    is_str(m >= 0 ? p.steps[m].source : NULL, "/sys/fs/cgroup/c1",
           "v2 without one: the container's cgroup bound");
    mount_plan_free(&p);
    spec_free(&s);
}

static void test_binds_and_options(void)
{
    struct spec s;
    load(&s,
         "{\"ociVersion\": \"1.2.0\", \"mounts\": ["
         "{\"destination\": \"/data\", \"source\": \"/srv\", \"options\": [\"rbind\", \"ro\", "
         "\"rprivate\", \"rnoexec\"]},"
         "{\"destination\": \"/etc/x\", \"type\": \"bind\", \"source\": \"x\"},"
         "{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"options\": [\"ro\", \"mode=755\"]},"
         "{\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"noatime\", "
         "\"atime\", \"nosuid\", \"suid\", \"size=1m\"]},"
         "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\", "
         "\"options\": [\"rrw\"]}], "
         "\"linux\": {\"readonlyPaths\": [\"/proc/sys\"], \"maskedPaths\": [\"/proc/kcore\"]}}");
    struct mount_plan p;
    struct mount_plan_input in = {.spec = &s};
    if (!ok(mount_plan_build(&in, &p, &err) == 0, "bind plan (%s)", err.msg)) return;
    int data = find(&p, STEP_BIND, "/data");
    ok(data >= 0 && p.steps[data].recursive, "rbind is a recursive bind");
    ok(data >= 0 && (p.steps[data].flags & MS_RDONLY), "ro on a bind (applied by a remount)");
    int prop = find(&p, STEP_PROPAGATE, "/data");
    ok(prop == data + 1, "propagation right after the mount");
    is_int(prop >= 0 ? p.steps[prop].propagation : 0, MS_PRIVATE | MS_REC, "rprivate");
    ok(find(&p, STEP_BIND, "/etc/x") >= 0, "type bind is a bind mount");
    int attrs = find(&p, STEP_SETATTR, "/data");
    bool mounts_after = false;
    for (size_t i = attrs >= 0 ? (size_t)attrs : 0; i < p.n; i++)
        mounts_after |= p.steps[i].kind == STEP_MOUNT || p.steps[i].kind == STEP_BIND;
    ok(attrs >= 0 && !mounts_after, "recursive attributes after every mount (and those below)");
    ok(attrs >= 0 && p.steps[attrs].attr_set == MOUNT_ATTR_NOEXEC, "rnoexec");
    int dev = find(&p, STEP_MOUNT, "/dev");
    ok(dev >= 0 && !(p.steps[dev].flags & MS_RDONLY), "a read-only tmpfs /dev is mounted writable");
    int dev_ro = find(&p, STEP_REMOUNT, "/dev");
    int proc_attrs = find(&p, STEP_SETATTR, "/proc");
    ok(dev_ro >= 0 && dev_ro < attrs && dev_ro < proc_attrs && (p.steps[dev_ro].flags & MS_RDONLY),
       "and made read-only after its devices, before the recursive attributes");
    int sys_ro = find(&p, STEP_READONLY, "/proc/sys"), kcore = find(&p, STEP_MASK, "/proc/kcore");
    ok(proc_attrs >= 0 && sys_ro > proc_attrs && kcore > proc_attrs && kcore > attrs,
       "masked and read-only paths last: a recursive \"rrw\" cannot undo them");
    ok(find(&p, STEP_MKNOD, "/dev/null") >= 0, "devices are made when /dev is a tmpfs");
    int t = find(&p, STEP_MOUNT, "/t");
    is_int(t >= 0 ? (long long)p.steps[t].flags : -1, 0, "later options win: atime, suid");
    is_str(t >= 0 ? p.steps[t].data : NULL, "size=1m", "data option");
    mount_plan_free(&p);
    spec_free(&s);

    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": ["
             "{\"destination\": \"/data\", \"type\": \"tmpfs\"},"
             "{\"destination\": \"/data/in\", \"source\": \"/srv\", \"options\": [\"bind\"]}],"
             "\"linux\": {\"maskedPaths\": [\"/data/x\", \"/data/in/y\", \"/datax\", \"/etc\"],"
             "\"readonlyPaths\": [\"/data/\"]}}");
    if (!ok(mount_plan_build(&in, &p, &err) == 0, "hidden paths plan (%s)", err.msg)) return;
    int x = find(&p, STEP_MASK, "/data/x"), y = find(&p, STEP_MASK, "/data/in/y");
    int other = find(&p, STEP_MASK, "/datax"), etc = find(&p, STEP_MASK, "/etc");
    int ro = find(&p, STEP_READONLY, "/data/");
    is_str(x >= 0 ? p.steps[x].within_fstype : "?", "tmpfs", "a path under a tmpfs");
    ok(y >= 0 && p.steps[y].within_fstype == NULL, "under a bind on it: no type to expect");
    ok(other >= 0 && p.steps[other].within_fstype == NULL, "/datax is not under /data");
    ok(etc >= 0 && p.steps[etc].within_fstype == NULL, "the rootfs itself: nothing to expect");
    is_str(ro >= 0 ? p.steps[ro].within_fstype : "?", "tmpfs", "the mount point itself");
    mount_plan_free(&p);
    spec_free(&s);
}

static void test_dev_bound_and_userns(void)
{
    struct spec s;
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": [{\"destination\": \"/dev\", \"source\": "
             "\"/dev\", \"options\": [\"rbind\"]}]}");
    struct mount_plan p;
    struct mount_plan_input in = {.spec = &s};
    mount_plan_build(&in, &p, &err);
    ok(find(&p, STEP_MKNOD, "/dev/null") < 0 && find(&p, STEP_SYMLINK, "/dev/fd") < 0,
       "a bound /dev is left as it is");
    mount_plan_free(&p);
    spec_free(&s);

    load(&s, "{\"ociVersion\": \"1.2.0\", \"linux\": {\"devices\": [{\"type\": \"c\", \"path\": "
             "\"/dev/null\", \"major\": 1, \"minor\": 3, \"fileMode\": 384, \"uid\": 5}]}}");
    in.user_ns = true;
    in.host_has_kcore = true;
    mount_plan_build(&in, &p, &err);
    int null = find(&p, STEP_BIND_DEV, "/dev/null");
    ok(null >= 0 && find(&p, STEP_MKNOD, "/dev/null") < 0, "in a user namespace devices are bound");
    ok(null >= 0 && (p.steps[null].mode & 07777) == 0600 && p.steps[null].uid == 5,
       "the spec's /dev/null replaces the default one");
    int n_null = 0;
    for (size_t i = 0; i < p.n; i++) n_null += strcmp(p.steps[i].dest, "/dev/null") == 0;
    is_int(n_null, 1, "only once");
    ok(find(&p, STEP_SYMLINK, "/dev/core") >= 0, "/dev/core when the host has /proc/kcore");
    mount_plan_free(&p);
    spec_free(&s);
}

static void test_mount_label(void)
{
    struct spec s;
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": ["
             "{\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"size=1m\"]},"
             "{\"destination\": \"/u\", \"type\": \"tmpfs\"},"
             "{\"destination\": \"/p\", \"type\": \"proc\"}]}");
    struct mount_plan p;
    struct mount_plan_input in = {.spec = &s, .mount_label = "system_u:object_r:c_t:s0"};
    if (!ok(mount_plan_build(&in, &p, &err) == 0, "labelled plan (%s)", err.msg)) return;
    int t = find(&p, STEP_MOUNT, "/t"), u = find(&p, STEP_MOUNT, "/u");
    int proc = find(&p, STEP_MOUNT, "/p");
    is_str(t >= 0 ? p.steps[t].data : NULL, "size=1m,context=\"system_u:object_r:c_t:s0\"",
           "mountLabel joins a tmpfs' data");
    is_str(u >= 0 ? p.steps[u].data : NULL, "context=\"system_u:object_r:c_t:s0\"",
           "or is its only data");
    ok(proc >= 0 && p.steps[proc].data == NULL, "proc takes no context");
    mount_plan_free(&p);
    spec_free(&s);
}

static void test_idmap(void)
{
    struct spec s;
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": ["
             "{\"destination\": \"/a\", \"source\": \"/s\", \"options\": [\"rbind\", \"idmap\"]},"
             "{\"destination\": \"/b\", \"source\": \"/s\", \"options\": [\"rbind\", \"ridmap\"]},"
             "{\"destination\": \"/c\", \"type\": \"bind\", \"source\": \"/s\","
             " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}],"
             " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]},"
             "{\"destination\": \"/d\", \"source\": \"/s\", \"options\": [\"bind\"]}]}");
    struct mount_plan p;
    struct mount_plan_input in = {.spec = &s, .user_ns = true};
    if (!ok(mount_plan_build(&in, &p, &err) == 0, "idmap plan (%s)", err.msg)) return;
    int a = find(&p, STEP_BIND, "/a"), b = find(&p, STEP_BIND, "/b");
    int c = find(&p, STEP_BIND, "/c"), d = find(&p, STEP_BIND, "/d");
    ok(a >= 0 && p.steps[a].idmap && !p.steps[a].idmap_recursive && p.steps[a].recursive,
       "idmap: the top mount mapped, the tree bound");
    ok(b >= 0 && p.steps[b].idmap && p.steps[b].idmap_recursive, "ridmap: every submount");
    ok(c >= 0 && p.steps[c].idmap, "a mount's own mappings make it id-mapped");
    ok(d >= 0 && !p.steps[d].idmap, "a plain bind is not");
    ok(a >= 0 && p.steps[a].data == NULL, "idmap is not passed on as data");
    mount_plan_free(&p);
    in.user_ns = false;
    ok(mount_plan_build(&in, &p, &err) < 0, "idmap without a user namespace or maps");
    has_str(err.msg,
            "mounts[0].options: idmap without uidMappings needs the container's user "
            "namespace",
            "says what it needs");
    spec_free(&s);
}

static void test_option_errors(void)
{
    struct spec s;
    struct mount_plan p;
    struct mount_plan_input in = {.spec = &s};
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": [{\"destination\": \"/a\", \"type\": "
             "\"tmpfs\", \"options\": [\"idmap\"]}]}");
    ok(mount_plan_build(&in, &p, &err) < 0, "idmap on a tmpfs");
    has_str(err.msg, "mounts[0]: id-mapped mounts are for bind mounts", "is an error");
    spec_free(&s);
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": [{\"destination\": \"/a\", \"type\": "
             "\"proc\", \"options\": [\"tmpcopyup\"]}]}");
    ok(mount_plan_build(&in, &p, &err) < 0, "tmpcopyup on proc");
    has_str(err.msg, "mounts[0].options: tmpcopyup is for tmpfs mounts only", "is an error");
    spec_free(&s);
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": [{\"destination\": \"/a\", \"type\": "
             "\"tmpfs\", \"options\": [\"tmpcopyup\", \"ro\"]}]}");
    ok(mount_plan_build(&in, &p, &err) == 0, "tmpcopyup plan");
    int a = find(&p, STEP_MOUNT, "/a"), a_ro = find(&p, STEP_REMOUNT, "/a");
    ok(a >= 0 && p.steps[a].copy_up && a_ro > a,
       "tmpcopyup on a read-only tmpfs: copied, then made read-only");
    mount_plan_free(&p);
    spec_free(&s);
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": [{\"destination\": \"/a\", \"options\": "
             "[\"bind\"]}]}");
    ok(mount_plan_build(&in, &p, &err) < 0, "bind without a source");
    has_str(err.msg, "mounts[0].source: a bind mount needs a source", "names the field");
    spec_free(&s);
    load(&s, "{\"ociVersion\": \"1.2.0\", \"mounts\": [{\"destination\": \"/a\"}]}");
    ok(mount_plan_build(&in, &p, &err) < 0, "no type");
    has_str(err.msg, "mounts[0].type: needed", "names the field");
    spec_free(&s);
}

static void test_options_parse(void)
{
    struct arena *a = NULL;
    struct mount_options o;
    const char *opts[] = {"ro", "nosuid", "nodev", "noexec", "relatime", "rshared", "uid=5", "x"};
    struct spec_strings list = {opts, 8};
    ok(mount_options_parse(&list, &a, &o, &err) == 0, "options parse");
    is_int(o.flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, "flags");
    is_int(o.propagation, MS_SHARED | MS_REC, "propagation");
    is_str(o.data, "uid=5,x", "the rest is data, in order");
    ok(!o.bind, "not a bind");
    ok(o.attr_set == 0 && o.attr_clr == 0, "no recursive attributes");

    const char *rec[] = {"rro", "rnosuid", "rrw", "rsuid", "rnoatime", "rstrictatime", "rnoexec"};
    list = (struct spec_strings){rec, 7};
    ok(mount_options_parse(&list, &a, &o, &err) == 0, "recursive options parse");
    is_int(o.flags, 0, "no plain flags");
    is_int(o.attr_set, MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_NOEXEC,
           "the last word wins: rw, suid, strictatime; and noexec");
    is_int(o.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR__ATIME,
           "cleared: ro, nosuid, and the whole atime mode");
    ok(o.data == NULL, "none of them is data");
    arena_free(a);
}

int main(void)
{
    test_default_plan();
    test_v2_cgroup_mount();
    test_binds_and_options();
    test_dev_bound_and_userns();
    test_mount_label();
    test_idmap();
    test_option_errors();
    test_options_parse();
    return done_testing();
}
