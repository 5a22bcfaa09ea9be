"""The ways out of a container that issue 14 found, each as the attack
(docs/security.md lists them with the defence each one tests): a process
in the container, or in a sibling sharing its pid namespace, reaching
nsrun's init or exec child through /proc before they exec (the class of
CVE-2016-9962) and the host's descriptors those hold; a program the
container replaced run by `nsrun enter`; writable mounts below read-only
ones (CVE-2023-25809); a planted temporary file becoming the pid file; a
container process typing into the caller's terminal."""

import fcntl
import json
import os
import platform
import shutil
import subprocess
import termios
import time

import pytest

from conftest import NSRUN, Bundle

# The kernel's comm of an nsrun process: the binary's name, cut to 15 bytes.
NSRUN_COMM = NSRUN.name[:15]
# What a process must not reach of another through /proc.
PRIVATE = ("environ", "mem", "root", "cwd", "exe")


def reached(out):
    """The accesses proc_reach says the kernel allowed."""
    return [line for line in out.splitlines() if line.startswith("reached ")]


def assert_out_of_reach(out, pid=1):
    """proc_reach tried pid and the kernel refused every access."""
    assert f"seen {pid}" in out
    assert reached(out) == [], out
    for what in PRIVATE:
        assert f"denied {pid} {what} Permission denied" in out, out


def with_probe(bundle, helper):
    shutil.copy(helper("proc_reach"), bundle.rootfs / "proc_reach")
    return bundle


def init_pid(nsrun, cid):
    return nsrun.state(cid)["pid"]


def test_a_created_init_is_out_of_reach_of_exec(nsrun, bundle, cid, helper):
    """Between create and start, a process exec'd into the container sees
    the init as its pid 1: none of its /proc files that lead out (its
    descriptors held the host's /proc before) may open."""
    with_probe(bundle, helper).args("true")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    try:
        assert_out_of_reach(nsrun.ok("exec", cid, "/proc_reach", "once", "1").out)
    finally:
        nsrun.ok("delete", "-f", cid)


def test_a_created_init_is_out_of_reach_of_a_sibling(nsrun, bundle, cid, helper, tmp_path,
                                                     rootfs_template):
    """The pod layout: a second container joins the first one's pid
    namespace, where the first one's created init is pid 1. No exec and no
    capability is needed to try."""
    bundle.args("true")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    sibling_id = cid + "-sib"
    try:
        path = tmp_path / "sibling"
        path.mkdir()
        sibling = with_probe(Bundle(path, rootfs_template, nsrun), helper)
        for ns in sibling.namespaces():
            if ns["type"] == "pid":
                ns["path"] = f"/proc/{init_pid(nsrun, cid)}/ns/pid"
        sibling.args("/proc_reach", "once", "1")
        assert_out_of_reach(nsrun.ok("run", "-b", str(sibling.path), sibling_id).out)
    finally:
        nsrun.ok("delete", "-f", cid)


def held_descriptors(pid):
    fds = {}
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/{pid}/fd/{name}")
        except FileNotFoundError:
            pass
    return fds


def test_a_created_init_holds_nothing_of_the_host(nsrun, bundle, cid, tmp_path):
    """While it waits for start the init holds its stdio, what was
    preserved and exec.fifo: not the host's /proc, the log, the bundle, the
    state directory, nor the caller's other descriptors."""
    bundle.args("true")
    log = tmp_path / "nsrun.log"
    read_end, write_end = os.pipe()  # the caller's: not for the container
    try:
        # fd 3, preserved, is the shell's /dev/zero.
        subprocess.run(["sh", "-c", 'exec "$@" 3</dev/zero', "sh", str(NSRUN), "--root",
                        str(nsrun.root), "--log", str(log), "create", "--preserve-fds", "1",
                        "-b", str(bundle.path), cid],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, pass_fds=(read_end, write_end), check=True)
    finally:
        os.close(read_end)
        os.close(write_end)
    try:
        fds = held_descriptors(init_pid(nsrun, cid))
        fifo = [fd for fd, target in fds.items() if target.endswith("/exec.fifo")]
        assert len(fifo) == 1, fds
        assert fds[3] == "/dev/zero", fds
        assert sorted(set(fds) - {0, 1, 2, 3} - set(fifo)) == [], fds
    finally:
        nsrun.ok("delete", "-f", cid)


