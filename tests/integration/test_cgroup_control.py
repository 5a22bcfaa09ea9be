"""Every resource read back from the cgroup files on this host (v1 here,
where the kernel has the file), pause and resume of a busy container,
update of a running one, ps, events with real numbers, and an OOM kill
reported. A resource this host cannot apply must be an error naming it."""

import json
import pathlib
import subprocess
import time

import pytest

import cgroups
from conftest import NSRUN


def detached(nsrun, bundle, cid, *argv):
    bundle.args(*(argv or ("sleep", "600")))
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    return nsrun.state(cid)["pid"]


def root_device():
    """MAJ:MIN of the file system holding / (where the test writes)."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == "/":
                return fields[2]
    raise LookupError("no / in mountinfo")


def apply_or_refused(nsrun, bundle, cid, resources, field):
    """Runs a container with resources; returns its init pid, or None when
    nsrun refused them, with an error naming the field."""
    bundle.config["linux"]["resources"].update(resources)
    bundle.args("sleep", "600")
    r = nsrun("run", "-d", "-b", str(bundle.path), cid)
    if r.returncode != 0:
        assert field in r.err, r
        assert nsrun.ids() == []
        return None
    return nsrun.state(cid)["pid"]


def test_memory_fields(nsrun, bundle, cid):
    pid = apply_or_refused(nsrun, bundle, cid, {"memory": {
        "limit": 64 << 20, "swap": 96 << 20, "reservation": 32 << 20, "swappiness": 10,
        "disableOOMKiller": True}}, "linux.resources.memory")
    if pid is None:
        pytest.skip("this host refused one of the memory fields (see the error)")
    try:
        read = lambda f: cgroups.read(pid, "memory", f)
        assert read("memory.limit_in_bytes") == str(64 << 20)
        assert read("memory.memsw.limit_in_bytes") == str(96 << 20)
        assert read("memory.soft_limit_in_bytes") == str(32 << 20)
        assert read("memory.swappiness") == "10"
        assert "oom_kill_disable 1" in read("memory.oom_control")
    finally:
        nsrun.ok("delete", "-f", cid)


@pytest.mark.parametrize("field,file", [("kernel", "memory.kmem.limit_in_bytes"),
                                        ("kernelTCP", "memory.kmem.tcp.limit_in_bytes")])
def test_kernel_memory_where_the_kernel_has_it(nsrun, bundle, cid, field, file):
    """Recent kernels keep memory.kmem.limit_in_bytes but ignore what is
    written to it: that must be an error naming the field, not a limit that
    silently is not there."""
    pid = apply_or_refused(nsrun, bundle, cid, {"memory": {field: 32 << 20}},
                           f"linux.resources.memory.{field}")
    if pid is None:
        return
    try:
        assert cgroups.read(pid, "memory", file) == str(32 << 20)
    finally:
        nsrun.ok("delete", "-f", cid)


def test_cpu_fields(nsrun, bundle, cid):
    pid = apply_or_refused(nsrun, bundle, cid, {"cpu": {
        "shares": 300, "quota": 40000, "period": 80000, "burst": 1000, "idle": 0,
        "realtimePeriod": 1000000, "realtimeRuntime": 1000}}, "linux.resources.cpu")
    if pid is None:
        pytest.skip("this host refused a cpu field (see the error)")
    try:
        read = lambda f: cgroups.read(pid, "cpu", f)
        assert (read("cpu.shares"), read("cpu.cfs_quota_us"), read("cpu.cfs_period_us")) == \
            ("300", "40000", "80000")
        assert read("cpu.cfs_burst_us") == "1000"
        assert read("cpu.rt_period_us") == "1000000" and read("cpu.rt_runtime_us") == "1000"
    finally:
        nsrun.ok("delete", "-f", cid)


def test_blkio_throttles(nsrun, bundle, cid):
    major, minor = (int(x) for x in root_device().split(":"))
    dev = {"major": major, "minor": minor}
    pid = detached_with(nsrun, bundle, cid, {"blockIO": {
        "throttleReadBpsDevice": [dict(dev, rate=1 << 20)],
        "throttleWriteBpsDevice": [dict(dev, rate=2 << 20)],
        "throttleReadIOPSDevice": [dict(dev, rate=300)],
        "throttleWriteIOPSDevice": [dict(dev, rate=400)]}})
    try:
        read = lambda f: cgroups.read(pid, "blkio", f)
        assert read("blkio.throttle.read_bps_device") == f"{major}:{minor} {1 << 20}"
        assert read("blkio.throttle.write_bps_device") == f"{major}:{minor} {2 << 20}"
        assert read("blkio.throttle.read_iops_device") == f"{major}:{minor} 300"
        assert read("blkio.throttle.write_iops_device") == f"{major}:{minor} 400"
    finally:
        nsrun.ok("delete", "-f", cid)


def detached_with(nsrun, bundle, cid, resources):
    bundle.config["linux"]["resources"].update(resources)
    return detached(nsrun, bundle, cid)


def test_blkio_weight(nsrun, bundle, cid):
    blkio = pathlib.Path(cgroups.hierarchies()["blkio"])
    pid = apply_or_refused(nsrun, bundle, cid, {"blockIO": {"weight": 300}},
                           "linux.resources.blockIO.weight")
    if pid is None:
        assert not (blkio / "blkio.weight").exists() and not (blkio / "blkio.bfq.weight").exists()
        return
    try:
        files = [f for f in ("blkio.weight", "blkio.bfq.weight")
                 if (cgroups.dir_of(pid, "blkio") / f).exists()]
        assert cgroups.read(pid, "blkio", files[0]).split()[-1] == "300"
    finally:
        nsrun.ok("delete", "-f", cid)


def test_resources_the_host_lacks_are_named(nsrun, bundle, cid):
    h = cgroups.hierarchies()
    cases = [({"network": {"priorities": [{"name": "lo", "priority": 3}]}}, "net_prio",
              "linux.resources.network.priorities: the net_prio controller is not available"),
             ({"rdma": {"mlx5_0": {"hcaHandles": 3}}}, "rdma",
              "linux.resources.rdma: the rdma controller is not available"),
             ({"hugepageLimits": [{"pageSize": "3MB", "limit": 0}]}, None,
              "linux.resources.hugepageLimits")]
    for resources, controller, want in cases:
        if controller and controller in h:
            continue
        bundle.config["linux"]["resources"] = dict(resources)
        bundle.args("true")
        r = nsrun("run", "-b", str(bundle.path), cid)
        assert r.returncode == 1 and want in r.err, r
    assert nsrun.ids() == []


def test_unified_on_a_v1_memory_host_is_refused(nsrun, bundle, cid):
    bundle.config["linux"]["resources"]["unified"] = {"memory.high": "1000000"}
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and "linux.resources.unified.memory.high" in r.err
    bundle.config["linux"]["resources"]["unified"] = {"cgroup.procs": "1"}
    bundle.write()
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and "cgroup.procs" in r.err
    assert nsrun.ids() == []


def counter_of(bundle):
    try:
        return int((bundle.rootfs / "tmp" / "count").read_text() or 0)
    except (OSError, ValueError):
        return 0


def test_pause_and_resume_a_busy_container(nsrun, bundle, cid):
    bundle.config["root"]["readonly"] = False
    # Renamed into place: a reader never sees a half-written count.
    pid = detached(nsrun, bundle, cid, "sh", "-c",
                   "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; mv /tmp/n /tmp/count; done")
    try:
        time.sleep(0.2)
        nsrun.ok("pause", cid)
        assert nsrun.state(cid)["status"] == "paused"
        assert cgroups.read(pid, "freezer", "freezer.state") == "FROZEN"
        assert [l.split()[2] for l in nsrun.ok("list").out.splitlines()[1:]] == ["paused"]
        before = counter_of(bundle)
        time.sleep(0.3)
        assert counter_of(bundle) == before, "a paused container does not run"
        r = nsrun("pause", cid)
        assert r.returncode == 1 and "is paused, not running" in r.err
        r = nsrun("exec", cid, "true")
        assert r.returncode == 1 and "cannot exec in a paused container" in r.err
        r = nsrun("delete", cid)
        assert r.returncode == 1 and "not stopped: paused" in r.err
        nsrun.ok("resume", cid)
        assert nsrun.state(cid)["status"] == "running"
        time.sleep(0.3)
        assert counter_of(bundle) > before, "it runs again"
        r = nsrun("resume", cid)
        assert r.returncode == 1 and "is running, not paused" in r.err
        nsrun.ok("pause", cid)
    finally:
        nsrun.ok("delete", "--force", cid)  # a paused container too


def test_update_a_running_container(nsrun, bundle, cid, tmp_path):
    pid = detached(nsrun, bundle, cid)
    try:
        nsrun.ok("update", "--memory", "48M", "--memory-swap", "64M", "--pids-limit", "77",
                 "--cpu-share", "123", "--cpu-quota", "30000", "--cpu-period", "60000",
                 "--cpuset-cpus", "0", cid)
        assert cgroups.read(pid, "memory", "memory.limit_in_bytes") == str(48 << 20)
        assert cgroups.read(pid, "memory", "memory.memsw.limit_in_bytes") == str(64 << 20)
        assert cgroups.read(pid, "pids", "pids.max") == "77"
        assert cgroups.read(pid, "cpu", "cpu.shares") == "123"
        assert cgroups.read(pid, "cpu", "cpu.cfs_quota_us") == "30000"
        assert cgroups.read(pid, "cpuset", "cpuset.cpus") == "0"
        res = tmp_path / "res.json"
        res.write_text(json.dumps({"pids": {"limit": 88}, "memory": {"limit": 32 << 20}}))
        nsrun.ok("update", "--resources", str(res), cid)
        assert cgroups.read(pid, "pids", "pids.max") == "88"
        assert cgroups.read(pid, "memory", "memory.limit_in_bytes") == str(32 << 20)
        r = subprocess.run([str(NSRUN), "--root", str(nsrun.root), "update", "-r", "-",
                            "--pids-limit", "99", cid], input='{"pids": {"limit": 5}}',
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        assert cgroups.read(pid, "pids", "pids.max") == "99", "flags apply on top"
        r = nsrun("update", "--memory", "lots", cid)
        assert r.returncode == 1 and '--memory: "lots" is not a size' in r.err
        r = nsrun("update", "--l3-cache-schema", "L3:0=f", cid)
        assert r.returncode == 1 and "Intel RDT" in r.err
    finally:
        nsrun.ok("delete", "-f", cid)
    r = nsrun("update", "--pids-limit", "5", cid)
    assert r.returncode == 1 and "does not exist" in r.err


def test_ps(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces() if n["type"] != "pid"]
    pid = detached(nsrun, bundle, cid, "sh", "-c", "sleep 600 & exec sleep 601")
    try:
        deadline = time.monotonic() + 5
        while len(json.loads(nsrun.ok("ps", "-f", "json", cid).out)) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        pids = json.loads(nsrun.ok("ps", "--format", "json", cid).out)
        procs = [int(p) for p in cgroups.read(pid, "pids", "cgroup.procs").split()]
        assert sorted(pids) == sorted(procs) and pid in pids
        table = nsrun.ok("ps", cid).out.splitlines()
        assert table[0].split() == ["PID", "PPID", "STAT", "COMMAND"]
        assert {l.split()[0] for l in table[1:]} == {str(p) for p in pids}
        assert any(l.split()[3:] == ["sleep", "601"] for l in table[1:])
        r = nsrun("ps", cid, "-ef")
        assert r.returncode == 1 and "not supported" in r.err
    finally:
        nsrun.ok("delete", "-f", cid)


def test_events_stats_with_real_numbers(nsrun, bundle, cid):
    bundle.config["linux"]["resources"]["pids"] = {"limit": 50}
    detached(nsrun, bundle, cid, "sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; "
                                             "exec sleep 600")
    try:
        time.sleep(0.3)
        event = json.loads(nsrun.ok("events", "--stats", cid).out)
        assert event["type"] == "stats" and event["id"] == cid
        data = event["data"]
        assert data["pids"] == {"current": 1, "limit": 50}
        assert data["memory"]["usage"]["usage"] > 0
        assert data["cpu"]["usage"]["total"] > 1_000_000, "the loop used some cpu time"
        assert "rss" in data["memory"]["raw"] or "anon" in data["memory"]["raw"]
    finally:
        nsrun.ok("delete", "-f", cid)


def test_events_stream_reports_an_oom_kill(nsrun, bundle, cid, tmp_path):
    trigger = tmp_path / "trigger"
    trigger.mkdir()
    bundle.config["linux"]["resources"]["memory"] = {"limit": 16 << 20}
    bundle.config["mounts"] += [
        {"destination": "/big", "type": "tmpfs", "source": "tmpfs", "options": ["size=128m"]},
        {"destination": "/trigger", "type": "bind", "source": str(trigger), "options": ["rbind"]}]
    detached(nsrun, bundle, cid, "sh", "-c",
             "while [ ! -e /trigger/go ]; do sleep 0.02; done; "
             "dd if=/dev/zero of=/big/f bs=1M count=64; exec sleep 600")
    out = tmp_path / "events"
    with open(out, "wb") as f:
        events = subprocess.Popen([str(NSRUN), "--root", str(nsrun.root), "events", "--interval",
                                   "100ms", cid], stdout=f)
    try:
        deadline = time.monotonic() + 10
        while b'"stats"' not in out.read_bytes():  # the watch is set up before the first one
            assert time.monotonic() < deadline
            time.sleep(0.02)
        (trigger / "go").write_text("")
        while b'"oom"' not in out.read_bytes():
            assert time.monotonic() < deadline, out.read_text()[-500:]
            time.sleep(0.05)
        lines = [json.loads(l) for l in out.read_text().splitlines()]
        assert {"type": "oom", "id": cid} in lines
        stats = [l for l in lines if l["type"] == "stats"][-1]
        assert stats["data"]["memory"]["usage"]["limit"] == 16 << 20
    finally:
        nsrun.ok("delete", "-f", cid)
        assert events.wait(timeout=10) == 0, "the stream ends with the container"


def test_events_errors(nsrun, bundle, cid):
    r = nsrun("events", "--interval", "soon", cid)
    assert r.returncode == 1 and "--interval" in r.err
    bundle.args("true")
    nsrun.ok("run", "--keep", "-b", str(bundle.path), cid)
    r = nsrun("events", "--stats", cid)
    assert r.returncode == 1 and "is not running" in r.err
    nsrun.ok("delete", cid)


def test_hugetlb_limits(nsrun, bundle, cid):
    """hugetlb is in this hybrid host's v2 hierarchy. Enabling it for the
    container would mean enabling it in the host's root cgroup, a change to
    the host the tests do not make: they run only where it already is."""
    h = cgroups.hierarchies()
    if "hugetlb" in h:
        where, file = "hugetlb", "hugetlb.2MB.limit_in_bytes"
    elif "" in h and "hugetlb" in pathlib.Path(h[""], "cgroup.subtree_control").read_text():
        where, file = "", "hugetlb.2MB.max"
    else:
        pytest.skip("hugetlb is not enabled in the host's v2 root cgroup; enabling it would "
                    "change the host's cgroup layout")
    pid = detached_with(nsrun, bundle, cid, {"hugepageLimits": [{"pageSize": "2MB",
                                                                 "limit": 4 << 21}]})
    try:
        assert cgroups.read(pid, where, file) == str(4 << 21)
    finally:
        nsrun.ok("delete", "-f", cid)
