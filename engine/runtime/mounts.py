"""Mounts: a spec mount's options as mount(2) flags, and making it inside the rootfs.

    flags, propagation, data = mounts.parse_options(("nosuid", "ro", "mode=755"))
    mounts.mount_in(rootfs, Mount("/dev", "tmpfs", "tmpfs", ("nosuid", "mode=755")))

A bind mount is made in two steps, as the kernel ignores most flags on the first
(MS_BIND): bind, then remount with the flags. Propagation is a third call.
"""

from __future__ import annotations

import os
import stat

from engine.runtime import syscalls as sc
from engine.runtime.errors import SetupFailed
from engine.runtime.spec import Mount

# option -> (clear?, flag): "ro" sets MS_RDONLY, "rw" clears it.
FLAGS: dict[str, tuple[bool, int]] = {
    "ro": (False, sc.MS_RDONLY), "rw": (True, sc.MS_RDONLY),
    "nosuid": (False, sc.MS_NOSUID), "suid": (True, sc.MS_NOSUID),
    "nodev": (False, sc.MS_NODEV), "dev": (True, sc.MS_NODEV),
    "noexec": (False, sc.MS_NOEXEC), "exec": (True, sc.MS_NOEXEC),
    "sync": (False, sc.MS_SYNCHRONOUS), "async": (True, sc.MS_SYNCHRONOUS),
    "dirsync": (False, sc.MS_DIRSYNC),
    "remount": (False, sc.MS_REMOUNT),
    "mand": (False, sc.MS_MANDLOCK), "nomand": (True, sc.MS_MANDLOCK),
    "noatime": (False, sc.MS_NOATIME), "atime": (True, sc.MS_NOATIME),
    "nodiratime": (False, sc.MS_NODIRATIME), "diratime": (True, sc.MS_NODIRATIME),
    "relatime": (False, sc.MS_RELATIME), "norelatime": (True, sc.MS_RELATIME),
    "strictatime": (False, sc.MS_STRICTATIME), "nostrictatime": (True, sc.MS_STRICTATIME),
    "bind": (False, sc.MS_BIND), "rbind": (False, sc.MS_BIND | sc.MS_REC),
    "defaults": (False, 0),
}

PROPAGATION: dict[str, int] = {
    "private": sc.MS_PRIVATE, "rprivate": sc.MS_PRIVATE | sc.MS_REC,
    "shared": sc.MS_SHARED, "rshared": sc.MS_SHARED | sc.MS_REC,
    "slave": sc.MS_SLAVE, "rslave": sc.MS_SLAVE | sc.MS_REC,
    "unbindable": sc.MS_UNBINDABLE, "runbindable": sc.MS_UNBINDABLE | sc.MS_REC,
}

# statvfs f_flag bit -> the mount flag a bind remount must keep.
_STATVFS_KEEP = {os.ST_RDONLY: sc.MS_RDONLY, os.ST_NOSUID: sc.MS_NOSUID, os.ST_NODEV: sc.MS_NODEV,
                 os.ST_NOEXEC: sc.MS_NOEXEC, os.ST_NOATIME: sc.MS_NOATIME,
                 os.ST_NODIRATIME: sc.MS_NODIRATIME, os.ST_RELATIME: sc.MS_RELATIME}

_MAX_SYMLINKS = 255


def parse_options(options: tuple[str, ...]) -> tuple[int, list[int], str]:
    """(flags, propagation calls, data) for a spec mount's options; unknown options go to data."""
    flags, propagation, data = 0, [], []
    for option in options:
        if option in FLAGS:
            clear, flag = FLAGS[option]
            flags = flags & ~flag if clear else flags | flag
        elif option in PROPAGATION:
            propagation.append(PROPAGATION[option])
        elif option not in ("tmpcopyup", "idmap", "ridmap"):
            data.append(option)
    return flags, propagation, ",".join(data)


def secure_join(root: str, unsafe: str) -> str:
    """`unsafe` resolved under `root` as if root were `/`: symlinks and `..` never leave it."""
    parts = [p for p in unsafe.split("/") if p]
    resolved: list[str] = []
    links = 0
    while parts:
        part = parts.pop(0)
        if part == ".":
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = os.path.join(root, *resolved, part)
        try:
            is_link = stat.S_ISLNK(os.lstat(candidate).st_mode)
        except OSError:
            is_link = False
        if not is_link:
            resolved.append(part)
            continue
        links += 1
        if links > _MAX_SYMLINKS:
            raise SetupFailed(f"resolve `{unsafe}` in `{root}`: too many levels of symbolic links")
        target = os.readlink(candidate)
        if target.startswith("/"):
            resolved = []
        parts = [p for p in target.split("/") if p] + parts
    return os.path.join(root, *resolved)


def kept_flags(path: str) -> int:
    """The flags a bind remount at `path` must repeat so that the kernel accepts it."""
    f_flag = os.statvfs(path).f_flag
    return sum(flag for bit, flag in _STATVFS_KEEP.items() if f_flag & bit)


def make_target(target: str, source_is_dir: bool) -> None:
    if os.path.lexists(target):
        return
    if source_is_dir:
        os.makedirs(target, mode=0o755, exist_ok=True)
        return
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644))


def mount_in(rootfs: str, m: Mount) -> str:
    """Make mount `m` under `rootfs`; returns the host path it landed on."""
    flags, propagation, data = parse_options(m.options)
    target = secure_join(rootfs, m.destination)
    is_bind = m.type == "bind" or bool(flags & sc.MS_BIND)
    if is_bind:
        flags |= sc.MS_BIND
        source = m.source or ""
        if not os.path.exists(source):
            raise SetupFailed(f"mount `{m.destination}`: bind source `{source}` does not exist")
        make_target(target, os.path.isdir(source))
    else:
        source = m.source or m.type or "none"
        make_target(target, True)
    try:
        if is_bind:
            sc.mount(source, target, None, flags & (sc.MS_BIND | sc.MS_REC), None)
            rest = flags & ~(sc.MS_BIND | sc.MS_REC)
            if rest:
                sc.mount(None, target, None, sc.MS_REMOUNT | sc.MS_BIND | rest | kept_flags(target), None)
        else:
            sc.mount(source, target, m.type, flags, data or None)
        for prop in propagation:
            sc.mount(None, target, None, prop, None)
    except OSError as e:
        raise SetupFailed(f"mount `{m.destination}` ({m.type or 'bind'} from `{source}`): {e.strerror}") from None
    return target


def bind_readonly(path: str) -> None:
    """Make `path` (already inside the new root) read-only by bind-mounting it onto itself."""
    try:
        sc.mount(path, path, None, sc.MS_BIND | sc.MS_REC, None)
        sc.mount(None, path, None, sc.MS_REMOUNT | sc.MS_BIND | sc.MS_RDONLY | kept_flags(path), None)
    except OSError as e:
        raise SetupFailed(f"make `{path}` read-only: {e.strerror}") from None


def mask(path: str) -> None:
    """Hide `path`: /dev/null over a file, an empty read-only tmpfs over a directory."""
    try:
        is_dir = os.path.isdir(path) and not os.path.islink(path)
        if is_dir:
            sc.mount("tmpfs", path, "tmpfs", sc.MS_RDONLY, "size=0k")
        else:
            sc.mount("/dev/null", path, None, sc.MS_BIND, None)
    except OSError as e:
        raise SetupFailed(f"mask `{path}`: {e.strerror}") from None
