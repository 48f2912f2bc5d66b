"""Address planning for bridge networks: pure functions of what is asked and what is taken.

Terms:
    pool      a base network carved into subnets of one size (Docker's `default-address-pools`)
    taken     a subnet already in use on the host: a route, another engine's bridge, or one of
              ours; the caller gathers them beforehand and passes them in as plain data
    plan      a decided subnet with its gateway, optional `ip_range` and auxiliary addresses

Lifecycle: `plan_subnets()` when a network is created, `next_free()` or `check_static()`
when a container joins it. Nothing here reads the host or the disk.

The IPv4 pools are Docker's defaults: 172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/16
in /20 steps. The IPv6 pool is fd00::/8 (unique local addresses, RFC 4193) in /64 steps:
deterministic, so two hosts pick the same first subnet, which does not matter behind NAT.

    >>> plan_subnets("demo_back", (), taken=(Taken(ip_network("172.17.0.0/16"), "bridge docker0"),))
    (SubnetPlan(subnet=IPv4Network('172.18.0.0/16'), gateway=IPv4Address('172.18.0.1'), ip_range=None, aux=()),)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from netplan.errors import AddressConflict, PoolExhausted, SubnetConflict, SubnetInvalid

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address


@dataclass(frozen=True)
class Pool:
    """A base network handed out in subnets of prefix length `size`."""

    base: Network
    size: int


DEFAULT_POOLS_V4 = tuple(Pool(ip_network(f"172.{n}.0.0/16"), 16) for n in range(17, 32)) + (
    Pool(ip_network("192.168.0.0/16"), 20),
)
DEFAULT_POOLS_V6 = (Pool(ip_network("fd00::/8"), 64),)


@dataclass(frozen=True)
class Taken:
    """A subnet in use, and who uses it, for the error message ("route via eth0", "network `x`")."""

    subnet: Network
    owner: str


@dataclass(frozen=True)
class SubnetRequest:
    """One entry of a compose network's `ipam.config`, as written (strings, unchecked)."""

    subnet: str | None = None
    ip_range: str | None = None
    gateway: str | None = None
    aux_addresses: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SubnetPlan:
    """A decided subnet: addresses are handed out from `ip_range` (or the whole subnet)."""

    subnet: Network
    gateway: Address
    ip_range: Network | None = None
    aux: tuple[tuple[str, Address], ...] = ()

    @property
    def reserved(self) -> frozenset[Address]:
        return frozenset([self.gateway, *(addr for _, addr in self.aux)])


def parse_network(text: str, what: str, network: str) -> Network:
    """Parse a CIDR strictly: `10.5.0.1/24` is refused with a hint naming `10.5.0.0/24`."""
    try:
        return ip_network(text.strip(), strict=True)
    except ValueError:
        pass
    try:
        loose = ip_network(text.strip(), strict=False)
    except ValueError:
        raise SubnetInvalid(f"create network `{network}`: {what} {text!r} is not a CIDR subnet",
                            hint="write it like 10.5.0.0/24 or fd00:5::/64") from None
    raise SubnetInvalid(f"create network `{network}`: {what} {text} has host bits set",
                        hint=f"did you mean {loose}?")


def parse_address(text: str, what: str, network: str) -> Address:
    try:
        return ip_address(text.strip())
    except ValueError:
        raise SubnetInvalid(f"create network `{network}`: {what} {text!r} is not an IP address") from None


def first_free(pools: Iterable[Pool], taken: Collection[Network]) -> Network | None:
    """The first subnet of the pools that overlaps nothing taken; skips whole taken blocks at once."""
    for pool in pools:
        found = _first_free_in(pool, taken)
        if found is not None:
            return found
    return None


