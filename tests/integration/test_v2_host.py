"""A host as people run it: systemd as PID 1, pure cgroup v2 with every
controller. Resources read back from the v2 files, pause and resume,
update, device rules and an OOM kill, for nsrun and for runc side by side
with the same bundle. make check-vm runs these in a VM (tests/vm/); on
other hosts they skip.

The containers' cgroups are below /nsrun-vm-test, an absolute
linux.cgroupsPath as the engines give one (podman's /libpod_parent/...,
containerd's /default/...)."""

import os
import pathlib
import shutil
import time

import pytest

from conftest import Nsrun

CGROUP2 = pathlib.Path("/sys/fs/cgroup")
WANTED = {"cpu", "cpuset", "io", "memory", "pids"}


def pure_v2_with_controllers():
    try:  # cgroup.* files at /sys/fs/cgroup itself: the v2 hierarchy is mounted there
        controllers = set((CGROUP2 / "cgroup.subtree_control").read_text().split())
    except OSError:
        return False
    return WANTED <= controllers and open("/proc/1/comm").read().strip() == "systemd"


pytestmark = pytest.mark.skipif(
    not pure_v2_with_controllers(),
    reason="needs systemd as PID 1 and pure cgroup v2 with cpu, cpuset, io, memory and pids "
           "enabled at the root: make check-vm runs these in a VM")


@pytest.fixture(params=["nsrun", "runc"])
def runtime(request, tmp_path):
    if request.param == "nsrun":
        return Nsrun(tmp_path)
    binary = shutil.which("runc")
    if not binary:
        pytest.skip("runc is not installed")
    return Nsrun(tmp_path, root_name="runc-state", binary=pathlib.Path(binary))


def start(runtime, bundle, cid, resources=None, args=("sleep", "600")):
    """A detached container in /nsrun-vm-test/CID; its cgroup directory."""
    bundle.config["linux"]["cgroupsPath"] = f"/nsrun-vm-test/{cid}"
    bundle.config["linux"]["resources"].update(resources or {})
    bundle.args(*args)
    runtime.ok("run", "-d", "-b", str(bundle.path), cid)
    pid = runtime.state(cid)["pid"]
    line = open(f"/proc/{pid}/cgroup").read().strip()
    assert line.startswith("0::"), line
    path = CGROUP2 / line[3:].lstrip("/")
    assert path == CGROUP2 / "nsrun-vm-test" / cid
    return path


def read(cgroup, name):
    return (cgroup / name).read_text().strip()


@pytest.fixture
def stop(runtime, cid):
    """delete -f after the test; the parent runc leaves goes too."""
    yield
    runtime("delete", "-f", cid)
    parent = CGROUP2 / "nsrun-vm-test"
    for _ in range(50):
        try:
            parent.rmdir()
        except FileNotFoundError:
            break
        except OSError:
            time.sleep(0.1)


def test_the_host_is_what_people_run():
    assert open("/proc/1/comm").read().strip() == "systemd"
    assert os.path.exists("/run/systemd/system")
    assert WANTED <= set(read(CGROUP2, "cgroup.controllers").split())


def test_memory(runtime, bundle, cid, stop):
    cg = start(runtime, bundle, cid, {"memory": {
        "limit": 64 << 20, "reservation": 32 << 20, "swap": 96 << 20}})
    assert read(cg, "memory.max") == str(64 << 20)
    assert read(cg, "memory.low") == str(32 << 20)
    assert read(cg, "memory.swap.max") == str(32 << 20), "v1's memory+swap, less the memory"


def test_cpu_and_cpuset(runtime, bundle, cid, stop):
    cg = start(runtime, bundle, cid, {"cpu": {
        "shares": 1024, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}})
    assert read(cg, "cpu.weight") == "39", "shares 1024 as runc maps them"
    assert read(cg, "cpu.max") == "50000 100000"
    assert read(cg, "cpuset.cpus") == "0" and read(cg, "cpuset.mems") == "0"


