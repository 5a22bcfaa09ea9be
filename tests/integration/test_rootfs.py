"""The root file system: read-only root, the spec's mounts, devices, masked
and read-only paths, propagation, --no-pivot (hostile rootfs: test_hostile)."""

import os

import pytest


def run_out(nsrun, bundle, cid, script, *extra):
    bundle.shell(script)
    return nsrun.ok(*extra, "run", "-b", str(bundle.path), cid).out


def mountinfo_line(out, mountpoint):
    for line in out.splitlines():
        f = line.split()
        if len(f) > 4 and f[4] == mountpoint:
            return line
    return None


def test_readonly_root(nsrun, bundle, cid):
    out = run_out(nsrun, bundle, cid, "touch /x 2>&1; touch /tmp/y 2>&1; echo done")
    assert "Read-only file system" in out
    bundle.config["root"]["readonly"] = False
    out = run_out(nsrun, bundle, cid, "touch /x && echo wrote")
    assert "wrote" in out
    assert (bundle.rootfs / "x").exists()


def test_tmpfs_and_bind_mounts(nsrun, bundle, cid, tmp_path):
    host_dir = tmp_path / "shared"
    host_dir.mkdir()
    (host_dir / "hello").write_text("from the host\n")
    host_file = tmp_path / "file.txt"
    host_file.write_text("a file\n")
    (bundle.path / "relative").mkdir()
    (bundle.path / "relative" / "r").write_text("relative to the bundle\n")
    bundle.config["mounts"] += [
        {"destination": "/data", "type": "tmpfs", "source": "tmpfs",
         "options": ["size=1m", "mode=700", "nosuid"]},
        {"destination": "/shared", "type": "bind", "source": str(host_dir),
         "options": ["rbind", "ro"]},
        {"destination": "/etc/file.txt", "type": "bind", "source": str(host_file),
         "options": ["bind"]},
        {"destination": "/deep/new/dir", "source": "relative", "options": ["bind"]},
    ]
    out = run_out(nsrun, bundle, cid,
                  "cat /shared/hello /etc/file.txt /deep/new/dir/r; "
                  "touch /shared/x 2>&1; stat -c %a /data; echo; cat /proc/self/mountinfo")
    assert "from the host" in out and "a file" in out and "relative to the bundle" in out
    assert "Read-only file system" in out
    assert "\n700\n" in out
    data = mountinfo_line(out, "/data")
    assert data and "tmpfs" in data and "nosuid" in data and "size=1024k" in data
    shared = mountinfo_line(out, "/shared")
    assert shared and " ro," in shared
    assert (bundle.rootfs / "etc" / "file.txt").is_file(), "a file destination is made as a file"
    assert (bundle.rootfs / "deep" / "new" / "dir").is_dir()
    assert not (host_dir / "x").exists()


def mount_options_of(line):
    return set(line.split()[5].split(","))


@pytest.mark.parametrize("options,want,absent", [
    (["noexec", "nodev", "nosuid", "noatime", "nodiratime"],
     {"noexec", "nodev", "nosuid", "noatime", "nodiratime"}, {"relatime"}),
    (["strictatime", "nosymfollow", "ro"], {"nosymfollow", "ro"}, {"relatime", "noatime"}),
    (["noatime", "atime", "relatime"], {"relatime"}, {"noatime"}),
])
def test_mount_flags_show_in_mountinfo(nsrun, bundle, cid, options, want, absent):
    bundle.config["mounts"].append({"destination": "/m", "type": "tmpfs", "source": "tmpfs",
                                    "options": options})
    out = run_out(nsrun, bundle, cid, "cat /proc/self/mountinfo")
    opts = mount_options_of(mountinfo_line(out, "/m"))
    assert want <= opts and not (absent & opts), opts


@pytest.mark.parametrize("option,field", [("rshared", "shared:"), ("runbindable", "unbindable"),
                                          ("rprivate", None)])