def test_an_exec_child_is_out_of_reach_before_it_execs(nsrun, bundle, cid, helper, tmp_path):
    """nsrun exec's child is in the container's pid namespace from its
    clone. A process of the container watching for it tries its /proc files
    at once; strace holds the child 0.3 s at its first prctl() (before the
    fix, the one that made it non-dumpable) and again at its execve(), when
    it has the container's capabilities and the kernel's capability check
    no longer stands in the way."""
    if not shutil.which("strace"):
        pytest.skip("strace is not installed (scripts/deps.sh test installs it)")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    bundle.config["mounts"].append({"destination": "/out", "type": "bind",
                                    "source": str(out_dir), "options": ["rbind"]})
    with_probe(bundle, helper).shell(f"/proc_reach watch {NSRUN_COMM} /bin/busybox 6000 > /out/reach")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        time.sleep(0.3)  # the watch has started
        for _ in range(3):
            subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=prctl",
                            "-e", "inject=prctl:delay_enter=300000:when=1",
                            "-e", "inject=execve:delay_enter=300000:when=1",
                            str(NSRUN), "--root", str(nsrun.root), "exec", cid, "true"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True, timeout=30)
        deadline = time.monotonic() + 15
        while nsrun.state(cid)["status"] == "running":
            assert time.monotonic() < deadline, "the watch did not end"
            time.sleep(0.1)
        out = (out_dir / "reach").read_text()
        assert out.count("seen ") >= 3, f"the watch saw no exec child: {out}"
        assert reached(out) == [], out
    finally:
        nsrun.ok("delete", "-f", cid)


PLANTED_SHELL = """#!/bin/busybox sh
# The image's /bin/sh, replaced: what runs with it?
{
  grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
  echo "cgroup-same=$(if [ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ]; then
    echo yes; else echo no; fi)"
  echo "env=$(/bin/busybox env | /bin/busybox sort | /bin/busybox tr '\\n' ' ')"
} > /planted.out
"""


def status_fields(text):
    return dict(line.split(":\t") for line in text.splitlines() if ":\t" in line)


@pytest.fixture
def planted(nsrun, bundle, cid):
    """A running container with a seccomp filter whose /bin/sh the
    container has replaced; yields the init's /proc/PID/status fields."""
    bundle.config["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mknodat"], "action": "SCMP_ACT_ERRNO"}]}
    bundle.config["root"]["readonly"] = False  # where the planted shell reports
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    (bundle.rootfs / "bin" / "sh").unlink()
    (bundle.rootfs / "bin" / "sh").write_text(PLANTED_SHELL)
    (bundle.rootfs / "bin" / "sh").chmod(0o755)
    pid = init_pid(nsrun, cid)
    yield status_fields(open(f"/proc/{pid}/status").read())
    nsrun("delete", "-f", cid)


