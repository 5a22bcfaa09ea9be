"""nsrun exec: a process in every namespace and the cgroup of a running
container, with the container's process settings or the ones given."""

import json
import os
import subprocess

import pytest

from conftest import NSRUN

NS_TYPES = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"]


@pytest.fixture
def running(nsrun, bundle, cid):
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    yield nsrun.state(cid)["pid"]
    nsrun("delete", "-f", cid)


def test_exit_status_is_the_processes(nsrun, running, cid):
    for code in (0, 1, 42):
        assert nsrun("exec", cid, "sh", "-c", f"exit {code}").returncode == code


def test_in_every_namespace_and_the_cgroup_of_the_init(nsrun, running, cid, tmp_path):
    marker = tmp_path / "exec.pid"
    r = nsrun.ok("exec", "--pid-file", str(marker), "-d", cid, "sleep", "30")
    pid = int(marker.read_text())
    for t in NS_TYPES:
        assert os.readlink(f"/proc/{pid}/ns/{t}") == os.readlink(f"/proc/{running}/ns/{t}"), t
    with open(f"/proc/{pid}/cgroup") as a, open(f"/proc/{running}/cgroup") as b:
        assert a.read() == b.read()
    assert r.out == ""
    # As seen inside, it is not the init.
    status = open(f"/proc/{pid}/status").read()
    nspid = next(l for l in status.splitlines() if l.startswith("NSpid:")).split()
    assert nspid[1] == str(pid) and int(nspid[2]) > 1


def test_env_cwd_user_and_caps(nsrun, running, cid):
    r = nsrun.ok("exec", "-e", "FOO=bar", "-e", "TERM=dumb", "--cwd", "/tmp", "-u", "1000:1000",
                 "-g", "10", cid, "sh", "-c",
                 "echo $FOO $TERM; pwd; id -u; id -g; grep -E '^Groups' /proc/self/status")
    lines = r.out.splitlines()
    assert lines[0] == "bar dumb"
    assert lines[1] == "/tmp"
    assert lines[2:4] == ["1000", "1000"]
    assert lines[4].split() == ["Groups:", "10"]
    r = nsrun.ok("exec", "--cap", "CAP_NET_RAW", cid, "grep", "^CapBnd", "/proc/self/status")
    assert int(r.out.split()[1], 16) == (1 << 29) | (1 << 5) | (1 << 10) | (1 << 13)
    r = nsrun.ok("exec", "--cap", "CAP_NET_RAW", cid, "grep", "^CapEff", "/proc/self/status")
    assert int(r.out.split()[1], 16) & (1 << 13), "CAP_NET_RAW added"


def test_defaults_come_from_the_containers_process(nsrun, running, cid, bundle):
    r = nsrun.ok("exec", cid, "sh", "-c", "echo $PATH; pwd; grep NoNewPrivs /proc/self/status")
    lines = r.out.splitlines()
    assert lines[0] == bundle.config["process"]["env"][0].split("=", 1)[1]
    assert lines[1] == "/"
    assert lines[2].split()[1] == "1"


def test_process_file(nsrun, running, cid, tmp_path):
    proc = {"args": ["sh", "-c", "echo from-file $X; pwd"], "cwd": "/proc", "env": ["X=1"],
            "user": {"uid": 0, "gid": 0}}
    path = tmp_path / "process.json"
    path.write_text(json.dumps(proc))
    r = nsrun.ok("exec", "--process", str(path), cid)
    assert r.out.split() == ["from-file", "1", "/proc"]
    path.write_text('{"args": [], "cwd": "/"}')
    r = nsrun("exec", "-p", str(path), cid)
    assert r.returncode == 1 and "process.json: args: must not be empty" in r.err


def test_preserve_fds(nsrun, running, cid, tmp_path):
    data = tmp_path / "data"
    data.write_text("handed over\n")
    r = subprocess.run(["sh", "-c", f'exec 3<"{data}"; exec "$@"', "sh", str(NSRUN), "--root",
                        str(nsrun.root), "exec", "--preserve-fds", "1", cid, "cat", "/proc/self/fd/3"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "handed over\n"


def test_errors(nsrun, running, cid, bundle):
    r = nsrun("exec", cid, "no-such-program")
    assert r.returncode == 1
    assert 'exec: "no-such-program": executable file not found in $PATH' in r.err
    r = nsrun("exec", cid)
    assert r.returncode == 1 and "expected a container id and a command" in r.err
    r = nsrun("exec", "-u", "root", cid, "true")
    assert r.returncode == 1 and '--user: expected UID[:GID], got "root"' in r.err
    r = nsrun("exec", "-u", "4294967295:4294967295", cid, "id")
    assert r.returncode == 1 and '--user: expected UID[:GID], got "4294967295' in r.err, r
    r = nsrun("exec", "--cap", "CAP_NOPE", cid, "true")
    assert r.returncode == 1 and 'unknown capability "CAP_NOPE"' in r.err
    r = nsrun("exec", "-d", "-t", cid, "true")
    assert r.returncode == 1 and "--tty with --detach needs --console-socket" in r.err
    r = nsrun("exec", cid + "-nope", "true")
    assert r.returncode == 1 and "does not exist" in r.err


def test_exec_into_a_stopped_container(nsrun, bundle, cid):
    bundle.args("true")
    nsrun.ok("run", "--keep", "-b", str(bundle.path), cid)
    r = nsrun("exec", cid, "true")
    assert r.returncode == 1 and "cannot exec in a stopped container" in r.err
    nsrun.ok("delete", cid)


def test_exec_with_a_user_namespace(nsrun, bundle, cid):
    bundle.user_namespace(host_id=400000)
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        r = nsrun.ok("exec", "-d", "--pid-file", str(bundle.path / "p"), cid, "sleep", "30")
        pid = int((bundle.path / "p").read_text())
        uid = next(l for l in open(f"/proc/{pid}/status") if l.startswith("Uid:")).split()[1]
        assert uid == "400000", "root inside is the mapped uid outside"
        assert r.returncode == 0
    finally:
        nsrun.ok("delete", "-f", cid)


def test_exec_does_not_run_files_of_the_container_as_the_host(nsrun, running, cid, bundle):
    """The command is looked up inside: a /bin in the container shadows
    nothing on the host, and the host's binaries are not reachable."""
    r = nsrun("exec", cid, str(NSRUN), "--version")
    assert r.returncode == 1 and "no such file or directory" in r.err
