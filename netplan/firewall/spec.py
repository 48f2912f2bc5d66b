"""What the firewall must do, as plain frozen data: pycompose's bridges and its published ports.

The spec always describes the *whole* ruleset (every pycompose network on the host), because
it is rendered and applied in one transaction that replaces the previous one.

    >>> spec = FirewallSpec(
    ...     networks=(BridgeNetwork("pc1a2b3c", (ip_network("10.5.0.0/24"),)),),
    ...     ports=(PublishedPort(ip_address("127.0.0.1"), 8080, "tcp", ip_address("10.5.0.3"), 80),))
    >>> validate(spec) is spec
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network  # noqa: F401

from netplan.errors import SpecInvalid

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address

PROTOCOLS = ("tcp", "udp", "sctp")
BRIDGE_NAME = re.compile(r"^pc[a-z0-9_.-]{1,13}$")


@dataclass(frozen=True)
class BridgeNetwork:
    """One pycompose bridge: its link name (`pc...`), its subnets, and whether it is internal."""

    bridge: str
    subnets: tuple[Network, ...]
    internal: bool = False


@dataclass(frozen=True)
class PublishedPort:
    """`host_ip:host_port/protocol -> container_ip:container_port`; `0.0.0.0` or `::` means every address."""

    host_ip: Address
    host_port: int
    protocol: str
    container_ip: Address
    container_port: int

    @property
    def every_address(self) -> bool:
        return self.host_ip.is_unspecified


@dataclass(frozen=True)
class FirewallSpec:
    """`proxied_loopback`: the userland proxy serves the host's own loopback (127.0.0.0/8, ::1), so the
    DNAT of published ports leaves those destinations to it, as Docker's rules do with its proxy on;
    False is pure NAT (Docker's `--userland-proxy=false`), where 127.0.0.1 is DNATed too."""

    networks: tuple[BridgeNetwork, ...] = ()
    ports: tuple[PublishedPort, ...] = ()
    proxied_loopback: bool = False

    def sorted(self) -> FirewallSpec:
        """The same spec in a canonical order, so that equal specs render to equal text."""
        return FirewallSpec(tuple(sorted(self.networks, key=lambda n: n.bridge)),
                            tuple(sorted(self.ports, key=_port_key)), self.proxied_loopback)


def _port_key(p: PublishedPort) -> tuple[object, ...]:
    return (p.host_ip.version, p.host_port, p.protocol, int(p.host_ip))


def validate(spec: FirewallSpec) -> FirewallSpec:
    """Refuse what cannot be rendered; returns the spec unchanged so calls can be chained."""
    bridges = [n.bridge for n in spec.networks]
    for net in spec.networks:
        if not BRIDGE_NAME.match(net.bridge):
            raise SpecInvalid(f"render firewall for bridge `{net.bridge}`: a pycompose bridge is named "
                              "`pc` plus 1 to 13 of [a-z0-9_.-]")
        if bridges.count(net.bridge) > 1:
            raise SpecInvalid(f"render firewall for bridge `{net.bridge}`: it is listed twice")
    seen: dict[tuple[int, str, int], PublishedPort] = {}
    for port in spec.ports:
        _check_port(spec, port)
        key = (port.host_ip.version, port.protocol, port.host_port)
        other = seen.get(key)
        if other is not None and (other.every_address or port.every_address or other.host_ip == port.host_ip):
            raise SpecInvalid(f"publish port {_show(port)}: {_show(other)} is published already")
        seen[key] = port
    return spec


def _check_port(spec: FirewallSpec, port: PublishedPort) -> None:
    where = f"publish port {_show(port)}"
    if port.protocol not in PROTOCOLS:
        raise SpecInvalid(f"{where}: protocol {port.protocol!r} is not one of {', '.join(PROTOCOLS)}")
    for number in (port.host_port, port.container_port):
        if not 1 <= number <= 65535:
            raise SpecInvalid(f"{where}: port {number} is not between 1 and 65535")
    if port.host_ip.version != port.container_ip.version:
        raise SpecInvalid(f"{where}: the host and container addresses are of different IP versions")
    owner = next((n for n in spec.networks for s in n.subnets if port.container_ip in s), None)
    if owner is None:
        raise SpecInvalid(f"{where}: {port.container_ip} is on none of the networks")
    if owner.internal:
        raise SpecInvalid(f"{where}: {port.container_ip} is on internal bridge `{owner.bridge}`, which has no way in")


def _show(p: PublishedPort) -> str:
    host = f"[{p.host_ip}]" if p.host_ip.version == 6 else str(p.host_ip)
    return f"{host}:{p.host_port}/{p.protocol}"