def test_pids(runtime, bundle, cid, stop):
    cg = start(runtime, bundle, cid, {"pids": {"limit": 77}})
    assert read(cg, "pids.max") == "77"


def test_unified(runtime, bundle, cid, stop):
    cg = start(runtime, bundle, cid, {"unified": {"memory.high": "50331648",
                                                  "pids.max": "33"}})
    assert read(cg, "memory.high") == "50331648" and read(cg, "pids.max") == "33"


def test_pause_and_resume(runtime, bundle, cid, stop):
    cg = start(runtime, bundle, cid)
    runtime.ok("pause", cid)
    assert runtime.state(cid)["status"] == "paused"
    assert "frozen 1" in read(cg, "cgroup.events")
    runtime.ok("resume", cid)
    assert runtime.state(cid)["status"] == "running"
    assert "frozen 0" in read(cg, "cgroup.events")


def test_update(runtime, bundle, cid, stop):
    cg = start(runtime, bundle, cid, {"memory": {"limit": 64 << 20}, "pids": {"limit": 50}})
    runtime.ok("update", "--memory", str(48 << 20), "--pids-limit", "40", cid)
    assert read(cg, "memory.max") == str(48 << 20) and read(cg, "pids.max") == "40"


def test_device_rules(runtime, bundle, cid, stop):
    """The v2 device rules are an eBPF program: /dev/kmsg, not allowed, does
    not open even though the node is there."""
    bundle.config["linux"]["devices"] = [{"type": "c", "path": "/dev/kmsg", "major": 1,
                                          "minor": 11, "fileMode": 0o666}]
    start(runtime, bundle, cid)
    r = runtime("exec", cid, "sh", "-c", "(exec 3>/dev/kmsg) 2>/dev/null && echo open || "
                "echo denied; head -c1 /dev/zero >/dev/null && echo zero")
    assert r.out.split() == ["denied", "zero"], r


def test_an_oom_kill_is_counted(runtime, bundle, cid, stop):
    cg = start(runtime, bundle, cid, {"memory": {"limit": 16 << 20, "swap": 16 << 20}})
    runtime("exec", cid, "sh", "-c", "x=a; while :; do x=$x$x; done")
    assert int(dict(l.split() for l in read(cg, "memory.events").splitlines())["oom_kill"]) >= 1


def own_cgroup():
    return open("/proc/self/cgroup").read().strip()[3:]


def test_without_a_cgroups_path_the_cgroup_is_beside_the_callers(runtime, bundle, cid, stop):
    """No linux.cgroupsPath: the container's cgroup is <id> beside the
    caller's own (here a systemd service's, which holds the caller: v2
    gives no controller below a cgroup with processes), as runc has it."""
    bundle.config["linux"]["resources"]["memory"] = {"limit": 64 << 20}
    bundle.args("sleep", "600")
    runtime.ok("run", "-d", "-b", str(bundle.path), cid)
    pid = runtime.state(cid)["pid"]
    cgroup = open(f"/proc/{pid}/cgroup").read().strip()[3:]
    assert cgroup == str(pathlib.Path(own_cgroup()).parent / cid)
    assert read(CGROUP2 / cgroup.lstrip("/"), "memory.max") == str(64 << 20)


def test_limits_below_a_cgroup_with_processes(nsrun, bundle, cid):
    """A cgroupsPath below a cgroup that holds processes: v2 gives it no
    controller, which nsrun says (it was a missing memory.max)."""
    bundle.config["linux"]["cgroupsPath"] = f"{own_cgroup()}/{cid}"
    bundle.config["linux"]["resources"]["memory"] = {"limit": 64 << 20}
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1, r
    assert (f"linux.resources.memory: cgroup v2: the memory controller cannot be enabled "
            f"below /sys/fs/cgroup{own_cgroup()}, which has processes of its own") in r.err, r
    assert nsrun.ids() == []
