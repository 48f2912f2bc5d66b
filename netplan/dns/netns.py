"""Make sockets inside another network namespace: enter it, create and bind, come back.

A socket belongs to the namespace it was created in for its whole life, so one process (the
DNS server, in the host's namespace) can listen on 127.0.0.11 inside every container. setns(2)
moves only the calling thread; the server is single-threaded and comes back at once.
Python 3.11 has no `os.setns`, so libc's is called through ctypes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

CLONE_NEWNET = 0x40000000
T = TypeVar("T")

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _setns(fd: int, path: str) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}", path)


@contextmanager
def _entered(path: str) -> Iterator[None]:
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        target = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            _setns(target, path)
        finally:
            os.close(target)
        try:
            yield
        finally:
            _setns(home, "/proc/thread-self/ns/net")
    finally:
        os.close(home)


def inside(path: str | None, make: Callable[[], T]) -> T:
    """`make()` run inside the namespace at `path` (a bind-mounted ns file), or here when None."""
    if path is None:
        return make()
    with _entered(path):
        return make()
