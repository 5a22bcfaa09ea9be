"""The container's process: args, env, cwd, user and groups, umask,
capabilities, no_new_privs, rlimits, oom_score_adj, seccomp, sysctl,
hostname, and the errors engines map to exit codes."""

import os

import pytest


def run(nsrun, bundle, cid, *argv):
    bundle.args(*argv)
    return nsrun("run", "-b", str(bundle.path), cid)


def proc_status(out):
    return dict(line.split(":\t", 1) for line in out.splitlines() if ":\t" in line)


def test_args_are_passed_exactly(nsrun, bundle, cid):
    r = run(nsrun, bundle, cid, "printf", "[%s]\\n", "a b", "", "$HOME", "'q'")
    assert r.out == "[a b]\n[]\n[$HOME]\n['q']\n"


def test_env_and_home(nsrun, bundle, cid):
    bundle.config["process"]["env"] = ["PATH=/bin", "A=1", "B=x=y"]
    r = run(nsrun, bundle, cid, "env")
    assert sorted(r.out.split()) == ["A=1", "B=x=y", "HOME=/root", "PATH=/bin"]
    bundle.config["process"]["env"].append("HOME=/elsewhere")
    r = run(nsrun, bundle, cid, "env")
    assert "HOME=/elsewhere" in r.out.split() and "HOME=/root" not in r.out.split()


def test_user_groups_and_umask(nsrun, bundle, cid):
    bundle.config["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20],
                                        "umask": 0o027}
    bundle.config["root"]["readonly"] = False
    r = run(nsrun, bundle, cid, "sh", "-c", "id; umask; echo $HOME; touch /tmp/f; "
            "stat -c %a /tmp/f; grep -E '^(Uid|Gid|Groups)' /proc/self/status")
    lines = r.out.splitlines()
    assert len(lines) >= 4, r
    assert lines[0].startswith("uid=1000(user) gid=1000(user)")
    assert lines[1] == "0027"
    assert lines[2] == "/home/user"
    assert lines[3] == "640"
    st = proc_status(r.out)
    assert st["Uid"].split() == ["1000"] * 4 and st["Gid"].split() == ["1000"] * 4
    assert st["Groups"].split() == ["10", "20"]


def test_default_capabilities(nsrun, bundle, cid):
    r = run(nsrun, bundle, cid, "grep", "^Cap", "/proc/self/status")
    st = proc_status(r.out)
    expected = (1 << 29) | (1 << 5) | (1 << 10)  # AUDIT_WRITE, KILL, NET_BIND_SERVICE
    for key in ("CapBnd", "CapEff", "CapPrm"):
        assert int(st[key], 16) == expected, key
    assert int(st["CapInh"], 16) == 0
    assert int(st["CapAmb"], 16) == 0, "ambient needs inheritable too, as runc leaves it"


def test_capabilities_with_ambient(nsrun, bundle, cid):
    caps = ["CAP_CHOWN", "CAP_NET_RAW"]
    bundle.config["process"]["user"] = {"uid": 1000, "gid": 1000}
    bundle.config["process"]["capabilities"] = {k: caps for k in
                                                ("bounding", "effective", "permitted",
                                                 "inheritable", "ambient")}
    r = run(nsrun, bundle, cid, "grep", "^Cap", "/proc/self/status")
    st = proc_status(r.out)
    assert "CapBnd" in st, r
    want = (1 << 0) | (1 << 13)
    for key in ("CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb"):
        assert int(st[key], 16) == want, key


def test_no_capabilities_object_keeps_root_s(nsrun, bundle, cid):
    del bundle.config["process"]["capabilities"]
    r = run(nsrun, bundle, cid, "grep", "^CapEff", "/proc/self/status")
    with open("/proc/self/status") as f:
        host = proc_status(f.read())
    assert proc_status(r.out)["CapEff"] == host["CapBnd"]


@pytest.mark.parametrize("flag,want", [(True, "1"), (False, "0")])
def test_no_new_privileges(nsrun, bundle, cid, flag, want):
    bundle.config["process"]["noNewPrivileges"] = flag
    r = run(nsrun, bundle, cid, "grep", "NoNewPrivs", "/proc/self/status")
    assert r.out.split() == ["NoNewPrivs:", want]


def test_rlimits_and_oom_score_adj(nsrun, bundle, cid):
    bundle.config["process"]["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "soft": 333, "hard": 444},
        {"type": "RLIMIT_CORE", "soft": 18446744073709551615, "hard": 18446744073709551615},
    ]
    bundle.config["process"]["oomScoreAdj"] = 500
    r = run(nsrun, bundle, cid, "sh", "-c",
            "ulimit -n; ulimit -Hn; ulimit -c; cat /proc/self/oom_score_adj")
    assert r.out.split() == ["333", "444", "unlimited", "500"]