def _first_free_in(pool: Pool, taken: Collection[Network]) -> Network | None:
    if pool.size < pool.base.prefixlen or pool.size > pool.base.max_prefixlen:
        raise SubnetInvalid(f"use address pool {pool.base}: size /{pool.size} does not fit in it")
    step = 1 << (pool.base.max_prefixlen - pool.size)
    start, end = int(pool.base.network_address), int(pool.base.broadcast_address)
    same = [t for t in taken if t.version == pool.base.version]
    while start <= end:
        candidate = ip_network((start, pool.size))
        blockers = [t for t in same if t.overlaps(candidate)]
        if not blockers:
            return candidate
        past = max(int(t.broadcast_address) for t in blockers) + 1
        start = max(start + step, -(-past // step) * step)
    return None


def plan_subnets(network: str, requests: Iterable[SubnetRequest], taken: Collection[Taken], *,
                 enable_ipv6: bool = False, pools_v4: Iterable[Pool] = DEFAULT_POOLS_V4,
                 pools_v6: Iterable[Pool] = DEFAULT_POOLS_V6) -> tuple[SubnetPlan, ...]:
    """Check the requested subnets against each other and `taken`; fill in the missing families.

    Every network gets an IPv4 subnet; one with `enable_ipv6` (or an IPv6 request) also gets an
    IPv6 one. A family without a request takes the first free subnet of its pools.
    """
    plans = [_plan_requested(network, request) for request in requests]
    _refuse_overlaps(network, plans, taken)
    in_use = [t.subnet for t in taken] + [p.subnet for p in plans]
    versions = {p.subnet.version for p in plans}
    for version, pools in ((4, pools_v4), (6, pools_v6)):
        if version in versions or (version == 6 and not enable_ipv6):
            continue
        subnet = first_free(pools, in_use)
        if subnet is None:
            raise PoolExhausted(f"create network `{network}`: every IPv{version} address pool is in use",
                                hint="remove unused networks, or give the network an explicit ipam subnet")
        plans.append(SubnetPlan(subnet, _first_host(subnet)))
        in_use.append(subnet)
    return tuple(sorted(plans, key=lambda p: p.subnet.version))


def _plan_requested(network: str, request: SubnetRequest) -> SubnetPlan:
    if request.subnet is None:
        raise SubnetInvalid(f"create network `{network}`: an ipam config entry needs a subnet",
                            hint="ip_range, gateway and aux_addresses only make sense with a subnet")
    subnet = parse_network(request.subnet, "subnet", network)
    ip_range = None
    if request.ip_range is not None:
        ip_range = parse_network(request.ip_range, "ip_range", network)
        if ip_range.version != subnet.version or not ip_range.subnet_of(subnet):  # type: ignore[arg-type]
            raise SubnetInvalid(f"create network `{network}`: ip_range {ip_range} is not inside subnet {subnet}")
    gateway = _first_host(subnet)
    if request.gateway is not None:
        gateway = _inside(network, subnet, parse_address(request.gateway, "gateway", network), "gateway")
    aux = tuple(sorted(
        (name, _inside(network, subnet, parse_address(text, f"aux address {name!r}", network), f"aux address {name!r}"))
        for name, text in request.aux_addresses.items()))
    for name, addr in aux:
        if addr == gateway:
            raise SubnetInvalid(f"create network `{network}`: aux address {name!r} {addr} is the gateway")
    return SubnetPlan(subnet, gateway, ip_range, aux)


def _inside(network: str, subnet: Network, addr: Address, what: str) -> Address:
    if not is_usable(subnet, addr):
        raise SubnetInvalid(f"create network `{network}`: {what} {addr} is not a usable address of subnet {subnet}")
    return addr


def _refuse_overlaps(network: str, plans: list[SubnetPlan], taken: Collection[Taken]) -> None:
    for i, plan in enumerate(plans):
        for other in plans[:i]:
            if plan.subnet.overlaps(other.subnet):
                raise SubnetInvalid(f"create network `{network}`: subnets {other.subnet} and {plan.subnet} overlap")
        for t in taken:
            if plan.subnet.overlaps(t.subnet):
                raise SubnetConflict(f"create network `{network}`: subnet {plan.subnet} overlaps "
                                     f"{t.subnet} of {t.owner}",
                                     hint="pick another subnet, or leave it out to get a free one")


def _first_host(subnet: Network) -> Address:
    return next(iter(_hosts(subnet)))


def _hosts(net: Network) -> Iterator[Address]:
    """Usable addresses in order: never the network address, never the IPv4 broadcast."""
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.version == 4 and net.prefixlen < 31:
        last -= 1
    if net.prefixlen < net.max_prefixlen - 1:
        first += 1
    cls = IPv4Address if net.version == 4 else IPv6Address
    return (cls(n) for n in range(first, last + 1))


def _every(net: Network) -> Iterator[Address]:
    """All addresses of an `ip_range`: its ends are ordinary addresses of the enclosing subnet."""
    cls = IPv4Address if net.version == 4 else IPv6Address
    return (cls(n) for n in range(int(net.network_address), int(net.broadcast_address) + 1))


def is_usable(net: Network, addr: Address) -> bool:
    """Whether `addr` is one of `_hosts(net)`, without enumerating them."""
    if addr.version != net.version or addr not in net:
        return False
    if net.prefixlen >= net.max_prefixlen - 1:
        return True
    return addr != net.network_address and (net.version == 6 or addr != net.broadcast_address)


def next_free(network: str, plan: SubnetPlan, used: Collection[Address]) -> Address:
    """The first usable address of the plan's range that is neither reserved nor used."""
    reserved = plan.reserved
    pool = _hosts(plan.subnet) if plan.ip_range is None else _every(plan.ip_range)
    for addr in pool:
        if is_usable(plan.subnet, addr) and addr not in reserved and addr not in used:
            return addr
    raise PoolExhausted(f"allocate address on network `{network}`: subnet {plan.subnet} has no free address left")


def check_static(network: str, plans: Collection[SubnetPlan], addr: Address,
                 owners: Mapping[Address, str]) -> SubnetPlan:
    """The plan a requested static address belongs to; refuse it if outside, reserved or taken."""
    for plan in plans:
        if addr.version != plan.subnet.version or addr not in plan.subnet:
            continue
        if not is_usable(plan.subnet, addr):
            raise AddressConflict(f"allocate address {addr} on network `{network}`: "
                                  f"it is the network or broadcast address of {plan.subnet}")
        if addr == plan.gateway:
            raise AddressConflict(f"allocate address {addr} on network `{network}`: it is the gateway")
        for name, aux in plan.aux:
            if addr == aux:
                raise AddressConflict(f"allocate address {addr} on network `{network}`: "
                                      f"reserved as aux address {name!r}")
        if addr in owners:
            raise AddressConflict(f"allocate address {addr} on network `{network}`: "
                                  f"already taken by container `{owners[addr]}`")
        return plan
    subnets = ", ".join(str(p.subnet) for p in plans) or "no subnet"
    raise AddressConflict(f"allocate address {addr} on network `{network}`: outside its subnets ({subnets})")
