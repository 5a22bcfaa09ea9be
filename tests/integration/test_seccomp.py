"""linux.seccomp, complete: every action, every operator, the flags, a
profile shaped like docker's and podman's defaults, and the notify listener
(listenerPath gets the descriptor and the state, and answers)."""

import fcntl
import json
import os
import re
import select
import shutil
import socket
import struct
import threading

import pytest

GETPPID = 110  # x86_64; its argument registers are free for the rules to compare
EXDEV, ENOSYS = 18, 38


def profile(*rules, default="SCMP_ACT_ALLOW", **extra):
    return dict({"defaultAction": default, "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": list(rules)}, **extra)


@pytest.fixture
def sysnr(bundle, helper):
    shutil.copy(helper("sysnr"), bundle.rootfs / "bin" / "sysnr")
    return "/bin/sysnr"


def run_with(nsrun, bundle, cid, seccomp, *argv):
    bundle.config["linux"]["seccomp"] = seccomp
    bundle.args(*argv)
    return nsrun("run", "-b", str(bundle.path), cid)


SIGSYS = 31


@pytest.mark.parametrize("action,want", [
    ("SCMP_ACT_KILL", 128 + SIGSYS),
    ("SCMP_ACT_KILL_THREAD", 128 + SIGSYS),
    ("SCMP_ACT_KILL_PROCESS", 128 + SIGSYS),
    ("SCMP_ACT_TRAP", 128 + SIGSYS),
    ("SCMP_ACT_ERRNO", "errno 1"),
    ("SCMP_ACT_TRACE", f"errno {ENOSYS}"),  # no tracer attached
    ("SCMP_ACT_LOG", "ok"),
    ("SCMP_ACT_ALLOW", "ok"),
])
def test_every_action(nsrun, bundle, cid, sysnr, action, want):
    rule = {"names": ["getppid"], "action": action}
    seccomp = profile(rule, default="SCMP_ACT_ALLOW")
    if action == "SCMP_ACT_ALLOW":  # the default must differ for the rule to count
        seccomp = profile(rule, {"names": ["exit_group", "exit", "execve", "write", "brk",
                                           "arch_prctl", "set_tid_address", "mmap", "munmap",
                                           "mprotect", "readlink", "uname", "newfstatat",
                                           "fstat", "prlimit64", "getrandom", "rseq",
                                           "set_robust_list", "futex"],
                                 "action": "SCMP_ACT_ALLOW"}, default="SCMP_ACT_KILL_PROCESS")
    r = run_with(nsrun, bundle, cid, seccomp, sysnr, str(GETPPID))
    if isinstance(want, int):
        assert r.returncode == want, r
    else:
        assert r.returncode == 0 and r.out.startswith(want), r


def test_errno_ret_and_default_errno_ret(nsrun, bundle, cid, sysnr):
    seccomp = profile({"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": EXDEV})
    assert run_with(nsrun, bundle, cid, seccomp, sysnr, str(GETPPID)).out == f"errno {EXDEV}\n"
    # A deny-by-default profile with its own errno; getppid is not allowed.
    allowed = ["exit_group", "execve", "write", "brk", "arch_prctl", "set_tid_address", "mmap",
               "munmap", "mprotect", "readlink", "newfstatat", "fstat", "prlimit64", "uname",
               "getrandom", "rseq", "set_robust_list", "futex"]
    seccomp = profile({"names": allowed, "action": "SCMP_ACT_ALLOW"},
                      default="SCMP_ACT_ERRNO", defaultErrnoRet=ENOSYS)
    assert run_with(nsrun, bundle, cid, seccomp, sysnr, str(GETPPID)).out == f"errno {ENOSYS}\n"


@pytest.mark.parametrize("op,value,value_two,denied,allowed", [
    ("SCMP_CMP_NE", 10, 0, [5, 15], [10]),
    ("SCMP_CMP_LT", 10, 0, [5], [10, 15]),
    ("SCMP_CMP_LE", 10, 0, [5, 10], [15]),
    ("SCMP_CMP_EQ", 10, 0, [10], [5, 15]),
    ("SCMP_CMP_GE", 10, 0, [10, 15], [5]),
    ("SCMP_CMP_GT", 10, 0, [15], [5, 10]),
    ("SCMP_CMP_MASKED_EQ", 0xF0, 0x30, [0x30, 0x35, 0x3F], [0x40, 0x05]),
])
def test_every_operator(nsrun, bundle, cid, sysnr, op, value, value_two, denied, allowed):
    arg = {"index": 2, "value": value, "op": op}
    if value_two:
        arg["valueTwo"] = value_two
    seccomp = profile({"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": EXDEV,
                       "args": [arg]})
    values = denied + allowed
    script = "; ".join(f"{sysnr} {GETPPID} 0 0 {v}" for v in values)
    r = run_with(nsrun, bundle, cid, seccomp, "sh", "-c", script)
    results = r.out.split("\n")[:len(values)]
    for v, line in zip(values, results):
        if v in denied:
            assert line == f"errno {EXDEV}", (op, v, r.out)
        else:
            assert line.startswith("ok "), (op, v, r.out)


