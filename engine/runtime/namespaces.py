"""Namespaces: which to make new, which to join by path, and joining a running container's.

The PID namespace is special: unshare(2) and setns(2) with CLONE_NEWPID change only
the namespace of the caller's *future children*, so the launcher enters it before it
forks the container's first process (which becomes PID 1). Every other namespace is
entered by that process itself.

    plan = namespaces.plan(spec.namespaces)   # pure: flags and paths
    namespaces.enter_pid(plan)                 # in the launcher, before fork
    namespaces.enter(plan)                     # in the child

A new user namespace changes that (runc's way): the other new namespaces must belong
to it, the PID one included, so the child joins the given paths (still host root),
unshares the user namespace, waits for the launcher to write its uid and gid maps
(`write_id_maps`), unshares the rest with CLONE_NEWPID, and forks PID 1 (process.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import NamedTuple

from engine.runtime import syscalls as sc
from engine.runtime.errors import BundleInvalid, SetupFailed
from engine.runtime.spec import IdMapping, Namespace

# OCI type -> (clone flag, name under /proc/<pid>/ns).
KINDS: dict[str, tuple[int, str]] = {
    "user": (sc.CLONE_NEWUSER, "user"),
    "pid": (sc.CLONE_NEWPID, "pid"),
    "network": (sc.CLONE_NEWNET, "net"),
    "mount": (sc.CLONE_NEWNS, "mnt"),
    "ipc": (sc.CLONE_NEWIPC, "ipc"),
    "uts": (sc.CLONE_NEWUTS, "uts"),
    "cgroup": (sc.CLONE_NEWCGROUP, "cgroup"),
}

# The order a process joins another's namespaces in: user first (the rest belong to it), mount last
# (it changes the root).
JOIN_ORDER = ("user", "ipc", "uts", "net", "cgroup", "mnt")


class Plan(NamedTuple):
    new: int                                 # CLONE_* flags to unshare, CLONE_NEWPID excluded
    new_pid: bool
    joins: tuple[tuple[str, int], ...]       # (path, flag), CLONE_NEWPID excluded
    join_pid: str | None
    new_user: bool = False                   # CLONE_NEWUSER is not in `new`: it comes first, on its own

    def has(self, kind: str) -> bool:
        flag = KINDS[kind][0]
        return bool(self.new & flag) or any(f == flag for _, f in self.joins) or (
            kind == "pid" and (self.new_pid or self.join_pid is not None)) or (kind == "user" and self.new_user)


def plan(namespaces: Iterable[Namespace]) -> Plan:
    new, joins, new_pid, join_pid, new_user = 0, [], False, None, False
    for ns in namespaces:
        if ns.type not in KINDS:
            raise BundleInvalid(f"linux.namespaces: unknown namespace type {ns.type!r}")
        flag = KINDS[ns.type][0]
        if ns.type == "pid":
            new_pid, join_pid = ns.path is None, ns.path
        elif ns.type == "user" and not ns.path:
            new_user = True
        elif ns.path:
            joins.insert(0 if ns.type == "user" else len(joins), (ns.path, flag))
        else:
            new |= flag
    if new_user and join_pid:
        raise BundleInvalid("linux.namespaces: a new user namespace cannot join an existing pid namespace")
    return Plan(new, new_pid, tuple(joins), join_pid, new_user)


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
    """In the launcher, before fork: the next child is PID 1 of a new namespace, or joins one.

    Not with a new user namespace: the child makes the PID namespace inside it."""
    if p.new_user:
        return
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


def write_id_maps(pid: int, uids: Iterable[IdMapping], gids: Iterable[IdMapping]) -> None:
    """From the launcher: the uid and gid maps of the user namespace process `pid` has just made."""
    for name, mappings in (("uid_map", uids), ("gid_map", gids)):
        text = "".join(f"{m.container_id} {m.host_id} {m.size}\n" for m in mappings)
        if not text:
            raise BundleInvalid(f"linux.{name[0]}idMappings: a user namespace needs at least one mapping")
        try:
            with open(f"/proc/{pid}/{name}", "w") as f:
                f.write(text)  # one write: the kernel takes the whole map at once
        except OSError as e:
            raise SetupFailed(f"write {name} of process {pid}: {e.strerror}") from None


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
