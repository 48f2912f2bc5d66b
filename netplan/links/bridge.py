"""A pycompose bridge: made by `setup_bridge` as an ordered list of steps, removed by `remove_bridge`.

Steps, in order, and why that order: the link must exist before anything is set on it; the
MTU and the gateway addresses are set while it is down, so no packet leaves with the wrong
size; it is brought up before the sysctls, because the kernel makes an interface's `conf`
entries when it registers it, and it is up before ip_forward matters. ip_forward is a
host-wide switch: turned on when a non-internal network needs it, never turned off (Docker
does the same; other engines rely on it too).

    >>> setup_bridge(Bridge("pc1a2b3c4d5e6", (ip_interface("172.18.0.1/16"),), mtu=1500))
    >>> remove_bridge("pc1a2b3c4d5e6")
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Interface, IPv6Interface
from pathlib import Path
from socket import AF_INET, AF_INET6

from pyroute2 import IPRoute

from netplan.links.errors import LinkConflict, failing
from netplan.links.kernel import iproute, write_sysctl
from netplan.links.names import check_host_link
from netplan.links.steps import Step, run_steps

IFA_F_NODAD = 0x02  # an address of ours: no duplicate detection (and no second of waiting for it)


@dataclass(frozen=True)
class Bridge:
    """A bridge as it should be: its name, its gateway addresses (with the subnet's prefix), MTU, reach."""

    name: str
    gateways: tuple[IPv4Interface | IPv6Interface, ...] = ()
    mtu: int | None = None      # None: the kernel's default
    internal: bool = False      # an internal network needs no forwarding

    def __post_init__(self) -> None:
        check_host_link(self.name, "bridge")


@dataclass
class _Work:
    """What bridge setup made so far, to unwind on failure."""

    ipr: IPRoute
    bridge: Bridge
    netns: Path | None
    index: int = 0
    created: bool = False

    def name(self) -> str:
        return self.bridge.name


def link_kind(ipr: IPRoute, index: int) -> str | None:
    return ipr.get_links(index)[0].get_nested("IFLA_LINKINFO", "IFLA_INFO_KIND")


def lookup(ipr: IPRoute, name: str) -> int | None:
    found = ipr.link_lookup(ifname=name)
    return found[0] if found else None


def _create(w: _Work) -> None:
    index = lookup(w.ipr, w.bridge.name)
    if index is None:
        w.ipr.link("add", ifname=w.bridge.name, kind="bridge")
        w.created = True
        index = lookup(w.ipr, w.bridge.name)
    elif link_kind(w.ipr, index) != "bridge":
        raise LinkConflict(f"create bridge `{w.bridge.name}`: a link of that name exists and is not a bridge")
    w.index = index or 0


def _set_mtu(w: _Work) -> None:
    if w.bridge.mtu is not None:
        w.ipr.link("set", index=w.index, mtu=w.bridge.mtu)


def _enable_ipv6(w: _Work) -> None:
    if any(g.version == 6 for g in w.bridge.gateways):
        write_sysctl(w.netns, f"net.ipv6.conf.{w.bridge.name}.disable_ipv6", "0")


def add_addresses(ipr: IPRoute, index: int, addresses: tuple[IPv4Interface | IPv6Interface, ...]) -> None:
    """Add each address unless the link has it already (so a second run changes nothing)."""
    have = {(a.get("address"), a["prefixlen"]) for a in ipr.get_addr(index=index)}
    for addr in addresses:
        if (str(addr.ip), addr.network.prefixlen) in have:
            continue
        family = AF_INET if addr.version == 4 else AF_INET6
        flags = IFA_F_NODAD if addr.version == 6 else 0
        ipr.addr("add", index=index, address=str(addr.ip), prefixlen=addr.network.prefixlen,
                 family=family, flags=flags)


def _address(w: _Work) -> None:
    add_addresses(w.ipr, w.index, w.bridge.gateways)


def _up(w: _Work) -> None:
    w.ipr.link("set", index=w.index, state="up")


def _route_localnet(w: _Work) -> None:
    """Let DNAT send 127.0.0.1's packets (published ports used from the host's loopback) to the bridge."""
    write_sysctl(w.netns, f"net.ipv4.conf.{w.bridge.name}.route_localnet", "1")


def _forwarding(w: _Work) -> None:
    if w.bridge.internal:
        return
    versions = {g.version for g in w.bridge.gateways}
    if 4 in versions:
        write_sysctl(w.netns, "net.ipv4.ip_forward", "1")
    if 6 in versions:
        write_sysctl(w.netns, "net.ipv6.conf.all.forwarding", "1")


BRIDGE_STEPS: tuple[Step[_Work], ...] = (
    Step("create bridge", _Work.name, _create, "bridge"),
    Step("set the MTU of bridge", _Work.name, _set_mtu),
    Step("enable IPv6 on bridge", _Work.name, _enable_ipv6),
    Step("add the gateway addresses to bridge", _Work.name, _address),
    Step("bring up bridge", _Work.name, _up),
    Step("set route_localnet on bridge", _Work.name, _route_localnet),
    Step("enable IP forwarding for bridge", _Work.name, _forwarding),
)


def _undo(w: _Work) -> None:
    if w.created:
        w.ipr.link("del", index=w.index)


def setup_bridge(bridge: Bridge, netns: Path | None = None) -> None:
    """Make `bridge` exist as described in `netns` (None: the host); a bridge made here is removed on failure."""
    with failing("set up bridge", bridge.name), iproute(netns) as ipr:
        run_steps(BRIDGE_STEPS, _Work(ipr, bridge, netns), _undo)


def remove_bridge(name: str, netns: Path | None = None) -> None:
    """Delete the bridge (the kernel takes its addresses and routes along); a missing bridge is fine."""
    check_host_link(name, "bridge")
    with failing("remove bridge", name), iproute(netns) as ipr:
        index = lookup(ipr, name)
        if index is None:
            return
        if link_kind(ipr, index) != "bridge":
            raise LinkConflict(f"remove bridge `{name}`: that link is not a bridge; left alone")
        ipr.link("del", index=index)
