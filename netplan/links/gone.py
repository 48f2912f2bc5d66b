"""Waiting for the kernel to destroy a container's veths once its namespace is removed (it does so in batches,
in its own time): the caller returns only when nothing of the container is left, without deleting each pair
itself (each deletion waits on an RCU grace period, one after another under the kernel's link lock).

In this process's own namespace a link is looked for with if_nametoindex (one ioctl): no netlink, and no
pyroute2 to import; elsewhere (a test's host namespace) over netlink.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from pathlib import Path


def await_gone(host_names: Sequence[str], host_netns: Path | None = None, timeout: float = 5.0) -> None:
    """Return once these veths are gone; delete those still there at `timeout`."""
    if not host_names:
        return
    deadline = time.monotonic() + timeout
    left = list(host_names)
    if host_netns is None:
        while left and time.monotonic() <= deadline:
            left = [name for name in left if _exists_here(name)]
            if left:
                time.sleep(0.005)
    else:
        from netplan.links.bridge import lookup
        from netplan.links.errors import failing
        from netplan.links.kernel import iproute

        with failing("wait for veths to go", ", ".join(host_names)), iproute(host_netns) as ipr:
            while left and time.monotonic() <= deadline:
                left = [name for name in left if lookup(ipr, name) is not None]
                if left:
                    time.sleep(0.02)
    if left:
        from netplan.links.endpoint import detach

        for name in left:
            detach(name, host_netns)


def _exists_here(name: str) -> bool:
    try:
        socket.if_nametoindex(name)
    except OSError:
        return False
    return True