def planted_report(bundle):
    out = (bundle.rootfs / "planted.out").read_text()
    fields = status_fields(out)
    fields.update(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return fields


def enter_env():
    return {**os.environ, "SHELL": "/bin/sh", "NSRUN_TEST_SECRET": "host-only"}


def test_enter_runs_a_planted_shell_as_the_container_would(nsrun, bundle, cid, planted):
    """`nsrun enter ID` with no command runs the container's /bin/sh, which
    the container has replaced: it gets the container's capabilities,
    seccomp filter, no_new_privs, cgroup and environment, not the caller's."""
    subprocess.run([str(NSRUN), "--root", str(nsrun.root), "enter", cid], env=enter_env(),
                   stdin=subprocess.DEVNULL, check=True, timeout=30)
    got = planted_report(bundle)
    assert got["CapEff"] == planted["CapEff"] and got["CapBnd"] == planted["CapBnd"]
    assert got["Seccomp"] == "2" and got["NoNewPrivs"] == "1"
    assert got["cgroup-same"] == "yes"
    assert "NSRUN_TEST_SECRET" not in got["env"], got["env"]
    assert "PATH=/usr/local/sbin" in got["env"], "the container's environment"


def test_enter_a_bare_pid_gives_no_more_capabilities(nsrun, bundle, cid, planted):
    """pid:N names the init as a process: the command keeps the caller's
    environment (nsenter's way) but no capability the init lacks."""
    pid = init_pid(nsrun, cid)
    subprocess.run([str(NSRUN), "--root", str(nsrun.root), "enter", f"pid:{pid}"],
                   env=enter_env(), stdin=subprocess.DEVNULL, check=True, timeout=30)
    got = planted_report(bundle)
    allowed = int(planted["CapEff"], 16) & int(planted["CapBnd"], 16)
    assert int(got["CapEff"], 16) & ~allowed == 0, got
    assert int(got["CapBnd"], 16) & ~allowed == 0, got
    assert got["NoNewPrivs"] == "1", "the init has it"
    assert "NSRUN_TEST_SECRET" in got["env"]


def test_enter_unconfined_is_asked_for_and_warned_about(nsrun, bundle, cid, planted, tmp_path):
    """The opt-out gives the caller's privileges and environment, and says
    so."""
    err = tmp_path / "enter.err"
    with open(err, "w") as f:
        subprocess.run([str(NSRUN), "--root", str(nsrun.root), "enter", "--unconfined", cid],
                       env=enter_env(), stdin=subprocess.DEVNULL, stderr=f, check=True,
                       timeout=30)
    assert "enter --unconfined" in err.read_text() and "all of your privileges" in err.read_text()
    got = planted_report(bundle)
    ours = status_fields(open("/proc/self/status").read())
    assert got["CapEff"] == ours["CapEff"] and got["Seccomp"] == "0"
    assert "NSRUN_TEST_SECRET" in got["env"]


def test_an_all_digit_container_id_names_the_container(nsrun, bundle):
    """A container called like a pid is that container; pid:N asks for the
    process."""
    cid = str(900000000 + os.getpid())
    bundle.config["hostname"] = "digits"
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        pid = init_pid(nsrun, cid)
        assert nsrun.ok("ns", cid).out.startswith(f"{cid}: pid {pid}, container {cid}")
        assert nsrun.ok("enter", cid, "--", "hostname").out == "digits\n"
        assert nsrun.ok("ns", f"pid:{pid}").out.startswith(f"pid:{pid}: pid {pid}, pid 1 inside")
        r = nsrun("ns", "pid:12x")
        assert r.returncode == 1 and "pid:12x: not a process id" in r.err, r
    finally:
        nsrun.ok("delete", "-f", cid)


def mounts_below(mountinfo, top):
    """(mount point, per-mount options) of every mount at or below top."""
    found = []
    for line in mountinfo.splitlines():
        fields = line.split()
        point = fields[4]
        if point == top or point.startswith(top.rstrip("/") + "/"):
            found.append((point, fields[5].split(",")))
    return found


def test_rootless_sys_and_cgroup_trees_are_read_only(rootless, rootless_bundle, cid):
    """Without a cgroup of its own, a rootless container gets the host's
    /sys/fs/cgroup bound recursively, and `spec --rootless` binds /sys with
    "rbind,ro": every mount below is read-only, not only the top one
    (CVE-2023-25809). Before, each v1 hierarchy and the cgroup2 mount were
    rw, and the cgroup files of the user's own cgroup writable."""
    rootless_bundle.args("cat", "/proc/self/mountinfo")
    out = rootless.ok("run", "-b", str(rootless_bundle.path), cid).out
    sys_mounts = mounts_below(out, "/sys")
    cgroup_mounts = mounts_below(out, "/sys/fs/cgroup")
    assert len(sys_mounts) > len(cgroup_mounts) >= 1, sys_mounts
    host_cgroups = mounts_below(open("/proc/self/mountinfo").read(), "/sys/fs/cgroup")
    assert len(cgroup_mounts) >= len(host_cgroups), "every hierarchy of the host's is there"
    writable = [point for point, options in sys_mounts if "ro" not in options]
    assert writable == [], writable


def test_an_rbind_ro_is_read_only_all_the_way_down(nsrun, bundle, cid, tmp_path):
    """A bind of a host tree that has a mount inside it: "rbind,ro" makes
    the submount read-only as well."""
    source = tmp_path / "tree"
    (source / "inner").mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(source / "inner")], check=True)
    try:
        bundle.config["mounts"].append({"destination": "/tree", "type": "bind",
                                        "source": str(source), "options": ["rbind", "ro"]})
        bundle.shell("cat /proc/self/mountinfo; touch /tree/inner/x 2>/dev/null && echo WROTE; true")
        out = nsrun.ok("run", "-b", str(bundle.path), cid).out
        tree = mounts_below(out, "/tree")
        assert [p for p, _ in tree] == ["/tree", "/tree/inner"], tree
        assert all("ro" in options for _, options in tree), tree
        assert "WROTE" not in out and not (source / "inner" / "x").exists()
    finally:
        subprocess.run(["umount", str(source / "inner")], check=True)


