"""Namespaces: which to make new, which to join by path, and joining a running container's.

The PID namespace is special: unshare(2) and setns(2) with CLONE_NEWPID change only
the namespace of the caller's *future children*, so the launcher enters it before it
forks the container's first process (which becomes PID 1). Every other namespace is
entered by that process itself.

    plan = namespaces.plan(spec.namespaces)   # pure: flags and paths
    namespaces.enter_pid(plan)                 # in the launcher, before fork
    namespaces.enter(plan)                     # in the child
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import NamedTuple

from engine.runtime import syscalls as sc
from engine.runtime.errors import BundleInvalid, SetupFailed
from engine.runtime.spec import Namespace

# OCI type -> (clone flag, name under /proc/<pid>/ns). User namespaces are not supported.
KINDS: dict[str, tuple[int, str]] = {
    "pid": (sc.CLONE_NEWPID, "pid"),
    "network": (sc.CLONE_NEWNET, "net"),
    "mount": (sc.CLONE_NEWNS, "mnt"),
    "ipc": (sc.CLONE_NEWIPC, "ipc"),
    "uts": (sc.CLONE_NEWUTS, "uts"),
    "cgroup": (sc.CLONE_NEWCGROUP, "cgroup"),
}

# The order a process joins another's namespaces in: mount last, as it changes the root.
JOIN_ORDER = ("ipc", "uts", "net", "cgroup", "mnt")


class Plan(NamedTuple):
    new: int                                 # CLONE_* flags to unshare, CLONE_NEWPID excluded
    new_pid: bool
    joins: tuple[tuple[str, int], ...]       # (path, flag), CLONE_NEWPID excluded
    join_pid: str | None

    def has(self, kind: str) -> bool:
        flag = KINDS[kind][0]
        return bool(self.new & flag) or any(f == flag for _, f in self.joins) or (
            kind == "pid" and (self.new_pid or self.join_pid is not None))


def plan(namespaces: Iterable[Namespace]) -> Plan:
    new, joins, new_pid, join_pid = 0, [], False, None
    for ns in namespaces:
        if ns.type == "user":
            raise BundleInvalid("linux.namespaces: user namespaces are not supported by the native runtime")
        if ns.type not in KINDS:
            raise BundleInvalid(f"linux.namespaces: unknown namespace type {ns.type!r}")
        flag = KINDS[ns.type][0]
        if ns.type == "pid":
            new_pid, join_pid = ns.path is None, ns.path
        elif ns.path:
            joins.append((ns.path, flag))
        else:
            new |= flag
    return Plan(new, new_pid, tuple(joins), join_pid)


def _join(path: str, flag: int) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise SetupFailed(f"open namespace `{path}`: {e.strerror}") from None
    try:
        sc.setns(fd, flag)
    except OSError as e:
        raise SetupFailed(f"join namespace `{path}`: {e.strerror}") from None
    finally:
        os.close(fd)


def enter_pid(p: Plan) -> None:
    """In the launcher, before fork: the next child is PID 1 of a new namespace, or joins one."""
    if p.join_pid:
        _join(p.join_pid, sc.CLONE_NEWPID)
    elif p.new_pid:
        sc.unshare(sc.CLONE_NEWPID)


def enter(p: Plan) -> None:
    """In the container's process: join the given namespaces, then make the new ones."""
    for path, flag in p.joins:
        _join(path, flag)
    if p.new:
        try:
            sc.unshare(p.new)
        except OSError as e:
            raise SetupFailed(f"unshare namespaces: {e.strerror}") from None


def foreign(pid: int) -> list[tuple[str, int]]:
    """The namespaces of `pid` that differ from ours, in JOIN_ORDER plus pid: (path, flag)."""
    flags = {name: flag for flag, name in KINDS.values()}
    out = []
    for name in ("pid", *JOIN_ORDER):
        theirs = f"/proc/{pid}/ns/{name}"
        try:
            if os.stat(theirs).st_ino != os.stat(f"/proc/self/ns/{name}").st_ino:
                out.append((theirs, flags[name]))
        except FileNotFoundError:
            continue
    return out


def join(targets: list[tuple[str, int]]) -> None:
    for path, flag in targets:
        _join(path, flag)
