"""cgroups: the container's cgroup in every hierarchy (v1 and the hybrid v2
one here), its resource files, its path, and its removal; the v2 code in a
private mount namespace with a cgroup2 file system at /sys/fs/cgroup."""

import os
import pathlib
import subprocess
import time

import pytest

import cgroups
from conftest import NSRUN


def detached(nsrun, bundle, cid):
    bundle.args("sleep", "60")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    return nsrun.state(cid)["pid"]


def test_resources_are_written(nsrun, bundle, cid):
    bundle.config["linux"]["resources"].update({
        "memory": {"limit": 64 * 1024 * 1024},
        "pids": {"limit": 42},
        "cpu": {"shares": 512, "quota": 20000, "period": 50000, "cpus": "0", "mems": "0"},
    })
    pid = detached(nsrun, bundle, cid)
    try:
        assert cgroups.read(pid, "memory", "memory.limit_in_bytes") == str(64 * 1024 * 1024)
        assert cgroups.read(pid, "pids", "pids.max") == "42"
        assert cgroups.read(pid, "cpu", "cpu.shares") == "512"
        assert cgroups.read(pid, "cpu", "cpu.cfs_quota_us") == "20000"
        assert cgroups.read(pid, "cpu", "cpu.cfs_period_us") == "50000"
        assert cgroups.read(pid, "cpuset", "cpuset.cpus") == "0"
        assert cgroups.read(pid, "cpuset", "cpuset.mems") == "0"
        dirs = {c: cgroups.dir_of(pid, c) for c in cgroups.hierarchies()}
        assert all(d.name == cid for d in dirs.values()), dirs
    finally:
        nsrun.ok("delete", "-f", cid)
    assert not any(d.exists() for d in dirs.values()), "removed on delete"


def test_unlimited_values(nsrun, bundle, cid):
    bundle.config["linux"]["resources"].update({"memory": {"limit": -1}, "pids": {"limit": -1}})
    pid = detached(nsrun, bundle, cid)
    try:
        assert cgroups.read(pid, "pids", "pids.max") == "max"
        assert int(cgroups.read(pid, "memory", "memory.limit_in_bytes")) > 2 ** 60
    finally:
        nsrun.ok("delete", "-f", cid)


def test_memory_limit_is_enforced(nsrun, bundle, cid):
    bundle.config["linux"]["resources"]["memory"] = {"limit": 16 * 1024 * 1024}
    bundle.config["mounts"].append({"destination": "/big", "type": "tmpfs", "source": "tmpfs",
                                    "options": ["size=128m"]})
    bundle.args("sh", "-c", "dd if=/dev/zero of=/big/f bs=1M count=64 2>/dev/null; echo $?")
    r = nsrun("run", "-b", str(bundle.path), cid)
    # tmpfs pages are charged to the cgroup: the writer is OOM-killed.
    assert r.returncode == 128 + 9 or r.out.strip() != "0", r


def test_a_limit_too_low_for_the_init_is_named(nsrun, bundle, cid):
    """The limit is set before the init joins, so the kernel kills it (runc
    fails to set the limit instead): the error says why, nothing is left."""
    bundle.config["linux"]["resources"]["memory"] = {"limit": 4096}
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode != 0
    assert "killed by the OOM killer: linux.resources.memory.limit is below what it needs" \
        in r.err, r
    assert nsrun.ids() == []


@pytest.mark.parametrize("relative", [True, False])
def test_cgroups_path(nsrun, bundle, cid, relative):
    path = f"{cid}-parent/{cid}" if relative else f"/{cid}-parent/{cid}"
    bundle.config["linux"]["cgroupsPath"] = path
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces()
                                            if n["type"] != "cgroup"]
    pid = detached(nsrun, bundle, cid)
    try:
        d = cgroups.dir_of(pid, "pids")
        assert d.name == cid and d.parent.name == f"{cid}-parent"
        own = cgroups.dir_of(os.getpid(), "pids")
        base = own if relative else pathlib.Path(cgroups.hierarchies()["pids"])
        assert d == base / f"{cid}-parent" / cid
    finally:
        nsrun.ok("delete", "-f", cid)
    assert not d.exists() and not d.parent.exists(), "the levels nsrun made are removed"


def test_existing_cgroup_is_joined_and_kept(nsrun, bundle, cid):
    existing = pathlib.Path(cgroups.hierarchies()["pids"]) / f"{cid}-existing"
    existing.mkdir()
    try:
        bundle.config["linux"]["cgroupsPath"] = f"/{cid}-existing"
        pid = detached(nsrun, bundle, cid)
        assert cgroups.dir_of(pid, "pids") == existing
        nsrun.ok("delete", "-f", cid)
        assert existing.exists(), "a cgroup nsrun did not make is not removed"
    finally:
        existing.rmdir()


