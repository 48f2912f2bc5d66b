"""Names and numbers of links, as pure functions: link names, MAC addresses, who carries the default route.

Every link pycompose makes on the host is named `pc` + something, at most 15 characters (the
kernel's IFNAMSIZ less its NUL), so that cleanup and the leak check find exactly ours:
bridges are `pc` + 12 hex digits of the network id, veth host ends `pcv` + 12 of the
endpoint id (hex digits hold no `v`, so the two never meet).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv6Address, IPv6Interface

from netplan.links.errors import LinkInvalid

Address = IPv4Address | IPv6Address
Interface = IPv4Interface | IPv6Interface

IFNAMSIZ = 15
HOST_LINK = re.compile(r"^pc[a-z0-9_.-]{1,13}$")
CONTAINER_LINK = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def bridge_name(network_id: str) -> str:
    """`pc` + the first 12 hex digits of the network's id."""
    return check_host_link(f"pc{_hex(network_id)[:12]}", "bridge")


def veth_name(endpoint_id: str) -> str:
    """`pcv` + the first 12 hex digits of the endpoint's id: the host end of its veth pair."""
    return check_host_link(f"pcv{_hex(endpoint_id)[:12]}", "veth")


def check_host_link(name: str, what: str) -> str:
    if not HOST_LINK.match(name) or name in ("pc.", "pc.."):
        raise LinkInvalid(f"name {what} `{name}`: a host link is `pc` and 1 to 13 of a-z, 0-9, `_`, `.`, `-`")
    return name


def check_container_link(name: str) -> str:
    if not CONTAINER_LINK.match(name) or name in (".", ".."):
        raise LinkInvalid(f"name interface `{name}`: use 1 to 15 of letters, digits, `_`, `.` and `-`")
    return name


def check_mac(mac: str) -> str:
    normal = mac.lower().replace("-", ":")
    if not MAC.match(normal) or int(normal[:2], 16) & 1:
        raise LinkInvalid(f"set MAC address `{mac}`: not a unicast MAC address like 02:42:ac:11:00:02")
    return normal


def container_ifname(index: int) -> str:
    """Docker's names inside the container: eth0, eth1, ... in the order the networks are joined."""
    return f"eth{index}"


def mac_for(addresses: Iterable[Interface]) -> str:
    """Docker's MAC: 02:42 and the four bytes of the IPv4 address (random ones when there is none)."""
    v4 = next((a.ip for a in addresses if a.version == 4), None)
    tail = v4.packed if v4 is not None else secrets.token_bytes(4)
    return ":".join(f"{b:02x}" for b in b"\x02\x42" + tail)


def _hex(ident: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{1,64}", ident):
        raise LinkInvalid(f"name a link after id `{ident}`: ids are lowercase hex digits")
    return ident


@dataclass(frozen=True)
class GatewayCandidate:
    """One network a container joins, as the default-route choice sees it."""

    network: str
    gateways: tuple[Address, ...]
    priority: int = 0           # compose `gw_priority`
    internal: bool = False      # an internal network never carries the default route


def default_route_carriers(candidates: Iterable[GatewayCandidate]) -> dict[int, GatewayCandidate]:
    """Per IP version, the network whose gateway the default route goes through.

    The highest `gw_priority` wins; on a tie, the network whose name sorts first (Docker's old
    lexical order). Internal networks and networks without a gateway of that version never do.
    """
    candidates = tuple(candidates)
    carriers: dict[int, GatewayCandidate] = {}
    for version in (4, 6):
        usable = [c for c in candidates if not c.internal and any(g.version == version for g in c.gateways)]
        if usable:
            carriers[version] = min(usable, key=lambda c: (-c.priority, c.network))
    return carriers
