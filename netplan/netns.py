"""Network namespaces kept as files under the run root, the way `ip netns` keeps them in /run/netns.

Lifecycle: `create(run_root, name)` makes a new, empty namespace (only `lo`, brought up) and
bind-mounts it on `<run_root>/netns/<name>`. That path is what `links` plumbs and what the
engine starts a container's process in; the namespace lives as long as the mount, so a
restarted process needs no re-plumbing. `remove(run_root, name)` unmounts and unlinks it (the
kernel frees the namespace once no process is left in it). `inside(path, fn)` runs `fn` in
the namespace: a socket it opens stays there, which is how `links` talks netlink to it.

Why threads: unshare(CLONE_NEWNET) and setns(2) change only the calling thread, so a short-lived
thread enters a namespace without forking the interpreter (about a millisecond), and the
caller's own thread never changes namespace.

Mount propagation: the bind mount is made in the caller's mount namespace. systemd makes `/`
a shared mount, so a runtime that gives its container a slave copy of the tree still sees the
unmount of `remove()`, and the namespace is freed.

    >>> path = create(Path("/run/pycompose"), "pc1a2b3c4d5e")
    >>> inside(path, lambda: socket.if_nameindex())
    [(1, 'lo')]
    >>> remove(Path("/run/pycompose"), "pc1a2b3c4d5e")
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from netplan.links.errors import LinkConflict, LinkInvalid, LinkNotFound, failing

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
MS_BIND = 0x1000
MNT_DETACH = 0x2
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
IFREQ = "16sH22x"  # struct ifreq: the name, then ifr_flags in a 24-byte union
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def name_for(container_id: str) -> str:
    """A container's namespace name: `pc` + the first 12 characters of its id (pycompose's, recognisable)."""
    return path_of(Path("/"), f"pc{container_id[:12]}").name


def path_of(run_root: Path, name: str) -> Path:
    """Where the namespace `name` is kept: `<run_root>/netns/<name>`."""
    if not NAME.match(name):
        raise LinkInvalid(f"name network namespace `{name}`: use letters, digits, `_`, `.` and `-` (at most 64)")
    return Path(run_root) / "netns" / name


def names(run_root: Path) -> list[str]:
    """The namespaces kept under the run root, sorted."""
    try:
        return sorted(os.listdir(Path(run_root) / "netns"))
    except FileNotFoundError:
        return []


def create(run_root: Path, name: str) -> Path:
    """Make a namespace with `lo` up and keep it at `path_of(run_root, name)`; nothing is left on failure."""
    path = path_of(run_root, name)
    with failing("create network namespace", name):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))
        except FileExistsError:
            raise LinkConflict(f"create network namespace `{name}`: {path} exists already") from None
        try:
            _in_thread(_unshare_and_keep, path)
        except BaseException:
            _umount(path)
            path.unlink()
            raise
    return path


def remove(run_root: Path, name: str) -> None:
    """Unmount and unlink the namespace's file; a namespace that is gone already is fine."""
    path = path_of(run_root, name)
    with failing("remove network namespace", name):
        _umount(path)
        path.unlink(missing_ok=True)


def inside(path: Path, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`, run by a thread that has entered the namespace at `path`; its exception is re-raised here."""
    with failing("enter network namespace", str(path)):
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return _in_thread(_enter_and_call, fd, str(path), fn, *args)
    finally:
        os.close(fd)


def _enter_and_call(fd: int, where: str, fn: Callable[..., T], *args: Any) -> T:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        if code == errno.EINVAL:
            raise LinkNotFound(f"enter network namespace `{where}`: not a network namespace")
        with failing("enter network namespace", where):
            raise OSError(code, os.strerror(code))
    return fn(*args)


def _unshare_and_keep(path: Path) -> None:
    _check(_libc.unshare(CLONE_NEWNET))
    _check(_libc.mount(b"/proc/thread-self/ns/net", bytes(path), None, MS_BIND, None))
    _loopback_up()


def _loopback_up() -> None:
    """`ip link set lo up` in the calling thread's namespace (an ioctl: no netlink socket needed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        flags = struct.unpack(IFREQ, fcntl.ioctl(sock, SIOCGIFFLAGS, struct.pack(IFREQ, b"lo", 0)))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack(IFREQ, b"lo", flags | IFF_UP))


def _umount(path: Path) -> None:
    """Detach the mount on `path`; not mounted (EINVAL) or not there (ENOENT) is fine."""
    if _libc.umount2(bytes(path), MNT_DETACH) != 0:
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOENT):
            raise OSError(code, os.strerror(code))


def _in_thread(fn: Callable[..., T], *args: Any) -> T:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="pycompose-netns", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
