"""The cache of compiled seccomp programs in the state root: a profile is
compiled once and then read back; a damaged entry, or a cache directory
that is not nsrun's own, is never trusted."""

import os
import stat
import struct
import uuid

from conftest import ID_PREFIX

HEADER = struct.Struct("=8sII")  # magic, key bytes, program instructions
ENOSYS, ENOTEMPTY = 38, 39


def deny_mkdir(errno):
    return {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                          "errnoRet": errno}]}


def new_id():
    return ID_PREFIX + uuid.uuid4().hex[:10]


def mkdir_error(nsrun, bundle, profile):
    """What mkdir says in a container run with profile."""
    bundle.config["root"]["readonly"] = False
    bundle.config["linux"]["seccomp"] = profile
    bundle.args("sh", "-c", "mkdir /tmp/d 2>&1; true")
    return nsrun.ok("run", "-b", str(bundle.path), new_id()).out


def entries(nsrun):
    return sorted((nsrun.root / ".seccomp-cache").iterdir())


def test_a_profile_is_compiled_once_and_cached(nsrun, bundle):
    assert "Function not implemented" in mkdir_error(nsrun, bundle, deny_mkdir(ENOSYS))
    cache = nsrun.root / ".seccomp-cache"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    [entry] = entries(nsrun)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    before = entry.stat()
    assert "Function not implemented" in mkdir_error(nsrun, bundle, deny_mkdir(ENOSYS))
    after = entry.stat()
    assert entries(nsrun) == [entry]
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), \
        "a hit does not rewrite the entry"
    # Another profile is another entry.
    assert "Operation not permitted" in mkdir_error(nsrun, bundle, deny_mkdir(1))
    assert len(entries(nsrun)) == 2
    assert nsrun.ids() == [], "the cache is not a container"


def rewrite_errno(entry, old, new):
    """Changes the errno of the program's SECCOMP_RET_ERRNO returns."""
    data = bytearray(entry.read_bytes())
    _, key_len, insns = HEADER.unpack_from(data)
    start = HEADER.size + key_len
    program = data[start:]
    assert len(program) == insns * 8
    ret_old = struct.pack("=I", 0x00050000 | old)
    assert ret_old in program
    data[start:] = program.replace(ret_old, struct.pack("=I", 0x00050000 | new))
    entry.write_bytes(bytes(data))


def test_a_hit_loads_the_cached_program(nsrun, bundle):
    """Shown by changing the cached program: the container gets its errno."""
    mkdir_error(nsrun, bundle, deny_mkdir(ENOSYS))
    [entry] = entries(nsrun)
    rewrite_errno(entry, ENOSYS, ENOTEMPTY)
    assert "Directory not empty" in mkdir_error(nsrun, bundle, deny_mkdir(ENOSYS))


def test_exec_uses_the_cache_too(nsrun, bundle, cid):
    bundle.config["root"]["readonly"] = False
    bundle.config["linux"]["seccomp"] = deny_mkdir(ENOSYS)
    bundle.args("sleep", "600")
    nsrun.ok("run", "-d", "-b", str(bundle.path), cid)
    try:
        [entry] = entries(nsrun)
        rewrite_errno(entry, ENOSYS, ENOTEMPTY)
        r = nsrun("exec", cid, "mkdir", "/tmp/e")
        assert r.returncode != 0 and "Directory not empty" in r.err + r.out, r
    finally:
        nsrun.ok("delete", "--force", cid)


def damage_truncate(entry):
    entry.write_bytes(entry.read_bytes()[:-8])


def damage_magic(entry):
    data = entry.read_bytes()
    entry.write_bytes(b"garbage!" + data[8:])


def damage_key(entry):
    """The same length, another key: a collision of the file name."""
    data = bytearray(entry.read_bytes())
    data[HEADER.size + 40] ^= 0xFF
    entry.write_bytes(bytes(data))


def damage_symlink(entry):
    target = entry.with_name("elsewhere")
    os.rename(entry, target)
    os.symlink(target, entry)


def damage_owner(entry):
    os.chown(entry, 65534, 65534)


def test_damaged_entries_are_not_trusted(nsrun, bundle):
    for damage in (damage_truncate, damage_magic, damage_key, damage_symlink, damage_owner):
        mkdir_error(nsrun, bundle, deny_mkdir(ENOSYS))
        [entry] = [e for e in entries(nsrun) if e.name != "elsewhere"]
        # A damaged entry that were trusted would answer ENOTEMPTY.
        rewrite_errno(entry, ENOSYS, ENOTEMPTY)
        damage(entry)
        assert "Function not implemented" in mkdir_error(nsrun, bundle, deny_mkdir(ENOSYS)), \
            damage.__name__
        assert entry.is_file() and not entry.is_symlink() and entry.stat().st_uid == 0
        for e in entries(nsrun):
            e.unlink()


def test_a_cache_directory_not_nsruns_is_not_used(nsrun, bundle, tmp_path):
    nsrun.root.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, nsrun.root / ".seccomp-cache")
    assert "Function not implemented" in mkdir_error(nsrun, bundle, deny_mkdir(ENOSYS))
    assert list(elsewhere.iterdir()) == [], "nothing written through the link"
    os.unlink(nsrun.root / ".seccomp-cache")
    os.mkdir(nsrun.root / ".seccomp-cache", 0o700)
    os.chmod(nsrun.root / ".seccomp-cache", 0o777)
    assert "Function not implemented" in mkdir_error(nsrun, bundle, deny_mkdir(ENOSYS))
    assert entries(nsrun) == [], "a directory others can write to is not used"


def test_the_cache_stays_bounded(nsrun, bundle):
    """Entries, and the temporary files of writers that were killed."""
    cache = nsrun.root / ".seccomp-cache"
    cache.mkdir(parents=True, mode=0o700)
    nsrun.root.chmod(0o700)
    for n in range(40):
        (cache / f".0123456789abcdef.{n}.tmp").write_bytes(b"half")
    bundle.config["linux"]["seccomp"] = deny_mkdir(1)
    bundle.args("true")
    for errno in range(1, 41):
        bundle.config["linux"]["seccomp"]["syscalls"][0]["errnoRet"] = errno
        nsrun.ok("run", "-b", str(bundle.path), new_id())
        assert len(entries(nsrun)) <= 32


def test_ids_with_a_leading_dot_are_refused(nsrun, bundle):
    r = nsrun("create", "-b", str(bundle.path), ".seccomp-cache")
    assert r.returncode == 1
    assert 'invalid container id ".seccomp-cache": must not start with a dot' in r.err
