"""The container lifecycle as engines drive it: create, start, state, list,
kill, delete, run, with runc's behaviour and exit codes."""

import json
import os
import pathlib
import signal
import subprocess
import time

import pytest

import cgroups
from conftest import NSRUN


def wait_status(nsrun, cid, status, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nsrun.state(cid)["status"] == status:
            return True
        time.sleep(0.02)
    return False


def test_run_prints_hostname_and_is_pid_1(nsrun, bundle, cid):
    bundle.shell("hostname; echo pid=$$")
    r = nsrun.ok("run", "--bundle", str(bundle.path), cid)
    assert r.out.split() == ["nsrun", "pid=1"]
    assert nsrun.ids() == []


@pytest.mark.parametrize("code", [0, 1, 3, 42, 255])
def test_run_exit_status_is_the_containers(nsrun, bundle, cid, code):
    bundle.shell(f"exit {code}")
    assert nsrun("run", "-b", str(bundle.path), cid).returncode == code


def run_in_foreground(nsrun, bundle, cid, tmp_path):
    """nsrun run in the background of the test, once the container printed
    "ready"."""
    out = tmp_path / "out"
    with open(out, "wb") as f:
        proc = subprocess.Popen([str(NSRUN), "--root", str(nsrun.root), "run", "-b",
                                 str(bundle.path), cid], stdout=f, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while b"ready" not in out.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.02)
    return proc


def test_run_killed_by_signal_exits_128_plus_n(nsrun, bundle, cid, tmp_path):
    bundle.shell("echo ready; exec sleep 60")
    proc = run_in_foreground(nsrun, bundle, cid, tmp_path)
    nsrun.ok("kill", cid, "KILL")
    assert proc.wait(timeout=10) == 128 + 9


def test_run_forwards_signals(nsrun, bundle, cid, tmp_path):
    # The shell traps TERM (PID 1 only gets signals it handles) and exits 7.
    bundle.shell("trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done")
    proc = run_in_foreground(nsrun, bundle, cid, tmp_path)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 7


def test_create_start_state_delete(nsrun, bundle, cid, tmp_path):
    bundle.args("sleep", "60")
    pid_file = tmp_path / "pid"
    nsrun.ok("create", "--bundle", str(bundle.path), "--pid-file", str(pid_file), cid)
    st = nsrun.state(cid)
    assert st["status"] == "created"
    assert st["id"] == cid and st["ociVersion"] == "1.2.0"
    assert st["pid"] == int(pid_file.read_text())
    assert st["bundle"] == str(bundle.path)
    assert st["rootfs"] == str(bundle.rootfs)
    assert st["owner"] == "root"
    assert st["created"].endswith("Z") and "T" in st["created"]
    assert st["annotations"] == {}
    assert (nsrun.root / cid / "exec.fifo").exists()
    # The init waits without having exec'd the process yet.
    assert os.readlink(f"/proc/{st['pid']}/exe") != str(bundle.rootfs / "bin" / "busybox")

    nsrun.ok("start", cid)
    assert nsrun.state(cid)["status"] == "running"
    assert not (nsrun.root / cid / "exec.fifo").exists()
    r = nsrun("start", cid)
    assert r.returncode == 1 and "already running" in r.err

    r = nsrun("delete", cid)
    assert r.returncode == 1
    assert f"cannot delete container {cid} that is not stopped: running" in r.err
    assert nsrun.state(cid)["status"] == "running"  # nothing changed

    nsrun.ok("kill", cid, "KILL")
    assert wait_status(nsrun, cid, "stopped")
    assert nsrun.state(cid)["pid"] == 0
    nsrun.ok("delete", cid)
    assert nsrun.ids() == []
    r = nsrun("state", cid)
    assert r.returncode == 1 and f"container {cid} does not exist" in r.err


def test_delete_of_created_container_kills_its_init(nsrun, bundle, cid):
    bundle.args("sleep", "60")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    pid = nsrun.state(cid)["pid"]
    nsrun.ok("delete", cid)
    assert not pathlib.Path(f"/proc/{pid}").exists() or \
        open(f"/proc/{pid}/stat").read().split(")")[1].split()[0] == "Z"
    assert nsrun.ids() == []


def test_delete_force_kills_a_running_container(nsrun, bundle, cid):
    bundle.args("sleep", "60")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    assert nsrun.state(cid)["status"] == "running"
    nsrun.ok("delete", "--force", cid)
    assert nsrun.ids() == []


def test_list_formats(nsrun, bundle, cid):
    bundle.args("sleep", "60")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    table = nsrun.ok("list").out.splitlines()
    assert table[0].split() == ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]
    row = table[1].split()
    assert row[0] == cid and row[2] == "created" and row[3] == str(bundle.path)
    assert table[0].index("PID") == 12 or len(cid) + 3 > 12  # runc's tabwriter columns
    entries = json.loads(nsrun.ok("list", "--format", "json").out)
    assert [e["id"] for e in entries] == [cid]
    assert entries[0]["status"] == "created" and entries[0]["pid"] > 0
    assert nsrun.ok("list", "-q").out.split() == [cid]
    r = nsrun("list", "--format", "yaml")
    assert r.returncode == 1 and "unknown format" in r.err
    nsrun.ok("delete", cid)
    assert json.loads(nsrun.ok("list", "-f", "json").out) == []


