"""Fixtures for the integration tests: real containers, run as root.

Every test gets its own state root and bundle under pytest's tmp_path, and
container ids with the prefix "nsrun-test-". After each test the fixtures
check that nothing is left behind: no state directory, no mount under the
test's directory, no cgroup with a test id, no process whose root is in the
test's directory. A leftover fails the test (and is cleaned up).
"""

import copy
import itertools
import json
import os
import pathlib
import shutil
import subprocess
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
NSRUN = REPO / "build" / "nsrun"
BUSYBOX = pathlib.Path("/bin/busybox")
CGROUP_ROOT = pathlib.Path("/sys/fs/cgroup")
# Unique to this test session: another session's containers (a second checkout
# testing at the same time) are neither leftovers of ours nor ours to remove.
ID_PREFIX = f"nsrun-test-{uuid.uuid4().hex[:6]}-"


def pytest_collection_modifyitems(config, items):
    reason = None
    if os.geteuid() != 0:
        reason = "integration tests run containers and need root"
    elif not NSRUN.exists():
        reason = "build/nsrun is not built (run make)"
    elif not BUSYBOX.exists():
        reason = "/bin/busybox (Debian's busybox-static) is missing"
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def rootfs_template(tmp_path_factory):
    """A busybox root file system: /bin/busybox and a link per applet."""
    root = tmp_path_factory.mktemp("rootfs-template")
    root.chmod(0o755)  # a container's "/": mktemp makes it 0700
    (root / "bin").mkdir()
    shutil.copy2(BUSYBOX, root / "bin" / "busybox")
    applets = subprocess.run([str(BUSYBOX), "--list"], capture_output=True, text=True,
                             check=True).stdout.split()
    for applet in applets:
        if applet != "busybox":
            (root / "bin" / applet).symlink_to("busybox")
    for d in ("proc", "sys", "dev", "tmp", "etc", "root", "home/user"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "tmp").chmod(0o1777)
    (root / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    (root / "etc" / "group").write_text("root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n")
    return root


class Result:
    def __init__(self, returncode, out, err):
        self.returncode, self.out, self.err = returncode, out, err

    def __repr__(self):
        return f"Result(rc={self.returncode}, out={self.out!r}, err={self.err!r})"


class Nsrun:
    """nsrun with a private --root. Output goes through files, never pipes:
    a created container's init keeps nsrun's stdio open."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.root = tmp / "state"
        self.counter = itertools.count()  # next() is atomic: tests may call from threads

    def __call__(self, *args, timeout=60, global_args=(), stdin=None):
        n = next(self.counter)
        out_path = self.tmp / f"out-{n}"
        err_path = self.tmp / f"err-{n}"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.run([str(NSRUN), "--root", str(self.root), *global_args, *args],
                                  stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                  stdout=out, stderr=err, timeout=timeout)
        return Result(proc.returncode, out_path.read_text(errors="replace"),
                      err_path.read_text(errors="replace"))

    def ok(self, *args, **kw):
        r = self(*args, **kw)
        assert r.returncode == 0, r
        return r

    def state(self, cid):
        return json.loads(self.ok("state", cid).out)

    def ids(self):
        return self.ok("list", "-q").out.split()


def make_traversable(path):
    """Lets a user namespace's mapped root (an unprivileged uid on the host)
    reach path: pytest makes its temporary directories 0700."""
    for p in [path, *path.parents]:
        if str(p) in ("/", "/tmp"):
            break
        p.chmod(p.stat().st_mode | 0o055)


class Bundle:
    """A bundle directory: rootfs (a copy of the template) and config.json,
    written from `config` (the default spec) by write()."""

    def __init__(self, path, template, nsrun):
        self.path = path
        self.rootfs = path / "rootfs"
        shutil.copytree(template, self.rootfs, symlinks=True)
        nsrun.ok("spec", "--bundle", str(path))
        self.config = json.loads((path / "config.json").read_text())
        self.default = copy.deepcopy(self.config)

    def write(self):
        (self.path / "config.json").write_text(json.dumps(self.config, indent=2))
        return self

    def args(self, *argv):
        self.config["process"]["args"] = list(argv)
        return self.write()

    def shell(self, script):
        return self.args("sh", "-c", script)

    def namespaces(self):
        return self.config["linux"]["namespaces"]

    def user_namespace(self, host_id=300000, size=65536):
        """A new user namespace: root inside is host_id outside."""
        self.config["linux"]["namespaces"].append({"type": "user"})
        for key in ("uidMappings", "gidMappings"):
            self.config["linux"][key] = [{"containerID": 0, "hostID": host_id, "size": size}]
        make_traversable(self.rootfs)
        return self.write()


@pytest.fixture
def nsrun(tmp_path):
    return Nsrun(tmp_path)


@pytest.fixture
def bundle(tmp_path, rootfs_template, nsrun):
    path = tmp_path / "bundle"
    path.mkdir()
    return Bundle(path, rootfs_template, nsrun)


@pytest.fixture
def cid():
    return ID_PREFIX + uuid.uuid4().hex[:10]


def cgroups_of_tests():
    """Directories of test containers in any cgroup hierarchy."""
    found = []
    for hierarchy in CGROUP_ROOT.iterdir():
        if hierarchy.is_dir() and not hierarchy.is_symlink():
            found += [str(p) for p in hierarchy.rglob(ID_PREFIX + "*") if p.is_dir()]
    return found


def leftover_mounts(tmp_path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if str(tmp_path) in line.split()[4]]


def leftover_processes(tmp_path):
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            root = os.readlink(entry / "root")
        except OSError:
            continue
        if root.startswith(str(tmp_path)):
            found.append(int(entry.name))
    return found


def v2_root_controls():
    """What the host's v2 root cgroup offers its children: tests must never
    change it (nor must nsrun)."""
    for mount in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        path = pathlib.Path(mount, "cgroup.subtree_control")
        if path.exists():
            return path.read_text()
    return None


@pytest.fixture(autouse=True)
def nothing_left_behind(request, tmp_path):
    controls = v2_root_controls()
    yield
    if request.node.get_closest_marker("skip"):
        return
    problems = []
    state = tmp_path / "state"
    if state.exists() and any(state.iterdir()):
        problems.append(f"state left: {sorted(p.name for p in state.iterdir())}")
        for p in state.iterdir():
            subprocess.run([str(NSRUN), "--root", str(state), "delete", "--force", p.name],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = leftover_processes(tmp_path)
    if procs:
        problems.append(f"processes left: {procs}")
        for pid in procs:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
    mounts = leftover_mounts(tmp_path)
    if mounts:
        problems.append(f"mounts left: {mounts}")
        for m in reversed(mounts):
            subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL)
    cgroups = [c for c in cgroups_of_tests() if pathlib.Path(c).name.startswith(ID_PREFIX)]
    if cgroups:
        problems.append(f"cgroups left: {cgroups}")
        for c in sorted(cgroups, key=len, reverse=True):
            try:
                os.rmdir(c)
            except OSError:
                pass
    if v2_root_controls() != controls:
        problems.append(f"the host's v2 root cgroup.subtree_control changed: {controls!r} -> "
                        f"{v2_root_controls()!r}")
    assert not problems, "; ".join(problems)
