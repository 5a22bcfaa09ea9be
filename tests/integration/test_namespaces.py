"""Namespaces: each one new (differs from the host's) or joined (equals the
joined one), user namespaces with id maps, and clear errors for bad paths."""

import os
import shutil
import subprocess
import time

import pytest

from conftest import Bundle, make_traversable

TYPES = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"]
SPEC_NAMES = {"mnt": "mount", "net": "network"}
SHOW_NS = "for t in " + " ".join(TYPES) + "; do echo $t $(readlink /proc/self/ns/$t); done"


def host_ns(t):
    return os.readlink(f"/proc/self/ns/{t}")


def inside_ns(out):
    return dict(line.split() for line in out.splitlines() if line.split()[0] in TYPES)


def test_default_namespaces_differ_from_the_host(nsrun, bundle, cid):
    bundle.shell(SHOW_NS + "; echo pid $$")
    r = nsrun.ok("run", "-b", str(bundle.path), cid)
    ns = inside_ns(r.out)
    for t in ["cgroup", "ipc", "mnt", "net", "pid", "uts"]:
        assert ns[t] != host_ns(t), t
    for t in ["time", "user"]:
        assert ns[t] == host_ns(t), f"{t} is not in the default spec: shared"
    assert "pid 1" in r.out


def test_every_namespace_type_can_be_new(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"].append({"type": "time"})
    bundle.user_namespace()
    bundle.shell(SHOW_NS)
    ns = inside_ns(nsrun.ok("run", "-b", str(bundle.path), cid).out)
    for t in TYPES:
        assert ns[t] != host_ns(t), t


def test_user_namespace_maps_root_to_an_unprivileged_uid(nsrun, bundle, cid):
    bundle.user_namespace(size=1000)
    bundle.args("sleep", "60")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        pid = nsrun.state(cid)["pid"]
        status = open(f"/proc/{pid}/status").read()
        uid_line = next(l for l in status.splitlines() if l.startswith("Uid:"))
        assert uid_line.split()[1:] == ["300000"] * 4  # root inside, 300000 outside
        assert open(f"/proc/{pid}/uid_map").read().split() == ["0", "300000", "1000"]
        assert open(f"/proc/{pid}/gid_map").read().split() == ["0", "300000", "1000"]
    finally:
        nsrun.ok("delete", "-f", cid)


def test_devices_in_a_user_namespace_are_bound_from_the_host(nsrun, bundle, cid):
    """mknod is not allowed there: the host's nodes are bound instead."""
    bundle.user_namespace()
    bundle.shell("stat -c '%n %t:%T' /dev/null /dev/zero; "
                 "awk '$5 == \"/dev/null\" {print $4}' /proc/self/mountinfo; "
                 "head -c 3 /dev/zero | od -An -tx1")
    out = nsrun.ok("run", "-b", str(bundle.path), cid).out.splitlines()
    assert out[:2] == ["/dev/null 1:3", "/dev/zero 1:5"]
    assert out[2] == "/null", "a bind mount of the host's /dev/null"
    assert out[3].split() == ["00", "00", "00"]


def test_refused_mapping_is_a_clear_error(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"].append({"type": "user"})
    # Two ranges that overlap: the kernel refuses the map.
    bundle.config["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 10},
                                             {"containerID": 5, "hostID": 400000, "size": 10}]
    bundle.config["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 10}]
    bundle.write()
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert "linux.uidMappings: the kernel refused the mapping: Invalid argument" in r.err
    assert nsrun.ids() == []


def run_detached(nsrun, bundle, cid):
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    return nsrun.state(cid)["pid"]


@pytest.fixture
def second(tmp_path, rootfs_template, nsrun):
    path = tmp_path / "second"
    path.mkdir()
    return Bundle(path, rootfs_template, nsrun)


def test_join_namespaces_of_another_container(nsrun, bundle, second, cid):
    bundle.args("sleep", "60")
    pid = run_detached(nsrun, bundle, cid)
    try:
        joined = {"network": "net", "ipc": "ipc", "uts": "uts", "pid": "pid"}
        second.config["linux"]["namespaces"] = [
            {"type": t, "path": f"/proc/{pid}/ns/{p}"} for t, p in joined.items()
        ] + [{"type": "mount"}]
        second.config["hostname"] = "joined"
        second.shell(SHOW_NS + "; echo self $$; hostname")
        r = nsrun.ok("run", "-b", str(second.path), cid + "-b")
        ns = inside_ns(r.out)
        for p in joined.values():
            assert ns[p] == os.readlink(f"/proc/{pid}/ns/{p}"), p
        assert ns["mnt"] != os.readlink(f"/proc/{pid}/ns/mnt")
        # In the first container's pid namespace, whose init is its PID 1.
        assert "self 1" not in r.out
        # The hostname was set in the joined uts namespace.
        assert r.out.split()[-1] == "joined"
    finally:
        nsrun.ok("delete", "-f", cid)


def test_join_a_user_namespace_by_path(nsrun, bundle, second, cid):
    bundle.user_namespace()
    make_traversable(second.rootfs)
    bundle.args("sleep", "60")
    pid = run_detached(nsrun, bundle, cid)
    try:
        second.config["linux"]["namespaces"] = [
            {"type": "user", "path": f"/proc/{pid}/ns/user"}, {"type": "mount"},
            {"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}]
        second.shell(SHOW_NS + "; cat /proc/self/uid_map; id -u")
        r = nsrun.ok("run", "-b", str(second.path), cid + "-b")
        ns = inside_ns(r.out)
        assert ns["user"] == os.readlink(f"/proc/{pid}/ns/user")
        assert ns["net"] != os.readlink(f"/proc/{pid}/ns/net")
        assert "0 300000 65536" in " ".join(r.out.split())
        assert r.out.split()[-1] == "0"
    finally:
        nsrun.ok("delete", "-f", cid)


@pytest.mark.parametrize("path,want", [
    ("/etc/hostname", "linux.namespaces: /etc/hostname is not a namespace"),
    ("/proc/self/ns/uts", "is a uts namespace, not a network namespace"),
    ("/nonexistent/ns", "linux.namespaces: network namespace /nonexistent/ns: No such file"),
])
def test_bad_namespace_paths(nsrun, bundle, cid, path, want):
    bundle.config["linux"]["namespaces"] = [
        {"type": "network", "path": path} if n["type"] == "network" else n
        for n in bundle.namespaces()]
    bundle.write()
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and want in r.err, r
    assert nsrun.ids() == []


def test_cgroup_namespace_sees_its_cgroup_as_root(nsrun, bundle, cid):
    bundle.args("cat", "/proc/self/cgroup")
    r = nsrun.ok("run", "-b", str(bundle.path), cid)
    assert r.out and all(line.endswith(":/") for line in r.out.splitlines())


def test_without_cgroup_namespace_the_path_shows(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces()
                                            if n["type"] != "cgroup"]
    bundle.args("cat", "/proc/self/cgroup")
    r = nsrun.ok("run", "-b", str(bundle.path), cid)
    assert all(line.endswith("/" + cid) for line in r.out.splitlines()), r.out


def test_time_namespace(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"].append({"type": "time"})
    bundle.args("readlink", "/proc/self/ns/time")
    r = nsrun.ok("run", "-b", str(bundle.path), cid)
    assert r.out.strip() != host_ns("time")


def test_time_offsets(nsrun, bundle, cid):
    """The offsets are the kernel's (timens_offsets), and the clocks move:
    boot time shows in /proc/uptime. The init is pid 1 of its namespace."""
    days = 3 * 86400
    bundle.config["linux"]["namespaces"].append({"type": "time"})
    bundle.config["linux"]["timeOffsets"] = {"monotonic": {"secs": 1000, "nanosecs": 5},
                                             "boottime": {"secs": days}}
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        r = nsrun.ok("exec", cid, "cat", "/proc/self/timens_offsets", "/proc/uptime")
        with open("/proc/uptime") as f:
            host_uptime = float(f.read().split()[0])
        lines = r.out.splitlines()
        assert lines[0].split() == ["monotonic", "1000", "5"]
        assert lines[1].split() == ["boottime", str(days), "0"]
        inside_uptime = float(lines[2].split()[0])
        assert abs(inside_uptime - days - host_uptime) < 5, (inside_uptime, host_uptime)
        init = nsrun.state(cid)["pid"]
        nspid = next(l for l in open(f"/proc/{init}/status") if l.startswith("NSpid:"))
        assert nspid.split() == ["NSpid:", str(init), "1"]
    finally:
        nsrun.ok("delete", "-f", cid)


def host_clocks():
    return (time.clock_gettime(time.CLOCK_MONOTONIC), time.clock_gettime(time.CLOCK_BOOTTIME))


def test_clocks_move_by_the_offsets(nsrun, bundle, cid, helper):
    """CLOCK_MONOTONIC and CLOCK_BOOTTIME read inside differ from the
    host's by the offsets (a user namespace too, as rootless has it)."""
    shutil.copy(helper("monotonic"), bundle.rootfs / "bin" / "monotonic")
    bundle.config["linux"]["namespaces"].append({"type": "time"})
    bundle.config["linux"]["timeOffsets"] = {"monotonic": {"secs": 7200},
                                             "boottime": {"secs": 86400, "nanosecs": 500000000}}
    bundle.user_namespace()
    bundle.args("/bin/monotonic")
    before = host_clocks()
    out = nsrun.ok("run", "-b", str(bundle.path), cid).out
    after = host_clocks()
    mono, boot = (float(v) for v in out.split())
    assert before[0] + 7200 <= mono <= after[0] + 7200
    assert before[1] + 86400.5 <= boot <= after[1] + 86400.5


def test_time_offsets_with_a_user_namespace(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"].append({"type": "time"})
    bundle.config["linux"]["timeOffsets"] = {"boottime": {"secs": 86400}}
    bundle.user_namespace()
    bundle.shell("echo $$; cat /proc/self/timens_offsets")
    r = nsrun.ok("run", "-b", str(bundle.path), cid)
    assert r.out.split() == ["1", "monotonic", "0", "0", "boottime", "86400", "0"]


def test_time_offsets_need_a_new_time_namespace(nsrun, bundle, cid):
    bundle.config["linux"]["timeOffsets"] = {"boottime": {"secs": 1}}
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert "linux.timeOffsets: offsets given without a new time namespace" in r.err
    assert nsrun.ids() == []


def test_without_a_mount_namespace(nsrun, bundle, cid):
    """The container shares the host's mount namespace: nothing is mounted
    (the host's mounts must not change: the autouse fixture checks), the
    process is confined to the rootfs by chroot, exec enters the same root,
    and what is not applied is said."""
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces()
                                            if n["type"] != "mount"]
    (bundle.rootfs / "marker").write_text("")
    bundle.args("sleep", "600")
    with open("/proc/self/mountinfo") as f:
        host_mounts = f.read()
    r = nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        assert "no mount namespace: the container shares the host's mounts, so mounts, " \
               "linux.maskedPaths, linux.readonlyPaths, root.readonly are not applied" in r.err
        pid = nsrun.state(cid)["pid"]
        assert os.readlink(f"/proc/{pid}/ns/mnt") == host_ns("mnt")
        assert os.readlink(f"/proc/{pid}/root") == str(bundle.rootfs)
        r = nsrun.ok("exec", cid, "ls", "/")
        assert "marker" in r.out.split()
        with open("/proc/self/mountinfo") as f:
            assert f.read() == host_mounts
    finally:
        nsrun.ok("delete", "-f", cid)


@pytest.fixture
def idmap_source(tmp_path):
    """Files owned on disk by 0 and by 1000."""
    src = tmp_path / "idsrc"
    src.mkdir()
    (src / "rootfile").write_text("")
    (src / "userfile").write_text("")
    os.chown(src / "userfile", 1000, 1000)
    make_traversable(src)
    return src


def owners(out, directory):
    """name -> "uid:gid" from `stat -c '%n %u:%g'` lines."""
    return {line.split()[0].rsplit("/", 1)[1]: line.split()[1]
            for line in out.splitlines() if line.startswith(directory + "/")}


def test_idmapped_bind_mounts(nsrun, bundle, cid, idmap_source):
    """Through the container's user namespace (idmap), through the mount's
    own maps, and a plain bind for comparison; writes land on disk as the
    mapped owner."""
    bundle.user_namespace(host_id=300000)
    for d in ("idm", "own", "plain"):
        (bundle.rootfs / d).mkdir()
    src = str(idmap_source)
    bundle.config["mounts"] += [
        {"destination": "/idm", "type": "bind", "source": src, "options": ["bind", "idmap"]},
        {"destination": "/own", "type": "bind", "source": src, "options": ["bind"],
         "uidMappings": [{"containerID": 1000, "hostID": 300000, "size": 1}],
         "gidMappings": [{"containerID": 1000, "hostID": 300000, "size": 1}]},
        {"destination": "/plain", "type": "bind", "source": src, "options": ["bind"]},
    ]
    bundle.shell("stat -c '%n %u:%g' /idm/* /own/* /plain/*; touch /idm/made; "
                 "grep -E ' /(idm|own|plain) ' /proc/self/mountinfo")
    out = nsrun.ok("run", "-b", str(bundle.path), cid).out
    assert owners(out, "/idm") == {"rootfile": "0:0", "userfile": "1000:1000"}
    assert owners(out, "/own") == {"rootfile": "65534:65534", "userfile": "0:0"}
    assert owners(out, "/plain") == {"rootfile": "65534:65534", "userfile": "65534:65534"}
    options = {line.split()[4]: line.split()[5].split(",")
               for line in out.splitlines() if " - " in line}
    assert "idmapped" in options["/idm"] and "idmapped" in options["/own"]
    assert "idmapped" not in options["/plain"]
    made = (idmap_source / "made").stat()
    assert (made.st_uid, made.st_gid) == (0, 0), "root inside wrote as on-disk root"


def test_ridmap_maps_submounts_too(nsrun, bundle, cid, idmap_source):
    sub = idmap_source / "sub"
    sub.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "idmap-test", str(sub)], check=True)
    try:
        (sub / "deep").write_text("")
        bundle.user_namespace(host_id=300000)
        for d in ("idm", "ridm"):
            (bundle.rootfs / d).mkdir()
        src = str(idmap_source)
        bundle.config["mounts"] += [
            {"destination": "/idm", "type": "bind", "source": src, "options": ["rbind", "idmap"]},
            {"destination": "/ridm", "type": "bind", "source": src,
             "options": ["rbind", "ridmap"]},
        ]
        bundle.shell("stat -c '%n %u:%g' /idm/sub/deep /ridm/sub/deep")
        out = nsrun.ok("run", "-b", str(bundle.path), cid).out
        assert out.split() == ["/idm/sub/deep", "65534:65534", "/ridm/sub/deep", "0:0"]
    finally:
        subprocess.run(["umount", str(sub)], check=True)


@pytest.mark.parametrize("mount,want", [
    ({"type": "tmpfs", "source": "tmpfs", "options": ["idmap"]},
     "id-mapped mounts are for bind mounts"),
    ({"type": "bind", "source": "/tmp", "options": ["bind"],
      "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]},
     "uidMappings and gidMappings go together"),
    ({"type": "bind", "source": "/tmp", "options": ["bind", "idmap"]},
     "idmap without uidMappings needs the container's user namespace"),
])
def test_idmap_errors(nsrun, bundle, cid, mount, want):
    bundle.config["mounts"].append(dict(mount, destination="/m"))
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and f"mounts[{len(bundle.config['mounts']) - 1}]" in r.err
    assert want in r.err, r
    assert nsrun.ids() == []


def test_loopback_is_up_in_a_new_network_namespace(nsrun, bundle, cid):
    bundle.args("ip", "-o", "-4", "addr", "show", "lo")
    r = nsrun.ok("run", "-b", str(bundle.path), cid)
    assert "inet 127.0.0.1/8" in r.out, r


def test_oom_score_adj_in_a_user_namespace(nsrun, bundle, cid, tmp_path):
    """A process that is not dumpable does not own its /proc files in a
    user namespace: the value reaches the init and exec'd processes by
    inheritance from nsrun, which goes back to its own."""
    bundle.config["process"]["oomScoreAdj"] = 234
    bundle.user_namespace()
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        pid = nsrun.state(cid)["pid"]
        assert open(f"/proc/{pid}/oom_score_adj").read().strip() == "234"
        process = tmp_path / "process.json"
        process.write_text('{"args": ["cat", "/proc/self/oom_score_adj"], "cwd": "/", '
                           '"oomScoreAdj": 567}')
        assert nsrun.ok("exec", "--process", str(process), cid).out == "567\n"
    finally:
        nsrun.ok("delete", "-f", cid)
