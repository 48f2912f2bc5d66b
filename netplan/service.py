"""The network service: what stack orchestration and `pycompose network` call to make and use networks.

Lifecycle:
    create_network(name, NetworkOptions(...))      IPAM subnets (avoiding the host's), a bridge,
                                                   the firewall re-rendered from every record
    attach(network, container, netns, ...)         addresses, a veth into `netns`, the default
                                                   route choice, DNS records (if a server is given)
    preflight([PortRequest])                       a host port published already or held refused, early
    publish(network, container, [PortRequest])     NAT rules (and the userland proxy, if given: it serves
                                                   the host's loopback, which the DNAT then leaves alone)
    unpublish / detach / remove_network            the reverse; removal is refused while attached
    list_networks() / inspect(ref)                 `Network` views: record, subnets, endpoints
    endpoints(container=... | netns=...)           one container's endpoints on every network

Terms: the *host namespace* is where bridges, veth host ends and the firewall live: None for
the real host, a namespace file in tests. The *state dir* holds the records (`records.py`) and
the IPAM state; a second service on the same dir sees the same networks. An operation holds the
records' lock for its read-change-write and renders the firewall from all records at once; a
container's own links (its veth) are made or deleted outside it, by attach and detach, so that
containers joining or leaving at once do not wait on each other's kernel work.

Every operation that fails unwinds what it made (`Unwind`), and raises a `NetplanError`.

    >>> service = NetworkService(Path("/var/lib/pycompose/networks"), Path("/run/pycompose"))
    >>> service.create_network("demo_back", NetworkOptions(subnets=(SubnetRequest("10.5.0.0/24"),)))
    >>> service.attach("demo_back", "1a2b3c", netns_path, name="demo-api-1", aliases=("api",))
    >>> service.publish("demo_back", "1a2b3c", [PortRequest(80, host_port=8080)])
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from ipaddress import ip_address, ip_interface
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from netplan import links
from netplan.errors import NetplanError, NetworkExists, NetworkNotFound, SubnetInvalid
from netplan.firewall.spec import PublishedPort
from netplan.ipam import Address, SubnetPlan, SubnetRequest, Taken
from netplan.ipam_state import IpamState
from netplan.ipam_store import IpamStore
from netplan.records import EndpointRecord, NetworkRecord, Records, RecordStore
from pycompose.errors import Conflict, NotFound

if TYPE_CHECKING:
    from netplan.service_firewall import Firewall
    from netplan.service_ports import PortRequest

NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
PROXIED = ("tcp", "udp")   # what the userland proxy serves; sctp is published by the firewall alone


class NetworkInUse(NetplanError, Conflict):
    """A network that still has endpoints cannot be removed."""


class EndpointNotFound(NetplanError, NotFound):
    """No endpoint of that container on that network."""


class EndpointExists(NetplanError, Conflict):
    """The container is on that network already."""


class Dns(Protocol):
    def put_endpoint(self, network: str, endpoint: Any) -> None: ...
    def drop_endpoint(self, network: str, container: str) -> None: ...


class Proxy(Protocol):
    def add(self, ports: Sequence[PublishedPort]) -> tuple[PublishedPort, ...]: ...
    def remove(self, ports: Sequence[PublishedPort]) -> None: ...


@dataclass(frozen=True)
class NetworkOptions:
    """What `network create` is asked: driver, IPAM, internal, IPv6, labels."""

    subnets: tuple[SubnetRequest, ...] = ()
    enable_ipv6: bool = False
    internal: bool = False
    mtu: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Network:
    """A network as list and inspect show it."""

    record: NetworkRecord
    subnets: tuple[SubnetPlan, ...]
    endpoints: tuple[EndpointRecord, ...]


class Unwind:
    """Undo actions run newest first when the block fails; each is best effort, the first error is raised."""

    def __init__(self) -> None:
        self.undo: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def add(self, fn: Callable[..., Any], *args: Any) -> None:
        self.undo.append((fn, args))

    def __enter__(self) -> Unwind:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            return
        for fn, args in reversed(self.undo):
            try:
                fn(*args)
            except Exception:  # noqa: S112 - the first failure is the one to report
                continue


class NetworkService:
    def __init__(self, state_dir: Path, run_root: Path, *, host_netns: Path | None = None,
                 dns: Dns | None = None, proxy: Proxy | None = None):
        self.store = RecordStore(state_dir)
        self.ipam = IpamStore(state_dir)
        self.run_root = Path(run_root)
        self.host_netns = host_netns
        self.dns = dns
        self.proxy = proxy

    @functools.cached_property
    def firewall(self) -> Firewall:
        """The ruleset's writer (its modules loaded when a rule first changes: listing networks needs none)."""
        from netplan.service_firewall import Firewall

        return Firewall(self.host_netns)

    # -- networks ---------------------------------------------------------------------------

    def create_network(self, name: str, options: NetworkOptions = NetworkOptions()) -> Network:
        if not NAME.match(name):
            raise SubnetInvalid(f"create network `{name}`: a name is letters, digits, `_`, `.` and `-`, "
                                "starting with a letter or digit")
        with self.store.locked() as records, Unwind() as undo:
            if name in records.networks:
                raise NetworkExists(f"create network `{name}`: it exists already")
            if name in self.ipam.load().networks:       # a crash left IPAM ahead of the records
                self.ipam.remove_network(name)
            record = self._new_record(records, name, options)
            plans = self.ipam.add_network(name, options.subnets, self._host_taken(records),
                                          enable_ipv6=options.enable_ipv6).subnets
            undo.add(self.ipam.remove_network, name)
            gateways = tuple(ip_interface(f"{p.gateway}/{p.subnet.prefixlen}") for p in plans)
            undo.add(links.remove_bridge, record.bridge, self.host_netns)
            links.setup_bridge(links.Bridge(record.bridge, gateways, options.mtu, options.internal), self.host_netns)
            self._commit(records, records.with_network(record), undo)
            return Network(record, plans, ())

    def _new_record(self, records: Records, name: str, options: NetworkOptions) -> NetworkRecord:
        bridges = {n.bridge for n in records.networks.values()}
        while True:
            net_id = secrets.token_hex(32)
            if links.bridge_name(net_id) not in bridges:
                break
        return NetworkRecord(net_id, name, _now(), links.bridge_name(net_id), "bridge", options.enable_ipv6,
                             options.internal, options.mtu, dict(options.labels), dict(options.options))

    def _host_taken(self, records: Records) -> list[Taken]:
        """What the host uses, less our own bridges: IPAM names those after their networks."""
        from netplan import host

        ours = {f"bridge {n.bridge}" for n in records.networks.values()}
        return [t for t in host.taken(self.host_netns) if t.owner not in ours]

    def remove_network(self, ref: str) -> NetworkRecord:
        """Remove the network's rules, bridge and subnets; refused while any endpoint is attached."""
        with self.store.locked() as records:
            net = _find(records, ref, "remove network")
            attached = records.endpoints_of(net.name)
            if attached:
                names = ", ".join(f"`{e.name}`" for e in attached)
                raise NetworkInUse(f"remove network `{net.name}`: {names} still attached",
                                   hint="stop those containers, or disconnect them, first")
            after = records.without_network(net.name)
            self._apply(after)
            links.remove_bridge(net.bridge, self.host_netns)
            if net.name in self.ipam.load().networks:
                self.ipam.remove_network(net.name)
            self.store.write(after)
            return net

    def list_networks(self) -> list[Network]:
        records, ipam = self.store.load(), self.ipam.load()
        return [_view(records, ipam, n) for n in sorted(records.networks.values(), key=lambda n: n.name)]

    def inspect(self, ref: str) -> Network:
        records = self.store.load()
        return _view(records, self.ipam.load(), _find(records, ref, "inspect network"))

    def endpoints(self, *, container: str | None = None, netns: str | None = None) -> list[EndpointRecord]:
        """The endpoints of one container, or of every container plumbed into one namespace, on any network."""
        return sorted((e for e in self.store.load().endpoints.values()
                       if container in (None, e.container) and netns in (None, e.netns)),
                      key=lambda e: (e.network, e.container))

    # -- endpoints --------------------------------------------------------------------------

    def attach(self, network: str, container: str, netns: Path, *, name: str | None = None,
               aliases: Iterable[str] = (), ipv4_address: str | None = None, ipv6_address: str | None = None,
               mac: str | None = None, ifname: str | None = None, priority: int = 0,
               hostname: str = "") -> EndpointRecord:
        """Join `container` (plumbed into `netns`) to the network; returns its record with its addresses.
        Its DNS names there: `name`, `aliases` and `hostname`.

        The addresses come from IPAM (under its own lock) and the veth is plumbed before the records' lock is
        taken, only to write the endpoint: thirty containers joining at once do not queue behind each other's
        kernel work. The namespace's other endpoints (its default route) are those its caller attached before.
        """
        records = self.store.load()
        net = _find(records, network, "attach to network")
        if records.endpoint(net.name, container) is not None:
            raise EndpointExists(f"attach `{name or container}` to network `{net.name}`: it is attached already")
        owner = name or container
        with Unwind() as undo:
            siblings = records.endpoints_in(str(netns))
            ifname = ifname or _free_ifname(siblings)
            plans = self.ipam.load().get(net.name, "attach").subnets
            undo.add(self.ipam.release, net.name, owner)
            addresses = tuple(self._allocate(net.name, owner, plan, ipv4_address, ipv6_address) for plan in plans)
            gateways = _carried(records, self.ipam.load(), siblings, net, priority)
            veth = links.veth_name(hashlib.sha256(f"{net.id}/{container}".encode()).hexdigest())
            undo.add(links.detach, veth, self.host_netns)
            links.attach(links.Endpoint(veth, net.bridge, Path(netns), ifname, addresses, gateways, mac),
                         self.host_netns)
            endpoint = EndpointRecord(hashlib.sha256(f"{net.id}/{container}/endpoint".encode()).hexdigest(),
                                      net.name, container, owner, str(netns), ifname, veth,
                                      mac or links.mac_for(addresses), addresses, tuple(aliases), priority,
                                      hostname=hostname)
            if self.dns is not None:
                undo.add(self.dns.drop_endpoint, net.name, owner)
                self.dns.put_endpoint(net.name, _dns_endpoint(endpoint))
            with self.store.locked() as current:
                _find(current, net.name, "attach to network")  # not removed meanwhile
                if current.endpoint(net.name, container) is not None:
                    raise EndpointExists(f"attach `{owner}` to network `{net.name}`: it is attached already")
                self.store.write(current.with_endpoint(endpoint))
            return endpoint

    def _allocate(self, network: str, owner: str, plan: SubnetPlan, v4: str | None, v6: str | None) -> Any:
        wanted = v4 if plan.subnet.version == 4 else v6
        address = ip_address(wanted) if wanted else None
        got = self.ipam.allocate(network, owner, address, plan.subnet.version)
        return ip_interface(f"{got}/{plan.subnet.prefixlen}")

    def detach(self, network: str, container: str, *, link: bool = True) -> None:
        """Take the container off the network: its veth, its address, then (under the records' lock) its ports
        and DNS records go.

        The veth is the container's alone and its address is IPAM's (under its own lock), so both go before the
        records' lock is taken: thirty containers taken down at once do not queue behind each other's kernel
        work (deleting a link waits on an RCU grace period) and fsyncs. `link=False`: the caller removes the
        container's namespace right after, which destroys the pair in the kernel's own time.
        """
        seen = self.store.load()
        endpoint = _endpoint(seen, _find(seen, network, "detach from network"), container, "detach")
        if link:
            links.detach(endpoint.veth, self.host_netns)
        self.ipam.release(endpoint.network, endpoint.name)
        with self.store.locked() as records:
            net = _find(records, network, "detach from network")
            endpoint = _endpoint(records, net, container, "detach")
            after = records.without_endpoint(endpoint.id)
            if endpoint.ports:
                self._apply(after)
                self._unproxy(endpoint.ports)
            if self.dns is not None:
                self.dns.drop_endpoint(net.name, endpoint.name)
            self._move_default_route(after, endpoint)
            self.store.write(after)

    def await_links_gone(self, endpoints: Iterable[EndpointRecord]) -> None:
        """Once the namespace of these endpoints is removed: wait for the kernel to destroy their veths (it does
        many at once), deleting any left after a while; `detach(link=False)` leaves them to this."""
        links.await_gone([e.veth for e in endpoints], self.host_netns)

    def _move_default_route(self, records: Records, gone: EndpointRecord) -> None:
        """If the network that left carried the default route, the next best network carries it now."""
        netns = Path(gone.netns)
        if not netns.exists():
            return
        ipam = self.ipam.load()
        siblings = records.endpoints_in(gone.netns)
        before = links.default_route_carriers([*_candidates(records, ipam, siblings),
                                               _candidate(records.networks.get(gone.network), ipam, gone.priority)])
        after = links.default_route_carriers(_candidates(records, ipam, siblings))
        for version, carrier in after.items():
            if before.get(version) is not None and before[version].network == gone.network:
                sibling = next(s for s in siblings if s.network == carrier.network)
                links.set_default_route(netns, sibling.ifname,
                                        tuple(g for g in carrier.gateways if g.version == version))

    # -- published ports --------------------------------------------------------------------

    def publish(self, network: str, container: str, requests: Sequence[PortRequest]) -> tuple[PublishedPort, ...]:
        """Publish the container's ports on the host; returns them with every host port 0 chosen.

        Every port gets its DNAT rule; with a proxy, the proxy also serves the tcp and udp ones (it
        binds them, so it names a holder); without one, a port a process holds is refused here."""
        with self.store.locked() as records, Unwind() as undo:
            net = _find(records, network, "publish ports on network")
            endpoint = _endpoint(records, net, container, "publish ports of")
            from netplan.service_ports import check_free, check_unheld, resolve_ports, served_by_proxy

            proxied = PROXIED if self.proxy is not None else ()
            ports = resolve_ports(endpoint, requests, records, self.host_netns, proxied=proxied)
            check_free(records, ports)
            check_unheld([p for p in ports if p.protocol not in proxied], self.host_netns)
            served = served_by_proxy(ports, proxied)
            if served:
                chosen = iter(self.proxy.add(served))  # type: ignore[union-attr]
                ports = tuple(next(chosen) if p.protocol in proxied else p for p in ports)
                undo.add(self.proxy.remove, served_by_proxy(ports, proxied))  # type: ignore[union-attr]
            after = records.with_endpoint(replace(endpoint, ports=(*endpoint.ports, *ports)))
            self._commit(records, after, undo)
            return ports

    def preflight(self, requests: Sequence[PortRequest], *, leaving: Collection[str] = ()) -> None:
        """Refuse now, before anything is made for them, host ports that an endpoint publishes (unless its
        container is in `leaving`: about to be removed) or that a process of the host namespace holds."""
        from netplan.proxy.bind import clashes
        from netplan.service_ports import check_free, check_unheld, fixed_ports

        records = self.store.load()
        ours = [p for e in records.endpoints.values() for p in e.ports]
        staying = Records(records.networks, {k: e for k, e in records.endpoints.items() if e.container not in leaving})
        ports = fixed_ports(requests)
        check_free(staying, ports)
        check_unheld([p for p in ports if not any(clashes(p, o) for o in ours)], self.host_netns)

    def unpublish(self, network: str, container: str) -> None:
        """Withdraw every port the container publishes through this network."""
        with self.store.locked() as records:
            net = _find(records, network, "unpublish ports on network")
            endpoint = _endpoint(records, net, container, "unpublish ports of")
            after = records.with_endpoint(replace(endpoint, ports=()))
            self._apply(after)
            self._unproxy(endpoint.ports)
            self.store.write(after)

    def _unproxy(self, ports: Sequence[PublishedPort]) -> None:
        if not ports:
            return
        from netplan.service_ports import served_by_proxy

        served = served_by_proxy(ports, PROXIED)
        if self.proxy is not None and served:
            self.proxy.remove(served)

    def published(self) -> list[PublishedPort]:
        """Every port the records publish (what a proxy that starts afresh must serve)."""
        return [p for e in self.store.load().endpoints.values() for p in e.ports]

    # -- the edges --------------------------------------------------------------------------

    def restore(self) -> None:
        """Make the kernel match the records again (after a reboot): bridges and the firewall."""
        with self.store.locked() as records:
            ipam = self.ipam.load()
            for view in (_view(records, ipam, n) for n in records.networks.values()):
                gateways = tuple(ip_interface(f"{p.gateway}/{p.subnet.prefixlen}") for p in view.subnets)
                links.setup_bridge(links.Bridge(view.record.bridge, gateways, view.record.mtu,
                                                view.record.internal), self.host_netns)
            self._apply(records)

    def refresh_firewall(self) -> None:
        """Render and apply the ruleset again (after the proxy setting changed)."""
        with self.store.locked() as records:
            self._apply(records)

    def firewall_listing(self) -> str | None:
        return self.firewall.listing()

    def _apply(self, records: Records) -> None:
        from netplan.service_firewall import spec_of

        self.firewall.apply(spec_of(records, self.ipam.load(), proxied_loopback=self.proxy is not None))

    def _commit(self, before: Records, after: Records, undo: Unwind) -> None:
        """Apply the firewall of `after` and write it; a failure puts the firewall of `before` back."""
        undo.add(self._apply, before)
        self._apply(after)
        self.store.write(after)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _find(records: Records, ref: str, operation: str) -> NetworkRecord:
    """By name, by full id, then by a unique id prefix (Docker's order)."""
    if ref in records.networks:
        return records.networks[ref]
    by_id = [n for n in records.networks.values() if n.id == ref] or \
        [n for n in records.networks.values() if ref and n.id.startswith(ref)]
    if len(by_id) == 1:
        return by_id[0]
    if by_id:
        raise NetworkNotFound(f"{operation} `{ref}`: the id prefix matches {len(by_id)} networks",
                              hint="give more digits of the id, or the name")
    raise NetworkNotFound(f"{operation} `{ref}`: no such network")


