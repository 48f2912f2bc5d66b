"""Host sockets for mappings, all or nothing: every mapping of a request is checked, then bound;
when one cannot be bound, the ones bound before it are closed and the error names the port.

    >>> bound = bind_all([PublishedPort(ip_address("127.0.0.1"), 0, "tcp", ip_address("10.5.0.3"), 80)])
    >>> bound[0].port.host_port   # the port the kernel chose
    41873
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from netplan.firewall.spec import PublishedPort
from netplan.proxy.errors import MappingInvalid, PortInUse
from netplan.proxy.holder import holder
from netplan.proxy.wire import show

PROTOCOLS = ("tcp", "udp")
BACKLOG = 4096


@dataclass(frozen=True)
class Bound:
    """A mapping with its host port decided, and the socket that holds that port."""

    port: PublishedPort
    sock: socket.socket


def check(port: PublishedPort) -> None:
    where = f"publish {show(port)}"
    if port.protocol == "sctp":
        raise MappingInvalid(f"{where}: the userland proxy forwards tcp and udp only",
                             hint="publish sctp ports through the firewall (no userland proxy)")
    if port.protocol not in PROTOCOLS:
        raise MappingInvalid(f"{where}: protocol {port.protocol!r} is not tcp or udp")
    if not 0 <= port.host_port <= 65535:
        raise MappingInvalid(f"{where}: host port {port.host_port} is not between 0 and 65535")
    if not 1 <= port.container_port <= 65535:
        raise MappingInvalid(f"{where}: container port {port.container_port} is not between 1 and 65535")


def clashes(a: PublishedPort, b: PublishedPort) -> bool:
    """Whether two mappings want the same host socket (a wildcard address takes every address)."""
    return (a.protocol == b.protocol and a.host_port == b.host_port != 0 and a.host_ip.version == b.host_ip.version
            and (a.host_ip == b.host_ip or a.host_ip.is_unspecified or b.host_ip.is_unspecified))


def bind_all(ports: Sequence[PublishedPort], served: Iterable[PublishedPort] = ()) -> list[Bound]:
    """Check every mapping against the others and `served`, then bind them all or none."""
    served = list(served)
    for index, port in enumerate(ports):
        check(port)
        for other in [*served, *ports[:index]]:
            if clashes(port, other):
                raise PortInUse(f"publish {show(port)}: port is already published by this proxy")
    bound: list[Bound] = []
    try:
        for port in ports:
            bound.append(bind_one(port))
    except BaseException:
        for done in bound:
            done.sock.close()
        raise
    return bound


def bind_one(port: PublishedPort) -> Bound:
    family = socket.AF_INET6 if port.host_ip.version == 6 else socket.AF_INET
    kind = socket.SOCK_STREAM if port.protocol == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(family, kind)
    try:
        if kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "in use"
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # `::` and `0.0.0.0` are two mappings
        sock.bind((str(port.host_ip), port.host_port))
        if kind == socket.SOCK_STREAM:
            sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError as error:
        sock.close()
        raise _bind_error(port, error) from None
    return Bound(replace(port, host_port=sock.getsockname()[1]), sock)


def check_available(ports: Sequence[PublishedPort]) -> None:
    """Raise `PortInUse` (or `MappingInvalid`) now if any of `ports` could not be published; binds nothing
    that outlives the call. For callers that want the error before they create anything else."""
    for done in bind_all([p for p in ports if p.host_port != 0]):
        done.sock.close()


def _bind_error(port: PublishedPort, error: OSError) -> Exception:
    where = f"publish {show(port)}"
    if error.errno == errno.EADDRINUSE:
        who = holder(port.protocol, port.host_ip, port.host_port)
        by = f" by {who.name} (pid {who.pid})" if who else ""
        return PortInUse(f"{where}: port is already in use{by}",
                         hint="stop that process, or publish another host port")
    if error.errno == errno.EADDRNOTAVAIL:
        return MappingInvalid(f"{where}: {port.host_ip} is not an address of this host")
    if error.errno == errno.EACCES:
        return MappingInvalid(f"{where}: binding a port below 1024 needs root or CAP_NET_BIND_SERVICE")
    return MappingInvalid(f"{where}: {error.strerror}")