def test_an_existing_cgroup_with_processes_is_refused(nsrun, bundle, cid):
    """A hostile cgroupsPath naming a cgroup in use (a service's): before,
    nsrun set the container's limits on it and `delete -f` killed the
    service's processes."""
    existing = pathlib.Path(cgroups.hierarchies()["pids"]) / f"{cid}-service"
    existing.mkdir()
    service = subprocess.Popen(["sleep", "60"])
    try:
        (existing / "cgroup.procs").write_text(str(service.pid))
        bundle.config["linux"]["cgroupsPath"] = f"/{cid}-service"
        bundle.config["linux"]["resources"]["pids"] = {"limit": 5}
        bundle.args("true")
        r = nsrun("create", "-b", str(bundle.path), cid)
        assert r.returncode == 1, r
        assert f"linux.cgroupsPath: the cgroup {existing} already has processes" in r.err, r
        assert service.poll() is None, "the service lives"
        assert (existing / "pids.max").read_text().strip() == "max", "its limits are its own"
        assert nsrun.ids() == []
    finally:
        service.kill()
        service.wait()
        deadline = time.monotonic() + 5
        while (existing / "cgroup.procs").read_text() and time.monotonic() < deadline:
            time.sleep(0.01)
        existing.rmdir()


def test_hybrid_host_uses_the_v2_hierarchy_too(nsrun, bundle, cid):
    if "" not in cgroups.hierarchies() or len(cgroups.hierarchies()) == 1:
        pytest.skip("not a hybrid cgroup host")
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces()
                                            if n["type"] != "cgroup"]
    pid = detached(nsrun, bundle, cid)
    try:
        assert cgroups.dir_of(pid, "").name == cid
    finally:
        nsrun.ok("delete", "-f", cid)


def test_device_rules(nsrun, bundle, cid):
    # /dev/kmsg (c 1:11) is not among the devices every container may use.
    bundle.config["linux"]["devices"] = [{"type": "c", "path": "/dev/kmsg", "major": 1,
                                          "minor": 11, "fileMode": 0o666}]
    # Opened write-only: the kernel then asks for no capability, only the
    # device cgroup decides.
    script = ("(exec 3>/dev/kmsg) 2>/dev/null && echo kmsg-open || echo kmsg-denied; "
              "head -c1 /dev/zero >/dev/null && echo zero-open")
    bundle.args("sh", "-c", script)
    r = nsrun.ok("run", "-b", str(bundle.path), cid)
    assert r.out.split() == ["kmsg-denied", "zero-open"]
    bundle.config["linux"]["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 1, "minor": 11, "access": "w"})
    bundle.write()
    r = nsrun.ok("run", "-b", str(bundle.path), cid)
    assert r.out.split() == ["kmsg-open", "zero-open"]


def test_device_rules_are_in_the_cgroup(nsrun, bundle, cid):
    pid = detached(nsrun, bundle, cid)
    try:
        rules = cgroups.read(pid, "devices", "devices.list").splitlines()
        assert "c 1:3 rwm" in rules and "c 136:* rwm" in rules
        assert "a *:* rwm" not in rules
    finally:
        nsrun.ok("delete", "-f", cid)


def test_missing_controller_is_reported_and_nothing_is_made(nsrun, bundle, cid):
    if "net_cls" in cgroups.hierarchies():
        pytest.skip("this host has the net_cls controller")
    bundle.config["linux"]["resources"]["network"] = {"classID": 1048577}
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert ("linux.resources.network.classID: the net_cls controller is not available on this "
            "host") in r.err
    assert nsrun.ids() == []


def test_delete_removes_the_cgroup_of_a_container_with_many_processes(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces() if n["type"] != "pid"]
    bundle.args("sh", "-c", "for i in 1 2 3 4 5; do sleep 60 & done; exec sleep 60")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    pid = nsrun.state(cid)["pid"]
    d = cgroups.dir_of(pid, "pids")
    deadline = time.monotonic() + 5
    while len((d / "cgroup.procs").read_text().split()) < 6 and time.monotonic() < deadline:
        time.sleep(0.02)
    nsrun.ok("delete", "--force", cid)
    assert not d.exists()


# The v2 back end, on this hybrid host: a private mount namespace where
# /sys/fs/cgroup is a cgroup2 mount (the hierarchy that holds only hugetlb
# here), so nsrun sees a pure v2 host.
V2_SETUP = "umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec \"$@\""


def run_on_v2(nsrun, *args):
    cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", V2_SETUP, "sh",
           str(NSRUN), "--root", str(nsrun.root), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_v2_host_in_a_private_mount_namespace(nsrun, bundle, cid):
    if "" not in cgroups.hierarchies():
        pytest.skip("no cgroup2 hierarchy on this host")
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces()
                                            if n["type"] != "cgroup"]
    bundle.args("sh", "-c", "cat /proc/self/cgroup; ls /sys/fs/cgroup | grep -c cgroup.procs")
    r = run_on_v2(nsrun, "run", "-b", str(bundle.path), cid)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split()
    # The v1 hierarchies still exist in the kernel (inherited, not mounted).
    assert f"0::/{cid}" in lines, "born in its v2 cgroup (CLONE_INTO_CGROUP)"
    assert lines[-1] == "1", "/sys/fs/cgroup is a bound cgroup2 directory"
    v2_root = pathlib.Path(cgroups.hierarchies()[""])
    assert not (v2_root / cid).exists(), "removed after run"


