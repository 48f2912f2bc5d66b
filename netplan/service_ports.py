"""Published ports as the service takes them: a request per port, resolved against an endpoint.

A `PortRequest` is compose's long port syntax: `host_ip:host_port -> container_port/protocol`.
`resolve_ports` turns it into the firewall's `PublishedPort`, aimed at the endpoint's address
of the host address's IP version. Host port 0 means "any": the userland proxy chooses when
there is one; without it, `choose=True` asks the kernel of the host namespace for a free port.
`check_free` refuses a host port that any endpoint publishes already.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path

from netplan import netns
from netplan.errors import SpecInvalid
from netplan.firewall.spec import PublishedPort
from netplan.proxy.errors import PortInUse
from netplan.proxy.wire import show
from netplan.records import EndpointRecord, Records


@dataclass(frozen=True)
class PortRequest:
    container_port: int
    protocol: str = "tcp"
    host_ip: str = "0.0.0.0"
    host_port: int = 0


def resolve_ports(endpoint: EndpointRecord, requests: Sequence[PortRequest], host_netns: Path | None, *,
                  choose: bool) -> tuple[PublishedPort, ...]:
    ports = []
    for request in requests:
        host_ip = ip_address(request.host_ip)
        target = next((a.ip for a in endpoint.addresses if a.version == host_ip.version), None)
        if target is None:
            raise SpecInvalid(f"publish port {request.host_ip}:{request.host_port}/{request.protocol} of "
                              f"`{endpoint.name}`: it has no IPv{host_ip.version} address on network "
                              f"`{endpoint.network}`")
        host_port = request.host_port
        if host_port == 0 and choose:
            host_port = free_port(host_netns, host_ip.version, request.protocol)
        ports.append(PublishedPort(host_ip, host_port, request.protocol, target, request.container_port))
    return tuple(ports)


def check_free(records: Records, ports: Sequence[PublishedPort]) -> None:
    """Refuse a port published already (by any endpoint, or twice in `ports`)."""
    seen = [(p, e.name) for e in records.endpoints.values() for p in e.ports]
    for port in ports:
        for other, owner in seen:
            if (other.protocol, other.host_port, other.host_ip.version) == \
                    (port.protocol, port.host_port, port.host_ip.version) and port.host_port and \
                    (other.host_ip == port.host_ip or other.every_address or port.every_address):
                raise PortInUse(f"publish port {show(port)}: {show(other)} is published already by `{owner}`")
        seen.append((port, "the same request"))


def free_port(host_netns: Path | None, version: int, protocol: str) -> int:
    """A port the kernel of the host namespace has free now (as Docker does without its proxy)."""
    def ask() -> int:
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
        with socket.socket(family, kind) as sock:
            sock.bind(("", 0))
            return int(sock.getsockname()[1])
    return ask() if host_netns is None else netns.inside(host_netns, ask)
