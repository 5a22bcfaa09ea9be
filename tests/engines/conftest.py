"""Fixtures for the engine tests: podman, docker and containerd (and its CRI
plugin, through crictl) run containers through nsrun, and through runc for
comparison: every test takes the runtime as a parameter.

No engine may touch the host's state: each has private directories under
pytest's tmp, the daemons (containerd, dockerd) are started here and
stopped after the session, and whatever makes networks (docker's and
podman's bridges, CNI for pods) runs in a network namespace of the
session's own, removed after it. No registry is reachable: the images are
built here (scripts/image.py). After each test no container of any engine is left.
"""

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from image import docker_archive  # noqa: E402
NSRUN = pathlib.Path(os.environ.get("NSRUN_BINARY", REPO / "build" / "nsrun"))
RUNTIMES = {"nsrun": str(NSRUN), "runc": shutil.which("runc") or "/usr/sbin/runc"}
SESSION = "nsrun-eng-" + uuid.uuid4().hex[:6]
BUSYBOX = "localhost/busybox:latest"
PAUSE = "localhost/pause:latest"
# No CAP_SYS_RESOURCE here: the engines' default rlimits (above the host's
# hard limits) would fail for any runtime, so every engine is given these.
ULIMITS = ["nofile=1024:1024", "nproc=1024:1024"]
ENGINES = {"podman": "podman", "dockerd": "/usr/sbin/dockerd", "containerd": "containerd"}


def pytest_collection_modifyitems(config, items):
    reason = None
    missing = [name for name, cmd in ENGINES.items() if not shutil.which(cmd)]
    if os.geteuid() != 0:
        reason = "the engine tests start daemons and containers and need root"
    elif not NSRUN.exists():
        reason = f"{NSRUN} is not built (run make)"
    elif missing:
        reason = f"engines missing: {', '.join(missing)} (make check-engines installs them)"
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


def run(args, check=True, timeout=120, **kw):
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{args} failed ({r.returncode}): {r.stdout} {r.stderr}")
    return r


def mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    return [p for p in points if p.startswith(str(path) + "/")]


def unmount_all_under(path):
    for point in sorted(mounts_under(path), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], stderr=subprocess.DEVNULL)


def cgroup_tops():
    """The top-level cgroups of every cgroup hierarchy mounted here."""
    tops = set()
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[fields.index("-") + 1] in ("cgroup", "cgroup2"):
                tops |= {p for p in pathlib.Path(fields[4]).iterdir() if p.is_dir()}
    return tops


def remove_empty_tree(top):
    """rmdir bottom-up: a cgroup with processes, or a directory with files,
    stays (and is reported by the caller)."""
    for dirpath, _, _ in os.walk(top, topdown=False):
        try:
            os.rmdir(dirpath)
        except OSError:
            pass


# What the engines write outside the directories they are given: containerd
# its shims' sockets, dockerd its plugin directory, podman its locks, the
# blob-info cache of `podman load`, CNI its results and IP reservations;
# podman gives no --root to the runtime, which then uses its default root.
SHARED_PATHS = ["/run/containerd", "/run/docker", "/run/libpod", "/var/lib/containers",
                "/var/lib/cni", "/etc/cni/net.d", "/run/netns", "/run/nsrun", "/run/runc"]


def entries_under(paths):
    """Every file and directory under paths (and paths), not following links."""
    found = set()
    for top in paths:
        if os.path.lexists(top):
            found.add(top)
        for dirpath, dirnames, filenames in os.walk(top):
            found |= {os.path.join(dirpath, n) for n in dirnames + filenames}
    return found


def remove_entries(paths):
    """Deepest first; what cannot be removed (a mounted netns file, say)
    is returned."""
    left = []
    for path in sorted(paths, key=lambda p: p.count("/"), reverse=True):
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)
            else:
                os.unlink(path)
        except OSError:
            left.append(path)
    return left


