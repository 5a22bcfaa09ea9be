"""The command line: help for every command, version, runc's global
options, logs in runc's text and JSON shapes, spec."""

import json
import os
import pathlib
import subprocess

import pytest

from conftest import NSRUN, REPO

COMMANDS = ["create", "start", "run", "exec", "state", "list", "kill", "delete", "pause", "resume",
            "update", "ps", "events", "spec", "enter", "ns", "features"]


def nsrun_raw(*args):
    return subprocess.run([str(NSRUN), *args], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command):
    for flag in ("--help", "-h"):
        r = nsrun_raw(command, flag)
        assert r.returncode == 0
        assert r.stdout.startswith(f"Usage: nsrun {command} [options]")


def test_global_help_and_version():
    r = nsrun_raw("--help")
    assert r.returncode == 0 and "Commands:" in r.stdout
    for c in COMMANDS:
        assert f"\n  {c} " in r.stdout
    r = nsrun_raw("--version")
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and lines[0].startswith("nsrun version ")
    assert lines[1].startswith("commit: ") and lines[2] == "spec: 1.2.0"
    assert lines[3].startswith("libseccomp: ")


def test_usage_errors():
    r = nsrun_raw()
    assert r.returncode == 1 and "Usage: nsrun" in r.stderr
    r = nsrun_raw("frobnicate")
    assert r.returncode == 1 and 'unknown command "frobnicate"' in r.stderr
    r = nsrun_raw("--bogus", "list")
    assert r.returncode == 1 and "unknown option --bogus" in r.stderr
    r = nsrun_raw("delete", "--bogus", "x")
    assert r.returncode == 1 and "unknown option --bogus" in r.stderr
    r = nsrun_raw("create")
    assert r.returncode == 1 and "expected 1 argument (ID), got 0" in r.stderr
    r = nsrun_raw("--log-format", "xml", "list")
    assert r.returncode == 1 and 'unknown format "xml"' in r.stderr
    r = nsrun_raw("--rootless", "maybe", "list")
    assert r.returncode == 1 and '--rootless: "maybe" is not true, false or auto' in r.stderr


def test_state_root_must_be_ours_and_private(nsrun, tmp_path):
    shared = tmp_path / "shared-root"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    r = nsrun("list", global_args=["--root", str(shared)])
    assert r.returncode == 1 and "is writable by others (mode 777)" in r.err
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 4242, 4242)
    r = nsrun("list", global_args=["--root", str(theirs)])
    assert r.returncode == 1 and "belongs to uid 4242, not to this user" in r.err
    link = tmp_path / "link"
    nsrun.root.mkdir(mode=0o700, exist_ok=True)
    link.symlink_to(nsrun.root)
    r = nsrun("list", global_args=["--root", str(link)])
    assert r.returncode == 1 and "state root" in r.err


def test_global_option_spellings(nsrun, tmp_path):
    root = tmp_path / "state"
    for args in (["--root", str(root)], [f"--root={root}"], ["-root", str(root)]):
        r = nsrun_raw(*args, "list")
        assert r.returncode == 0 and r.stdout.split()[:3] == ["ID", "PID", "STATUS"]


def test_json_log_records_errors(nsrun, tmp_path, cid):
    log = tmp_path / "log.json"
    r = nsrun("state", cid, global_args=["--log", str(log), "--log-format", "json"])
    assert r.returncode == 1
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 1
    rec = records[0]
    assert rec["level"] == "error"
    assert rec["msg"] == f"state: container {cid} does not exist"
    assert rec["time"].endswith("Z")
    assert f"nsrun: state: container {cid} does not exist" in r.err


def test_text_log_records_errors(nsrun, tmp_path, cid):
    log = tmp_path / "log.txt"
    nsrun("kill", cid, global_args=["--log", str(log)])
    line = log.read_text().strip()
    assert line.startswith('time="') and ' level=error msg="kill: container ' in line


def test_a_log_planted_as_a_symlink_is_not_followed(nsrun, tmp_path, cid):
    """In a directory others can write, a link planted under the log's name
    would have root append to any file."""
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    (tmp_path / "log.txt").symlink_to(victim)
    r = nsrun("kill", cid, global_args=["--log", str(tmp_path / "log.txt")])
    assert r.returncode == 1 and f"open log file {tmp_path / 'log.txt'}" in r.err, r
    assert victim.read_text() == "untouched\n"


