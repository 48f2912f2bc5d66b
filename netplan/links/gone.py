"""Waiting for the kernel to destroy a container's veths once its namespace is removed (it does so in batches,
in its own time): the caller returns only when nothing of the container is left, without deleting each pair
itself (each deletion waits on an RCU grace period, one after another under the kernel's link lock).

In this process's own namespace a link is looked for with if_nametoindex (one ioctl): no netlink, and no
pyroute2 to import; elsewhere (a test's host namespace) over netlink.

Thirty containers removed at once wait together: in this process's namespace one thread (`_Watcher`) looks
for every waiter's veths every few milliseconds and wakes each waiter once its own are gone. Thirty threads
each polling on its own spent more of the down's time handing the GIL to one another than looking.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path

POLL = 0.005  # seconds between looks: the kernel destroys a namespace's links some milliseconds after it goes


def await_gone(host_names: Sequence[str], host_netns: Path | None = None, timeout: float = 5.0) -> None:
    """Return once these veths are gone; delete those still there at `timeout`."""
    if not host_names:
        return
    if host_netns is None:
        left = _WATCHER.wait(host_names, timeout)
    else:
        left = _poll_netlink(list(host_names), host_netns, time.monotonic() + timeout)
    if left:
        from netplan.links.endpoint import detach

        for name in left:
            detach(name, host_netns)


def _poll_netlink(left: list[str], host_netns: Path, deadline: float) -> list[str]:
    from netplan.links.bridge import lookup
    from netplan.links.errors import failing
    from netplan.links.kernel import iproute

    with failing("wait for veths to go", ", ".join(left)), iproute(host_netns) as ipr:
        while left and time.monotonic() <= deadline:
            left = [name for name in left if lookup(ipr, name) is not None]
            if left:
                time.sleep(0.02)
    return left


class _Watcher:
    """One polling thread for every waiter of this process; it ends when nobody waits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[int, tuple[set[str], threading.Event]] = {}
        self._running = False

    def wait(self, names: Sequence[str], timeout: float) -> list[str]:
        """The names still there after `timeout` (none once all are gone)."""
        left = {name for name in names if _exists_here(name)}
        if not left:
            return []
        done = threading.Event()
        key = id(done)
        with self._lock:
            self._waiting[key] = (left, done)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="pycompose-veths-gone", daemon=True).start()
        done.wait(timeout)
        with self._lock:
            self._waiting.pop(key, None)
            return sorted(left)

    def _run(self) -> None:
        while True:
            time.sleep(POLL)
            with self._lock:
                pending = {name for left, _ in self._waiting.values() for name in left}
            gone = {name for name in pending if not _exists_here(name)}
            with self._lock:
                for left, done in self._waiting.values():
                    left -= gone
                    if not left:
                        done.set()
                if not any(left for left, _ in self._waiting.values()):
                    self._running = False
                    return


_WATCHER = _Watcher()


def _exists_here(name: str) -> bool:
    try:
        socket.if_nametoindex(name)
    except OSError:
        return False
    return True
