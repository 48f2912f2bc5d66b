"""The IPAM records of every network, and the pure transitions between them.

Terms:
    state       every network's record; `ipam_store` keeps it on disk under a lock
    record      one network: its subnet plans and who holds which address
    owner       whoever holds an address, usually a container name (`demo-api-1`)

Each transition takes a state and returns a new one (and what was decided); nothing is
mutated, so a failed transition leaves the stored state as it was.

    >>> state, _ = add_network(IpamState(), "demo_back", (), taken=())
    >>> state, addr = allocate(state, "demo_back", "demo-api-1")
    >>> str(addr)
    '172.17.0.2'
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from ipaddress import ip_address
from typing import Any

from netplan.errors import AddressConflict, NetworkExists, NetworkNotFound, SubnetInvalid
from netplan.ipam import (
    DEFAULT_POOLS_V4,
    DEFAULT_POOLS_V6,
    Address,
    Pool,
    SubnetPlan,
    SubnetRequest,
    Taken,
    check_static,
    next_free,
    parse_address,
    parse_network,
    plan_subnets,
)

FORMAT = 1


@dataclass(frozen=True)
class Allocation:
    """An address handed out, and to whom."""

    address: Address
    owner: str


@dataclass(frozen=True)
class NetworkRecord:
    """A network's subnets and the addresses allocated in them."""

    name: str
    subnets: tuple[SubnetPlan, ...]
    allocations: tuple[Allocation, ...] = ()

    def owners(self) -> dict[Address, str]:
        return {a.address: a.owner for a in self.allocations}

    def plan_for(self, version: int) -> SubnetPlan | None:
        return next((p for p in self.subnets if p.subnet.version == version), None)


@dataclass(frozen=True)
class IpamState:
    """Every network's IPAM record."""

    networks: Mapping[str, NetworkRecord] = field(default_factory=dict)

    def get(self, name: str, operation: str) -> NetworkRecord:
        try:
            return self.networks[name]
        except KeyError:
            raise NetworkNotFound(f"{operation} on network `{name}`: no such network") from None

    def taken(self) -> list[Taken]:
        return [Taken(p.subnet, f"network `{r.name}`") for r in self.networks.values() for p in r.subnets]

    def with_record(self, record: NetworkRecord) -> IpamState:
        return IpamState({**self.networks, record.name: record})


def add_network(state: IpamState, name: str, requests: Iterable[SubnetRequest], taken: Collection[Taken], *,
                enable_ipv6: bool = False, pools_v4: Iterable[Pool] = DEFAULT_POOLS_V4,
                pools_v6: Iterable[Pool] = DEFAULT_POOLS_V6) -> tuple[IpamState, NetworkRecord]:
    """Plan the network's subnets, avoiding `taken` (host routes, other engines) and our own networks."""
    if name in state.networks:
        raise NetworkExists(f"create network `{name}`: it exists already")
    plans = plan_subnets(name, requests, [*taken, *state.taken()], enable_ipv6=enable_ipv6,
                         pools_v4=pools_v4, pools_v6=pools_v6)
    record = NetworkRecord(name, plans)
    return state.with_record(record), record


def remove_network(state: IpamState, name: str) -> IpamState:
    state.get(name, "remove")
    return IpamState({k: v for k, v in state.networks.items() if k != name})


def allocate(state: IpamState, network: str, owner: str, address: Address | None = None,
             version: int = 4) -> tuple[IpamState, Address]:
    """Give `owner` an address: `address` if asked for (checked), else the next free one of `version`.

    Asking again for what the owner already holds returns it unchanged, so a retried
    `up` does not leak addresses.
    """
    record = state.get(network, "allocate address")
    held = [a.address for a in record.allocations if a.owner == owner]
    wanted_version = address.version if address is not None else version
    mine = next((a for a in held if a.version == wanted_version), None)
    if mine is not None and address in (None, mine):
        return state, mine
    if address is not None:
        check_static(network, record.subnets, address, record.owners())
    else:
        plan = record.plan_for(version)
        if plan is None:
            raise SubnetInvalid(f"allocate address on network `{network}`: it has no IPv{version} subnet",
                                hint="set enable_ipv6: true on the network" if version == 6 else None)
        address = next_free(network, plan, record.owners())
    if mine is not None:
        raise AddressConflict(f"allocate address {address} on network `{network}`: "
                              f"container `{owner}` already holds {mine}")
    record = replace(record, allocations=(*record.allocations, Allocation(address, owner)))
    return state.with_record(record), address


def release(state: IpamState, network: str, owner: str) -> IpamState:
    """Give back every address `owner` holds on `network`; releasing nothing is not an error."""
    record = state.networks.get(network)
    if record is None:
        return state
    kept = tuple(a for a in record.allocations if a.owner != owner)
    return state.with_record(replace(record, allocations=kept))


def to_json(state: IpamState) -> dict[str, Any]:
    return {"format": FORMAT, "networks": {name: _record_json(r) for name, r in sorted(state.networks.items())}}


def _record_json(record: NetworkRecord) -> dict[str, Any]:
    return {
        "subnets": [{"subnet": str(p.subnet), "gateway": str(p.gateway),
                     "ip_range": str(p.ip_range) if p.ip_range else None,
                     "aux_addresses": {n: str(a) for n, a in p.aux}} for p in record.subnets],
        "allocations": {str(a.address): a.owner for a in record.allocations},
    }


def from_json(doc: Mapping[str, Any]) -> IpamState:
    if doc.get("format") != FORMAT:
        raise SubnetInvalid(f"read IPAM state: format {doc.get('format')!r} is not {FORMAT}")
    networks = {}
    for name, raw in doc["networks"].items():
        plans = tuple(SubnetPlan(parse_network(s["subnet"], "subnet", name),
                                 parse_address(s["gateway"], "gateway", name),
                                 parse_network(s["ip_range"], "ip_range", name) if s["ip_range"] else None,
                                 tuple((n, ip_address(a)) for n, a in sorted(s["aux_addresses"].items())))
                      for s in raw["subnets"])
        allocations = tuple(Allocation(ip_address(a), o) for a, o in raw["allocations"].items())
        networks[name] = NetworkRecord(name, plans, allocations)
    return IpamState(networks)