def test_two_conditions_on_one_argument(nsrun, bundle, cid, sysnr):
    """As runc: libseccomp refuses two conditions on one argument in one rule,
    so each becomes a rule of its own (either one denies)."""
    seccomp = profile({"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": EXDEV,
                       "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                                {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]})
    script = "; ".join(f"{sysnr} {GETPPID} {v}" for v in (1, 2, 3))
    r = run_with(nsrun, bundle, cid, seccomp, "sh", "-c", script)
    assert r.out.split("\n")[:3] == [f"errno {EXDEV}", f"errno {EXDEV}", r.out.split("\n")[2]]
    assert r.out.split("\n")[2].startswith("ok ")


@pytest.mark.parametrize("flag", ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                  "SECCOMP_FILTER_FLAG_SPEC_ALLOW"])
def test_flags(nsrun, bundle, cid, sysnr, flag):
    seccomp = profile({"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": EXDEV},
                      flags=[flag])
    r = run_with(nsrun, bundle, cid, seccomp, "sh", "-c",
                 f"{sysnr} {GETPPID}; grep -E '^Seccomp(_filters)?:' /proc/self/status")
    assert r.out.splitlines()[0] == f"errno {EXDEV}", r
    assert "Seccomp:\t2" in r.out, r


def test_unknown_syscalls_are_skipped_with_a_debug_note(nsrun, bundle, cid, sysnr):
    seccomp = profile({"names": ["no_such_syscall", "getppid"], "action": "SCMP_ACT_ERRNO",
                       "errnoRet": EXDEV})
    bundle.config["linux"]["seccomp"] = seccomp
    bundle.args(sysnr, str(GETPPID))
    r = nsrun("--debug", "run", "-b", str(bundle.path), cid)
    assert r.returncode == 0 and r.out == f"errno {EXDEV}\n", r
    assert "no_such_syscall is unknown to libseccomp here; skipped" in r.err


def default_profile_like_the_engines():
    """A profile of the shape docker and podman give every container: deny
    by default, three architectures, some 300 syscalls allowed by name (here
    every name of the x86_64 table), conditional rules on personality, clone
    and socket, and clone3 answered with ENOSYS."""
    header = open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h").read()
    names = sorted(set(re.findall(r"#define __NR_(\w+) \d+", header)) -
                   {"personality", "clone", "clone3", "socket", "kexec_load", "reboot",
                    "init_module", "finit_module", "delete_module", "mount", "umount2",
                    "ptrace", "bpf", "perf_event_open", "unshare", "setns"})
    return {
        "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": names, "action": "SCMP_ACT_ALLOW"}] + [
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": v, "op": "SCMP_CMP_EQ"}]}
            for v in (0, 8, 0x20000, 0x20008, 0xFFFFFFFF)
        ] + [
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 0x7E020000, "valueTwo": 0,
                       "op": "SCMP_CMP_MASKED_EQ"}]},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]},
        ],
    }


def test_a_default_profile_like_the_engines_loads(nsrun, bundle, cid):
    bundle.config["root"]["readonly"] = False
    bundle.config["linux"]["seccomp"] = default_profile_like_the_engines()
    bundle.args("sh", "-c", "mkdir /tmp/d && echo made; (echo in-a-fork); "
                "unshare -m true 2>&1 || echo unshare-refused")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 0, r
    assert "made" in r.out and "in-a-fork" in r.out and "unshare-refused" in r.out, r


# The notify listener: struct seccomp_notif (80 bytes) and its response (24),
# and their ioctls, _IOWR('!', 0 and 1, ...).
NOTIF = struct.Struct("=QIIiIQ6Q")
NOTIF_RESP = struct.Struct("=QqiI")
NOTIF_RECV = 0xC0000000 | (NOTIF.size << 16) | (ord("!") << 8) | 0
NOTIF_SEND = 0xC0000000 | (NOTIF_RESP.size << 16) | (ord("!") << 8) | 1


class Listener:
    """A unix socket at path that takes each connection's state and seccomp
    descriptor, and answers every notification with -EXDEV: bounded in
    connections, notifications and time."""

    def __init__(self, path, connections=1):
        self.path = str(path)
        self.states = []
        self.syscalls = []
        self.errors = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen()
        self.server.settimeout(20)
        self.threads = [threading.Thread(target=self.serve, args=(connections,), daemon=True)]
        self.threads[0].start()

    def serve(self, connections):
        try:
            for _ in range(connections):
                conn, _ = self.server.accept()
                with conn:
                    msg, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
                self.states.append(json.loads(msg))
                t = threading.Thread(target=self.answer, args=(fds[0],), daemon=True)
                t.start()
                self.threads.append(t)
        except Exception as e:  # reported by the test
            self.errors.append(repr(e))

    def answer(self, fd):
        try:
            for _ in range(50):
                ready, _, _ = select.select([fd], [], [], 20)
                if not ready:
                    return
                buf = bytearray(NOTIF.size)
                try:
                    fcntl.ioctl(fd, NOTIF_RECV, buf)
                except OSError:
                    return  # the process is gone
                notif_id, pid, _, nr, *_ = NOTIF.unpack(buf)
                self.syscalls.append((pid, nr))
                resp = bytearray(NOTIF_RESP.pack(notif_id, 0, -EXDEV, 0))
                try:
                    fcntl.ioctl(fd, NOTIF_SEND, resp)
                except OSError:
                    return
        finally:
            os.close(fd)

    def close(self):
        self.server.close()
        for t in self.threads:
            t.join(timeout=25)


