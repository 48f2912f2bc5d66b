"""What the host already uses: the subnets of its routes and of its interfaces' addresses, for IPAM's `taken`.

A new network's subnet must overlap none of them, or its traffic would go to the wrong place
(a VPN's route, a LAN, another engine's bridge). Routes come from the main table; default
routes, link-local and multicast ones say nothing about a subnet and are left out. Addresses
catch what has no route now, such as a bridge that is down (`docker0` with no container).

    >>> taken()
    (Taken(subnet=IPv4Network('10.0.2.0/24'), owner='address of eth0'),
     Taken(subnet=IPv4Network('172.17.0.0/16'), owner='bridge docker0'), ...)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import ip_interface, ip_network
from pathlib import Path
from socket import AF_INET, AF_INET6

from netplan.ipam import Network, Taken
from netplan.links.errors import failing

RT_TABLE_MAIN = 254
RTN_UNICAST = 1
RT_SCOPE_HOST = 254
IGNORED = (ip_network("fe80::/10"), ip_network("ff00::/8"), ip_network("224.0.0.0/4"), ip_network("127.0.0.0/8"))


@dataclass(frozen=True)
class Route:
    """A route of the host's routing table."""

    subnet: Network
    ifname: str


@dataclass(frozen=True)
class Address:
    """An address on one of the host's links."""

    subnet: Network
    ifname: str
    kind: str | None     # the link's kind: "bridge", "veth", ... (None for a plain device)


def taken_from(addresses: Iterable[Address], routes: Iterable[Route]) -> tuple[Taken, ...]:
    """The subnets in use, each once (an address names its owner best), sorted by version and subnet."""
    found: dict[Network, str] = {}
    for addr in addresses:
        if not _ignored(addr.subnet):
            found.setdefault(addr.subnet, f"bridge {addr.ifname}" if addr.kind == "bridge"
                             else f"address of {addr.ifname}")
    for route in routes:
        if route.subnet.prefixlen and not _ignored(route.subnet):
            found.setdefault(route.subnet, f"route via {route.ifname}")
    return tuple(Taken(subnet, owner) for subnet, owner in
                 sorted(found.items(), key=lambda item: (item[0].version, item[0])))


def _ignored(subnet: Network) -> bool:
    return any(subnet.version == i.version and subnet.subnet_of(i) for i in IGNORED)  # type: ignore[arg-type]


def taken(netns: Path | None = None) -> tuple[Taken, ...]:
    """The subnets routed or addressed in `netns` (None: the host), to pass to IPAM as `taken`."""
    from netplan.links.kernel import iproute  # pyroute2: loaded only when the host is asked

    with failing("list the routes and addresses of", str(netns or "the host")), iproute(netns) as ipr:
        links = {link["index"]: (link.get("IFLA_IFNAME"), link.get_nested("IFLA_LINKINFO", "IFLA_INFO_KIND"))
                 for link in ipr.get_links()}
        addresses = [Address(ip_interface(f"{a.get('IFA_ADDRESS')}/{a['prefixlen']}").network,
                             *links.get(a["index"], ("?", None)))
                     for a in ipr.get_addr() if a["scope"] != RT_SCOPE_HOST]
        routes = [Route(ip_network(f"{r.get('RTA_DST')}/{r['dst_len']}"),
                        links.get(r.get("RTA_OIF"), ("?", None))[0] or "?")
                  for family in (AF_INET, AF_INET6)
                  for r in ipr.get_routes(family=family, table=RT_TABLE_MAIN)
                  if r["type"] == RTN_UNICAST and r["dst_len"] and r.get("RTA_DST")]
    return taken_from(addresses, routes)