def test_debug_records(nsrun, bundle, tmp_path, cid):
    log = tmp_path / "log.json"
    bundle.config["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["not_a_syscall_at_all"], "action": "SCMP_ACT_ERRNO"}]}
    bundle.args("true")
    nsrun.ok("run", "-b", str(bundle.path), cid,
             global_args=["--log", str(log), "--log-format", "json", "--debug"])
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(r["level"] == "debug" and "not_a_syscall_at_all" in r["msg"] for r in records)


def test_spec_writes_the_default_once(nsrun, tmp_path):
    nsrun.ok("spec", "--bundle", str(tmp_path))
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["ociVersion"] == "1.2.0"
    assert config["process"]["args"] == ["sh"] and config["root"]["path"] == "rootfs"
    r = nsrun("spec", "-b", str(tmp_path))
    assert r.returncode == 1 and "config.json exists; remove it first" in r.err


def test_spec_rootless(nsrun, tmp_path):
    nsrun.ok("spec", "--rootless", "-b", str(tmp_path))
    config = json.loads((tmp_path / "config.json").read_text())
    linux = config["linux"]
    types = [n["type"] for n in linux["namespaces"]]
    assert "user" in types and "network" not in types
    assert linux["uidMappings"] == [{"containerID": 0, "hostID": os.geteuid(), "size": 1}]
    assert linux["gidMappings"] == [{"containerID": 0, "hostID": os.getegid(), "size": 1}]
    assert "resources" not in linux
    sys = next(m for m in config["mounts"] if m["destination"] == "/sys")
    assert sys["type"] == "bind" and sys["source"] == "/sys" and "rbind" in sys["options"]
    assert not any(o.startswith(("uid=", "gid=")) for m in config["mounts"]
                   for o in m.get("options", []))


def test_features(nsrun, bundle, cid):
    """The runtime-spec features document, and what it claims holds: every
    namespace it lists can be made, its mount options are taken."""
    r = nsrun_raw("features")
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["ociVersionMin"] == "1.0.0" and doc["ociVersionMax"] == "1.2.0"
    assert doc["hooks"] == ["prestart", "createRuntime", "createContainer", "startContainer",
                            "poststart", "poststop"]
    linux = doc["linux"]
    assert sorted(linux["namespaces"]) == ["cgroup", "ipc", "mount", "network", "pid", "time",
                                           "user", "uts"]
    assert "CAP_SYS_ADMIN" in linux["capabilities"] and "CAP_CHECKPOINT_RESTORE" in \
        linux["capabilities"]
    assert {"SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS"} <= set(linux["seccomp"]["actions"])
    assert "SCMP_ARCH_X86_64" in linux["seccomp"]["archs"]
    assert set(linux["seccomp"]["supportedFlags"]) <= set(linux["seccomp"]["knownFlags"])
    assert linux["mountExtensions"]["idmap"]["enabled"] is True
    apparmor = pathlib.Path("/sys/module/apparmor/parameters/enabled")
    assert linux["apparmor"]["enabled"] == (apparmor.exists() and
                                            apparmor.read_text().startswith("Y"))
    assert linux["selinux"]["enabled"] == os.path.exists("/sys/fs/selinux/enforce")
    assert doc["annotations"]["io.github.nsrun.version"]
    # What it lists, create takes: every namespace new, every recursive
    # attribute and keyword-free option on a tmpfs.
    bundle.config["linux"]["namespaces"] = [{"type": t} for t in linux["namespaces"]
                                            if t != "user"]
    bundle.user_namespace()
    options = [o for o in doc["mountOptions"]
               if o not in ("bind", "rbind", "idmap", "ridmap", "remount", "tmpcopyup")]
    (bundle.rootfs / "m").mkdir()  # root inside is not root of the image's files
    bundle.config["mounts"].append({"destination": "/m", "type": "tmpfs", "source": "tmpfs",
                                    "options": options})
    bundle.args("true")
    nsrun.ok("run", "-b", str(bundle.path), cid)


def test_man_pages_are_current(tmp_path):
    """docs/man is what scripts/man.py writes from today's --help."""
    subprocess.run(["/usr/bin/python3", str(REPO / "scripts" / "man.py"), str(NSRUN),
                    str(tmp_path)], check=True)
    written = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in (REPO / "docs" / "man").iterdir())
    assert written == committed
    for name in written:
        assert (tmp_path / name).read_text() == (REPO / "docs" / "man" / name).read_text(), \
            f"docs/man/{name} is stale: run make man"


@pytest.mark.skipif(not os.path.exists("/usr/share/bash-completion/bash_completion"),
                    reason="bash-completion is not installed")
def test_bash_completion(nsrun, bundle, cid):
    bundle.args("sleep", "60")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        def complete(*words):
            line = " ".join(words)
            script = (
                "source /usr/share/bash-completion/bash_completion; "
                f"source {REPO}/docs/completions/nsrun.bash; "
                f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
                f"COMP_LINE='{line}'; COMP_POINT={len(line)}; _nsrun; "
                'printf "%s\\n" "${COMPREPLY[@]}"')
            env = dict(os.environ, PATH=f"{NSRUN.parent}:{os.environ['PATH']}")
            return subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                                  env=env).stdout.split()
        assert complete("nsrun", "fe") == ["features"]
        assert complete("nsrun", "exec", "--pi") == ["--pid-file"]
        assert complete("nsrun", "--root", str(nsrun.root), "kill", "") == [cid]
    finally:
        nsrun.ok("delete", "-f", cid)


def test_make_install(tmp_path):
    r = subprocess.run(["make", "-s", "-C", str(REPO), "install", f"DESTDIR={tmp_path}",
                        "PREFIX=/usr/local"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    base = tmp_path / "usr" / "local"
    assert os.access(base / "bin" / "nsrun", os.X_OK)
    assert (base / "share" / "man" / "man8" / "nsrun-exec.8").exists()
    assert (base / "share" / "bash-completion" / "completions" / "nsrun").exists()