def test_a_read_only_path_is_read_only_all_the_way_down(nsrun, bundle, cid):
    """A mount below a read-only path (a tmpfs under /proc/sys, from the
    config) is read-only too: a remount would have reached the top only."""
    bundle.config["mounts"].append({"destination": "/proc/sys/fs/binfmt_misc", "type": "tmpfs",
                                    "source": "tmpfs", "options": ["nosuid"]})
    bundle.shell("cat /proc/self/mountinfo; touch /proc/sys/fs/binfmt_misc/x 2>/dev/null && "
                 "echo WROTE; true")
    out = nsrun.ok("run", "-b", str(bundle.path), cid).out
    below = dict(mounts_below(out, "/proc/sys/fs/binfmt_misc"))
    assert below and all("ro" in options for options in below.values()), below
    assert "WROTE" not in out


def test_a_planted_temporary_file_does_not_become_the_pid_file(nsrun, bundle, cid, tmp_path,
                                                              unprivileged_user):
    """Another user pre-creates the temporary name of an atomic write in a
    shared sticky directory: before, nsrun truncated that file, wrote the
    pid into it and renamed it over the pid file, which was then the other
    user's to rewrite."""
    from conftest import make_traversable
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    make_traversable(shared)
    user = unprivileged_user
    subprocess.run(["sh", "-c", "umask 0; : > .pidfile.tmp"], cwd=shared, check=True,
                   user=user.pw_uid, group=user.pw_gid, extra_groups=[])
    bundle.args("true")
    pid_file = shared / "pidfile"
    nsrun.ok("create", "--pid-file", str(pid_file), "-b", str(bundle.path), cid)
    try:
        st = pid_file.stat()
        assert (st.st_uid, st.st_mode & 0o7777) == (0, 0o644), st
        assert int(pid_file.read_text()) == init_pid(nsrun, cid)
        planted = shared / ".pidfile.tmp"
        assert planted.stat().st_uid == user.pw_uid and planted.read_text() == ""
        assert sorted(p.name for p in shared.iterdir()) == [".pidfile.tmp", "pidfile"]
    finally:
        nsrun.ok("delete", "-f", cid)


@pytest.mark.parametrize("how", ["run", "exec"])
def test_a_process_without_a_terminal_cannot_type_into_the_callers(nsrun, bundle, cid, helper,
                                                                   how):
    """nsrun run (or exec) from a person's terminal, the container's process
    given no terminal of its own: before, it kept that terminal as its
    controlling one and pushed input into it with TIOCSTI, which the shell
    would have run once nsrun returned."""
    shutil.copy(helper("tiocsti"), bundle.rootfs / "tiocsti")
    master, slave = os.openpty()

    def own_terminal():  # the terminal is nsrun's controlling one, as in a shell
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    attack = ["/tiocsti", "echo INJECTED\n"]
    if how == "run":
        bundle.args(*attack)
        args = ["run", "-b", str(bundle.path), cid]
    else:
        bundle.args("sleep", "600")
        nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
        args = ["exec", cid, *attack]
    try:
        proc = subprocess.run([str(NSRUN), "--root", str(nsrun.root), *args], stdin=slave,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              preexec_fn=own_terminal, timeout=30)
        os.set_blocking(slave, False)
        try:
            typed = os.read(slave, 4096)
        except BlockingIOError:
            typed = b""
        assert b"TIOCSTI refused: Operation not permitted" in proc.stdout, proc.stdout
        assert b"INJECTED" not in typed, typed
    finally:
        os.close(master)
        os.close(slave)
        if how == "exec":
            nsrun.ok("delete", "-f", cid)


PLANT_KEYRING = """
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_add_key, SYS_keyctl = 248, 250
KEY_SPEC_USER_KEYRING, KEYCTL_SETPERM, KEYCTL_UNLINK = -4, 5, 9
if sys.argv[1] == "plant":
    key = libc.syscall(SYS_add_key, b"keyring", sys.argv[2].encode(), None, 0,
                       ctypes.c_int(KEY_SPEC_USER_KEYRING))
    assert key > 0, ctypes.get_errno()
    assert libc.syscall(SYS_keyctl, KEYCTL_SETPERM, key, ctypes.c_uint(0x3f3f3f3f)) == 0
    print(key)
else:
    libc.syscall(SYS_keyctl, KEYCTL_UNLINK, int(sys.argv[2]), ctypes.c_int(KEY_SPEC_USER_KEYRING))
"""