@pytest.fixture(scope="session", autouse=True)
def host_untouched():
    """The engines leave parent cgroups that no runtime removes (podman's
    libpod_parent, docker's docker, one per containerd namespace), and files
    in SHARED_PATHS whatever their configured directories. What the session
    added is removed after it; whatever cannot be (a cgroup still holding
    processes, a network namespace still mounted) fails it."""
    cgroups_before = cgroup_tops()
    shared_before = entries_under(SHARED_PATHS)
    yield
    left = []
    for top in sorted(cgroup_tops() - cgroups_before):
        remove_empty_tree(top)
        if top.exists():
            left.append(str(top))
    left += remove_entries(entries_under(SHARED_PATHS) - shared_before)
    assert not left, f"left on the host: {left}"


@pytest.fixture(params=sorted(RUNTIMES))
def runtime(request):
    """The runtime name ("nsrun", "runc"); engines take it each their way."""
    return request.param


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("engines")


@pytest.fixture(scope="session")
def images(work):
    """docker-archive tarballs: busybox (sh by default) and the pod sandbox."""
    rootfs = work / "busybox-rootfs"
    run([str(REPO / "scripts" / "rootfs.sh"), str(rootfs)])
    pause_root = work / "pause-rootfs"
    pause_root.mkdir()
    run(["gcc", "-static", "-O2", "-o", str(pause_root / "pause"),
         str(pathlib.Path(__file__).parent / "pause.c")])
    return {
        BUSYBOX: docker_archive(rootfs, BUSYBOX, ["sh"], work / "busybox.tar"),
        PAUSE: docker_archive(pause_root, PAUSE, ["/pause"], work / "pause.tar"),
    }


@pytest.fixture(scope="session")
def netns():
    """A network namespace for the engines' networks, gone after the session.
    On a host that had no /run/netns, ip made it a mount of itself: that
    goes too (a fresh machine has none)."""
    had_dir = os.path.lexists("/run/netns")
    run(["ip", "netns", "add", SESSION])
    run(["ip", "netns", "exec", SESSION, "ip", "link", "set", "lo", "up"])
    yield SESSION
    run(["ip", "netns", "del", SESSION], check=False)
    for _ in range(4 if not had_dir else 0):  # ip binds it on itself
        with open("/proc/self/mountinfo") as f:
            if not any(line.split()[4] == "/run/netns" for line in f):
                break
        run(["umount", "/run/netns"], check=False)


def in_netns(netns):
    """Commands run in the session's network namespace, but with the host's
    /sys (ip netns exec would mount a new sysfs over the cgroup mounts)."""
    return ["nsenter", f"--net=/run/netns/{netns}"]


def stop_daemon(proc, timeout=20):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_socket(path, proc, log, seconds=30):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"daemon did not start: {pathlib.Path(log).read_text()[-3000:]}")
        time.sleep(0.1)


def kill_shims(under):
    """containerd shims of ours left running (a test that failed midway)."""
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "containerd-shim" in cmdline and str(under) in cmdline:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                pass


class Engine:
    """podman or docker, through their own command line, with a runtime."""

    name = ""

    def __init__(self, base, env=None):
        self.base = base
        self.env = env

    def command(self, args, runtime):
        raise NotImplementedError

    def __call__(self, *args, runtime="nsrun", check=False, timeout=90, stdin=None):
        cmd = self.command(list(args), runtime)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env,
                           input=stdin)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stdout} {r.stderr}")
        return r

    def ok(self, *args, **kw):
        return self(*args, check=True, **kw)

    def containers(self):
        return self.ok("ps", "-aq").stdout.split()

    def remove(self, *cids):
        """rm -f at once (podman would first wait out a stop timeout)."""
        extra = ["-t", "0"] if self.name == "podman" else []
        return self.ok("rm", "-f", *extra, *cids)


class Podman(Engine):
    name = "podman"

    def command(self, args, runtime):
        return self.base + ["--runtime", RUNTIMES[runtime]] + args


class Docker(Engine):
    name = "docker"

    def command(self, args, runtime):
        if args and args[0] in ("run", "create"):
            args = [args[0], "--runtime", runtime] + args[1:]
        return self.base + args


