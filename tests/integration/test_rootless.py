"""Rootless: nsrun run by an ordinary user (made by the fixture, removed
after the session). Root inside is the user outside; the id maps beyond
one's own id go through newuidmap/newgidmap; no cgroup is needed unless
limits are asked for; exec, ps, kill and delete work on such containers."""

import json
import os
import shutil
import stat
import subprocess

import pytest

from conftest import ID_PREFIX, NSRUN


def proc_ids(out, key):
    return next(l.split()[1:] for l in out.splitlines() if l.startswith(key + ":"))


def test_root_inside_is_the_user_outside(rootless, rootless_bundle, cid):
    user = rootless.user
    rootless_bundle.args("sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map "
                         "/proc/self/setgroups")
    r = rootless.ok("run", "-b", str(rootless_bundle.path), cid)
    lines = r.out.splitlines()
    assert lines[0].startswith("uid=0(root) gid=0(root)")
    assert lines[1].split() == ["0", str(user.pw_uid), "1"]
    assert lines[2].split() == ["0", str(user.pw_gid), "1"]
    assert lines[3] == "deny", "an unprivileged gid_map needs setgroups denied"


def test_files_on_a_bind_mount_belong_to_the_user(rootless, rootless_bundle, cid, tmp_path):
    user = rootless.user
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chown(shared, user.pw_uid, user.pw_gid)
    (rootless_bundle.rootfs / "shared").mkdir()  # the image's: the user cannot write there
    rootless_bundle.config["mounts"].append(
        {"destination": "/shared", "type": "bind", "source": str(shared), "options": ["rbind"]})
    rootless_bundle.args("sh", "-c", "touch /shared/made && stat -c '%u:%g' /shared/made")
    r = rootless.ok("run", "-b", str(rootless_bundle.path), cid)
    assert r.out.strip() == "0:0", "root's inside"
    st = (shared / "made").stat()
    assert (st.st_uid, st.st_gid) == (user.pw_uid, user.pw_gid), "the user's outside"


def test_the_host_sees_an_unprivileged_process(rootless, rootless_bundle, cid):
    rootless_bundle.args("sleep", "600")
    rootless.ok("run", "-d", "-b", str(rootless_bundle.path), cid)
    try:
        pid = rootless.state(cid)["pid"]
        status = open(f"/proc/{pid}/status").read()
        assert proc_ids(status, "Uid") == [str(rootless.user.pw_uid)] * 4
        assert os.readlink(f"/proc/{pid}/ns/user") != os.readlink("/proc/self/ns/user")
    finally:
        rootless.ok("delete", "--force", cid)


def test_exec_ps_kill_and_delete(rootless, rootless_bundle, cid):
    rootless_bundle.args("sleep", "600")
    rootless.ok("run", "-d", "-b", str(rootless_bundle.path), cid)
    try:
        r = rootless.ok("exec", cid, "sh", "-c", "id -u; echo $$; hostname")
        out = r.out.split()
        assert out[0] == "0" and out[2] == rootless_bundle.config["hostname"]
        rootless.ok("exec", "-d", cid, "sleep", "300")
        r = rootless.ok("ps", "--format", "json", cid)
        pids = json.loads(r.out)
        assert len(pids) == 2, "the init and the exec'd process, found without a cgroup"
        for what in ("pause", "update", "events"):
            args = [what, cid] if what != "events" else [what, "--stats", cid]
            if what == "update":
                args = [what, "--pids-limit", "10", cid]
            r = rootless(*args)
            assert r.returncode == 1 and "has no cgroup of its own" in r.err, (what, r)
        rootless.ok("kill", "--all", cid, "KILL")
        for pid in pids:
            assert wait_gone(pid), pid
        rootless.ok("delete", cid)
    finally:
        rootless("delete", "--force", cid)
    assert rootless.ids() == []


