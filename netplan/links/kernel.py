"""The two doors into a namespace's network stack: a netlink socket (pyroute2) and its sysctls.

`netns=None` means the caller's own namespace (the host); a path means a namespace file from
`netplan.netns`. The netlink socket is opened inside that namespace and stays bound to it, so
the `IPRoute` answers for it whatever thread uses it afterwards.
"""

from __future__ import annotations

import socket
from pathlib import Path

from pyroute2 import IPRoute

from netplan import netns as namespaces

NETLINK_ROUTE = 0


def iproute(netns: Path | None) -> IPRoute:
    """An `IPRoute` talking to `netns` (None: the current one); close it (it is a context manager)."""
    if netns is None:
        return IPRoute()
    sock = namespaces.inside(netns, socket.socket, socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_ROUTE)
    return IPRoute(fileno=sock.detach())


def sysctl_path(key: str) -> str:
    """`net.ipv4.conf.pc1a2b.route_localnet` -> `/proc/sys/net/ipv4/conf/pc1a2b/route_localnet`."""
    parts = key.split(".")
    if parts[:3] in (["net", "ipv4", "conf"], ["net", "ipv6", "conf"]) and len(parts) > 5:
        parts = parts[:4] + [".".join(parts[4:-1])] + parts[-1:]  # an interface name may hold dots
    return "/proc/sys/" + "/".join(parts)


def read_sysctl(netns: Path | None, key: str) -> str:
    if netns is None:
        return _read(sysctl_path(key))
    return namespaces.inside(netns, _read, sysctl_path(key))


def write_sysctl(netns: Path | None, key: str, value: str) -> None:
    """Write `value` unless it is there already (no needless change to a host-wide setting)."""
    if netns is None:
        _write(sysctl_path(key), value)
    else:
        namespaces.inside(netns, _write, sysctl_path(key), value)


def _read(path: str) -> str:
    with open(path) as handle:
        return handle.read().strip()


def _write(path: str, value: str) -> None:
    if _read(path) != value:
        with open(path, "w") as handle:
            handle.write(value)
