"""The runtime's one door to the kernel: every syscall the runtime makes that Python's `os` lacks.

Feature modules call `syscalls.mount(...)`, never libc. Tests swap the backend with
`recording()` and read back the calls in order, with no root and no kernel objects:

    with syscalls.recording() as calls:
        rootfs.pivot("/bundle/rootfs")
    assert calls[0] == ("chdir", "/bundle/rootfs")

A failing call raises `OSError(errno, "operation `object`: reason")`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
from collections.abc import Iterator
from typing import Any

# clone(2) flags, as unshare(2) and setns(2) take them.
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

# mount(2) flags.
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_SYNCHRONOUS = 16
MS_REMOUNT = 32
MS_MANDLOCK = 64
MS_DIRSYNC = 128
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_SILENT = 32768
MS_UNBINDABLE = 1 << 17
MS_PRIVATE = 1 << 18
MS_SLAVE = 1 << 19
MS_SHARED = 1 << 20
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24
MNT_DETACH = 2

# prctl(2) options.
PR_SET_KEEPCAPS = 8
PR_CAPBSET_READ = 23
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2
PR_CAP_AMBIENT_CLEAR_ALL = 4

_LINUX_CAPABILITY_VERSION_3 = 0x20080522

# Syscalls glibc does not wrap, by machine.
_NUMBERS = {
    "x86_64": {"pivot_root": 155, "capget": 125, "capset": 126, "seccomp": 317},
    "aarch64": {"pivot_root": 41, "capget": 90, "capset": 91, "seccomp": 277},
}
SECCOMP_SET_MODE_FILTER = 1


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _fail(operation: str, target: str) -> OSError:
    err = ctypes.get_errno()
    return OSError(err, f"{operation} `{target}`: {os.strerror(err)}")


class Linux:
    """The real backend: libc through ctypes."""

    def __init__(self) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._numbers = _NUMBERS.get(platform.machine(), {})

    def _syscall(self, name: str, *args: Any) -> int:
        if name not in self._numbers:
            raise OSError(38, f"{name}: not known on {platform.machine()}")
        return int(self._libc.syscall(self._numbers[name], *args))

    def mount(self, source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
        enc = [None if v is None else v.encode() for v in (source, target, fstype, data)]
        if self._libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]) != 0:
            raise _fail("mount", target)

    def umount2(self, target: str, flags: int) -> None:
        if self._libc.umount2(target.encode(), flags) != 0:
            raise _fail("umount", target)

    def pivot_root(self, new_root: str, put_old: str) -> None:
        if self._syscall("pivot_root", new_root.encode(), put_old.encode()) != 0:
            raise _fail("pivot_root", new_root)

    def unshare(self, flags: int) -> None:
        if hasattr(os, "unshare"):
            os.unshare(flags)
        elif self._libc.unshare(flags) != 0:
            raise _fail("unshare", hex(flags))

    def setns(self, fd: int, nstype: int) -> None:
        if hasattr(os, "setns"):
            os.setns(fd, nstype)
        elif self._libc.setns(fd, nstype) != 0:
            raise _fail("setns", hex(nstype))

    def prctl(self, option: int, arg2: int = 0, arg3: int = 0) -> int:
        result = int(self._libc.prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), 0, 0))
        if result < 0:
            raise _fail("prctl", str(option))
        return result

    def capset(self, effective: int, permitted: int, inheritable: int) -> None:
        header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
        data = (_CapData * 2)()
        for i in (0, 1):
            shift = 32 * i
            data[i].effective = (effective >> shift) & 0xFFFFFFFF
            data[i].permitted = (permitted >> shift) & 0xFFFFFFFF
            data[i].inheritable = (inheritable >> shift) & 0xFFFFFFFF
        if self._syscall("capset", ctypes.byref(header), ctypes.byref(data)) != 0:
            raise _fail("capset", "self")

    def seccomp_filter(self, program: bytes, flags: int) -> None:
        """seccomp(SECCOMP_SET_MODE_FILTER, flags, &program): `program` is classic BPF, 8 bytes an instruction."""
        prog = _SockFprog(len(program) // 8, program)
        if self._syscall("seccomp", SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(prog)) != 0:
            raise _fail("seccomp", "filter")

    def sethostname(self, name: str) -> None:
        raw = name.encode()
        if self._libc.sethostname(raw, len(raw)) != 0:
            raise _fail("sethostname", name)

    def setdomainname(self, name: str) -> None:
        raw = name.encode()
        if self._libc.setdomainname(raw, len(raw)) != 0:
            raise _fail("setdomainname", name)

    def mknod(self, path: str, mode: int, device: int) -> None:
        os.mknod(path, mode, device)

    def chdir(self, path: str) -> None:
        os.chdir(path)

    def open_directory(self, path: str) -> int:
        return os.open(path, os.O_DIRECTORY | os.O_RDONLY | os.O_CLOEXEC)

    def fchdir(self, fd: int) -> None:
        os.fchdir(fd)

    def close(self, fd: int) -> None:
        os.close(fd)


class Recorder:
    """A backend that does nothing and remembers every call as `(name, *args)`."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any) -> int:
            self.calls.append((name, *args))
            return 0
        return record


_backend: Any = None


def backend() -> Any:
    global _backend
    if _backend is None:
        _backend = Linux()
    return _backend


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[Any, ...]]]:
    """Within the block, syscalls are recorded (and not made); yields the list of calls."""
    global _backend
    saved, _backend = _backend, Recorder()
    try:
        yield _backend.calls
    finally:
        _backend = saved


def mount(source: str | None, target: str, fstype: str | None = None, flags: int = 0, data: str | None = None) -> None:
    backend().mount(source, target, fstype, flags, data)


def umount2(target: str, flags: int = 0) -> None:
    backend().umount2(target, flags)


def pivot_root(new_root: str, put_old: str) -> None:
    backend().pivot_root(new_root, put_old)


def unshare(flags: int) -> None:
    backend().unshare(flags)


def setns(fd: int, nstype: int) -> None:
    backend().setns(fd, nstype)


def prctl(option: int, arg2: int = 0, arg3: int = 0) -> int:
    return int(backend().prctl(option, arg2, arg3))


def capset(effective: int, permitted: int, inheritable: int) -> None:
    backend().capset(effective, permitted, inheritable)


def seccomp_filter(program: bytes, flags: int = 0) -> None:
    backend().seccomp_filter(program, flags)


def sethostname(name: str) -> None:
    backend().sethostname(name)


def setdomainname(name: str) -> None:
    backend().setdomainname(name)


def mknod(path: str, mode: int, device: int) -> None:
    backend().mknod(path, mode, device)


def chdir(path: str) -> None:
    backend().chdir(path)


def open_directory(path: str) -> int:
    return int(backend().open_directory(path))


def fchdir(fd: int) -> None:
    backend().fchdir(fd)


def close(fd: int) -> None:
    backend().close(fd)
