"""Published ports as the service takes them: a request per port, resolved against an endpoint.

A `PortRequest` is compose's long port syntax: `host_ip:host_port[-host_port_end] -> container_port/protocol`.
`resolve_ports` turns it into the firewall's `PublishedPort`, aimed at the endpoint's address of
the host address's IP version, and decides every host port that is not the proxy's to choose:

    host port 0      "any": the userland proxy chooses for the protocols it serves (`proxied`);
                     otherwise the kernel of the host namespace names a free port, as Docker does
    a range          the first port of it that no endpoint publishes and no process holds
                     (Docker gives each replica the next free port of the range)
    a port           as given

`check_free` refuses a host port that an endpoint publishes already; `check_unheld` refuses one
that a process of the host namespace holds (naming it, from /proc, where it can), for the ports
the firewall alone publishes: the proxy's own bind says the same for its ports. Both run before
the service changes anything.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path

from netplan import netns
from netplan.errors import ModuleMissing, SpecInvalid
from netplan.firewall.spec import PublishedPort
from netplan.proxy.bind import bind_one, clashes
from netplan.proxy.errors import MappingInvalid, PortInUse
from netplan.proxy.wire import show
from netplan.records import EndpointRecord, Records

SCTP_MISSING = (errno.EPROTONOSUPPORT, errno.ESOCKTNOSUPPORT, errno.EAFNOSUPPORT)


@dataclass(frozen=True)
class PortRequest:
    """A port to publish: container port, protocol, host address and port."""

    container_port: int
    protocol: str = "tcp"
    host_ip: str = "0.0.0.0"
    host_port: int = 0
    host_port_end: int = 0       # a range host_port..host_port_end; 0: the one port host_port


def resolve_ports(endpoint: EndpointRecord, requests: Sequence[PortRequest], records: Records,
                  host_netns: Path | None, *, proxied: Collection[str] = ()) -> tuple[PublishedPort, ...]:
    ports: list[PublishedPort] = []
    for request in requests:
        host_ip = ip_address(request.host_ip)
        target = next((a.ip for a in endpoint.addresses if a.version == host_ip.version), None)
        if target is None:
            raise SpecInvalid(f"publish port {request.host_ip}:{request.host_port}/{request.protocol} of "
                              f"`{endpoint.name}`: it has no IPv{host_ip.version} address on network "
                              f"`{endpoint.network}`")
        port = PublishedPort(host_ip, request.host_port, request.protocol, target, request.container_port)
        if request.protocol == "sctp":
            check_sctp(port, host_netns)
        if request.host_port_end > request.host_port:
            port = _first_free(port, request.host_port_end, records, ports, host_netns)
        elif port.host_port == 0 and request.protocol not in proxied:
            port = PublishedPort(host_ip, free_port(host_netns, host_ip.version, request.protocol),
                                 request.protocol, target, request.container_port)
        ports.append(port)
    return tuple(ports)


def _first_free(port: PublishedPort, end: int, records: Records, chosen: Sequence[PublishedPort],
                host_netns: Path | None) -> PublishedPort:
    published = [p for e in records.endpoints.values() for p in e.ports] + list(chosen)
    for number in range(port.host_port, end + 1):
        candidate = PublishedPort(port.host_ip, number, port.protocol, port.container_ip, port.container_port)
        if any(clashes(candidate, other) for other in published):
            continue
        if port.protocol == "sctp" or _bind_refusal(candidate, host_netns) is None:
            return candidate
    host = f"[{port.host_ip}]" if port.host_ip.version == 6 else str(port.host_ip)
    raise PortInUse(f"publish port {host}:{port.host_port}-{end}/{port.protocol}: every port of the range is "
                    "published already or in use", hint="widen the range, or free one of its ports")


def fixed_ports(requests: Sequence[PortRequest]) -> list[PublishedPort]:
    """The host side of the requests that name one host port (not 0, not a range); the container side is a
    placeholder of the same IP version: only the host side matters before there is an endpoint."""
    return [PublishedPort(ip_address(r.host_ip), r.host_port, r.protocol, ip_address(r.host_ip), r.container_port)
            for r in requests if r.host_port and r.host_port_end <= r.host_port]


def check_free(records: Records, ports: Sequence[PublishedPort]) -> None:
    """Refuse a port published already (by any endpoint, or twice in `ports`)."""
    seen = [(p, e.name) for e in records.endpoints.values() for p in e.ports]
    for port in ports:
        for other, owner in seen:
            if clashes(port, other):
                raise PortInUse(f"publish port {show(port)}: {show(other)} is published already by `{owner}`")
        seen.append((port, "the same request"))


def check_unheld(ports: Sequence[PublishedPort], host_netns: Path | None) -> None:
    """Refuse a tcp or udp port that a process of the host namespace holds: "... in use by nginx (pid 12)"."""
    for port in ports:
        if port.protocol in ("tcp", "udp") and port.host_port:
            error = _bind_refusal(port, host_netns)
            if error is not None:
                raise error


def _bind_refusal(port: PublishedPort, host_netns: Path | None) -> Exception | None:
    """The error a bind of `port` in the host namespace meets now (None: it is free); binds nothing that stays."""
    def bind() -> Exception | None:
        try:
            bind_one(port).sock.close()
        except (PortInUse, MappingInvalid) as error:
            return error
        return None
    return bind() if host_netns is None else netns.inside(host_netns, bind)


def check_sctp(port: PublishedPort, host_netns: Path | None) -> None:
    """Refuse an sctp mapping on a kernel without SCTP, naming the module."""
    def probe() -> int:
        family = socket.AF_INET6 if port.host_ip.version == 6 else socket.AF_INET
        try:
            socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()
        except OSError as error:
            return error.errno or 0
        return 0
    code = probe() if host_netns is None else netns.inside(host_netns, probe)
    if code in SCTP_MISSING:
        raise ModuleMissing(f"publish port {show(port)}: this kernel has no SCTP (the `sctp` module is not loaded)",
                            hint="load it (modprobe sctp), or publish tcp or udp")


def free_port(host_netns: Path | None, version: int, protocol: str) -> int:
    """A port the kernel of the host namespace has free now (as Docker does without its proxy)."""
    def ask() -> int:
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        kind, proto = {"tcp": (socket.SOCK_STREAM, 0), "udp": (socket.SOCK_DGRAM, 0),
                       "sctp": (socket.SOCK_STREAM, socket.IPPROTO_SCTP)}[protocol]
        with socket.socket(family, kind, proto) as sock:
            sock.bind(("", 0))
            return int(sock.getsockname()[1])
    return ask() if host_netns is None else netns.inside(host_netns, ask)


def served_by_proxy(ports: Sequence[PublishedPort], proxied: Collection[str]) -> tuple[PublishedPort, ...]:
    return tuple(p for p in ports if p.protocol in proxied)