def wait_gone(pid, seconds=10):
    import time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def test_limits_need_a_delegated_cgroup(rootless, rootless_bundle, cid):
    rootless_bundle.config["linux"]["resources"] = {"pids": {"limit": 10}}
    rootless_bundle.args("true")
    r = rootless("run", "-b", str(rootless_bundle.path), cid)
    assert r.returncode == 1
    assert "linux.resources: rootless, and no cgroup delegated to this user" in r.err
    assert rootless.ids() == []


def subid_range(path, name):
    for line in open(path):
        user, start, count = line.strip().split(":")
        if user == name:
            return int(start), int(count)
    pytest.skip(f"{name} has no range in {path}")


def test_ranges_through_newuidmap(rootless, rootless_bundle, cid):
    if not shutil.which("newuidmap"):
        pytest.skip("newuidmap (Debian's uidmap) is not installed")
    user = rootless.user
    uid_start, uid_count = subid_range("/etc/subuid", user.pw_name)
    gid_start, gid_count = subid_range("/etc/subgid", user.pw_name)
    linux = rootless_bundle.config["linux"]
    linux["uidMappings"] = [{"containerID": 0, "hostID": user.pw_uid, "size": 1},
                            {"containerID": 1, "hostID": uid_start, "size": uid_count}]
    linux["gidMappings"] = [{"containerID": 0, "hostID": user.pw_gid, "size": 1},
                            {"containerID": 1, "hostID": gid_start, "size": gid_count}]
    rootless_bundle.config["mounts"].append({"destination": "/tmp", "type": "tmpfs",
                                             "source": "tmpfs", "options": ["mode=1777"]})
    caps = rootless_bundle.config["process"]["capabilities"]
    for key in ("bounding", "effective", "permitted"):
        caps[key].append("CAP_CHOWN")
    rootless_bundle.args("sh", "-c", "cat /proc/self/uid_map; "
                         "touch /tmp/f; chown 1000:1000 /tmp/f && stat -c '%u:%g' /tmp/f")
    r = rootless.ok("run", "-b", str(rootless_bundle.path), cid)
    lines = r.out.splitlines()
    assert lines[0].split() == ["0", str(user.pw_uid), "1"]
    assert lines[1].split() == ["1", str(uid_start), str(uid_count)]
    assert lines[-1] == "1000:1000", "a subordinate id works inside"


def test_a_range_not_granted_is_refused(rootless, rootless_bundle, cid):
    if not shutil.which("newuidmap"):
        pytest.skip("newuidmap (Debian's uidmap) is not installed")
    linux = rootless_bundle.config["linux"]
    linux["uidMappings"].append({"containerID": 1, "hostID": 5000000, "size": 10})
    rootless_bundle.args("true")
    r = rootless("run", "-b", str(rootless_bundle.path), cid)
    assert r.returncode == 1
    assert ("linux.uidMappings: newuidmap refused the mapping "
            f"0 {rootless.user.pw_uid} 1, 1 5000000 10: ") in r.err, r
    assert rootless.ids() == []


def test_without_the_helpers_the_error_says_so(rootless, rootless_bundle, cid):
    rootless.env["PATH"] = "/nonexistent"
    linux = rootless_bundle.config["linux"]
    linux["uidMappings"].append({"containerID": 1, "hostID": 5000000, "size": 10})
    rootless_bundle.args("true")
    r = rootless("run", "-b", str(rootless_bundle.path), cid)
    assert r.returncode == 1 and "newuidmap refused the mapping" in r.err
    assert "not installed" in r.err
    assert rootless.ids() == []


