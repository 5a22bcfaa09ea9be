"""Bad input: a clear error that names the problem, a non-zero exit, and
nothing left behind (the autouse fixture checks state, mounts, cgroups and
processes after each test; these also check the state root directly)."""

import os
import pathlib

import pytest

import cgroups


def create_fails(nsrun, bundle, cid, want, command="create"):
    r = nsrun(command, "-b", str(bundle.path), cid)
    assert r.returncode == 1, r
    assert want in r.err, r
    assert r.err.startswith(f"nsrun: {command}: "), r.err
    assert nsrun.ids() == []
    assert not (nsrun.root / cid).exists()
    for mount in cgroups.hierarchies().values():
        assert not list(pathlib.Path(mount).rglob(cid)), "no cgroup left"
    return r


def test_malformed_json(nsrun, bundle, cid):
    (bundle.path / "config.json").write_text('{\n  "ociVersion": "1.2.0",\n  "root": [,\n}\n')
    create_fails(nsrun, bundle, cid, "config.json: malformed JSON at line 3, column 12")


def test_missing_config(nsrun, bundle, cid):
    (bundle.path / "config.json").unlink()
    create_fails(nsrun, bundle, cid, "open config.json: No such file or directory")


def test_missing_bundle(nsrun, tmp_path, cid):
    r = nsrun("create", "-b", str(tmp_path / "nope"), cid)
    assert r.returncode == 1 and "No such file or directory" in r.err
    assert nsrun.ids() == []


def test_missing_rootfs(nsrun, bundle, cid):
    bundle.config["root"]["path"] = "nope"
    bundle.write()
    create_fails(nsrun, bundle, cid,
                 f"root.path: rootfs {bundle.path}/nope: No such file or directory")


def test_rootfs_is_not_a_directory(nsrun, bundle, cid):
    (bundle.path / "afile").write_text("")
    bundle.config["root"]["path"] = "afile"
    bundle.write()
    create_fails(nsrun, bundle, cid, "root.path: rootfs")