@pytest.fixture(scope="session")
def podman_engine(work, images, netns):
    top = work / "podman"
    (top / "net").mkdir(parents=True)
    conf = top / "containers.conf"
    conf.write_text(
        "[containers]\n"
        f"default_ulimits = {ULIMITS!r}\n".replace("'", '"') +
        "[network]\n"
        'cni_plugin_dirs = ["/usr/lib/cni"]\n'
        f'network_config_dir = "{top / "net"}"\n'
        'default_subnet = "192.0.2.128/25"\n'
        "[engine]\n"
        'cgroup_manager = "cgroupfs"\n'
        # podman passes --log-format json only to runtimes it knows speak it.
        'runtime_supports_json = ["nsrun", "runc"]\n'
        'events_logger = "file"\n'
        f'conmon_env_vars = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]\n')
    base = in_netns(netns) + ["podman", "--root", str(top / "root"), "--runroot",
                              str(top / "run"), "--tmpdir", str(top / "tmp")]
    # XDG_CONFIG_HOME: podman makes its user configuration directory there.
    engine = Podman(base, dict(os.environ, CONTAINERS_CONF=str(conf),
                               XDG_CONFIG_HOME=str(top / "config")))
    engine.ok("load", "-i", str(images[BUSYBOX]))
    yield engine
    engine("rm", "-af", "-t", "0")
    engine("system", "reset", "-f")
    unmount_all_under(top)
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="session")
def docker_engine(work, images, netns):
    top = work / "docker"
    top.mkdir()
    sock = top / "docker.sock"
    log = top / "dockerd.log"
    args = in_netns(netns) + [
        ENGINES["dockerd"], "--data-root", str(top / "data"), "--exec-root", str(top / "exec"),
        "--pidfile", str(top / "dockerd.pid"), "-H", f"unix://{sock}",
        # "runc" is docker's own name: the runc first on its PATH.
        "--add-runtime", f"nsrun={RUNTIMES['nsrun']}", "--exec-opt", "native.cgroupdriver=cgroupfs",
        "--bip", "192.0.2.1/25", "--userland-proxy=false"]
    for u in ULIMITS:
        args += ["--default-ulimit", u]
    with open(log, "w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_socket(sock, proc, log)
        # Debian's client: a newer one may come first on PATH.
        engine = Docker(["/usr/bin/docker", "-H", f"unix://{sock}"])
        deadline = time.monotonic() + 30
        while engine("info").returncode != 0:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        engine.ok("load", "-i", str(images[BUSYBOX]))
        yield engine
        left = engine.containers()
        if left:
            engine.remove(*left)
    finally:
        stop_daemon(proc)
        kill_shims(top)
        unmount_all_under(top)
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(params=["podman", "docker"])
def engine(request):
    """podman or docker; a test leaves no container behind."""
    e = request.getfixturevalue(f"{request.param}_engine")
    yield e
    left = e.containers()
    if left:
        e.remove(*left)
    assert not left, f"{e.name} containers left: {left}"


def crictl_path():
    """crictl is built from cri-tools' source outside the project (Debian
    does not package it): $CRICTL, else the first on PATH."""
    return os.environ.get("CRICTL") or shutil.which("crictl")


@pytest.fixture(scope="session")
def containerd(work, images, netns):
    """containerd with its CRI plugin: runtime handlers "nsrun" and "runc"
    (the runc shim with BinaryName, as a Kubernetes RuntimeClass uses),
    pods on a CNI bridge in the session's network namespace."""
    top = work / "containerd"
    (top / "cni").mkdir(parents=True)
    (top / "cni" / "10-nsrun-test.conflist").write_text(
        '{"cniVersion": "0.4.0", "name": "nsrun-test", "plugins": [{"type": "bridge", '
        '"bridge": "nsrunpods0", "isGateway": true, "ipMasq": false, "ipam": {"type": '
        '"host-local", "ranges": [[{"subnet": "198.51.100.0/24"}]], "dataDir": "'
        + str(top / "ipam") + '"}}, {"type": "loopback"}]}\n')
    sock = top / "containerd.sock"
    runtimes = "".join(
        f'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{name}]\n'
        '  runtime_type = "io.containerd.runc.v2"\n'
        f'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{name}.options]\n'
        f'  BinaryName = "{path}"\n'
        f'  Root = "{top / "runtime-root" / name}"\n' for name, path in RUNTIMES.items())
    (top / "config.toml").write_text(
        "version = 2\n"
        f'root = "{top / "root"}"\nstate = "{top / "state"}"\n'
        f'[grpc]\n  address = "{sock}"\n'
        f'[ttrpc]\n  address = "{sock}.ttrpc"\n'
        '[plugins."io.containerd.grpc.v1.cri"]\n'
        f'  sandbox_image = "{PAUSE}"\n'
        '  enable_selinux = false\n'
        # No CAP_SYS_RESOURCE here: no oom_score_adj below containerd's own.
        '  restrict_oom_score_adj = true\n'
        '[plugins."io.containerd.grpc.v1.cri".cni]\n'
        f'  bin_dir = "/usr/lib/cni"\n  conf_dir = "{top / "cni"}"\n'
        '[plugins."io.containerd.grpc.v1.cri".containerd]\n'
        '  default_runtime_name = "nsrun"\n' + runtimes)
    log = top / "containerd.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(in_netns(netns) + ["containerd", "--config",
                                                   str(top / "config.toml")],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_socket(sock, proc, log)
        for namespace in ("nsrun-test", "k8s.io"):
            for archive in images.values():
                run(["ctr", "-a", str(sock), "-n", namespace, "images", "import", str(archive)])
        yield sock
    finally:
        stop_daemon(proc)
        kill_shims(top)
        unmount_all_under(top)
        shutil.rmtree(top, ignore_errors=True)


