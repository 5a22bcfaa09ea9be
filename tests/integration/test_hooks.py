"""OCI hooks: each kind at its moment and in its namespaces, with the state
on stdin, its own args and env, timeouts, and the spec's failure rules."""

import json
import os
import time


def hook(script, timeout=None, env=None):
    h = {"path": "/bin/sh", "args": ["sh", "-c", script]}
    if timeout:
        h["timeout"] = timeout
    if env is not None:
        h["env"] = env
    return h


def recorder(log, kind):
    """A hook that appends its kind, the state it got and its net namespace."""
    return hook(f'state=$(cat); echo "{kind} $(readlink /proc/self/ns/net) $state" >> {log}')


def records(path):
    out = []
    for line in path.read_text().splitlines():
        kind, net, state = line.split(" ", 2)
        out.append((kind, net, json.loads(state)))
    return out


def test_every_hook_at_its_moment(nsrun, bundle, cid, tmp_path):
    log = tmp_path / "hooks.log"
    bundle.config["root"]["readonly"] = False
    bundle.config["hooks"] = {k: [recorder(log, k)] for k in
                              ("prestart", "createRuntime", "createContainer", "poststart",
                               "poststop")}
    # startContainer resolves and runs inside the container: it logs there.
    bundle.config["hooks"]["startContainer"] = [recorder("/start.log", "startContainer")]
    bundle.args("sleep", "60")
    nsrun.ok("create", "-b", str(bundle.path), cid)
    pid = nsrun.state(cid)["pid"]
    assert [r[0] for r in records(log)] == ["prestart", "createRuntime", "createContainer"]
    nsrun.ok("start", cid)
    nsrun.ok("delete", "--force", cid)

    got = records(log)
    assert [r[0] for r in got] == ["prestart", "createRuntime", "createContainer", "poststart",
                                   "poststop"]
    host_net = os.readlink("/proc/self/ns/net")
    container_net = got[2][1]
    assert got[0][1] == host_net and got[1][1] == host_net, "runtime namespace"
    assert container_net != host_net, "createContainer runs in the container's namespaces"
    assert got[3][1] == host_net and got[4][1] == host_net
    statuses = [r[2]["status"] for r in got]
    assert statuses == ["created", "created", "created", "running", "stopped"]
    for _, _, state in got[:4]:
        assert state["pid"] == pid and state["id"] == cid
        assert state["bundle"] == str(bundle.path)
    start = records(bundle.rootfs / "start.log")
    assert [(r[0], r[1], r[2]["status"], r[2]["pid"]) for r in start] == [
        ("startContainer", container_net, "created", pid)]


def test_hook_args_and_env(nsrun, bundle, cid, tmp_path):
    out = tmp_path / "env"
    bundle.config["hooks"] = {"createRuntime": [{
        "path": "/bin/sh",
        "args": ["sh", "-c", f'echo "args: $0 $1" > {out}; env >> {out}', "first", "second"],
        "env": ["ONLY=this"]}]}
    bundle.args("true")
    nsrun.ok("run", "-b", str(bundle.path), cid)
    lines = out.read_text().splitlines()
    assert lines[0] == "args: first second"
    env = {l.split("=", 1)[0] for l in lines[1:]}
    assert "ONLY" in env
    assert not env & {"HOME", "PATH", "USER"}, "nothing from nsrun's environment"


def test_failing_create_hook_fails_create_and_runs_poststop(nsrun, bundle, cid, tmp_path):
    log = tmp_path / "poststop.log"
    bundle.config["hooks"] = {
        "createRuntime": [hook("echo network setup failed; exit 3")],
        "poststop": [hook(f"cat > {log}")],
    }
    bundle.args("true")
    r = nsrun("create", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert "hooks.createRuntime[0]: /bin/sh: exited with status 3: network setup failed" in r.err
    assert nsrun.ids() == []
    assert json.loads(log.read_text())["status"] == "stopped"


def test_failing_create_container_hook(nsrun, bundle, cid):
    bundle.config["hooks"] = {"createContainer": [hook("exit 2")]}
    bundle.args("true")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1 and "hooks.createContainer[0]: /bin/sh: exited with status 2" in r.err


def test_hook_timeout(nsrun, bundle, cid):
    bundle.config["hooks"] = {"prestart": [hook("sleep 30", timeout=1)]}
    bundle.args("true")
    start = time.monotonic()
    r = nsrun("create", "-b", str(bundle.path), cid)
    assert time.monotonic() - start < 10
    assert r.returncode == 1 and "hooks.prestart[0]: /bin/sh: timed out after 1 s" in r.err
    assert nsrun.ids() == []


def test_poststart_and_poststop_failures_are_warnings(nsrun, bundle, cid, tmp_path):
    log = tmp_path / "log.json"
    later = tmp_path / "later"
    bundle.config["hooks"] = {
        "poststart": [hook("exit 1"), hook(f"echo ran > {later}")],
        "poststop": [hook("exit 5")],
    }
    bundle.args("true")
    args = ["--log", str(log), "--log-format", "json"]
    nsrun.ok("create", "-b", str(bundle.path), cid, global_args=args)
    nsrun.ok("start", cid, global_args=args)
    assert later.read_text() == "ran\n", "the hooks after a failed one still run"
    deadline = time.monotonic() + 10
    while nsrun.state(cid)["status"] != "stopped" and time.monotonic() < deadline:
        time.sleep(0.02)
    nsrun.ok("delete", cid, global_args=args)
    warnings = [json.loads(l)["msg"] for l in log.read_text().splitlines()]
    assert any("hooks.poststart[0]: /bin/sh: exited with status 1" in w for w in warnings)
    assert any("hooks.poststop[0]: /bin/sh: exited with status 5" in w for w in warnings)
    assert nsrun.ids() == []


def test_failing_start_container_hook_stops_the_container(nsrun, bundle, cid):
    bundle.config["hooks"] = {"startContainer": [hook("exit 4")]}
    bundle.args("echo", "must not run")
    r = nsrun("run", "-b", str(bundle.path), cid)
    assert r.returncode == 1
    assert "must not run" not in r.out
    assert "hooks.startContainer[0]: /bin/sh: exited with status 4" in r.err


def test_poststart_runs_after_the_process_is_executed(nsrun, bundle, cid, tmp_path):
    """start returns, and poststart runs, only once the init has exec'd the
    process: its /proc/PID/exe is then the container's binary."""
    seen = tmp_path / "exe"
    pid_of = "$(sed 's/.*\"pid\":\\([0-9]*\\).*/\\1/')"
    bundle.config["hooks"] = {"poststart": [hook(f"readlink /proc/{pid_of}/exe > {seen}")]}
    bundle.args("sleep", "60")
    for command in (["create", "-b", str(bundle.path), cid], ["start", cid]):
        nsrun.ok(*command)
    try:
        # Seen from here the binary is in another mount namespace: its path
        # is relative to the container's root. Before exec it is nsrun.
        assert seen.read_text().strip() == "/bin/busybox"
    finally:
        nsrun.ok("delete", "-f", cid)
    seen.unlink()
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        assert seen.read_text().strip() == "/bin/busybox"
    finally:
        nsrun.ok("delete", "-f", cid)