def test_hostname_and_domainname(nsrun, bundle, cid):
    bundle.config["hostname"] = "box"
    bundle.config["domainname"] = "example.test"
    r = run(nsrun, bundle, cid, "sh", "-c", "hostname; cat /proc/sys/kernel/domainname")
    assert r.out.split() == ["box", "example.test"]


def test_sysctl_in_the_containers_namespaces(nsrun, bundle, cid):
    bundle.config["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}
    with open("/proc/sys/net/ipv4/ip_forward") as f:
        host_forward = f.read()
    r = run(nsrun, bundle, cid, "cat", "/proc/sys/net/ipv4/ip_forward",
            "/proc/sys/kernel/shmmni")
    assert r.out.split() == ["1", "1234"]
    with open("/proc/sys/net/ipv4/ip_forward") as f:
        assert f.read() == host_forward, "the host's value is untouched"


def test_sysctl_that_is_not_namespaced_is_refused(nsrun, bundle, cid):
    bundle.config["linux"]["sysctl"] = {"vm.swappiness": "10"}
    r = run(nsrun, bundle, cid, "true")
    assert r.returncode == 1
    assert "config.json: linux.sysctl.vm.swappiness: not a namespaced parameter" in r.err
    assert nsrun.ids() == []


SECCOMP_BASE = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"]}


def test_seccomp_errno_rules(nsrun, bundle, cid):
    bundle.config["root"]["readonly"] = False
    bundle.config["linux"]["seccomp"] = dict(SECCOMP_BASE, syscalls=[
        {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"},
        {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
        {"names": ["no_such_syscall_anywhere"], "action": "SCMP_ACT_ERRNO"},
        # Only a personality() call with this exact argument is refused.
        {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
         "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
    ])
    r = run(nsrun, bundle, cid, "sh", "-c", "mkdir /tmp/d 2>&1; nice -n 1 true 2>&1; "
            "touch /tmp/file && echo touch-allowed")
    assert "Operation not permitted" in r.out
    assert "touch-allowed" in r.out
    assert r.returncode == 0, r


def test_seccomp_kill_and_bad_profiles(nsrun, bundle, cid):
    bundle.config["linux"]["seccomp"] = dict(SECCOMP_BASE, syscalls=[
        {"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}])
    r = run(nsrun, bundle, cid, "uname")
    assert r.returncode == 128 + 31  # SIGSYS
    bundle.config["linux"]["seccomp"] = dict(SECCOMP_BASE, syscalls=[
        {"names": ["uname"], "action": "SCMP_ACT_EXPLODE"}])
    r = run(nsrun, bundle, cid, "true")
    assert r.returncode == 1
    assert 'config.json: linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_EXPLODE"' in r.err
    bundle.config["linux"]["seccomp"] = dict(SECCOMP_BASE, architectures=["SCMP_ARCH_Z80"])
    r = run(nsrun, bundle, cid, "true")
    assert 'linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_Z80"' in r.err
    assert nsrun.ids() == []


def test_seccomp_default_errno_with_an_allow_list(nsrun, bundle, cid):
    # A deny-by-default profile that allows what busybox' echo needs to run.
    allowed = ["execve", "brk", "arch_prctl", "set_tid_address", "write", "exit_group", "getuid",
               "getpid", "rt_sigaction", "rt_sigprocmask", "ioctl", "getppid", "close",
               "openat", "read", "mmap", "munmap", "prctl", "newfstatat", "fstat", "readlink",
               "readlinkat", "set_robust_list", "rseq", "prlimit64", "mprotect", "uname",
               "getrandom", "futex", "sysinfo", "exit"]
    bundle.config["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
        "syscalls": [{"names": allowed, "action": "SCMP_ACT_ALLOW"}]}
    r = run(nsrun, bundle, cid, "echo", "still-works")
    assert r.out == "still-works\n", r


@pytest.mark.parametrize("argv,want", [
    (["no-such-command"], 'exec: "no-such-command": executable file not found in $PATH'),
    (["/bin/no-such-file"], 'exec: "/bin/no-such-file": stat /bin/no-such-file: '
                            'no such file or directory'),
    (["/etc/passwd"], 'exec: "/etc/passwd": permission denied'),
    (["/etc"], 'exec: "/etc": permission denied'),
])
def test_exec_errors_as_runc_words_them(nsrun, bundle, cid, argv, want):
    bundle.args(*argv)
    r = nsrun("create", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert want in r.err, r
    assert nsrun.ids() == []
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and want in r.err


def proc_stat_fields(text):
    """/proc/PID/stat after the command name, numbered as in proc(5)."""
    rest = text[text.rindex(")") + 2:].split()
    return {n + 3: v for n, v in enumerate(rest)}


def test_scheduler_and_io_priority(nsrun, bundle, cid):
    bundle.config["process"]["scheduler"] = {"policy": "SCHED_BATCH", "nice": 5}
    bundle.config["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 6}
    r = run(nsrun, bundle, cid, "sh", "-c", "cat /proc/self/stat; ionice")
    stat, ionice = r.out.splitlines()
    fields = proc_stat_fields(stat)
    assert fields[19] == "5", "nice"
    assert fields[41] == "3", "policy SCHED_BATCH"
    assert ionice == "best-effort: prio 6"


def test_scheduler_refused_by_the_kernel_is_a_clear_error(nsrun, bundle, cid):
    bundle.config["process"]["scheduler"] = {"policy": "SCHED_FIFO", "priority": 200}
    r = run(nsrun, bundle, cid, "true")
    assert r.returncode == 1
    assert "process.scheduler: sched_setattr SCHED_FIFO: Invalid argument" in r.err
    assert nsrun.ids() == []


@pytest.mark.parametrize("process,want", [
    ({"scheduler": {"policy": "SCHED_NOPE"}}, 'process.scheduler.policy: unknown scheduler policy'),
    ({"scheduler": {"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_NOPE"]}},
     'process.scheduler.flags[0]: unknown flag "SCHED_FLAG_NOPE"'),
    ({"ioPriority": {"class": "IOPRIO_CLASS_RT", "priority": 8}},
     "process.ioPriority.priority: must be between 0 and 7"),
    ({"execCPUAffinity": {"final": "0-x"}},
     'process.execCPUAffinity.final: "0-x" is not a CPU list'),
])
def test_bad_process_fields(nsrun, bundle, cid, process, want):
    bundle.config["process"].update(process)
    r = run(nsrun, bundle, cid, "true")
    assert r.returncode == 1 and want in r.err, r
    assert nsrun.ids() == []


def test_personality(nsrun, bundle, cid):
    bundle.config["linux"]["personality"] = {"domain": "LINUX32"}
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        assert nsrun.ok("exec", cid, "uname", "-m").out == "i686\n", "exec gets it too"
        init = nsrun.state(cid)["pid"]
        assert open(f"/proc/{init}/personality").read().strip() == "00000008"
    finally:
        nsrun.ok("delete", "-f", cid)
    bundle.config["linux"]["personality"] = {"domain": "LINUX"}
    assert run(nsrun, bundle, cid, "uname", "-m").out == f"{os.uname().machine}\n"


two_cpus = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2,
                              reason="CPU affinity tests need two CPUs to move between")


@two_cpus
def test_exec_cpu_affinity(nsrun, bundle, cid):
    bundle.config["process"]["execCPUAffinity"] = {"initial": "0", "final": "1"}
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        init = nsrun.state(cid)["pid"]
        assert os.sched_getaffinity(init) == {1}
        r = nsrun.ok("exec", cid, "grep", "Cpus_allowed_list", "/proc/self/status")
        assert r.out.split() == ["Cpus_allowed_list:", "1"]
    finally:
        nsrun.ok("delete", "-f", cid)


@two_cpus
def test_cpu_affinity_resets_to_every_cpu(nsrun, bundle, cid):
    """nsrun pinned to one CPU (as a node agent may run it) does not pin
    the container: its process gets what its cgroup allows."""
    everything = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(everything)})
    try:
        r = run(nsrun, bundle, cid, "grep", "Cpus_allowed_list", "/proc/self/status")
    finally:
        os.sched_setaffinity(0, everything)
    want = open("/sys/devices/system/cpu/online").read().strip()
    assert r.out.split() == ["Cpus_allowed_list:", want]


@pytest.mark.parametrize("where,value,module", [
    ("process.apparmorProfile", "nsrun-test", "AppArmor"),
    ("process.selinuxLabel", "system_u:system_r:container_t:s0", "SELinux"),
    ("linux.mountLabel", "system_u:object_r:container_file_t:s0", "SELinux"),
])
def test_security_labels_need_their_module(nsrun, bundle, cid, where, value, module):
    """This host has neither AppArmor nor SELinux: a label is refused, never
    silently dropped (the process would run unconfined)."""
    def enabled():
        if module == "SELinux":
            return os.path.exists("/sys/fs/selinux/enforce")
        try:
            return open("/sys/module/apparmor/parameters/enabled").read().startswith("Y")
        except FileNotFoundError:
            return False
    if enabled():
        pytest.skip(f"{module} is enabled on this host: the refusal cannot be shown")
    section, key = where.split(".")
    bundle.config[section][key] = value
    r = run(nsrun, bundle, cid, "true")
    assert r.returncode == 1
    assert f"{where}: {module} is not enabled on this host" in r.err
    assert nsrun.ids() == []
