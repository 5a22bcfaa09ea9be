#!/usr/bin/python3
"""Images built here, since no registry is reachable: a directory becomes a
docker-archive tarball (what `docker save` writes), which docker, podman
and containerd all load. Used by tests/engines and by make bench.

    scripts/image.py ROOTFS TAG OUT CMD...
"""

import hashlib
import io
import json
import os
import sys
import tarfile


def _layer(root):
    """The directory as an uncompressed tar, entries sorted, owned by root."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                path = os.path.join(dirpath, name)
                info = tar.gettarinfo(path, arcname=os.path.relpath(path, root))
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                info.mtime = 0
                if info.isreg():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return buf.getvalue()


def docker_archive(root, tag, cmd, out, env=("PATH=/usr/sbin:/usr/bin:/sbin:/bin",)):
    layer = _layer(root)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": list(cmd), "Env": list(env), "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "nsrun tests/engines"}],
    }, sort_keys=True).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_name = diff_id[7:] + "/layer.tar"
    manifest = json.dumps([{"Config": config_name, "RepoTags": [tag],
                            "Layers": [layer_name]}]).encode()
    with tarfile.open(out, "w") as tar:
        for name, data in ((config_name, config), (layer_name, layer),
                           ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit("usage: image.py ROOTFS TAG OUT CMD...")
    docker_archive(sys.argv[1], sys.argv[2], sys.argv[4:], sys.argv[3])
