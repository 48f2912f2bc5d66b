"""Who holds a port: the socket in /proc/net/{tcp,udp}{,6} and the process with that socket open.

Only asked after a bind failed, to turn EADDRINUSE into "in use by nginx (pid 1234)". The
tables are those of the calling thread's network namespace (/proc/thread-self/net: a thread that
entered a namespace sees that one's sockets, where /proc/net would show its process's). The answer
is best effort: a process whose /proc/PID/fd we cannot read leaves it None.

    >>> holder("tcp", ip_address("127.0.0.1"), 8080)
    Holder(pid=1234, name='nginx')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path

Address = IPv4Address | IPv6Address
LISTEN, UDP_BOUND = "0A", "07"


@dataclass(frozen=True)
class Holder:
    """A process holding a host port: its pid and command."""

    pid: int
    name: str


def holder(protocol: str, address: Address, port: int, proc: Path = Path("/proc")) -> Holder | None:
    inodes = socket_inodes(protocol, address, port, proc)
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for pid_dir in proc.iterdir():
        if pid_dir.name.isdigit() and _holds(pid_dir, wanted):
            return Holder(int(pid_dir.name), _name(pid_dir))
    return None


def socket_inodes(protocol: str, address: Address, port: int, proc: Path = Path("/proc")) -> list[str]:
    """Inodes of the sockets bound to `port` that clash with `address`, exact address first."""
    state = LISTEN if protocol == "tcp" else UDP_BOUND
    exact, others = [], []
    net = proc / "thread-self" / "net"
    if not net.exists():
        net = proc / "net"
    for table in (f"{protocol}", f"{protocol}6"):
        try:
            lines = (net / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, status, inode = fields[1], fields[3], fields[9]
            bound, bound_port = _parse_local(local)
            if bound_port != port or status != state or inode == "0":
                continue
            if bound == address:
                exact.append(inode)
            elif bound.is_unspecified or address.is_unspecified or _same_v4(bound, address):
                others.append(inode)
    return exact + others


def _parse_local(local: str) -> tuple[Address, int]:
    """`0100007F:1F90` (little-endian words, as the kernel prints them) -> (127.0.0.1, 8080)."""
    hex_address, hex_port = local.split(":")
    raw = bytes.fromhex(hex_address)
    packed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return ip_address(packed), int(hex_port, 16)


def _same_v4(a: Address, b: Address) -> bool:
    """A v4-mapped v6 socket (`::ffff:127.0.0.1`) clashes with the v4 address."""
    mapped = [x.ipv4_mapped if isinstance(x, IPv6Address) else x for x in (a, b)]
    return mapped[0] is not None and mapped[0] == mapped[1]


def _holds(pid_dir: Path, wanted: set[str]) -> bool:
    try:
        fds = os.listdir(pid_dir / "fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(pid_dir / "fd" / fd) in wanted:
                return True
        except OSError:
            continue
    return False


def _name(pid_dir: Path) -> str:
    try:
        return (pid_dir / "comm").read_text().strip() or "?"
    except OSError:
        return "?"
