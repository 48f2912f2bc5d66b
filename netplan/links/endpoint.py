"""A container's place on a bridge: a veth pair, made by `attach` as an ordered list of steps.

The pair is created in one netlink message with its container end already inside the
container's namespace under its final name (`eth0`, or the compose `interface_name`), so no
other program ever sees a half-moved pair. Then, in order: the host end joins the bridge
with hairpin on (a container reaches its own published port through the host), comes up;
the container end gets its addresses while down, comes up, and carries the default route if
this network was chosen for it (`names.default_route_carriers`); `lo` comes up last.
A failure deletes the pair, which takes every later step's work with it.

`detach` deletes the host end; the kernel deletes its peer inside the namespace too.

    >>> attach(Endpoint("pcv9f8e7d6c5b4a", "pc1a2b3c4d5e6", Path("/run/pycompose/netns/pc9f8e"),
    ...                 addresses=(ip_interface("172.18.0.2/16"),), gateways=(ip_address("172.18.0.1"),)))
    >>> detach("pcv9f8e7d6c5b4a")
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from socket import AF_INET, AF_INET6

from pyroute2 import IPRoute

from netplan.links.bridge import add_addresses, link_kind, lookup
from netplan.links.errors import LinkConflict, LinkNotFound, failing
from netplan.links.kernel import iproute
from netplan.links.names import Address, Interface, check_container_link, check_host_link, check_mac, mac_for
from netplan.links.steps import Step, run_steps


@dataclass(frozen=True)
class Endpoint:
    """One container on one bridge: the veth's two names, the namespace, and the container end's settings."""

    host_name: str                        # the host end, `pcv...` (`names.veth_name`)
    bridge: str                           # the bridge it joins
    netns: Path                           # the container's namespace file (`netplan.netns`)
    ifname: str = "eth0"                  # the container end's name inside the namespace
    addresses: tuple[Interface, ...] = ()
    gateways: tuple[Address, ...] = ()    # default routes go via these; empty: not this network's job
    mac: str | None = None                # None: Docker's 02:42 + the IPv4 address
    mtu: int | None = None                # None: the bridge's MTU

    def __post_init__(self) -> None:
        check_host_link(self.host_name, "veth")
        check_host_link(self.bridge, "bridge")
        check_container_link(self.ifname)
        if self.mac is not None:
            check_mac(self.mac)


@dataclass
class _Work:
    """What endpoint setup made so far, to unwind on failure."""

    host: IPRoute
    inner: IPRoute
    ep: Endpoint
    bridge_index: int = 0
    host_index: int = 0
    inner_index: int = 0
    created: bool = False

    def host_end(self) -> str:
        return self.ep.host_name

    def inner_end(self) -> str:
        return f"{self.ep.ifname} in {self.ep.netns.name}"


def _check_free(w: _Work) -> None:
    bridge = lookup(w.host, w.ep.bridge)
    if bridge is None or link_kind(w.host, bridge) != "bridge":
        raise LinkNotFound(f"attach `{w.ep.host_name}` to bridge `{w.ep.bridge}`: there is no such bridge")
    if lookup(w.host, w.ep.host_name) is not None:
        raise LinkConflict(f"create veth `{w.ep.host_name}`: a link of that name exists already")
    if lookup(w.inner, w.ep.ifname) is not None:
        raise LinkConflict(f"create interface `{w.ep.ifname}` in network namespace `{w.ep.netns.name}`: "
                           f"the namespace has one of that name already")
    w.bridge_index = bridge


def _create_pair(w: _Work) -> None:
    mtu = w.ep.mtu or w.host.get_links(w.bridge_index)[0].get("IFLA_MTU")
    mac = check_mac(w.ep.mac) if w.ep.mac else mac_for(w.ep.addresses)
    fd = os.open(w.ep.netns, os.O_RDONLY | os.O_CLOEXEC)
    try:
        w.host.link("add", ifname=w.ep.host_name, kind="veth", mtu=mtu,
                    peer={"ifname": w.ep.ifname, "net_ns_fd": fd, "address": mac, "mtu": mtu})
    finally:
        os.close(fd)
    w.created = True
    w.host_index = lookup(w.host, w.ep.host_name) or 0
    w.inner_index = lookup(w.inner, w.ep.ifname) or 0


def _join_bridge(w: _Work) -> None:
    w.host.link("set", index=w.host_index, master=w.bridge_index)


def _hairpin(w: _Work) -> None:
    w.host.brport("set", index=w.host_index, mode=1)


def _host_up(w: _Work) -> None:
    w.host.link("set", index=w.host_index, state="up")


def _address(w: _Work) -> None:
    add_addresses(w.inner, w.inner_index, w.ep.addresses)


def _inner_up(w: _Work) -> None:
    w.inner.link("set", index=w.inner_index, state="up")


def _default_route(w: _Work) -> None:
    route_default(w.inner, w.inner_index, w.ep.gateways)


def _loopback_up(w: _Work) -> None:
    w.inner.link("set", index=lookup(w.inner, "lo"), state="up")


ATTACH_STEPS: tuple[Step[_Work], ...] = (
    Step("attach veth", _Work.host_end, _check_free),
    Step("create veth pair", _Work.host_end, _create_pair, "veth"),
    Step("join the bridge with veth", _Work.host_end, _join_bridge),
    Step("turn hairpin on for veth", _Work.host_end, _hairpin),
    Step("bring up veth", _Work.host_end, _host_up),
    Step("add addresses to", _Work.inner_end, _address),
    Step("bring up", _Work.inner_end, _inner_up),
    Step("add the default route through", _Work.inner_end, _default_route),
    Step("bring up the loopback of", _Work.inner_end, _loopback_up),
)


def route_default(ipr: IPRoute, index: int, gateways: tuple[Address, ...]) -> None:
    """Point the default route of each gateway's IP version through `index`, replacing an earlier one."""
    for gateway in gateways:
        family, everything = (AF_INET, "0.0.0.0/0") if gateway.version == 4 else (AF_INET6, "::/0")
        ipr.route("replace", dst=everything, gateway=str(gateway), oif=index, family=family)


def _undo(w: _Work) -> None:
    if w.created:
        w.host.link("del", index=w.host_index)


def attach(ep: Endpoint, host_netns: Path | None = None) -> None:
    """Plumb `ep` from its bridge in `host_netns` (None: the host) into its namespace; all or nothing."""
    with failing("attach veth", ep.host_name), iproute(host_netns) as host, iproute(ep.netns) as inner:
        run_steps(ATTACH_STEPS, _Work(host, inner, ep), _undo)


def set_default_route(netns: Path, ifname: str, gateways: tuple[Address, ...]) -> None:
    """Move the container's default route to `ifname` (another network now carries it)."""
    with failing("set the default route through", f"{ifname} in {netns.name}"), iproute(netns) as ipr:
        index = lookup(ipr, ifname)
        if index is None:
            raise LinkNotFound(f"set the default route through `{ifname}`: no such interface in `{netns.name}`")
        route_default(ipr, index, gateways)


def detach(host_name: str, host_netns: Path | None = None) -> None:
    """Delete the veth pair by its host end; a pair that is gone already is fine."""
    check_host_link(host_name, "veth")
    with failing("detach veth", host_name), iproute(host_netns) as ipr:
        index = lookup(ipr, host_name)
        if index is None:
            return
        if link_kind(ipr, index) != "veth":
            raise LinkConflict(f"detach veth `{host_name}`: that link is not a veth; left alone")
        ipr.link("del", index=index)