def test_a_planted_session_keyring_is_not_joined(nsrun, bundle, cid, helper, unprivileged_user):
    """The container's session keyring is found by its name, _ses.ID:
    another user who made one of that name, open to all, had the container
    join it, and could read and plant the container's keys."""
    if platform.machine() != "x86_64":
        pytest.skip("the planting script uses x86_64 syscall numbers")
    user = unprivileged_user
    as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    planted = subprocess.run(["/usr/bin/python3", "-c", PLANT_KEYRING, "plant", "_ses." + cid],
                             capture_output=True, text=True, check=True, **as_user).stdout.strip()
    try:
        shutil.copy(helper("keyring"), bundle.rootfs / "keyring")
        bundle.args("/keyring")
        out = nsrun.ok("run", "-b", str(bundle.path), cid).out
        kind, uid = out.strip().split(";")[:2]
        assert (kind, uid) == ("keyring", "0"), f"root's own, not the planted one: {out}"
    finally:
        subprocess.run(["/usr/bin/python3", "-c", PLANT_KEYRING, "unlink", planted], check=True,
                       **as_user)


HIDE_IN_SUBCGROUPS = """
sleep 600 &
for d in /sys/fs/cgroup /sys/fs/cgroup/*/; do
  [ -f "$d/cgroup.procs" ] && [ ! -L "${d%/}" ] || continue
  mkdir -p "$d/hide/deeper" || exit 1
  for f in cpuset.cpus cpuset.mems; do  # a v1 cpuset takes no process without
    [ -f "$d/$f" ] && cat "$d/$f" > "$d/hide/$f" && cat "$d/$f" > "$d/hide/deeper/$f"
  done
  echo $! > "$d/hide/deeper/cgroup.procs" || exit 1
done
: > /hidden
"""


def rw_cgroup_mount(bundle):
    for m in bundle.config["mounts"]:
        if m["type"] == "cgroup":
            m["options"] = [o for o in m["options"] if o != "ro"] + ["rw"]


def test_processes_hidden_in_cgroups_of_the_containers_own_are_found(nsrun, bundle, cid):
    """A container that may write its cgroup moves a process into cgroups
    it made below its own: before, ps did not show it, kill --all missed it
    and delete -f failed (EBUSY), the process left running. Without a pid
    namespace nothing else kills it with the init."""
    rw_cgroup_mount(bundle)
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces() if n["type"] != "pid"]
    bundle.config["root"]["readonly"] = False  # for /hidden, once it is done
    bundle.shell(HIDE_IN_SUBCGROUPS + "exec sleep 600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        deadline = time.monotonic() + 10
        while not (bundle.rootfs / "hidden").exists():
            assert time.monotonic() < deadline, "the container never hid its process"
            time.sleep(0.05)
        pids = json.loads(nsrun.ok("ps", "--format", "json", cid).out)
        assert len(pids) == 2, pids
        nsrun.ok("kill", "--all", cid, "KILL")
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{p}") and "Z" not in open(f"/proc/{p}/stat").read()
                  for p in pids):
            assert time.monotonic() < deadline, f"kill --all left {pids}"
            time.sleep(0.05)
    finally:
        nsrun.ok("delete", "-f", cid)


def test_a_cgroup_the_container_made_does_not_stop_delete(nsrun, bundle, cid):
    """An empty cgroup below the container's made delete -f fail with EBUSY
    every time: state and cgroups were left, and engines retried forever."""
    rw_cgroup_mount(bundle)
    bundle.shell("for d in /sys/fs/cgroup /sys/fs/cgroup/*/; do "
                 '[ -f "$d/cgroup.procs" ] && mkdir -p "$d/made/below"; done; exec sleep 600')
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    deadline = time.monotonic() + 10
    while "made" not in nsrun.ok("exec", cid, "ls", "/sys/fs/cgroup/pids").out:
        assert time.monotonic() < deadline, "the container made no cgroup"
        time.sleep(0.05)
    nsrun.ok("delete", "-f", cid)


def test_ps_shows_no_control_bytes_of_the_containers(nsrun, bundle, cid):
    """A process names itself: an escape sequence in its command line would
    reach the terminal of whoever runs nsrun ps."""
    bundle.args("sh", "-c", "while :; do sleep 1; done", "\x1b]0;owned\x07\x1b[2J")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        out = nsrun.ok("ps", cid).out
        assert "\x1b" not in out and "\x07" not in out, repr(out)
        assert "?]0;owned??[2J" in out, repr(out)
    finally:
        nsrun.ok("delete", "-f", cid)
