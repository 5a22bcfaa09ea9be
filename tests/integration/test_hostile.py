"""A hostile rootfs (and the container's own processes) cannot steer nsrun
outside the container: mount destinations, masked and read-only paths, the
cwd and /dev/console that are symlinks to host paths, or that a racing
helper swaps for symlinks while nsrun works, and /proc files nsrun writes
that the container faked or covered."""

import os
import random
import shutil
import threading
import time

import pytest


def mountinfo_points(out):
    return [line.split()[4] for line in out.splitlines() if len(line.split()) > 4]


def test_mount_destination_symlinked_out_of_the_rootfs(nsrun, bundle, cid, tmp_path):
    """A destination linked to a host directory: the mount and the
    directories made for it stay inside the rootfs."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (bundle.rootfs / "evil").symlink_to(outside)          # absolute, to the host
    (bundle.rootfs / "up").symlink_to("../../../../../../..")
    bundle.config["mounts"] += [
        {"destination": "/evil/made", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/up" + str(tmp_path) + "/outside/also", "type": "tmpfs",
         "source": "tmpfs"},
        {"destination": "/../../../.." + str(outside) + "/dots", "type": "tmpfs",
         "source": "tmpfs"},
    ]
    bundle.args("cat", "/proc/self/mountinfo")
    out = nsrun.ok("run", "-b", str(bundle.path), cid).out
    assert list(outside.iterdir()) == [], "nothing was made outside the rootfs"
    inside = bundle.rootfs / str(outside).lstrip("/")
    assert sorted(p.name for p in inside.iterdir()) == ["also", "dots", "made"]
    assert str(outside) + "/made" in mountinfo_points(out)  # the link resolved in the root


def test_masked_and_readonly_paths_symlinked_out(nsrun, bundle, cid, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("host secret\n")
    inside = bundle.rootfs / str(outside).lstrip("/")
    inside.mkdir(parents=True)
    (inside / "secret").write_text("rootfs secret\n")
    (bundle.rootfs / "hide").symlink_to(outside / "secret")
    (bundle.rootfs / "freeze").symlink_to(outside)
    bundle.config["root"]["readonly"] = False
    bundle.config["linux"]["maskedPaths"] = ["/hide"]
    bundle.config["linux"]["readonlyPaths"] = ["/freeze"]
    bundle.shell("cat /hide; echo; touch /freeze/new 2>&1 || echo refused; "
                 "cat /proc/self/mountinfo")
    out = nsrun.ok("run", "-b", str(bundle.path), cid).out
    assert out.startswith("\n"), "the rootfs' file is masked (empty)"
    assert "refused" in out
    points = mountinfo_points(out)
    assert str(outside / "secret") in points and str(outside) in points
    assert (outside / "secret").read_text() == "host secret\n"
    assert (inside / "secret").read_text() == "rootfs secret\n"
    assert sorted(p.name for p in outside.iterdir()) == ["secret"]


def test_cwd_symlinked_out(nsrun, bundle, cid, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "host-marker").write_text("")
    inside = bundle.rootfs / str(outside).lstrip("/")
    inside.mkdir(parents=True)
    (inside / "rootfs-marker").write_text("")
    (bundle.rootfs / "work").symlink_to(outside)
    bundle.config["process"]["cwd"] = "/work"
    bundle.args("ls")
    out = nsrun.ok("run", "-b", str(bundle.path), cid).out
    assert out.split() == ["rootfs-marker"]


class Swapper:
    """Swaps a rootfs directory for a symlink to a host directory and back,
    as fast as it can, while nsrun sets containers up on that rootfs."""

    def __init__(self, directory, target):
        self.directory, self.target = directory, target
        self.parked = directory.with_name(directory.name + ".parked")
        self.stop = threading.Event()
        self.swaps = 0
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.stop.is_set():
            try:
                os.rename(self.directory, self.parked)
                os.symlink(self.target, self.directory)
                os.unlink(self.directory)
                os.rename(self.parked, self.directory)
                self.swaps += 1
                # Irregular pauses: set-ups then meet every phase of the
                # swap, and some meet none (a run that gets through).
                time.sleep(random.uniform(0, 0.003))
            except OSError:
                try:
                    self.restore()
                except OSError:  # raced again: the next round restores
                    time.sleep(0.0005)

    def restore(self):
        """The directory back in its place. nsrun may have made a new one
        while it was missing: that one goes (the containers' mounts on it
        are in their own namespaces, and gone with them)."""
        if self.directory.is_symlink():
            self.directory.unlink()
        if self.parked.exists():
            if self.directory.exists():
                shutil.rmtree(self.directory)
            os.rename(self.parked, self.directory)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)
        self.restore()


RACE_RUNS = 40
RACE_SECONDS = 30


def test_racing_symlink_swaps_never_reach_the_host(nsrun, bundle, cid, tmp_path):
    """Every run either sets up inside the rootfs or fails with an error;
    the host directory the symlink points to is never written."""
    outside = tmp_path / "outside"
    outside.mkdir()
    race = bundle.rootfs / "race"
    (race / "ro").mkdir(parents=True)
    (race / "secret").write_text("rootfs secret\n")
    bundle.config["root"]["readonly"] = False
    bundle.config["mounts"].append({"destination": "/race/mnt/deep", "type": "tmpfs",
                                    "source": "tmpfs"})
    bundle.config["linux"]["maskedPaths"] = ["/race/secret"]
    bundle.config["linux"]["readonlyPaths"] = ["/race/ro"]
    bundle.config["process"]["cwd"] = "/race"
    bundle.args("true")
    results = []
    deadline = time.monotonic() + RACE_SECONDS
    with Swapper(race, outside) as swapper:
        for n in range(RACE_RUNS):
            if time.monotonic() > deadline:
                break
            results.append(nsrun("run", "-b", str(bundle.path), f"{cid}-{n}"))
    assert swapper.swaps > 0, "the helper raced"
    assert list(outside.iterdir()) == [], "nothing was made or changed on the host"
    for r in results:
        assert r.returncode == 0 or r.err.startswith("nsrun: run: "), r
    assert nsrun.ids() == []


def test_racing_proc_rename_never_leaves_procfs_unmasked(nsrun, bundle, cid):
    """The rootfs' /proc directory (where procfs is mounted) is renamed away
    and replaced by a symlink to another directory while nsrun masks paths
    in it. A run may fail; one that succeeds has /proc/keys masked in every
    procfs the container can see."""
    (bundle.rootfs / "elsewhere").mkdir()
    # The helper goes on while the container runs: its procfs may be at any
    # of these names by then.
    bundle.shell("for try in $(seq 50); do "
                 "for d in /proc /proc.parked /elsewhere; do "
                 "mi=$(cat $d/self/mountinfo 2>/dev/null) && break 2; done; sleep 0.01; done; "
                 "for m in $(echo \"$mi\" | awk '$9 == \"proc\" && $4 == \"/\" {print $5}'); do "
                 "stat -c '%n %t:%T' $m/keys 2>/dev/null; done; true")
    runs = seen = 0
    failures = []
    deadline = time.monotonic() + RACE_SECONDS
    with Swapper(bundle.rootfs / "proc", "/elsewhere") as swapper:
        # Until enough runs, one of which saw a procfs to check (bounded).
        while time.monotonic() < deadline and runs < 5 * RACE_RUNS:
            if runs >= RACE_RUNS and seen:
                break
            r = nsrun("run", "-b", str(bundle.path), f"{cid}-{runs}")
            runs += 1
            if r.returncode != 0:
                assert r.err.startswith("nsrun: run: "), r
                failures.append(r.err.strip())
                continue
            # A procfs mounted on a directory the helper then replaced (or
            # renamed between the container's two looks) is unreachable:
            # such a run shows nothing for it, which is safe.
            for line in r.out.splitlines():
                assert line.endswith(" 1:3"), f"an unmasked /proc/keys: {r}"
                seen += 1
    assert swapper.swaps > 0, "the helper raced"
    assert seen > 0, f"none of {runs} runs showed a procfs to check; failures: {failures[:3]}"
    assert nsrun.ids() == []


def test_a_fake_proc_in_the_rootfs_does_not_take_writes(nsrun, bundle, cid):
    """Without a proc mount the rootfs' /proc is whatever the image has:
    oom_score_adj still reaches the kernel, not a file of the image."""
    fake = bundle.rootfs / "proc" / "self"
    fake.mkdir(parents=True)
    (fake / "oom_score_adj").write_text("0\n")
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["type"] != "proc"]
    bundle.config["linux"]["maskedPaths"] = []
    bundle.config["linux"]["readonlyPaths"] = []
    bundle.config["process"]["oomScoreAdj"] = 321
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        pid = nsrun.state(cid)["pid"]
        assert open(f"/proc/{pid}/oom_score_adj").read().strip() == "321"
        assert (fake / "oom_score_adj").read_text() == "0\n"
    finally:
        nsrun.ok("delete", "-f", cid)


@pytest.mark.parametrize("name,target", [("proc", "/etc"), ("sys", "../tmp")])
def test_a_symlinked_proc_or_sys_is_refused(nsrun, bundle, cid, name, target):
    """procfs and sysfs go on ordinary directories (as runc has it): an
    image whose /proc leads to its /etc would get procfs there, away from
    the masks planned for /proc."""
    path = bundle.rootfs / name
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    os.symlink(target, path)
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    fstype = {"proc": "proc", "sys": "sysfs"}[name]
    assert r.returncode == 1, r
    assert f"mount {fstype} on /{name}: must be an ordinary directory, not a symlink" in r.err
    assert nsrun.ids() == []


ALL_CAPS = ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", "CAP_CHOWN", "CAP_FOWNER"]


def test_exec_writes_past_a_proc_the_container_covered(nsrun, bundle, cid, tmp_path):
    """A privileged container covers its /proc with a tmpfs holding a fake
    self/oom_score_adj; nsrun exec's write still reaches the kernel."""
    bundle.config["process"]["capabilities"] = {k: ALL_CAPS for k in
                                                ("bounding", "effective", "permitted")}
    bundle.config["linux"]["maskedPaths"] = []
    bundle.config["linux"]["readonlyPaths"] = []
    bundle.shell("mount -t tmpfs tmpfs /proc && mkdir -p /proc/self && "
                 "echo 0 > /proc/self/oom_score_adj && exec sleep 600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        deadline = time.monotonic() + 10
        while nsrun("exec", cid, "test", "-f", "/proc/self/oom_score_adj").returncode != 0:
            assert time.monotonic() < deadline, "the container never covered its /proc"
            time.sleep(0.05)
        process = tmp_path / "process.json"
        process.write_text('{"args": ["sleep", "60"], "cwd": "/", "oomScoreAdj": 222}')
        pid_file = tmp_path / "exec.pid"
        nsrun.ok("exec", "-d", "--pid-file", str(pid_file), "--process", str(process), cid)
        pid = int(pid_file.read_text())
        assert open(f"/proc/{pid}/oom_score_adj").read().strip() == "222"
        r = nsrun.ok("exec", cid, "cat", "/proc/self/oom_score_adj")
        assert r.out == "0\n", "the fake file was not written"
    finally:
        nsrun.ok("delete", "-f", cid)


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_hostile_etc_passwd_neither_hangs_nor_fills_memory(nsrun, bundle, cid, kind):
    """nsrun reads the container's /etc/passwd for HOME: as a FIFO it hung
    create (and exec) forever; as a link to /dev/zero the init read until
    the OOM killer came. Neither is a passwd file: HOME is "/"."""
    passwd = bundle.rootfs / "etc" / "passwd"
    passwd.unlink()
    if kind == "fifo":
        os.mkfifo(passwd)
    else:
        passwd.symlink_to("/dev/zero")
    bundle.config["process"]["env"] = ["PATH=/bin"]
    bundle.shell('echo "home=$HOME"')
    r = nsrun("run", "-b", str(bundle.path), cid, timeout=20)
    assert r.returncode == 0 and r.out == "home=/\n", r