def test_unknown_namespace(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"].append({"type": "foo"})
    bundle.write()
    create_fails(nsrun, bundle, cid, 'config.json: linux.namespaces[6].type: unknown namespace "foo"')


def test_duplicate_namespace(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"].append({"type": "pid"})
    bundle.write()
    create_fails(nsrun, bundle, cid, 'linux.namespaces[6].type: namespace "pid" given twice')


def test_no_mount_namespace_and_a_terminal(nsrun, bundle, cid):
    bundle.config["linux"]["namespaces"] = [n for n in bundle.namespaces() if n["type"] != "mount"]
    bundle.config["process"]["terminal"] = True
    bundle.write()
    create_fails(nsrun, bundle, cid, "process.terminal: needs a mount namespace of the "
                 "container's own", command="run")


@pytest.mark.parametrize("bad", ["a/b", "..", ".", "../../etc", "a b", "x" * 256, "tab\tid"])
def test_bad_ids(nsrun, bundle, bad):
    for command in ("create", "run"):
        r = nsrun(command, "-b", str(bundle.path), bad)
        assert r.returncode == 1
        assert "container id" in r.err, r
    for command in ("start", "state", "delete", "kill"):
        r = nsrun(command, bad)
        assert r.returncode == 1 and "container id" in r.err, r
    assert not nsrun.root.exists() or list(nsrun.root.iterdir()) == []


def test_missing_bind_source(nsrun, bundle, cid):
    bundle.config["mounts"].append({"destination": "/x", "source": "/nonexistent-source",
                                    "options": ["bind"]})
    bundle.args("true")
    create_fails(nsrun, bundle, cid,
                 "bind mount source /nonexistent-source: No such file or directory")


def test_unknown_file_system(nsrun, bundle, cid):
    bundle.config["mounts"].append({"destination": "/x", "type": "nosuchfs", "source": "none"})
    bundle.write()
    create_fails(nsrun, bundle, cid, "mount nosuchfs on /x: No such device")


def test_mount_destination_is_a_file(nsrun, bundle, cid):
    (bundle.rootfs / "etc" / "afile").write_text("")
    bundle.config["mounts"].append({"destination": "/etc/afile/sub", "type": "tmpfs",
                                    "source": "tmpfs"})
    bundle.write()
    create_fails(nsrun, bundle, cid, "mount tmpfs on /etc/afile/sub")


def test_missing_executable(nsrun, bundle, cid):
    bundle.args("nonexistent-binary")
    create_fails(nsrun, bundle, cid,
                 'exec: "nonexistent-binary": executable file not found in $PATH')


@pytest.mark.parametrize("field,value", [
    ("intelRdt", {"closID": "guaranteed"}),  # no resctrl on this kind of host
    ("netDevices", {"eth9": {"name": "eth0"}}),
])
def test_unsupported_field_is_named(nsrun, bundle, cid, field, value):
    bundle.config["linux"][field] = value
    bundle.write()
    create_fails(nsrun, bundle, cid,
                 f"config.json: linux.{field}: not supported by this version of nsrun")


def test_systemd_cgroup_without_systemd(nsrun, bundle, cid):
    if os.path.exists("/run/systemd/system"):
        pytest.skip("systemd runs on this host")
    r = nsrun("create", "-b", str(bundle.path), cid, global_args=["--systemd-cgroup"])
    assert r.returncode == 1
    assert "--systemd-cgroup: systemd is not running on this host" in r.err
    assert nsrun.ids() == []


def test_console_socket_is_refused_for_now(nsrun, bundle, cid, tmp_path):
    r = nsrun("create", "--console-socket", str(tmp_path / "sock"), "-b", str(bundle.path), cid)
    assert r.returncode == 1 and "--console-socket" in r.err
    assert nsrun.ids() == []


@pytest.mark.parametrize("command", ["start", "state", "kill", "delete"])
def test_commands_on_a_missing_container(nsrun, bundle, cid, command):
    nsrun.root.mkdir(exist_ok=True)
    r = nsrun(command, cid)
    assert r.returncode == 1
    assert f"container {cid} does not exist" in r.err


def test_delete_force_of_a_missing_container_succeeds(nsrun, cid):
    """As runc's: engines delete --force after a create that failed."""
    nsrun.root.mkdir(exist_ok=True)
    r = nsrun("delete", "--force", cid)
    assert r.returncode == 0 and r.err == ""
    r = nsrun("delete", "--force", "../escape")
    assert r.returncode == 1 and "invalid container id" in r.err


def test_start_of_a_stopped_container(nsrun, bundle, cid):
    bundle.args("true")
    nsrun.ok("run", "--keep", "-b", str(bundle.path), cid)
    r = nsrun("start", cid)
    assert r.returncode == 1 and "cannot start a container in the stopped state" in r.err
    nsrun.ok("delete", cid)


def test_failing_setup_leaves_nothing(nsrun, bundle, cid):
    # The init fails after namespaces, cgroups and some mounts exist.
    bundle.config["mounts"].append({"destination": "/late", "type": "nosuchfs",
                                    "source": "none"})
    bundle.config["linux"]["resources"]["pids"] = {"limit": 10}
    bundle.write()
    create_fails(nsrun, bundle, cid, "mount nosuchfs on /late", command="run")


def test_a_killed_create_can_be_deleted(nsrun, bundle, cid):
    """nsrun create killed halfway (here by a hook killing its parent):
    the container shows as stopped and delete removes its cgroup too."""
    bundle.config["hooks"] = {"createRuntime": [
        {"path": "/bin/sh", "args": ["sh", "-c", "kill -KILL $PPID; sleep 5"]}]}
    bundle.config["linux"]["resources"]["pids"] = {"limit": 10}
    bundle.args("true")
    r = nsrun("create", "-b", str(bundle.path), cid)
    assert r.returncode == -9
    st = nsrun.state(cid)
    assert st["status"] == "stopped" and st["pid"] == 0
    pids_cgroup = [p for p in pathlib.Path(cgroups.hierarchies()["pids"]).rglob(cid)]
    assert pids_cgroup, "the cgroup was made before the kill"
    nsrun.ok("delete", cid)
    assert nsrun.ids() == []
    assert not any(p.exists() for p in pids_cgroup)


def _set(path, value):
    """A change to the default config: the value at a dotted path."""
    def change(config):
        *parents, last = path.split(".")
        node = config
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return change


BAD_VALUES = [
    (_set("process.capabilities.bounding", ["CAP_NOPE"]),
     'process.capabilities.bounding[0]: unknown capability "CAP_NOPE"'),
    (_set("process.rlimits", [{"type": "RLIMIT_NOPE", "soft": 1, "hard": 1}]),
     'process.rlimits[0].type: unknown rlimit "RLIMIT_NOPE"'),
    (_set("process.user", {"uid": -1, "gid": 0}), "process.user.uid: must not be negative"),
    # setresuid(-1) leaves the uid as it is: the process would stay root.
    (_set("process.user", {"uid": 4294967295, "gid": 0}),
     "process.user.uid: 4294967295 is (uid_t)-1, which leaves the user unchanged"),
    (_set("process.user", {"uid": 1000, "gid": 4294967295}),
     "process.user.gid: 4294967295 is (gid_t)-1, which leaves the group unchanged"),
    (_set("process.user", {"uid": 1000, "gid": 1000, "additionalGids": [4294967295]}),
     "process.user.additionalGids[0]: expected a group id"),
    (_set("process.cwd", "relative"), 'process.cwd: must be an absolute path, got "relative"'),
    (_set("process.env", ["NOEQUALS"]), 'process.env[0]: expected KEY=VALUE, got "NOEQUALS"'),
    (_set("process.args", []), "process.args: must not be empty"),
    (_set("process.oomScoreAdj", 5000), "process.oomScoreAdj: must be between -1000 and 1000"),
    (lambda c: c["mounts"].append({"destination": "/x"}),
     "mounts[7].type: needed for a mount that is not a bind mount"),
    (_set("linux.devices", [{"type": "x", "path": "/dev/x", "major": 1, "minor": 1}]),
     'linux.devices[0].type: unknown device type "x"'),
    (_set("linux.resources", {"memory": {"limit": "lots"}}),
     "linux.resources.memory.limit: expected an integer"),
    # It becomes part of a cgroup file's name: no path may ride along.
    (_set("linux.resources", {"hugepageLimits": [{"pageSize": "2MB/../../../../etc/x",
                                                  "limit": 1}]}),
     'linux.resources.hugepageLimits[0].pageSize: expected a size such as 2MB or 1GB, '
     'got "2MB/../../../../etc/x"'),
    (_set("linux.resources", {"devices": [{"allow": False, "access": "xyz"}]}),
     'linux.resources.devices[0].access: "xyz" is not made of r, w and m'),
    (_set("linux.uidMappings", [{"containerID": 0, "hostID": 1000, "size": 1}]),
     "linux.uidMappings: mappings given without a user namespace"),
    (_set("linux.rootfsPropagation", "sideways"),
     'linux.rootfsPropagation: unknown propagation "sideways"'),
    (_set("linux.seccomp", {"defaultAction": "SCMP_ACT_NOPE"}),
     'linux.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"'),
    (_set("linux.maskedPaths", ["relative"]),
     'linux.maskedPaths[0]: must be an absolute path, got "relative"'),
    (_set("hooks", {"prestart": [{"path": "relative/hook"}]}),
     "hooks.prestart[0].path: must be an absolute path"),
    (_set("hooks", {"poststart": [{"path": "/bin/true", "timeout": 0}]}),
     "hooks.poststart[0].timeout: must be greater than zero"),
    (lambda c: c["linux"].update(namespaces=[n for n in c["linux"]["namespaces"]
                                             if n["type"] != "uts"]),
     "hostname: needs a uts namespace"),
]


@pytest.mark.parametrize("change,want", BAD_VALUES, ids=[w.split(":")[0] for _, w in BAD_VALUES])
def test_bad_values_name_their_json_path(nsrun, bundle, cid, change, want):
    change(bundle.config)
    bundle.write()
    r = create_fails(nsrun, bundle, cid, "config.json: " + want)
    assert r.err.count("\n") == 1, "one line"
