"""Many containers at once: 200 create/start/delete cycles, 4 at a time,
with nothing left behind."""

import concurrent.futures
import time

from conftest import Bundle

CYCLES, PARALLEL = 200, 4


def cycle(nsrun, bundle, cid):
    nsrun.ok("create", "-b", str(bundle.path), cid)
    nsrun.ok("start", cid)
    deadline = time.monotonic() + 10
    while nsrun.state(cid)["status"] != "stopped":
        assert time.monotonic() < deadline, f"{cid} did not stop"
        time.sleep(0.005)
    nsrun.ok("delete", cid)


def test_parallel_create_start_delete(nsrun, tmp_path, rootfs_template, cid):
    bundles = []
    for i in range(PARALLEL):
        path = tmp_path / f"bundle{i}"
        path.mkdir()
        bundles.append(Bundle(path, rootfs_template, nsrun).args("true"))

    def worker(w):
        for i in range(w, CYCLES, PARALLEL):
            cycle(nsrun, bundles[w], f"{cid}-{i}")
        return w

    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        assert sorted(pool.map(worker, range(PARALLEL))) == list(range(PARALLEL))
    assert nsrun.ids() == []
