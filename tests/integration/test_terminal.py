"""Terminals: a pty from the container's devpts, relayed by nsrun in the
foreground (raw mode, window size, Ctrl-C, the terminal restored), or
handed to a --console-socket listener, as conmon and containerd expect."""

import fcntl
import os
import select
import signal
import socket
import stat
import struct
import subprocess
import termios
import time

import pytest

from conftest import NSRUN


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Pty:
    """nsrun started on a pty of the test's, the way a person's shell runs it."""

    def __init__(self, args, rows=24, cols=80):
        self.master, self.slave = os.openpty()
        set_size(self.slave, rows, cols)
        self.saved = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen(args, stdin=self.slave, stdout=self.slave,
                                     stderr=self.slave, start_new_session=True)
        self.seen = b""

    def expect(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} in {self.seen!r}"
            if select.select([self.master], [], [], left)[0]:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:
                    break
        assert text.encode() in self.seen, self.seen
        return self.seen.decode(errors="replace")

    def send(self, data):
        os.write(self.master, data)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_run(nsrun):
    started = []

    def start(*args):
        p = Pty([str(NSRUN), "--root", str(nsrun.root), *args])
        started.append(p)
        return p
    yield start
    for p in started:
        p.close()


def tty_bundle(bundle, script):
    bundle.config["process"]["terminal"] = True
    return bundle.shell(script)


def test_run_relays_a_terminal(pty_run, bundle, cid):
    tty_bundle(bundle, "tty; stty size; read line; echo got:$line; stty size; exit 4")
    p = pty_run("run", "-b", str(bundle.path), cid)
    p.expect("24 80")
    assert "/dev/pts/0" in p.seen.decode()
    set_size(p.slave, 40, 132)
    p.proc.send_signal(signal.SIGWINCH)
    time.sleep(0.2)
    p.send(b"hello\r")
    out = p.expect("40 132")
    assert "got:hello" in out
    assert p.proc.wait(timeout=10) == 4
    assert termios.tcgetattr(p.slave) == p.saved, "the terminal is restored"


def test_ctrl_c_goes_to_the_container(pty_run, bundle, cid):
    tty_bundle(bundle, "trap 'echo got-int; exit 5' INT; echo ready; "
                       "while :; do sleep 0.1; done")
    p = pty_run("run", "-b", str(bundle.path), cid)
    p.expect("ready")
    p.send(b"\x03")
    p.expect("got-int")
    assert p.proc.wait(timeout=10) == 5
    assert termios.tcgetattr(p.slave) == p.saved


def test_exec_with_a_terminal(pty_run, nsrun, bundle, cid):
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        p = pty_run("exec", "-t", cid, "sh", "-c", "tty; stty size; read x; stty size")
        p.expect("24 80")
        set_size(p.slave, 30, 100)
        p.proc.send_signal(signal.SIGWINCH)
        time.sleep(0.2)
        p.send(b"\r")
        p.expect("30 100")
        assert p.proc.wait(timeout=10) == 0
        assert termios.tcgetattr(p.slave) == p.saved
    finally:
        nsrun.ok("delete", "-f", cid)


