"""podman and docker running containers through nsrun (and runc, the same
checks, for comparison): what people do with them."""

import os
import pty
import select
import subprocess
import time

from conftest import BUSYBOX


def test_run_exit_codes(engine, runtime):
    assert engine("run", "--rm", BUSYBOX, "true", runtime=runtime).returncode == 0
    assert engine("run", "--rm", BUSYBOX, "sh", "-c", "exit 3", runtime=runtime).returncode == 3
    r = engine("run", "--rm", BUSYBOX, "no-such-command", runtime=runtime)
    assert r.returncode == 127, r
    r = engine("run", "--rm", BUSYBOX, "/etc/passwd", runtime=runtime)
    assert r.returncode == 126, r


def test_runtime_errors_become_the_engines_exit_codes(engine, runtime):
    """Errors of the runtime itself (not of the command) as podman and docker
    report them for runc: create failing, exec into a missing directory."""
    if engine.name == "podman":
        r = engine("run", "--rm", "--memory", "1k", BUSYBOX, "true", runtime=runtime)
        assert r.returncode == 126, r
    cid, _ = started(engine, runtime, BUSYBOX, "sleep", "600")
    try:
        r = engine("exec", "-w", "/nonexistent", cid, "true")
        assert r.returncode == (127 if engine.name == "podman" else 126), r
    finally:
        engine.remove(cid)


def test_env_user_workdir(engine, runtime):
    r = engine.ok("run", "--rm", "-e", "GREETING=hello", "--user", "1000:1000", "--workdir",
                  "/tmp", BUSYBOX, "sh", "-c", "echo $GREETING; id -u; id -g; pwd",
                  runtime=runtime)
    assert r.stdout.split() == ["hello", "1000", "1000", "/tmp"]


def test_read_only_rootfs(engine, runtime):
    r = engine("run", "--rm", "--read-only", BUSYBOX, "touch", "/made", runtime=runtime)
    assert r.returncode == 1 and "Read-only file system" in r.stderr + r.stdout


def cgroup_file(pid, controller, name):
    """A cgroup v1 file of the process' cgroup, read from the host."""
    for line in open(f"/proc/{pid}/cgroup"):
        _, controllers, path = line.strip().split(":", 2)
        if controller in controllers.split(","):
            return open(f"/sys/fs/cgroup/{controllers}{path}/{name}").read().strip()
    raise AssertionError(f"no {controller} cgroup for {pid}")


def started(engine, runtime, *args):
    cid = engine.ok("run", "-d", *args, runtime=runtime).stdout.strip()
    pid = engine.ok("inspect", "-f", "{{.State.Pid}}", cid).stdout.strip()
    return cid, int(pid)


