"""Rules of the source that a reader could miss: every descriptor nsrun
opens is close-on-exec (so that none can leak into a container, whatever
path a process takes to exec), save the stdio it sets up on purpose."""

import re

from conftest import REPO

CALLS = re.compile(r"\b(open|openat|socket|socketpair|pipe2?|eventfd|memfd_create|dup|"
                   r"epoll_create1?|inotify_init1?|accept4?|open_tree|fsopen|fsmount|"
                   r"pidfd_open|signalfd)\s*\(")


def call_text(source, start):
    """The call's text up to its closing parenthesis."""
    depth = 0
    for i in range(start, len(source)):
        if source[i] == "(":
            depth += 1
        elif source[i] == ")":
            depth -= 1
            if depth == 0:
                return source[start:i + 1]
    return source[start:]


def test_every_descriptor_is_close_on_exec():
    offenders = []
    for path in sorted((REPO / "src").rglob("*.c")):
        source = path.read_text()
        for m in CALLS.finditer(source):
            line = source.count("\n", 0, m.start()) + 1
            before = source[source.rfind("\n", 0, m.start()) + 1:m.start()]
            if before.lstrip().startswith(("*", "/*", "//")) or "#define" in before:
                continue
            text = call_text(source, m.end() - 1)
            # The flags may be put together just above the call.
            above = "\n".join(source.splitlines()[max(0, line - 4):line - 1])
            # pidfd_open descriptors are close-on-exec by definition.
            if m.group(1) == "pidfd_open" or "CLOEXEC" in text or "CLOEXEC" in above:
                continue
            offenders.append(f"{path.relative_to(REPO)}:{line}: {m.group(1)}{text}")
    assert not offenders, "\n".join(offenders)
