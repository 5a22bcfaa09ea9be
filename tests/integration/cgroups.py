"""Where a process' cgroups are on this host: the v1 hierarchies and the
v2 one, from /proc/self/mountinfo and /proc/PID/cgroup."""

import pathlib


def hierarchies():
    """{controller (or "" for v2, "name=systemd"): mount point}."""
    found = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ")
            fstype, _source, options = post.split()[:3]
            mountpoint = pre.split()[4]
            if fstype == "cgroup2":
                found.setdefault("", mountpoint)
            elif fstype == "cgroup":
                for opt in options.split(","):
                    if opt not in ("rw", "ro") and "=" not in opt or opt.startswith("name="):
                        found.setdefault(opt, mountpoint)
    return found


def dir_of(pid, controller):
    """The host directory of pid's cgroup for a controller ("" for v2)."""
    mounts = hierarchies()
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            names = controllers.split(",") if controllers else [""]
            if controller in names:
                return pathlib.Path(mounts[controller] + path)
    raise LookupError(f"no {controller or 'v2'} cgroup for {pid}")


def read(pid, controller, name):
    return (dir_of(pid, controller) / name).read_text().strip()
