"""nsrun's binary out of the container's reach (CVE-2019-5736): the attack
of that CVE, run against a writable copy of nsrun, must not change it."""

import fcntl
import hashlib
import os
import shutil
import struct
import subprocess
import time

import pytest

from conftest import NSRUN

# Inside: find the nsrun process that "#!/proc/self/exe" started in the
# container (it waits on /fifo), hold its executable open, let it go, and
# write to the executable through that descriptor once it has exited (again
# and again: the file stays busy while `nsrun exec` runs on the host).
ATTACK = r"""
i=0
while [ $i -lt 20000 ]; do
  i=$((i+1))
  for d in /proc/[0-9]*; do
    case "$(tr '\0' ' ' < $d/cmdline 2>/dev/null)" in "/proc/self/exe --log=/fifo"*)
      pid=${d#/proc/}
      exec 3< /proc/$pid/exe || { echo cannot-open-exe > /result; exit 0; }
      cat /fifo > /dev/null &
      while [ -e /proc/$pid/exe ]; do :; done
      n=0
      while [ $n -lt 3000 ]; do
        n=$((n+1))
        if echo pwned 2>/dev/null >> /proc/self/fd/3; then echo overwrote > /result; exit 0; fi
      done
      echo write-refused > /result
      exit 0 ;;
    esac
  done
done
echo never-found > /result
"""


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_static(path):
    """No PT_INTERP program header: the binary runs without a loader."""
    data = path.read_bytes()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return all(struct.unpack_from("<I", data, phoff + i * phentsize)[0] != 3
               for i in range(phnum))


@pytest.mark.skipif(not is_static(NSRUN), reason="the attack runs nsrun's binary inside the "
                    "container, where a dynamically linked (sanitizer) build finds no loader")
def test_a_container_cannot_overwrite_nsrun_through_proc_exe(bundle, cid, tmp_path):
    binary = tmp_path / "nsrun-copy"
    shutil.copy(NSRUN, binary)
    before = digest(binary)
    root = tmp_path / "state"  # the fixtures check it for leftovers
    rootfs = bundle.rootfs
    (rootfs / "evil").write_text("#!/proc/self/exe --log=/fifo\n")
    os.chmod(rootfs / "evil", 0o755)
    os.mkfifo(rootfs / "fifo")
    bundle.config["root"]["readonly"] = False
    bundle.shell(ATTACK)
    bundle.write()

    def nsrun(*args):
        # Files, not pipes: the container's init keeps nsrun's stdio open.
        with open(tmp_path / "out", "w") as out:
            return subprocess.run([str(binary), "--root", str(root), *args], timeout=60,
                                  stdin=subprocess.DEVNULL, stdout=out, stderr=out)

    r = nsrun("run", "-d", "-b", str(bundle.path), cid)
    assert r.returncode == 0, (tmp_path / "out").read_text()
    try:
        # nsrun's binary, run again inside as the script's interpreter,
        # fails on the unknown command once the attacker reads the fifo.
        nsrun("exec", cid, "/evil")
        deadline = time.monotonic() + 20
        while not (rootfs / "result").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        result = (rootfs / "result").read_text().strip()
    finally:
        nsrun("delete", "--force", cid)
    assert result == "write-refused", result
    assert digest(binary) == before


def run_and_look(nsrun, bundle, cid, binary, look):
    """binary, run as nsrun runs (root, or the unprivileged user), keeps a
    sleeping container in the foreground; look(pid of that nsrun run)."""
    bundle.args("sleep", "60")
    bundle.write()
    proc = subprocess.Popen([str(binary), "--root", str(nsrun.root), "run", "-b",
                             str(bundle.path), cid], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            **nsrun.run_as())
    try:
        deadline = time.monotonic() + 10
        while nsrun("state", cid).returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        look(proc.pid)
    finally:
        nsrun("delete", "--force", cid)
        proc.wait(timeout=10)


def test_the_protected_binary_costs_no_copy_as_root(nsrun, bundle, cid):
    """As root, nsrun runs from a read-only bind mount of its own file (the
    same inode), not from a copy; the host's file stays writable for root."""
    def bound_read_only(pid):
        exe = f"/proc/{pid}/exe"
        assert os.stat(exe).st_ino == os.stat(NSRUN).st_ino
        assert os.statvfs(exe).f_flag & os.ST_RDONLY
    run_and_look(nsrun, bundle, cid, NSRUN, bound_read_only)


def test_rootless_nsrun_of_its_own_runs_from_a_sealed_copy(rootless, rootless_bundle, cid,
                                                           tmp_path):
    """A binary the user may write (their own build): without the privilege
    to make mounts, nsrun runs from a sealed memfd copy, to which writes
    fail whoever opens it."""
    binary = tmp_path / "nsrun-users"
    shutil.copy(NSRUN, binary)
    os.chown(binary, rootless.user.pw_uid, rootless.user.pw_gid)

    def sealed(pid):
        fd = os.open(f"/proc/{pid}/exe", os.O_RDONLY)
        try:
            assert fcntl.fcntl(fd, fcntl.F_GET_SEALS) & fcntl.F_SEAL_WRITE
        finally:
            os.close(fd)
    run_and_look(rootless, rootless_bundle, cid, binary, sealed)


def test_rootless_nsrun_of_roots_runs_as_it_is(rootless, rootless_bundle, cid):
    """Root's binary, writable by root only: out of a rootless container's
    reach already, so no copy (no re-execution: /proc/PID/exe keeps its
    path)."""
    def as_is(pid):
        assert os.readlink(f"/proc/{pid}/exe") == str(NSRUN)
    run_and_look(rootless, rootless_bundle, cid, NSRUN, as_is)


def test_a_binary_on_a_read_only_mount_runs_as_it_is(nsrun, bundle, cid, tmp_path):
    """The cheap set-up README gives: no re-execution (/proc/PID/exe keeps
    its path; after one it reads "/", the root of the detached mount)."""
    binary = tmp_path / "nsrun-ro"
    shutil.copy(NSRUN, binary)
    subprocess.run(["mount", "--bind", "-o", "ro", str(binary), str(binary)], check=True)
    try:
        def as_is(pid):
            assert os.readlink(f"/proc/{pid}/exe") == str(binary)
        run_and_look(nsrun, bundle, cid, binary, as_is)
    finally:
        subprocess.run(["umount", str(binary)], check=True)
