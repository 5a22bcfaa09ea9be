"""No descriptor leaks into a container (the class of CVE-2024-21626): a
container process gets 0, 1 and 2, the --preserve-fds ones and socket
activation's LISTEN_FDS ones, nothing of the caller's or of nsrun's own."""

import os
import subprocess
import time

import pytest

from conftest import NSRUN


def fds_of(pid):
    return sorted(int(fd) for fd in os.listdir(f"/proc/{pid}/fd"))


def wait_for_file(path, seconds=10):
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.02)
    return path.read_text().strip()


def nsrun_with(nsrun, args, files=(), listen=0, env=None):
    """nsrun started by a shell that first opens files at 3, 4, ... (and,
    with listen, sets LISTEN_FDS and LISTEN_PID for nsrun's own pid)."""
    script = "".join(f'exec {3 + i}<>"{f}"; ' for i, f in enumerate(files))
    if listen:
        script += f"export LISTEN_PID=$$ LISTEN_FDS={listen}; "
    script += 'exec "$@"'
    with open(nsrun.tmp / "out", "w") as out:
        return subprocess.run(["sh", "-c", script, "sh", str(NSRUN), "--root", str(nsrun.root),
                               *args], stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                              close_fds=True, env=env, timeout=60)


def files(tmp_path, n):
    made = [tmp_path / f"file{3 + i}" for i in range(n)]
    for f in made:
        f.touch()
    return made


@pytest.mark.parametrize("preserve,passed,want", [
    (0, True, [0, 1, 2]),           # the caller's descriptors stay behind
    (5, False, [0, 1, 2]),          # nothing to preserve: nsrun's own are close-on-exec
    (2, True, [0, 1, 2, 3, 4]),     # what --preserve-fds asks for, no more
])
def test_the_init_gets_stdio_and_what_is_preserved(nsrun, bundle, cid, tmp_path, preserve,
                                                   passed, want):
    bundle.args("sleep", "60")
    pid_file = tmp_path / "init.pid"
    r = nsrun_with(nsrun, ["run", "-d", "--preserve-fds", str(preserve), "--pid-file",
                           str(pid_file), "-b", str(bundle.path), cid],
                   files=files(tmp_path, 2) if passed else ())
    assert r.returncode == 0, (tmp_path / "out").read_text()
    try:
        pid = int(wait_for_file(pid_file))
        assert fds_of(pid) == want
        if 3 in want:
            assert os.readlink(f"/proc/{pid}/fd/3") == str(tmp_path / "file3")
    finally:
        nsrun.ok("delete", "--force", cid)


@pytest.mark.parametrize("preserve,passed,want", [
    (0, True, [0, 1, 2]),
    (5, False, [0, 1, 2]),
    (2, True, [0, 1, 2, 3, 4]),
])
def test_an_exec_process_gets_stdio_and_what_is_preserved(nsrun, bundle, cid, tmp_path,
                                                          preserve, passed, want):
    bundle.args("sleep", "60")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        pid_file = tmp_path / "exec.pid"
        r = nsrun_with(nsrun, ["exec", "-d", "--preserve-fds", str(preserve), "--pid-file",
                               str(pid_file), cid, "sleep", "60"],
                       files=files(tmp_path, 2) if passed else ())
        assert r.returncode == 0, (tmp_path / "out").read_text()
        assert fds_of(int(wait_for_file(pid_file))) == want
    finally:
        nsrun.ok("delete", "--force", cid)


def test_socket_activation_descriptors_are_passed(nsrun, bundle, cid, tmp_path):
    """LISTEN_FDS for this very process (LISTEN_PID): the descriptors from 3
    on go to the container, which is told LISTEN_FDS=2 and LISTEN_PID=1; a
    --preserve-fds descriptor comes after them."""
    bundle.args("sleep", "60")
    pid_file = tmp_path / "init.pid"
    r = nsrun_with(nsrun, ["run", "-d", "--preserve-fds", "1", "--pid-file", str(pid_file),
                           "-b", str(bundle.path), cid], files=files(tmp_path, 3), listen=2)
    assert r.returncode == 0, (tmp_path / "out").read_text()
    try:
        pid = int(wait_for_file(pid_file))
        assert fds_of(pid) == [0, 1, 2, 3, 4, 5]
        assert os.readlink(f"/proc/{pid}/fd/5") == str(tmp_path / "file5")
        env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        assert b"LISTEN_FDS=2" in env and b"LISTEN_PID=1" in env
    finally:
        nsrun.ok("delete", "--force", cid)


def test_socket_activation_for_another_process_is_ignored(nsrun, bundle, cid, tmp_path):
    bundle.args("sleep", "60")
    pid_file = tmp_path / "init.pid"
    env = dict(os.environ, LISTEN_PID="1", LISTEN_FDS="2")
    r = nsrun_with(nsrun, ["run", "-d", "--pid-file", str(pid_file), "-b", str(bundle.path),
                           cid], files=files(tmp_path, 2), env=env)
    assert r.returncode == 0, (tmp_path / "out").read_text()
    try:
        pid = int(wait_for_file(pid_file))
        assert fds_of(pid) == [0, 1, 2]
        env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        assert not any(e.startswith(b"LISTEN_") for e in env)
    finally:
        nsrun.ok("delete", "--force", cid)