def listening_socket(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.listen(1)
    return s


def receive_master(listener):
    conn, _ = listener.accept()
    with conn:
        _, fds, _, _ = socket.recv_fds(conn, 1024, 1)
    assert len(fds) == 1
    return fds[0]


def read_until(fd, text, timeout=10):
    seen, deadline = b"", time.monotonic() + timeout
    while text.encode() not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen.decode(errors="replace")


def test_console_socket_receives_the_master(nsrun, bundle, cid, tmp_path):
    tty_bundle(bundle, "tty; echo hello from the pty")
    bundle.config["process"]["consoleSize"] = {"height": 11, "width": 77}
    bundle.shell("tty; stty size; echo hello from the pty")
    with listening_socket(tmp_path / "console.sock") as listener:
        nsrun.ok("create", "--console-socket", str(tmp_path / "console.sock"), "-b",
                 str(bundle.path), cid)
        master = receive_master(listener)
    try:
        nsrun.ok("start", cid)
        out = read_until(master, "hello from the pty")
        assert "/dev/pts/0" in out and "11 77" in out and "hello from the pty" in out
    finally:
        os.close(master)
        nsrun("delete", "-f", cid)


def test_exec_console_socket(nsrun, bundle, cid, tmp_path):
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        with listening_socket(tmp_path / "exec.sock") as listener:
            nsrun.ok("exec", "-d", "-t", "--console-socket", str(tmp_path / "exec.sock"), cid,
                     "sh", "-c", "echo exec-on-a-pty; tty")
            master = receive_master(listener)
        out = read_until(master, "/dev/pts/")
        os.close(master)
        assert "exec-on-a-pty" in out
    finally:
        nsrun.ok("delete", "-f", cid)


def test_terminal_errors(nsrun, bundle, cid, tmp_path):
    tty_bundle(bundle, "true")
    r = nsrun("create", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and "a detached container needs --console-socket" in r.err
    r = nsrun("run", "-d", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and "needs --console-socket" in r.err
    r = nsrun("create", "--console-socket", str(tmp_path / "nobody-listens"), "-b",
              str(bundle.path), cid)
    assert r.returncode == 1 and "--console-socket: connect to" in r.err
    bundle.config["process"]["terminal"] = False
    bundle.write()
    r = nsrun("create", "--console-socket", str(tmp_path / "x"), "-b", str(bundle.path), cid)
    assert r.returncode == 1 and "process.terminal is false" in r.err
    assert nsrun.ids() == []


def test_dev_console_is_the_pty(pty_run, bundle, cid):
    tty_bundle(bundle, "stat -c '%t:%T' /dev/console $(tty)")
    p = pty_run("run", "-b", str(bundle.path), cid)
    assert p.proc.wait(timeout=10) == 0
    lines = [l for l in p.expect(":").split() if ":" in l]
    assert len(lines) == 2 and lines[0] == lines[1], lines


def test_dev_console_symlinked_out_of_the_rootfs(pty_run, bundle, cid, tmp_path):
    """The image's own /dev (no tmpfs on it) links /dev/console to a host
    file: refused by name; nothing is bound, neither on the host's file nor
    where the link would resolve inside the root."""
    host_file = tmp_path / "host-console"
    host_file.write_text("host\n")
    (bundle.rootfs / "dev").mkdir(exist_ok=True)
    (bundle.rootfs / "dev" / "console").symlink_to(host_file)
    bundle.config["mounts"] = [m for m in bundle.config["mounts"]
                               if m["destination"] != "/dev"]
    bundle.config["root"]["readonly"] = False
    tty_bundle(bundle, "true")
    p = pty_run("run", "-b", str(bundle.path), cid)
    out = p.expect("symlink")
    assert p.proc.wait(timeout=10) == 1
    assert "process.terminal: /dev/console in the container is a symlink" in out
    assert host_file.read_text() == "host\n"
    assert not (bundle.rootfs / str(host_file).lstrip("/")).exists()


def test_a_bound_dev_whose_console_links_to_core_pattern(pty_run, bundle, cid, tmp_path):
    """A bind-mounted /dev whose console is a symlink to the container's
    /proc/sys/kernel/core_pattern: before, the pty was bound there, on a
    file of the host's kernel (the class of CVE-2025-52565)."""
    dev = tmp_path / "dev"
    dev.mkdir()
    (dev / "console").symlink_to("/proc/sys/kernel/core_pattern")
    os.mknod(dev / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # masking binds it
    bundle.config["mounts"] = [m for m in bundle.config["mounts"]
                               if m["destination"] not in ("/dev", "/dev/pts")]
    bundle.config["mounts"] += [
        {"destination": "/dev", "type": "bind", "source": str(dev), "options": ["rbind"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}]
    tty_bundle(bundle, "awk '$5 ~ /core_pattern/ {print \"at:\" $5}' /proc/self/mountinfo")
    p = pty_run("run", "-b", str(bundle.path), cid)
    out = p.expect("nsrun")
    assert p.proc.wait(timeout=10) == 1, out
    assert "process.terminal: /dev/console in the container is a symlink" in out
    assert "at:/proc/sys/kernel/core_pattern" not in out
    assert (dev / "console").is_symlink() and sorted(os.listdir(dev)) == ["console", "null", "pts"]


