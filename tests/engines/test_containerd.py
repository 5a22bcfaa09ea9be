"""containerd through ctr (--runc-binary), and the Kubernetes path: its CRI
plugin with runtime handlers whose BinaryName is nsrun (or runc), driven
by crictl as kubelet would."""

import json
import time
import uuid

from conftest import BUSYBOX
from test_podman_docker import run_on_a_pty


def name():
    return "t-" + uuid.uuid4().hex[:8]


def test_ctr_run_and_exit_codes(ctr, runtime):
    r = ctr("run", "--rm", *ctr.runtime_args(runtime), BUSYBOX, name(), "sh", "-c",
            "echo hello; exit 3")
    assert r.returncode == 3 and r.stdout.strip() == "hello", r


def test_ctr_exec_ps_pause_kill_metrics(ctr, runtime):
    cid = name()
    ctr.ok("run", "-d", *ctr.runtime_args(runtime), BUSYBOX, cid, "sleep", "600")
    try:
        r = ctr("task", "exec", "--fifo-dir", str(ctr.top / "fifo"), "--exec-id", "e1", cid, "sh", "-c", "echo inside; exit 4")
        assert r.returncode == 4 and "inside" in r.stdout
        pids = ctr.ok("task", "ps", cid).stdout.split()[2::2]
        assert pids and all(p.isdigit() for p in pids)
        ctr.ok("task", "pause", cid)
        assert "PAUSED" in ctr.ok("task", "ls").stdout
        ctr.ok("task", "resume", cid)
        assert "RUNNING" in ctr.ok("task", "ls").stdout
        metrics = ctr.ok("task", "metrics", cid).stdout
        assert "memory.usage_in_bytes" in metrics
        ctr.ok("task", "kill", "-s", "KILL", cid)
        deadline = time.monotonic() + 10
        while "STOPPED" not in ctr.ok("task", "ls").stdout:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        ctr("task", "rm", "-f", cid)
        ctr("containers", "rm", cid)


def test_ctr_terminal(ctr, runtime):
    argv = ctr.base + ["run", "--rm", "-t", *ctr.runtime_args(runtime), BUSYBOX,
                       name(), "sh"]
    status, seen = run_on_a_pty(argv, b"tty; echo $((6*7)); exit 6\r")
    assert status == 6 and "42" in seen and "/dev/pts/0" in seen, seen


def test_cri_pod_lifecycle(crictl, runtime, tmp_path):
    """What kubelet does: a pod sandbox, a container in it, exec, stop and
    remove both, with the runtime handler of a RuntimeClass."""
    uid = uuid.uuid4().hex[:8]
    pod = tmp_path / "pod.json"
    pod.write_text(json.dumps({
        "metadata": {"name": f"pod-{uid}", "namespace": "nsrun-test", "uid": uid},
        "hostname": "nsrun-pod", "log_directory": str(tmp_path / "logs"),
        "linux": {}}))
    container = tmp_path / "container.json"
    container.write_text(json.dumps({
        "metadata": {"name": "box"}, "image": {"image": BUSYBOX},
        "command": ["sh", "-c", "echo started; sleep 600"], "log_path": "box.log",
        "linux": {}}))
    pod_id = crictl("runp", "--runtime", runtime, str(pod)).stdout.strip()
    try:
        info = json.loads(crictl("inspectp", pod_id).stdout)
        assert info["status"]["state"] == "SANDBOX_READY"
        ip = info["status"]["network"]["ip"]
        assert ip.startswith("198.51.100."), ip
        ctr_id = crictl("create", pod_id, str(container), str(pod)).stdout.strip()
        crictl("start", ctr_id)
        r = crictl("exec", "-s", ctr_id, "sh", "-c", "hostname; ip -o -4 addr show eth0")
        assert r.stdout.splitlines()[0] == "nsrun-pod"
        assert ip in r.stdout, "the container is in the pod's network"
        r = crictl("exec", "-s", ctr_id, "sh", "-c", "exit 3", check=False)
        # crictl 1.26 fails with 1 and reports the exit code in words.
        assert r.returncode != 0 and "exited with 3" in r.stderr
        crictl("update", "--memory", str(96 << 20), ctr_id)
        r = crictl("exec", "-s", ctr_id, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
        assert r.stdout.strip() == str(96 << 20)
        crictl("stop", "--timeout", "0", ctr_id)
        state = json.loads(crictl("inspect", ctr_id).stdout)["status"]["state"]
        assert state == "CONTAINER_EXITED"
        crictl("rm", ctr_id)
        crictl("stopp", pod_id)
        crictl("rmp", pod_id)
        assert crictl("pods", "-q").stdout.split() == []
    finally:
        crictl("rmp", "-f", pod_id, check=False)