def test_default_state_root(rootless, rootless_bundle, cid, tmp_path):
    """$XDG_RUNTIME_DIR/nsrun, else /tmp/nsrun-UID: private to the user."""
    user = rootless.user
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    os.chown(xdg, user.pw_uid, user.pw_gid)
    rootless.env["XDG_RUNTIME_DIR"] = str(xdg)
    rootless_bundle.args("sleep", "60")
    rootless.ok("run", "-d", "-b", str(rootless_bundle.path), cid, with_root=False)
    try:
        assert (xdg / "nsrun" / cid / "state.json").exists()
        st = (xdg / "nsrun").stat()
        assert st.st_uid == user.pw_uid and stat.S_IMODE(st.st_mode) == 0o700
    finally:
        rootless.ok("delete", "--force", cid, with_root=False)
    del rootless.env["XDG_RUNTIME_DIR"]
    fallback = f"/tmp/nsrun-{user.pw_uid}"
    rootless_bundle.args("true")
    try:
        rootless.ok("run", "-b", str(rootless_bundle.path), cid, with_root=False)
        st = os.stat(fallback)
        assert st.st_uid == user.pw_uid and stat.S_IMODE(st.st_mode) == 0o700
    finally:
        shutil.rmtree(fallback, ignore_errors=True)


def test_run_rootfs_as_a_person(rootless, rootless_bundle, cid):
    r = rootless.ok("run", "--rootfs", str(rootless_bundle.rootfs), "--name", cid, "--",
                    "sh", "-c", "id -u; cat /proc/self/uid_map")
    out = r.out.split()
    assert out[0] == "0" and out[1:] == ["0", str(rootless.user.pw_uid), "1"]


def test_idmap_needs_privilege_over_the_source(rootless, rootless_bundle, cid, tmp_path):
    """An id-mapped mount of a host directory needs privilege over the
    host's mount, which an ordinary user has not: a clear error."""
    src = tmp_path / "src"
    src.mkdir()
    os.chown(src, rootless.user.pw_uid, rootless.user.pw_gid)
    (rootless_bundle.rootfs / "m").mkdir()
    rootless_bundle.config["mounts"].append(
        {"destination": "/m", "type": "bind", "source": str(src), "options": ["bind", "idmap"]})
    rootless_bundle.args("true")
    r = rootless("run", "-b", str(rootless_bundle.path), cid)
    assert r.returncode == 1
    n = len(rootless_bundle.config["mounts"]) - 1
    assert f"mounts[{n}].idmap: id-mapping {src} needs privilege over its mount" in r.err, r
    assert rootless.ids() == []


def test_locked_mount_flags_are_kept(rootless, rootless_bundle, cid, tmp_path):
    """A bind of a host mount made nosuid,nodev,noexec: in a user namespace
    the kernel locks those flags, so the read-only remount keeps them
    instead of failing."""
    locked = tmp_path / "locked"
    locked.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "nosuid,nodev,noexec,mode=755", "locked-test",
                    str(locked)], check=True)
    try:
        (rootless_bundle.rootfs / "m").mkdir()
        rootless_bundle.config["mounts"].append(
            {"destination": "/m", "type": "bind", "source": str(locked), "options": ["bind", "ro"]})
        rootless_bundle.args("awk", "$5 == \"/m\" {print $6}", "/proc/self/mountinfo")
        r = rootless.ok("run", "-b", str(rootless_bundle.path), cid)
        assert set(r.out.strip().split(",")) >= {"ro", "nosuid", "nodev", "noexec"}
    finally:
        subprocess.run(["umount", str(locked)], check=True)


def v2_hierarchy():
    for mount in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        if os.path.exists(os.path.join(mount, "cgroup.procs")) and \
                os.path.exists(os.path.join(mount, "cgroup.controllers")):
            return mount
    return None