@pytest.mark.parametrize("sig", ["USR1", "SIGUSR1", "usr1", "10"])
def test_kill_signal_names_and_numbers(nsrun, bundle, cid, sig, tmp_path):
    bundle.shell("trap 'echo got > /tmp/sig; exit 0' USR1; touch /tmp/ready; "
                 "while :; do sleep 0.05; done")
    bundle.config["root"]["readonly"] = False
    bundle.write()
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    ready = bundle.rootfs / "tmp" / "ready"
    deadline = time.monotonic() + 10
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    nsrun.ok("kill", cid, sig)
    assert wait_status(nsrun, cid, "stopped")
    assert (bundle.rootfs / "tmp" / "sig").read_text() == "got\n"
    nsrun.ok("delete", cid)


def test_kill_default_signal_and_errors(nsrun, bundle, cid):
    bundle.args("sleep", "60")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    r = nsrun("kill", cid, "NOSUCHSIG")
    assert r.returncode == 1 and 'unknown signal "NOSUCHSIG"' in r.err
    nsrun.ok("kill", cid)  # TERM: ignored by a PID 1 without a handler
    assert nsrun.state(cid)["status"] == "created"
    nsrun.ok("kill", cid, "9")
    assert wait_status(nsrun, cid, "stopped")
    r = nsrun("kill", cid, "KILL")
    assert r.returncode == 1 and "container not running" in r.err
    nsrun.ok("delete", cid)


