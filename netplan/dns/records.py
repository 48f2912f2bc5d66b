"""Record sets per network, and the answer a client on some of those networks gets. Pure: no sockets.

Terms:
    endpoint  one container on one network: its id, the names it answers to there (container
              name, service name, aliases, hostname) and its addresses on that network
    zone      the endpoints of one network; replaced whole or one endpoint at a time
    view      the networks one listener answers from (a container's networks)

A name is ours when some endpoint of the view has it. Several endpoints with one name (the
replicas of a service) answer with all their addresses, rotated one step per query (round
robin). `name.<network>` asks one network only. A single-label name, or one under a network
of the view, that is not ours gets NXDOMAIN: it can exist nowhere else. Any other miss is
forwarded upstream.

    >>> zones = Zones()
    >>> zones.put("demo_back", Endpoint("c1", ("demo-db-1", "db"), (ip_address("172.18.0.2"),)))
    >>> zones.lookup(("demo_back",), "db", 1).addresses
    (IPv4Address('172.18.0.2'),)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address

from netplan.dns.wire import AAAA, ANY, PTR, A

Address = IPv4Address | IPv6Address


@dataclass(frozen=True)
class Endpoint:
    """A container on one network: the names it answers to there, and its addresses."""

    container: str
    names: tuple[str, ...]
    addresses: tuple[Address, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(dict.fromkeys(n.lower().rstrip(".") for n in self.names if n)))


@dataclass(frozen=True)
class Lookup:
    """What a view knows of a name: `ours` (answer with `addresses`/`ptr`, maybe none) or not."""

    ours: bool
    addresses: tuple[Address, ...] = ()
    ptr: str | None = None


MISS = Lookup(False)


@dataclass
class _Zone:
    """The names one network answers: name -> addresses."""

    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    by_name: dict[str, list[Endpoint]] = field(default_factory=dict)
    by_address: dict[Address, str] = field(default_factory=dict)

    def reindex(self) -> None:
        self.by_name, self.by_address = {}, {}
        for endpoint in self.endpoints.values():
            for name in endpoint.names:
                self.by_name.setdefault(name, []).append(endpoint)
            for address in endpoint.addresses:
                if endpoint.names:
                    self.by_address.setdefault(address, endpoint.names[0])


class Zones:
    """Every network's record set; the server holds one and answers every listener from it."""

    def __init__(self) -> None:
        self._zones: dict[str, _Zone] = {}
        self._turns: dict[str, itertools.count[int]] = {}

    def networks(self) -> list[str]:
        return sorted(self._zones)

    def replace(self, network: str, endpoints: Iterable[Endpoint]) -> None:
        zone = _Zone({e.container: e for e in endpoints})
        zone.reindex()
        self._zones[network.lower()] = zone

    def remove(self, network: str) -> None:
        self._zones.pop(network.lower(), None)

    def put(self, network: str, endpoint: Endpoint) -> None:
        zone = self._zones.setdefault(network.lower(), _Zone())
        zone.endpoints[endpoint.container] = endpoint
        zone.reindex()

    def drop(self, network: str, container: str) -> None:
        zone = self._zones.get(network.lower())
        if zone is not None and zone.endpoints.pop(container, None) is not None:
            zone.reindex()

    def lookup(self, view: Sequence[str], name: str, qtype: int) -> Lookup:
        """Look `name` up in the view's networks (or in one, for `name.<network>`)."""
        if qtype == PTR:
            return self._reverse(view, name)
        networks, short = _scope(view, name)
        found: list[Address] = []
        for network in networks:
            zone = self._zones.get(network)
            for endpoint in zone.by_name.get(short, ()) if zone else ():
                found.extend(a for a in endpoint.addresses if a not in found)
        if not found:
            return Lookup(True) if _is_local(view, name) else MISS
        wanted = tuple(a for a in found if _wanted(a, qtype))
        return Lookup(True, self._rotate(short, wanted))

    def _rotate(self, name: str, addresses: tuple[Address, ...]) -> tuple[Address, ...]:
        if len(addresses) < 2:
            return addresses
        turn = next(self._turns.setdefault(name, itertools.count())) % len(addresses)
        return addresses[turn:] + addresses[:turn]

    def _reverse(self, view: Sequence[str], name: str) -> Lookup:
        address = reverse_address(name)
        if address is None:
            return MISS
        for network in view:
            zone = self._zones.get(network.lower())
            if zone is not None and address in zone.by_address:
                return Lookup(True, ptr=zone.by_address[address])
        return MISS


def _scope(view: Sequence[str], name: str) -> tuple[list[str], str]:
    networks = [n.lower() for n in view]
    for network in networks:
        if name.endswith("." + network):
            return [network], name[:-len(network) - 1]
    return networks, name


def _is_local(view: Sequence[str], name: str) -> bool:
    return "." not in name or any(name.endswith("." + n.lower()) for n in view)


def _wanted(address: Address, qtype: int) -> bool:
    return qtype == ANY or (qtype == A and address.version == 4) or (qtype == AAAA and address.version == 6)


def reverse_address(name: str) -> Address | None:
    """`2.0.18.172.in-addr.arpa` -> 172.18.0.2; nibbles under ip6.arpa -> an IPv6 address; else None."""
    try:
        if name.endswith(".in-addr.arpa"):
            parts = name[:-len(".in-addr.arpa")].split(".")
            return ip_address(".".join(reversed(parts))) if len(parts) == 4 else None
        if name.endswith(".ip6.arpa"):
            nibbles = name[:-len(".ip6.arpa")].split(".")
            if len(nibbles) != 32 or any(len(n) != 1 for n in nibbles):
                return None
            return IPv6Address(int("".join(reversed(nibbles)), 16))
    except ValueError:
        return None
    return None