def test_a_delegated_cgroup_is_used(rootless, rootless_bundle, cid, tmp_path):
    """As on a pure cgroup v2 host where systemd delegates a subtree to the
    user: in a private mount namespace with only a fresh cgroup2 mount, the
    user's shell in a leaf of a cgroup the user owns (as a session's scope
    in a delegated unit); nsrun makes the container's cgroup beside the
    shell's, as runc does on v2, and removes it after."""
    v2 = v2_hierarchy()
    if not v2 or not shutil.which("setpriv"):
        pytest.skip("needs a cgroup2 hierarchy and setpriv (util-linux)")
    user = rootless.user
    delegated = os.path.join(v2, ID_PREFIX + "delegated")
    os.mkdir(delegated)
    try:
        os.mkdir(os.path.join(delegated, "shell"))
        for d in (delegated, os.path.join(delegated, "shell")):
            for f in ("", "cgroup.procs", "cgroup.threads", "cgroup.subtree_control"):
                os.chown(os.path.join(d, f), user.pw_uid, user.pw_gid)
        rootless_bundle.config["linux"]["namespaces"] = [
            n for n in rootless_bundle.config["linux"]["namespaces"] if n["type"] != "cgroup"]
        rootless_bundle.args("cat", "/proc/self/cgroup")
        name = os.path.basename(delegated)
        script = (
            "umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && "
            f"echo $$ > /sys/fs/cgroup/{name}/shell/cgroup.procs && "
            f"exec setpriv --reuid={user.pw_uid} --regid={user.pw_gid} --clear-groups "
            f"env -i PATH=/usr/bin:/bin {NSRUN} --root {rootless.root} run "
            f"-b {rootless_bundle.path} {cid}")
        r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r
        v2_line = next(l for l in r.stdout.splitlines() if l.startswith("0::"))
        assert v2_line == f"0::/{name}/{cid}", "the container's cgroup is below it"
        assert not os.path.exists(os.path.join(delegated, cid)), "and gone after"
    finally:
        os.rmdir(os.path.join(delegated, "shell"))
        os.rmdir(delegated)


def test_sysfs_falls_back_to_the_hosts(rootless, rootless_bundle, cid):
    """A sysfs mount in a user namespace that does not own the network
    namespace is refused by the kernel: the host's /sys is bound instead,
    read-only as asked."""
    for m in rootless_bundle.config["mounts"]:
        if m["destination"] == "/sys":
            m.update(type="sysfs", source="sysfs", options=["nosuid", "noexec", "nodev", "ro"])
    rootless_bundle.args("sh", "-c", "awk '$5 == \"/sys\" {print $4, $6}' /proc/self/mountinfo; "
                         "ls /sys/kernel >/dev/null && echo listed")
    r = rootless.ok("run", "-b", str(rootless_bundle.path), cid)
    root, options = r.out.splitlines()[0].split()
    assert root == "/", "the host's sysfs, from its root"
    assert {"ro", "nosuid", "nodev", "noexec"} <= set(options.split(","))
    assert r.out.splitlines()[1] == "listed"


def test_time_offsets(rootless, rootless_bundle, cid):
    """The init writes its own timens_offsets, which needs it to own its
    /proc files: dumpable for that moment (it is not, the rest of the time)."""
    rootless_bundle.config["linux"]["namespaces"].append({"type": "time"})
    rootless_bundle.config["linux"]["timeOffsets"] = {"boottime": {"secs": 86400}}
    rootless_bundle.args("cat", "/proc/self/timens_offsets")
    r = rootless.ok("run", "-b", str(rootless_bundle.path), cid)
    assert ["boottime", "86400", "0"] in [line.split() for line in r.out.splitlines()], r


def test_oom_score_adj_for_init_and_exec(rootless, rootless_bundle, cid, tmp_path):
    """Raised without privilege, for the init and an exec'd process; nsrun
    itself goes back to its own value."""
    rootless_bundle.config["process"]["oomScoreAdj"] = 345
    rootless_bundle.args("sleep", "600")
    rootless.ok("run", "-d", "-b", str(rootless_bundle.path), cid)
    try:
        pid = rootless.state(cid)["pid"]
        assert open(f"/proc/{pid}/oom_score_adj").read().strip() == "345"
        process = tmp_path / "process.json"
        process.write_text('{"args": ["cat", "/proc/self/oom_score_adj"], "cwd": "/", '
                           '"oomScoreAdj": 456}')
        os.chmod(process, 0o644)
        assert rootless.ok("exec", "--process", str(process), cid).out == "456\n"
        assert rootless.ok("exec", cid, "cat", "/proc/self/oom_score_adj").out == "345\n"
    finally:
        rootless.ok("delete", "--force", cid)