def test_v2_cgroup_namespace_mount(nsrun, bundle, cid):
    if "" not in cgroups.hierarchies():
        pytest.skip("no cgroup2 hierarchy on this host")
    bundle.args("sh", "-c", "cat /proc/self/cgroup; grep ' /sys/fs/cgroup ' /proc/self/mountinfo")
    r = run_on_v2(nsrun, "run", "-b", str(bundle.path), cid)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "0::/" in lines
    assert "cgroup2" in lines[-1] and " ro," in lines[-1]


def test_v2_missing_controller_is_reported(nsrun, bundle, cid):
    if "" not in cgroups.hierarchies() or "memory" not in cgroups.hierarchies():
        pytest.skip("needs a hybrid host where memory is a v1 controller")
    bundle.config["linux"]["resources"]["memory"] = {"limit": 1 << 26}
    bundle.args("true")
    r = run_on_v2(nsrun, "run", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert "linux.resources.memory: the memory controller is not available on this host" in r.stderr
    v2_root = pathlib.Path(cgroups.hierarchies()[""])
    assert not (v2_root / cid).exists()


KMSG_SCRIPT = ("(exec 3>/dev/kmsg) 2>/dev/null && echo kmsg-open || echo kmsg-denied; "
               "head -c1 /dev/zero >/dev/null && echo zero-open")


def test_v2_device_rules_are_a_bpf_program(nsrun, bundle, cid):
    """On v2 the default deny-all rule and the defaults become a BPF program
    on the container's cgroup, and an added allow rule lets /dev/kmsg open."""
    if "" not in cgroups.hierarchies():
        pytest.skip("no cgroup2 hierarchy on this host")
    bundle.config["linux"]["devices"] = [{"type": "c", "path": "/dev/kmsg", "major": 1,
                                          "minor": 11, "fileMode": 0o666}]
    bundle.args("sh", "-c", KMSG_SCRIPT)
    r = run_on_v2(nsrun, "run", "-b", str(bundle.path), cid)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["kmsg-denied", "zero-open"]
    bundle.config["linux"]["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 1, "minor": 11, "access": "w"})
    bundle.write()
    r = run_on_v2(nsrun, "run", "-b", str(bundle.path), cid)
    assert r.stdout.split() == ["kmsg-open", "zero-open"], r.stderr


def test_v2_device_rules_are_replaced_on_update(nsrun, bundle, cid, tmp_path):
    if "" not in cgroups.hierarchies():
        pytest.skip("no cgroup2 hierarchy on this host")
    bundle.config["linux"]["devices"] = [{"type": "c", "path": "/dev/kmsg", "major": 1,
                                          "minor": 11, "fileMode": 0o666}]
    bundle.args("sleep", "600")
    allow = tmp_path / "allow.json"
    allow.write_text('{"devices": [{"allow": false, "access": "rwm"}, '
                     '{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]}')
    script = (f"{NSRUN} --root {nsrun.root} run -d -b {bundle.path} {cid} && "
              f"{NSRUN} --root {nsrun.root} exec {cid} sh -c '{KMSG_SCRIPT}' && "
              f"{NSRUN} --root {nsrun.root} update --resources {allow} {cid} && "
              f"{NSRUN} --root {nsrun.root} exec {cid} sh -c '{KMSG_SCRIPT}'; "
              f"{NSRUN} --root {nsrun.root} delete -f {cid}")
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        "umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && "
                        + script], capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["kmsg-denied", "zero-open", "kmsg-open", "zero-open"], r.stderr