def test_kill_all_reaches_every_process(nsrun, bundle, cid):
    # Without a pid namespace the init's death does not take the others along.
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces() if n["type"] != "pid"]
    bundle.shell("sleep 60 & sleep 60 & exec sleep 60")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    procs = cgroup_procs(cid)
    deadline = time.monotonic() + 5
    while len(procs) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
        procs = cgroup_procs(cid)
    assert len(procs) == 3
    nsrun.ok("kill", "--all", cid, "KILL")
    deadline = time.monotonic() + 5
    while cgroup_procs(cid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cgroup_procs(cid) == []
    nsrun.ok("delete", cid)


def cgroup_procs(cid):
    """The container's cgroup.procs, in the pids hierarchy (v1) or the v2 one."""
    top = cgroups.hierarchies().get("pids") or cgroups.hierarchies()[""]
    path = next(pathlib.Path(top).rglob(cid))
    return [int(p) for p in (path / "cgroup.procs").read_text().split()]


def test_run_detach_and_keep(nsrun, bundle, cid, tmp_path):
    bundle.shell("exit 3")
    assert nsrun("run", "--keep", "-b", str(bundle.path), cid).returncode == 3
    assert nsrun.state(cid)["status"] == "stopped"
    nsrun.ok("delete", cid)

    bundle.args("sleep", "60")
    pid_file = tmp_path / "run.pid"
    nsrun.ok("run", "--detach", "--pid-file", str(pid_file), "-b", str(bundle.path), cid)
    st = nsrun.state(cid)
    assert st["status"] == "running" and st["pid"] == int(pid_file.read_text())
    nsrun.ok("delete", "-f", cid)


def test_create_twice_fails_and_keeps_the_first(nsrun, bundle, cid):
    bundle.args("sleep", "60")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    r = nsrun("create", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and f"container with id {cid} already exists" in r.err
    assert nsrun.state(cid)["status"] == "created"
    nsrun.ok("delete", cid)


# The descriptors above 2 the container's shell has (test -e opens none).
LIST_FDS = "for n in $(seq 3 64); do [ -e /proc/$$/fd/$n ] && echo fd$n; done; true"


def test_preserve_fds(nsrun, bundle, cid, tmp_path):
    bundle.shell("cat <&3; " + LIST_FDS)
    data = tmp_path / "data"
    data.write_text("passed on\n")
    # The shell gives nsrun fds 3 and 4; only 3 is preserved.
    proc = subprocess.run(["sh", "-c", f'exec 3<"{data}" 4<"{data}"; exec "$@"', "sh", str(NSRUN),
                           "--root", str(nsrun.root), "run", "--preserve-fds", "1", "-b",
                           str(bundle.path), cid], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["passed", "on", "fd3"]


def test_no_descriptor_leaks_without_preserve(nsrun, bundle, cid, tmp_path):
    bundle.shell(LIST_FDS)
    proc = subprocess.run(["sh", "-c", 'exec 3</dev/null 7</dev/null; exec "$@"', "sh",
                           str(NSRUN), "--root", str(nsrun.root), "run", "-b", str(bundle.path),
                           cid], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == []


def test_operations_on_one_container_wait_others_do_not(nsrun, bundle, cid, tmp_path):
    """A lock on one container's directory serialises its operations only."""
    import fcntl
    bundle.args("sleep", "60")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    nsrun.ok("create", "-b", str(bundle.path), cid + "-other")
    lock = os.open(nsrun.root / cid, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        with open(tmp_path / "kill.out", "wb") as out:
            waiting = subprocess.Popen([str(NSRUN), "--root", str(nsrun.root), "kill", cid,
                                        "KILL"], stdout=out, stderr=out)
            start = time.monotonic()
            nsrun.ok("kill", cid + "-other", "KILL")  # not blocked by the other's lock
            assert time.monotonic() - start < 2
            assert nsrun.state(cid)["status"] == "created"  # state reads without the lock
            time.sleep(0.2)
            assert waiting.poll() is None, "the locked container's kill waits"
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    assert waiting.wait(timeout=10) == 0
    assert wait_status(nsrun, cid, "stopped")
    nsrun.ok("delete", cid)
    nsrun.ok("delete", cid + "-other")


def test_annotations_are_kept_and_reported(nsrun, bundle, cid):
    notes = {"org.example.owner": "team-a", "empty": "", "unicode": "caf\u00e9 \u2603"}
    bundle.config["annotations"] = notes
    bundle.args("sleep", "60")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    try:
        assert nsrun.state(cid)["annotations"] == notes
        nsrun.ok("start", cid)
        assert nsrun.state(cid)["annotations"] == notes
    finally:
        nsrun.ok("delete", "-f", cid)


def test_create_without_a_process_then_start_refuses(nsrun, bundle, cid):
    """runtime-spec: process is optional at create and required by start,
    which must fail and leave the container as it was."""
    del bundle.config["process"]
    bundle.write()
    nsrun.ok("create", "-b", str(bundle.path), cid)
    try:
        pid = nsrun.state(cid)["pid"]
        r = nsrun("start", cid)
        assert r.returncode == 1
        assert "config.json: process: not set, so there is nothing to start" in r.err
        st = nsrun.state(cid)
        assert st["status"] == "created" and st["pid"] == pid
        assert (nsrun.root / cid / "exec.fifo").exists()
    finally:
        nsrun.ok("delete", "-f", cid)
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and "config.json: process: missing (run needs one)" in r.err
    assert nsrun.ids() == []