def test_mount_propagation_option(nsrun, bundle, cid, option, field):
    bundle.config["mounts"].append({"destination": "/m", "type": "tmpfs", "source": "tmpfs",
                                    "options": [option]})
    out = run_out(nsrun, bundle, cid, "cat /proc/self/mountinfo")
    optional = mountinfo_line(out, "/m").split(" - ")[0].split()[6:]
    if field:
        assert any(f.startswith(field) for f in optional), optional
    else:
        assert optional == [], optional


def test_dev_shm_and_mqueue(nsrun, bundle, cid):
    out = run_out(nsrun, bundle, cid, "cat /proc/self/mountinfo; echo x > /dev/shm/f && "
                  "cat /dev/shm/f")
    shm, mqueue = mountinfo_line(out, "/dev/shm"), mountinfo_line(out, "/dev/mqueue")
    assert shm and " tmpfs " in shm and "size=65536k" in shm
    assert mqueue and " mqueue " in mqueue
    assert out.splitlines()[-1] == "x"


def test_recursive_mount_attributes(nsrun, bundle, cid, tmp_path):
    """rro and friends reach the mounts below the one they are given on,
    including ones made after it."""
    host_dir = tmp_path / "tree"
    (host_dir / "sub").mkdir(parents=True)
    bundle.config["mounts"] += [
        {"destination": "/data", "type": "tmpfs", "source": "tmpfs",
         "options": ["rro", "rnosuid", "rnodev", "rnoexec", "rnoatime", "rnosymfollow"]},
        {"destination": "/data/below", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/tree", "type": "bind", "source": str(host_dir),
         "options": ["rbind", "ro", "rrw", "rstrictatime"]},
        {"destination": "/tree/sub", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]},
    ]
    out = run_out(nsrun, bundle, cid, "cat /proc/self/mountinfo")
    for point in ("/data", "/data/below"):
        opts = mount_options_of(mountinfo_line(out, point))
        assert {"ro", "nosuid", "nodev", "noexec", "noatime", "nosymfollow"} <= opts, point
    for point in ("/tree", "/tree/sub"):
        opts = mount_options_of(mountinfo_line(out, point))
        assert "rw" in opts and "ro" not in opts, f"rrw clears ro below: {point} {opts}"
        assert "relatime" not in opts and "noatime" not in opts, "strictatime"


def test_overlay_mount(nsrun, bundle, cid, tmp_path):
    layers = {n: tmp_path / n for n in ("lower", "upper", "work")}
    for d in layers.values():
        d.mkdir()
    (layers["lower"] / "from-lower").write_text("lower\n")
    data = ",".join(f"{n}dir={d}" for n, d in layers.items())
    bundle.config["mounts"].append({"destination": "/merged", "type": "overlay",
                                    "source": "overlay", "options": [data]})
    out = run_out(nsrun, bundle, cid, "cat /merged/from-lower; echo new > /merged/written; "
                  "awk '$5 == \"/merged\" {print $9}' /proc/self/mountinfo")
    assert out.split() == ["lower", "overlay"]
    assert (layers["upper"] / "written").read_text() == "new\n", "writes go to the upper layer"
    assert not (layers["lower"] / "written").exists()