def test_memory_and_pids_limits_are_in_the_cgroup(engine, runtime):
    cid, pid = started(engine, runtime, "--memory", "64m", "--pids-limit", "50", BUSYBOX,
                       "sleep", "600")
    try:
        assert cgroup_file(pid, "memory", "memory.limit_in_bytes") == str(64 << 20)
        assert cgroup_file(pid, "pids", "pids.max") == "50"
        r = engine.ok("exec", cid, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
        assert r.stdout.strip() == str(64 << 20), "and seen inside"
    finally:
        engine.remove(cid)


def test_update_limits(engine, runtime):
    """podman update and docker update reach the runtime's update."""
    cid, pid = started(engine, runtime, "--memory", "64m", "--cpu-shares", "512", BUSYBOX,
                       "sleep", "600")
    try:
        engine.ok("update", "--memory", "96m", "--cpu-shares", "256", cid)
        assert cgroup_file(pid, "memory", "memory.limit_in_bytes") == str(96 << 20)
        assert cgroup_file(pid, "cpu", "cpu.shares") == "256"
    finally:
        engine.remove(cid)


def test_exec_exit_codes(engine, runtime):
    cid, _ = started(engine, runtime, BUSYBOX, "sleep", "600")
    try:
        assert engine("exec", cid, "sh", "-c", "exit 5").returncode == 5
        # podman tells "not found" from "cannot run"; docker 20.10 says 126 for both.
        not_found = 127 if engine.name == "podman" else 126
        assert engine("exec", cid, "no-such-command").returncode == not_found
        assert engine("exec", cid, "/etc/passwd").returncode == 126
        r = engine.ok("exec", "-e", "X=1", "-w", "/proc", cid, "sh", "-c", "echo $X; pwd")
        assert r.stdout.split() == ["1", "/proc"]
    finally:
        engine.remove(cid)


def run_on_a_pty(argv, script, env=None, timeout=30):
    """argv on a terminal of ours, fed script; (exit status, what it wrote)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                            env=env)
    os.close(slave)
    seen = b""
    os.write(master, script)
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    if proc.poll() is None:
        proc.kill()
    status = proc.wait()
    os.close(master)
    return status, seen.decode(errors="replace")


def test_interactive_terminal(engine, runtime):
    argv = engine.command(["run", "--rm", "-it", BUSYBOX, "sh"], runtime)
    status, seen = run_on_a_pty(argv, b"tty; echo $((6*7)); exit 7\r", env=engine.env)
    assert status == 7, seen
    assert "/dev/pts/0" in seen and "42" in seen


def test_exec_interactive_terminal(engine, runtime):
    cid, _ = started(engine, runtime, BUSYBOX, "sleep", "600")
    try:
        argv = engine.command(["exec", "-it", cid, "sh"], runtime)
        status, seen = run_on_a_pty(argv, b"tty; echo $((6*9)); exit 8\r", env=engine.env)
        assert status == 8, seen
        assert "/dev/pts/" in seen and "54" in seen
    finally:
        engine.remove(cid)


def wait_status(engine, cid, want, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = engine.ok("inspect", "-f", "{{.State.Status}}", cid).stdout.strip()
        if state == want:
            return
        time.sleep(0.1)
    raise AssertionError(f"{cid} never became {want} (last: {state})")


def test_stop_with_a_timeout(engine, runtime):
    # sh as pid 1 ignores TERM: stop waits the timeout, then kills.
    cid, _ = started(engine, runtime, BUSYBOX, "sh", "-c", "trap '' TERM; sleep 600 & wait")
    try:
        t = time.monotonic()
        engine.ok("stop", "-t", "1", cid)
        assert time.monotonic() - t >= 1
        assert engine.ok("inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip() == "137"
    finally:
        engine.remove(cid)


def test_kill_with_a_signal(engine, runtime):
    cid, _ = started(engine, runtime, BUSYBOX, "sh", "-c",
                     "trap 'echo got-usr1; exit 9' USR1; while :; do sleep 0.1; done")
    try:
        engine.ok("kill", "-s", "USR1", cid)
        wait_status(engine, cid, "exited")
        assert engine.ok("inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip() == "9"
        assert "got-usr1" in engine.ok("logs", cid).stdout
    finally:
        engine.remove(cid)


def test_pause_and_unpause(engine, runtime):
    cid, pid = started(engine, runtime, BUSYBOX, "sleep", "600")
    try:
        engine.ok("pause", cid)
        wait_status(engine, cid, "paused")
        assert cgroup_file(pid, "freezer", "freezer.state") == "FROZEN"
        engine.ok("unpause", cid)
        wait_status(engine, cid, "running")
        assert cgroup_file(pid, "freezer", "freezer.state") == "THAWED"
    finally:
        engine.remove(cid)


def test_top(engine, runtime):
    cid, _ = started(engine, runtime, BUSYBOX, "sleep", "600")
    try:
        engine.ok("exec", "-d", cid, "sleep", "500")
        time.sleep(0.2)
        out = engine.ok("top", cid).stdout
        assert "sleep 600" in out and "sleep 500" in out, out
    finally:
        engine.remove(cid)


def test_logs(engine, runtime):
    cid = engine.ok("run", "-d", BUSYBOX, "sh", "-c", "echo to-stdout; echo to-stderr >&2",
                    runtime=runtime).stdout.strip()
    try:
        wait_status(engine, cid, "exited")
        r = engine.ok("logs", cid)
        assert "to-stdout" in r.stdout and "to-stderr" in r.stderr
    finally:
        engine.remove(cid)


def test_network_none_and_the_default_bridge(engine, runtime):
    r = engine.ok("run", "--rm", "--network", "none", BUSYBOX, "ip", "-o", "addr",
                  runtime=runtime)
    assert {line.split()[1] for line in r.stdout.splitlines()} == {"lo"}
    r = engine.ok("run", "--rm", BUSYBOX, "ip", "-o", "-4", "addr", runtime=runtime)
    addrs = [line.split()[3] for line in r.stdout.splitlines() if line.split()[1] != "lo"]
    assert len(addrs) == 1 and addrs[0].startswith("192.0.2."), r.stdout


def test_restart(engine, runtime):
    cid, pid = started(engine, runtime, BUSYBOX, "sleep", "600")
    try:
        engine.ok("restart", "-t", "0", cid)
        wait_status(engine, cid, "running")
        new_pid = int(engine.ok("inspect", "-f", "{{.State.Pid}}", cid).stdout)
        assert new_pid != pid and os.path.exists(f"/proc/{new_pid}")
    finally:
        engine.remove(cid)


def test_rm_leaves_nothing(engine, runtime):
    cid, pid = started(engine, runtime, BUSYBOX, "sleep", "600")
    cgroups = []
    for line in open(f"/proc/{pid}/cgroup"):
        _, controllers, path = line.strip().split(":", 2)
        if controllers and path != "/":
            cgroups.append(f"/sys/fs/cgroup/{controllers}{path}")
    assert cgroups
    engine.remove(cid)
    assert not os.path.exists(f"/proc/{pid}")
    assert [c for c in cgroups if os.path.exists(c)] == [], "cgroups removed"
    with open("/proc/self/mountinfo") as f:
        assert cid not in f.read(), "nothing of it mounted"
