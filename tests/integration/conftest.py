"""Fixtures for the integration tests: real containers, run as root.

Every test gets its own state root and bundle under pytest's tmp_path, and
container ids with the prefix "nsrun-test-". After each test the fixtures
check that nothing is left behind: no state directory, no mount under the
test's directory, no cgroup with a test id, no process whose root is in the
test's directory. A leftover fails the test (and is cleaned up).
"""

import copy
import hashlib
import itertools
import json
import os
import pathlib
import pwd
import shutil
import subprocess
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
# make sets NSRUN_BINARY (build/sanitize/nsrun for SANITIZE=1).
NSRUN = pathlib.Path(os.environ.get("NSRUN_BINARY", REPO / "build" / "nsrun"))
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
        reason = f"{NSRUN} is not built (run make)"
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

    def __init__(self, tmp, root_name="state", binary=NSRUN):
        self.tmp = tmp
        self.root = tmp / root_name
        self.binary = binary  # runc, for tests that compare the two
        self.counter = itertools.count()  # next() is atomic: tests may call from threads

    def run_as(self):
        """subprocess arguments that choose who runs nsrun (root here)."""
        return {}

    def __call__(self, *args, timeout=60, global_args=(), stdin=None, with_root=True):
        n = next(self.counter)
        out_path = self.tmp / f"out-{n}"
        err_path = self.tmp / f"err-{n}"
        root = ["--root", str(self.root)] if with_root else []
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.run([str(self.binary), *root, *global_args, *args],
                                  stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                  stdout=out, stderr=err, timeout=timeout, **self.run_as())
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


class RootlessNsrun(Nsrun):
    """nsrun run by an ordinary user, with its own state root and
    environment (no XDG_RUNTIME_DIR unless a test sets one)."""

    def __init__(self, tmp, user):
        super().__init__(tmp, "rootless-state")
        self.user = user
        self.env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/"}
        # A sanitizer build's settings (make check SANITIZE=1) go along.
        self.env.update({k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")})
        self.root.mkdir(mode=0o700)
        os.chown(self.root, user.pw_uid, user.pw_gid)

    def run_as(self):
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": [],
                "env": self.env, "cwd": "/"}


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
        spec = ["spec", "--rootless"] if isinstance(nsrun, RootlessNsrun) else ["spec"]
        nsrun.ok(*spec, "--bundle", str(path))
        self.config = json.loads((path / "config.json").read_text())
        self.default = copy.deepcopy(self.config)

    def write(self):
        text = json.dumps(self.config, indent=2)
        (self.path / "config.json").write_text(text)
        # fuzz/seeds.sh collects the configs the tests write as seeds.
        seeds = os.environ.get("NSRUN_SEED_DIR")
        if seeds:
            (pathlib.Path(seeds) / hashlib.sha256(text.encode()).hexdigest()[:16]).write_text(text)
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


@pytest.fixture(scope="session")
def helper(tmp_path_factory):
    """helper("name"): tests/integration/helpers/name.c built static, once."""
    out_dir = tmp_path_factory.mktemp("helpers")
    built = {}

    def build(name):
        if name not in built:
            source = pathlib.Path(__file__).parent / "helpers" / f"{name}.c"
            subprocess.run(["gcc", "-static", "-O2", "-o", str(out_dir / name), str(source)],
                           check=True)
            built[name] = out_dir / name
        return built[name]
    return build


@pytest.fixture
def nsrun(tmp_path):
    return Nsrun(tmp_path)


@pytest.fixture
def bundle(tmp_path, rootfs_template, nsrun):
    path = tmp_path / "bundle"
    path.mkdir()
    return Bundle(path, rootfs_template, nsrun)


@pytest.fixture(scope="session")
def unprivileged_user():
    """An ordinary user (with /etc/subuid and /etc/subgid ranges, as Debian's
    useradd gives them), made for the session and removed after it."""
    name = "nsrt" + uuid.uuid4().hex[:8]
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    "--user-group", name], check=True)
    user = pwd.getpwnam(name)
    yield user
    subprocess.run(["pkill", "-KILL", "-u", name], stderr=subprocess.DEVNULL)
    subprocess.run(["userdel", name], check=True)
    shutil.rmtree(f"/tmp/nsrun-{user.pw_uid}", ignore_errors=True)


@pytest.fixture
def rootless(tmp_path, unprivileged_user):
    """nsrun as the unprivileged user; nothing of theirs may be left."""
    make_traversable(tmp_path)
    r = RootlessNsrun(tmp_path, unprivileged_user)
    yield r
    left = r("list", "-q").out.split() if r.root.exists() else []
    for cid in left:
        r("delete", "--force", cid)
    assert not left, f"rootless containers left: {left}"


@pytest.fixture
def rootless_bundle(tmp_path, rootfs_template, rootless):
    """A bundle from `nsrun spec --rootless` run by the user."""
    path = tmp_path / "rootless-bundle"
    path.mkdir()
    os.chown(path, rootless.user.pw_uid, rootless.user.pw_gid)
    b = Bundle(path, rootfs_template, rootless)
    make_traversable(b.rootfs)
    return b


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
    """Processes rooted in the test's directory, or (a container's, whose
    root no longer reads as a host path) in a cgroup of the session's."""
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            root = os.readlink(entry / "root")
            cgroup = (entry / "cgroup").read_text()
        except OSError:
            continue
        if root.startswith(str(tmp_path)) or ID_PREFIX in cgroup:
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
    # nsrun's own cache of compiled seccomp programs is not a container's.
    left = [p for p in state.iterdir() if p.name != ".seccomp-cache"] if state.exists() else []
    if left:
        problems.append(f"state left: {sorted(p.name for p in left)}")
        for p in left:
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