def test_tmpcopyup(nsrun, bundle, cid, tmp_path):
    """The tmpfs starts with the image's files: types, modes, owners and
    times kept, symlinks copied as they are (never followed to the host),
    and the image itself is never written."""
    host_secret = tmp_path / "host-secret"
    host_secret.write_text("host\n")
    etc = bundle.rootfs / "opt"
    (etc / "sub" / "deeper").mkdir(parents=True)
    (etc / "conf").write_text("image conf\n")
    os.chmod(etc / "conf", 0o646)  # others: the default capabilities lack DAC_OVERRIDE
    os.chown(etc / "conf", 1000, 1000)
    os.utime(etc / "conf", (1_000_000_000, 1_000_000_000))
    (etc / "sub" / "deeper" / "f").write_text("deep\n")
    (etc / "link").symlink_to(host_secret)
    os.mkfifo(etc / "fifo", 0o600)
    bundle.config["mounts"].append({"destination": "/opt", "type": "tmpfs", "source": "tmpfs",
                                    "options": ["tmpcopyup", "mode=755"]})
    out = run_out(nsrun, bundle, cid,
                  "cat /opt/conf /opt/sub/deeper/f; stat -c '%n %a %u:%g %Y' /opt/conf; "
                  "readlink /opt/link; stat -c '%n %F' /opt/fifo; "
                  "echo changed > /opt/conf; cat /opt/conf; "
                  "awk '$5 == \"/opt\" {print $9}' /proc/self/mountinfo")
    assert out.splitlines() == [
        "image conf", "deep", "/opt/conf 646 1000:1000 1000000000", str(host_secret),
        "/opt/fifo fifo", "changed", "tmpfs"]
    assert (etc / "conf").read_text() == "image conf\n", "the image is untouched"
    assert host_secret.read_text() == "host\n"


def test_tmpcopyup_of_a_deep_tree_is_bounded(nsrun, bundle, cid):
    deep = bundle.rootfs / "opt"
    for _ in range(130):
        deep = deep / "d"
    deep.mkdir(parents=True)
    bundle.config["mounts"].append({"destination": "/opt", "type": "tmpfs", "source": "tmpfs",
                                    "options": ["tmpcopyup"]})
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert "tmpcopyup of /opt: " in r.err and "more than 128 directories deep" in r.err
    assert nsrun.ids() == []


def test_default_devices_and_links(nsrun, bundle, cid):
    out = run_out(nsrun, bundle, cid,
                  "for d in null zero full random urandom tty; do "
                  "stat -c '%n %F %t:%T %a' /dev/$d; done; "
                  "for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done; "
                  "head -c 4 /dev/zero | od -An -tx1; grep -c ' /dev/pts ' /proc/self/mountinfo")
    lines = out.splitlines()
    assert lines[:6] == [
        "/dev/null character special file 1:3 666", "/dev/zero character special file 1:5 666",
        "/dev/full character special file 1:7 666", "/dev/random character special file 1:8 666",
        "/dev/urandom character special file 1:9 666", "/dev/tty character special file 5:0 666"]
    assert lines[6:11] == ["/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1",
                           "/proc/self/fd/2", "pts/ptmx"]
    assert lines[11].split() == ["00", "00", "00", "00"]
    assert lines[12] == "1"


def test_linux_devices(nsrun, bundle, cid):
    bundle.config["linux"]["devices"] = [
        {"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 0o600,
         "uid": 1000, "gid": 1000},
        {"type": "p", "path": "/dev/myfifo"},
    ]
    out = run_out(nsrun, bundle, cid, "stat -c '%n %F %t:%T %a %u:%g' /dev/fuse /dev/myfifo")
    assert out.splitlines() == ["/dev/fuse character special file a:e5 600 1000:1000",
                                "/dev/myfifo fifo 0:0 666 0:0"]


def test_masked_and_readonly_paths(nsrun, bundle, cid):
    out = run_out(nsrun, bundle, cid,
                  "stat -c '%F %t:%T' /proc/keys; ls /sys/firmware | wc -l; "
                  "echo 1 > /proc/sys/kernel/domainname 2>&1 || echo ro-refused; "
                  "echo 1 > /proc/sysrq-trigger 2>&1 || echo ro-refused")
    lines = out.splitlines()
    assert lines[0] == "character special file 1:3"
    assert lines[1] == "0"
    assert lines.count("ro-refused") == 2


def test_a_recursive_rrw_does_not_undo_readonly_paths(nsrun, bundle, cid):
    """"rrw" on /proc clears read-only on every mount below it, so the
    read-only and masked paths must come after it."""
    for m in bundle.config["mounts"]:
        if m["destination"] == "/proc":
            m.setdefault("options", []).append("rrw")
    out = run_out(nsrun, bundle, cid,
                  "echo 1 > /proc/sys/kernel/domainname 2>&1 || echo ro-refused; "
                  "stat -c '%F %t:%T' /proc/keys")
    assert out.splitlines() == ["ro-refused", "character special file 1:3"], out