def notify_profile(path, *extra_flags):
    return profile({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"},
                   listenerPath=str(path), listenerMetadata="from-the-test",
                   flags=list(extra_flags))


MKDIR_NR = 83


def test_notify_listener_gets_the_descriptor_and_answers(nsrun, bundle, cid, tmp_path):
    listener = Listener(tmp_path / "listener.sock")
    try:
        bundle.config["root"]["readonly"] = False
        r = run_with(nsrun, bundle, cid, notify_profile(tmp_path / "listener.sock"),
                     "sh", "-c", "mkdir /tmp/d 2>&1; echo done")
    finally:
        listener.close()
    assert not listener.errors, listener.errors
    assert r.returncode == 0 and "Invalid cross-device link" in r.out, r
    [state] = listener.states
    assert state["ociVersion"] and state["fds"] == ["seccompFd"]
    assert state["metadata"] == "from-the-test"
    assert state["state"]["id"] == cid and state["state"]["status"] == "creating"
    # mkdir runs in a child of the shell: another pid than the init's.
    assert state["pid"] > 0 and [nr for _, nr in listener.syscalls] == [MKDIR_NR], listener.syscalls


def test_notify_for_exec_and_wait_killable_recv(nsrun, bundle, cid, tmp_path):
    """An exec'd process has a filter and a listener of its own."""
    path = tmp_path / "listener.sock"
    listener = Listener(path, connections=2)
    try:
        bundle.config["root"]["readonly"] = False
        bundle.config["linux"]["seccomp"] = notify_profile(
            path, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
        bundle.args("sleep", "600")
        nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
        try:
            r = nsrun("exec", cid, "sh", "-c", "mkdir /tmp/e 2>&1; echo done")
        finally:
            nsrun.ok("delete", "--force", cid)
    finally:
        listener.close()
    assert not listener.errors, listener.errors
    assert "Invalid cross-device link" in r.out, r
    init_state, exec_state = listener.states
    assert init_state["state"]["status"] == "creating"
    assert exec_state["state"]["status"] == "running" and exec_state["state"]["id"] == cid
    assert exec_state["pid"] != init_state["pid"]
    assert [nr for _, nr in listener.syscalls] == [MKDIR_NR], listener.syscalls
    # The flag worked, so `features` must say this kernel supports it.
    features = json.loads(nsrun.ok("features").out)
    assert "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" in features["linux"]["seccomp"]["supportedFlags"]


@pytest.mark.parametrize("seccomp,want", [
    (profile({"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}),
     "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs a listenerPath"),
    (profile(default="SCMP_ACT_NOTIFY", listenerPath="/x"),
     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default"),
    (profile({"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}, listenerPath="relative.sock"),
     "linux.seccomp.listenerPath: must be an absolute path"),
    (profile({"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"},
             listenerPath="/nonexistent/listener.sock"),
     "linux.seccomp.listenerPath: connect to /nonexistent/listener.sock: No such file or "
     "directory"),
    (profile(flags=["SECCOMP_FILTER_FLAG_EXPLODE"]),
     'linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_EXPLODE"'),
    (profile({"names": ["getppid"], "action": "SCMP_ACT_ERRNO",
              "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}),
     "linux.seccomp.syscalls[0].args[0].index: must be 0 to 5"),
    (profile({"names": ["getppid"], "action": "SCMP_ACT_ERRNO",
              "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ALMOST"}]}),
     'linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_ALMOST"'),
])
def test_bad_profiles(nsrun, bundle, cid, seccomp, want):
    r = run_with(nsrun, bundle, cid, seccomp, "true")
    assert r.returncode == 1 and want in r.err, r
    assert nsrun.ids() == []


def test_the_filter_is_installed_last(nsrun, bundle, cid, sysnr):
    """With no_new_privs, a profile denying what nsrun itself uses to finish
    (setgroups, capset, prctl, chdir) leaves the container's own start
    unharmed: those calls come before the filter."""
    bundle.config["process"]["noNewPrivileges"] = True
    bundle.config["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10]}
    seccomp = profile({"names": ["setgroups", "setresuid", "setresgid", "capset", "chdir",
                                 "prctl", "getppid"],
                       "action": "SCMP_ACT_ERRNO", "errnoRet": EXDEV})
    r = run_with(nsrun, bundle, cid, seccomp, sysnr, str(GETPPID))
    assert r.returncode == 0 and r.out == f"errno {EXDEV}\n", r

