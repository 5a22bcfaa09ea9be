"""The tools for people: nsrun ns, nsrun enter, and nsrun run --rootfs."""

import json
import os
import subprocess
import time

import pytest

from conftest import NSRUN
from test_terminal import Pty

TYPES = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"]


def inode(pid, t):
    return int(os.readlink(f"/proc/{pid}/ns/{t}").split("[")[1].rstrip("]"))


@pytest.fixture
def running(nsrun, bundle, cid):
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    yield nsrun.state(cid)["pid"]
    nsrun("delete", "-f", cid)


def test_ns_table_of_a_container(nsrun, running, cid):
    out = nsrun.ok("ns", cid).out.splitlines()
    assert out[0] == f"{cid}: pid {running}, container {cid}, pid 1 inside"
    assert out[1].split() == ["TYPE", "INODE", "HOST", "CALLER", "OWNER"]
    rows = {l.split()[0]: l.split() for l in out[2:] if l.split()[0] in TYPES}
    assert set(rows) == set(TYPES)
    for t in TYPES:
        assert int(rows[t][1]) == inode(running, t), t
        shared = inode(running, t) == inode(os.getpid(), t)
        assert rows[t][3] == ("yes" if shared else "no"), t
    assert rows["net"][3] == "no" and rows["user"][3] == "yes"


def test_ns_json_and_owner(nsrun, running, cid):
    data = json.loads(nsrun.ok("ns", "--format", "json", str(running)).out)
    assert len(data) == 1 and data[0]["pid"] == running and data[0]["pidInside"] == 1
    ns = data[0]["namespaces"]
    assert {t: ns[t]["inode"] for t in TYPES} == {t: inode(running, t) for t in TYPES}
    assert ns["net"]["caller"] is False and ns["user"]["caller"] is True
    assert ns["net"]["owner"] == inode(running, "user"), "owned by the user namespace it is in"


def test_ns_side_by_side(nsrun, running, cid):
    out = nsrun.ok("ns", cid, str(os.getpid())).out.splitlines()
    rows = {l.split()[0]: l.split() for l in out[1:]}
    assert rows["net"][-1] == "differs" and rows["user"][-1] == "shared"
    assert int(rows["pid"][1]) == inode(running, "pid")
    assert int(rows["pid"][2]) == inode(os.getpid(), "pid")


def test_ns_errors(nsrun):
    r = nsrun("ns", "999999999")
    assert r.returncode == 1 and "process 999999999" in r.err
    r = nsrun("ns", "a", "b", "c")
    assert r.returncode == 1 and "at most two" in r.err


def test_enter_a_container(nsrun, running, cid):
    r = nsrun.ok("enter", cid, "--", "sh", "-c", "hostname; echo $$; readlink /proc/self/ns/net")
    lines = r.out.split()
    assert lines[0] == "nsrun" and lines[1] != "1"
    assert lines[2] == os.readlink(f"/proc/{running}/ns/net")


def test_enter_only_the_named_namespaces(nsrun, running, cid):
    r = nsrun.ok("enter", "--uts", cid, "sh", "-c",
                 "hostname; readlink /proc/self/ns/net /proc/self/ns/mnt")
    lines = r.out.split()
    assert lines[0] == "nsrun"  # the container's uts namespace
    assert lines[1] == os.readlink("/proc/self/ns/net")  # but the host's network
    assert r.returncode == 0