def test_mask_refuses_a_fake_dev_null(nsrun, bundle, cid, tmp_path):
    """/dev bound from somewhere whose "null" is a plain file: masking must not
    bind it over /proc paths (runc's CVE-2025-31133)."""
    fake = tmp_path / "fakedev"
    fake.mkdir()
    (fake / "null").write_text("not a device\n")
    bundle.config["mounts"] = [m for m in bundle.config["mounts"]
                               if not m["destination"].startswith("/dev")]
    bundle.config["mounts"].append({"destination": "/dev", "type": "bind", "source": str(fake),
                                    "options": ["rbind"]})
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert "/dev/null in the container is not the null device" in r.err
    assert nsrun.ids() == []


# A slave of a private mount stays private: "/" here is private, so "slave"
# shows as no propagation at all, like "private".
@pytest.mark.parametrize("propagation,field", [("shared", "shared:"), ("slave", None),
                                               ("private", None), ("unbindable", "unbindable")])
def test_rootfs_propagation(nsrun, bundle, cid, propagation, field):
    bundle.config["linux"]["rootfsPropagation"] = propagation
    out = run_out(nsrun, bundle, cid, "cat /proc/self/mountinfo")
    root = mountinfo_line(out, "/")
    optional = root.split(" - ")[0].split()[6:]
    if field:
        assert any(o.startswith(field) for o in optional), root
    else:
        assert not any(o.startswith("shared:") for o in optional), root


def test_no_pivot(nsrun, bundle, cid):
    out = run_out(nsrun, bundle, cid, "ls /; cat /proc/self/mountinfo | wc -l", "--debug")
    bundle.config["process"]["args"][-1] = "ls /; hostname"
    bundle.write()
    r = nsrun.ok("run", "--no-pivot", "-b", str(bundle.path), cid)
    assert "bin" in r.out.split() and "nsrun" in r.out.split()
    assert "bin" in out


def test_cwd_is_made_and_entered(nsrun, bundle, cid):
    bundle.config["process"]["cwd"] = "/work/here"
    out = run_out(nsrun, bundle, cid, "pwd")
    assert out.strip() == "/work/here"
    assert (bundle.rootfs / "work" / "here").is_dir()


def test_cwd_cannot_be_a_descriptor_of_the_host(nsrun, bundle, cid):
    """runc's CVE-2024-21626: a cwd of /proc/self/fd/N must not reach a
    directory the runtime holds open."""
    for n in range(3, 12):
        bundle.config["process"]["cwd"] = f"/proc/self/fd/{n}"
        bundle.args("pwd")
        r = nsrun("run", "-b", str(bundle.path), cid)
        assert r.returncode == 1, r
        assert "process.cwd" in r.err
    assert nsrun.ids() == []


def test_sys_fs_cgroup_is_the_containers_and_read_only(nsrun, bundle, cid):
    out = run_out(nsrun, bundle, cid,
                  "ls /sys/fs/cgroup; cat /sys/fs/cgroup/pids/pids.max; "
                  "echo 5 > /sys/fs/cgroup/pids/pids.max 2>&1 || echo refused")
    assert {"cpu", "memory", "pids", "unified"} <= set(out.split())
    assert "refused" in out


def test_sys_fs_cgroup_writable_when_asked(nsrun, bundle, cid):
    for m in bundle.config["mounts"]:
        if m["type"] == "cgroup":
            m["options"] = [o for o in m["options"] if o != "ro"] + ["rw"]
    out = run_out(nsrun, bundle, cid, "echo 55 > /sys/fs/cgroup/pids/pids.max && "
                  "cat /sys/fs/cgroup/pids/pids.max")
    assert out.strip() == "55"
