#!/usr/bin/python3
"""Writes fuzz/seeds/ from the configs the integration tests write.

    NSRUN_SEED_DIR=DIR make integration; fuzz/seeds.py DIR

spec: the configs themselves; seccomp: their linux.seccomp objects;
mount_options: each mount's options, one per line; paths: the paths and
ids they name (mount destinations, cwd, masked and read-only paths).
Duplicates are dropped; each directory keeps at most 80 files (chosen by
their hashes, so a spread of the tests)."""

import hashlib
import json
import pathlib
import sys

OUT = pathlib.Path(__file__).resolve().parent / "seeds"
LIMIT = 80


def main():
    configs = sorted(pathlib.Path(sys.argv[1]).iterdir())
    seeds = {"spec": set(), "seccomp": set(), "mount_options": set(), "paths": set()}
    for path in configs:
        try:
            config = json.loads(path.read_text())
        except ValueError:
            continue
        seeds["spec"].add(json.dumps(config, separators=(",", ":")))
        linux = config.get("linux") or {}
        if "seccomp" in linux:
            seeds["seccomp"].add(json.dumps(linux["seccomp"]))
        for m in config.get("mounts") or []:
            if m.get("options"):
                seeds["mount_options"].add("\n".join(m["options"]))
            if isinstance(m.get("destination"), str):
                seeds["paths"].add(m["destination"])
        process = config.get("process") or {}
        if isinstance(process.get("cwd"), str):
            seeds["paths"].add(process["cwd"])
        for key in ("maskedPaths", "readonlyPaths"):
            seeds["paths"].update(p for p in linux.get(key) or [] if isinstance(p, str))
        if isinstance(linux.get("cgroupsPath"), str):
            seeds["paths"].add(linux["cgroupsPath"])
    for name, texts in seeds.items():
        d = OUT / name
        d.mkdir(parents=True, exist_ok=True)
        for old in d.iterdir():
            old.unlink()
        named = sorted((hashlib.sha256(t.encode()).hexdigest()[:16], t) for t in texts)
        for name_, text in named[:LIMIT]:
            (d / name_).write_text(text)
        print(f"{name}: {min(len(texts), LIMIT)} seeds")


if __name__ == "__main__":
    main()