class Ctr:
    """containerd's ctr, in a namespace of the tests' own."""

    def __init__(self, sock):
        self.base = ["ctr", "-a", str(sock), "-n", "nsrun-test"]
        self.top = pathlib.Path(sock).parent

    def runtime_args(self, runtime):
        """ctr run's options for a runtime: its binary, a private state root
        and FIFO directory (the defaults are under /run/containerd)."""
        return ["--runc-binary", RUNTIMES[runtime], "--runc-root",
                str(self.top / "runtime-root" / runtime), "--fifo-dir", str(self.top / "fifo")]

    def __call__(self, *args, check=False, timeout=60):
        r = subprocess.run(self.base + list(args), capture_output=True, text=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"ctr {' '.join(args)}: exit {r.returncode}: {r.stdout} {r.stderr}")
        return r

    def ok(self, *args, **kw):
        return self(*args, check=True, **kw)


@pytest.fixture
def ctr(containerd):
    c = Ctr(containerd)
    yield c
    left = c.ok("containers", "ls", "-q").stdout.split()
    for cid in left:
        c("task", "kill", "-s", "KILL", cid)
        c("task", "rm", "-f", cid)
        c("containers", "rm", cid)
    assert not left, f"containerd containers left: {left}"


@pytest.fixture
def crictl(containerd, tmp_path):
    path = crictl_path()
    if not path:
        pytest.skip("crictl not found: build it from cri-tools' source with Debian's Go and "
                    "set CRICTL (see docs/engines.md)")
    base = [path, "--runtime-endpoint", f"unix://{containerd}", "--image-endpoint",
            f"unix://{containerd}", "--timeout", "60s"]

    def call(*args, check=True, timeout=90):
        r = subprocess.run(base + list(args), capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"crictl {' '.join(args)}: exit {r.returncode}: {r.stderr}")
        return r
    yield call
    pods = call("pods", "-q").stdout.split()
    for pod in pods:
        call("stopp", pod, check=False)
        call("rmp", "-f", pod, check=False)
    assert not pods, f"pods left: {pods}"
