"""Mounts described as data, and the small functions that perform and undo them.

An overlay mount's options must fit in one page. When an option string is longer,
its lowerdir paths are written relative to their common parent and the mount is
made from a child process whose working directory is that parent (the kernel
resolves relative lowerdir paths against the caller's cwd). A child, because the
working directory is per process and threads share it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.images.errors import StorageUnavailable

MS_RDONLY, MS_BIND, MS_REC = 1, 4096, 16384
MNT_DETACH = 2
PAGE = resource.getpagesize()
_FLAGS = {"ro": MS_RDONLY, "bind": MS_BIND, "rbind": MS_BIND | MS_REC}


@dataclass(frozen=True)
class Mount:
    """One mount to make: type, source, target, options."""

    type: str  # "overlay", "bind"
    source: str
    target: str
    options: tuple[str, ...] = ()

    def flags_and_data(self) -> tuple[int, str]:
        flags, data = 0, []
        for opt in self.options:
            if opt in _FLAGS:
                flags |= _FLAGS[opt]
            elif opt != "rw":
                data.append(opt)
        if self.type == "bind":
            flags |= MS_BIND
        return flags, ",".join(data)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _mount(source: str, target: str, fstype: str, flags: int, data: str) -> None:
    rc = _libc().mount(source.encode(), target.encode(), fstype.encode() if fstype != "bind" else None,
                       ctypes.c_ulong(flags), data.encode() if data else None)
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _relative_lowerdirs(data: str) -> tuple[str, str]:
    """(cwd, data) with lowerdir paths relative to their common parent."""
    opts = data.split(",")
    lower_at = next(i for i, o in enumerate(opts) if o.startswith("lowerdir="))
    lowers = opts[lower_at][len("lowerdir="):].split(":")
    parent = os.path.commonpath(lowers)
    if parent in lowers:
        parent = os.path.dirname(parent)
    opts[lower_at] = "lowerdir=" + ":".join(os.path.relpath(p, parent) for p in lowers)
    return parent, ",".join(opts)


def _mount_in(cwd: str, source: str, target: str, fstype: str, flags: int, data: str) -> None:
    pid = os.fork()
    if pid == 0:  # the child: chdir, mount, and report errno as the exit status
        code = 0
        try:
            os.chdir(cwd)
            _mount(source, target, fstype, flags, data)
        except OSError as err:
            code = err.errno or 255
        except BaseException:
            code = 255
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise OSError(code, os.strerror(code) if code != 255 else "the mount helper failed")


def mount_one(m: Mount) -> None:
    flags, data = m.flags_and_data()
    try:
        if m.type == "overlay" and len(data) >= PAGE:
            cwd, data = _relative_lowerdirs(data)
            if len(data) >= PAGE:
                raise StorageUnavailable(f"mount overlay `{m.target}`: {data.count(':') + 1} layers are too "
                                         f"many for one overlay mount ({len(data)} bytes of options, {PAGE} allowed)")
            _mount_in(cwd, m.source, os.path.abspath(m.target), m.type, flags, data)
        else:
            _mount(m.source, m.target, m.type, flags, data)
    except OSError as err:
        raise StorageUnavailable(f"mount {m.type} `{m.target}`: {err.strerror}") from None


def mount_all(mounts: Sequence[Mount]) -> None:
    """Perform `mounts` in order; on a failure, undo those already made and raise."""
    done: list[Mount] = []
    try:
        for m in mounts:
            mount_one(m)
            done.append(m)
    except BaseException:
        unmount_all(done)
        raise


def unmount(target: str | Path) -> None:
    """Unmount `target`; a busy mount is detached. Not mounted is fine."""
    libc = _libc()
    path = str(target).encode()
    if libc.umount2(path, 0) == 0:
        return
    err = ctypes.get_errno()
    if err == errno.EBUSY and libc.umount2(path, MNT_DETACH) == 0:
        return
    if err in (errno.EINVAL, errno.ENOENT):
        return  # not a mount point (any more)
    raise StorageUnavailable(f"unmount `{target}`: {os.strerror(err)}")


def unmount_all(mounts: Sequence[Mount]) -> None:
    for m in reversed(mounts):
        unmount(m.target)