def test_enter_an_unshared_process(nsrun, tmp_path):
    """A process made by util-linux unshare, not by nsrun."""
    proc = subprocess.Popen(["unshare", "--uts", "--net", "--pid", "--fork", "--mount-proc",
                             "sh", "-c", "hostname from-unshare; echo up; exec sleep 60"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "up\n"
        # The sleep is unshare's child: find it.
        child = int(open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()[0])
        r = nsrun.ok("enter", str(child), "--", "sh", "-c",
                     "hostname; echo $$; readlink /proc/self/ns/net")
        lines = r.out.split()
        assert lines[0] == "from-unshare"
        assert lines[2] == os.readlink(f"/proc/{child}/ns/net")
        assert int(lines[1]) > 1, "forked into the pid namespace"
        assert nsrun("enter", str(child), "--", "sh", "-c", "exit 9").returncode == 9
    finally:
        proc.kill()
        proc.wait()


def test_enter_errors(nsrun, bundle, cid):
    r = nsrun("enter", "999999999", "true")
    assert r.returncode == 1 and "process 999999999" in r.err
    r = nsrun("enter", cid + "-nope", "true")
    assert r.returncode == 1 and "does not exist" in r.err
    r = nsrun("enter", str(os.getpid()), "--", "no-such-command-here")
    assert r.returncode == 127 and "exec no-such-command-here" in r.err


def rootfs_run(nsrun, bundle, *args, **kw):
    return nsrun("run", "--rootfs", str(bundle.rootfs), *args, **kw)


def test_run_rootfs_defaults(nsrun, bundle):
    r = rootfs_run(nsrun, bundle, "--", "sh", "-c",
                   "hostname; echo $$; touch /x 2>&1; touch /tmp/y && echo tmp-ok; "
                   "readlink /proc/self/ns/net; cat")
    lines = r.out.splitlines()
    assert r.returncode == 0, r
    assert lines[0] == "nsrun" and lines[1] == "1"
    assert "Read-only file system" in lines[2]
    assert lines[3] == "tmp-ok"
    assert lines[4] != os.readlink("/proc/self/ns/net")
    assert nsrun.ids() == [], "removed after the run"


def test_run_rootfs_choices(nsrun, bundle, tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    (share / "f").write_text("shared file\n")
    r = rootfs_run(nsrun, bundle, "--hostname", "box", "--mem", "96M", "--pids", "33",
                   "--net", "host", "-v", f"{share}:/share:ro", "-e", "GREETING=hi", "--rw",
                   "--", "sh", "-c",
                   "hostname; cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
                   "/sys/fs/cgroup/pids/pids.max /share/f; echo $GREETING; "
                   "readlink /proc/self/ns/net; touch /share/x 2>&1; touch /rw && echo rw-ok")
    assert r.returncode == 0, r
    lines = r.out.splitlines()
    assert lines[:5] == ["box", str(96 * 1024 * 1024), "33", "shared file", "hi"]
    assert lines[5] == os.readlink("/proc/self/ns/net")
    assert "Read-only file system" in lines[6] and lines[7] == "rw-ok"
    (bundle.rootfs / "rw").unlink()
    (bundle.rootfs / "share").rmdir()


def test_run_rootfs_print_spec(nsrun, bundle):
    r = rootfs_run(nsrun, bundle, "--print-spec", "--pids", "5", "--", "ls", "-l")
    spec = json.loads(r.out)
    assert spec["root"] == {"path": str(bundle.rootfs), "readonly": True}
    assert spec["process"]["args"] == ["ls", "-l"]
    assert spec["linux"]["resources"]["pids"] == {"limit": 5}
    assert nsrun.ids() == []


def test_run_rootfs_interactive_shell(nsrun, bundle):
    p = Pty([str(NSRUN), "--root", str(nsrun.root), "run", "--rootfs", str(bundle.rootfs), "-it",
             "--", "sh"])
    try:
        time.sleep(0.3)
        p.send(b"echo $((6*7)); hostname\r")
        p.expect("42")
        p.send(b"exit 3\r")
        assert p.proc.wait(timeout=10) == 3
        assert termios_restored(p)
    finally:
        p.close()


def termios_restored(p):
    import termios
    return termios.tcgetattr(p.slave) == p.saved


def test_run_rootfs_errors(nsrun, bundle, tmp_path):
    r = nsrun("run", "--rootfs", str(tmp_path / "nope"), "--", "true")
    assert r.returncode == 1 and "--rootfs" in r.err
    r = rootfs_run(nsrun, bundle, "--mem", "lots", "--", "true")
    assert r.returncode == 1 and '--mem: "lots" is not a size' in r.err
    r = rootfs_run(nsrun, bundle, "-v", "/etc", "--", "true")
    assert r.returncode == 1 and "-v: expected SRC:DST" in r.err
    r = rootfs_run(nsrun, bundle, "-v", f"{tmp_path}/missing:/m", "--", "true")
    assert r.returncode == 1 and "No such file" in r.err
    r = rootfs_run(nsrun, bundle, "--net", "bridge", "--", "true")
    assert r.returncode == 1 and '--net: "bridge"' in r.err
    assert nsrun.ids() == []