def _endpoint(records: Records, net: NetworkRecord, container: str, operation: str) -> EndpointRecord:
    endpoint = records.endpoint(net.name, container)
    if endpoint is None:
        raise EndpointNotFound(f"{operation} `{container}` on network `{net.name}`: it is not attached")
    return endpoint


def _view(records: Records, ipam: IpamState, net: NetworkRecord) -> Network:
    ipam_record = ipam.networks.get(net.name)
    return Network(net, ipam_record.subnets if ipam_record else (), tuple(records.endpoints_of(net.name)))


def _free_ifname(siblings: Sequence[EndpointRecord]) -> str:
    used = {e.ifname for e in siblings}
    return next(links.container_ifname(i) for i in range(len(used) + 1) if links.container_ifname(i) not in used)


def _candidate(net: NetworkRecord | None, ipam: IpamState, priority: int) -> links.GatewayCandidate:
    if net is None:
        return links.GatewayCandidate("", (), priority, True)
    ipam_record = ipam.networks.get(net.name)
    gateways: tuple[Address, ...] = tuple(p.gateway for p in ipam_record.subnets) if ipam_record else ()
    return links.GatewayCandidate(net.name, gateways, priority, net.internal)


def _candidates(records: Records, ipam: IpamState, siblings: Iterable[EndpointRecord]) -> list[links.GatewayCandidate]:
    return [_candidate(records.networks.get(s.network), ipam, s.priority) for s in siblings]


def _carried(records: Records, ipam: IpamState, siblings: Sequence[EndpointRecord], net: NetworkRecord,
             priority: int) -> tuple[Address, ...]:
    """The gateways of `net` for which it carries the default route once it joins `siblings`."""
    mine = _candidate(net, ipam, priority)
    carriers = links.default_route_carriers([*_candidates(records, ipam, siblings), mine])
    return tuple(g for version, c in carriers.items() if c.network == net.name
                 for g in mine.gateways if g.version == version)


def _dns_endpoint(endpoint: EndpointRecord) -> Any:
    from netplan.dns.records import Endpoint

    names = dict.fromkeys((endpoint.name, *endpoint.aliases, *([endpoint.hostname] if endpoint.hostname else [])))
    return Endpoint(endpoint.name, tuple(names), tuple(a.ip for a in endpoint.addresses))
