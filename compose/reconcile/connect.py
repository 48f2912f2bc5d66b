"""`network connect` and `network disconnect`: one container with a namespace of its own joins or leaves
a network while it exists (created, running or stopped: the namespace lives as long as the container).

    connect(world, "demo_back", "demo-web-1", aliases=("cache",))
        the container's namespace (netns_of) gets a veth and an address on the network; its names there are
        its own name, the given aliases and, for a compose service container, the service's name; its
        /etc/hosts gains a line for the new address and its DNS listener at 127.0.0.11 now answers from
        that network too (the server learns the network's names: put_endpoint via the NetworkService)
    disconnect(world, "demo_back", "demo-web-1")
        the reverse: veth, address, names, hosts line and the listener's view of that network go; the ports
        the container published through that network are withdrawn (Docker does the same); the last network
        may go too (the container then has only `lo`, as in Docker)

A container in host mode, with no network, or sharing another's namespace (`network_mode: service:x`) is
refused with Docker's own messages. Published ports are never touched by a connect.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from compose.errors import ComposeError
from pycompose.errors import Conflict, NotFound

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.state import ContainerRecord
    from netplan.records import EndpointRecord

SERVICE_LABEL = "com.docker.compose.service"
ONEOFF_LABEL = "com.docker.compose.oneoff"
SHARED = "container sharing network namespace with another container or host cannot be connected to any other network"
NO_NETWORK = "container cannot be connected to multiple networks with one of the networks in private (none) mode"
HOST_NETWORK = "container cannot be disconnected from host network or connected to host network"


class NetworkModeConflict(ComposeError, Conflict):
    """The container's network mode (host, none, another's namespace) does not allow it."""


class NotConnected(ComposeError, NotFound):
    """The container has no endpoint on that network."""


class NoSuchNetwork(ComposeError, NotFound):
    """No network of that name or id."""


class NoSuchContainer(ComposeError, NotFound):
    """No container of that name or id."""


def connect(world: World, network: str, container: str, *, ipv4_address: str | None = None,
            ipv6_address: str | None = None, aliases: Sequence[str] = ()) -> EndpointRecord:
    """Join the container to `network`; returns its endpoint there."""
    from compose.reconcile import dns
    from netplan.errors import NetworkNotFound
    from netplan.service import EndpointExists, Unwind

    record = _container(world, container)
    if network in ("host", "none"):
        raise NetworkModeConflict(HOST_NETWORK if network == "host" else NO_NETWORK)
    path = _own_netns(world, record)
    uses_dns = _ours(world, record, "resolv_conf") is not None
    if uses_dns:
        dns.ensure(world)
    else:
        dns.connect(world)
    names = (*_service_names(record), *(a for a in aliases if a != record.name))
    with Unwind() as undo:
        try:
            endpoint = world.networks.attach(network, record.id, path, name=record.name, aliases=tuple(names),
                                             ipv4_address=ipv4_address or None, ipv6_address=ipv6_address or None,
                                             hostname=record.config.launch.get("options", {}).get("hostname") or "")
        except NetworkNotFound:
            raise NoSuchNetwork(f"network {network} not found") from None
        except EndpointExists:
            raise NetworkModeConflict(f"endpoint with name {record.name} already exists in network "
                                      f"{world.networks.inspect(network).record.name}") from None
        undo.add(world.networks.detach, endpoint.network, record.id)
        if uses_dns:
            _listen(world, record, path)
        _edit_hosts(world, record, add=[str(a.ip) for a in endpoint.addresses])
        return endpoint


def disconnect(world: World, network: str, container: str, *, force: bool = False) -> None:
    """Take the container off `network` (with `force`, also the endpoint of a container that is gone)."""
    from compose.reconcile import dns
    from netplan.errors import NetworkNotFound
    from netplan.service import EndpointNotFound

    try:
        record = _container(world, container)
    except NoSuchContainer:
        if force and _forget(world, network, container):
            return
        raise
    mode = _mode(record)
    if network == "host":
        raise NetworkModeConflict(HOST_NETWORK)
    dns.connect(world)
    try:
        net = world.networks.inspect(network).record.name
    except NetworkNotFound:
        raise NoSuchNetwork(f"network {network} not found") from None
    endpoint = next((e for e in world.networks.endpoints(container=record.id) if e.network == net), None)
    if endpoint is None or mode in ("host", "none"):
        raise NotConnected(f"container {record.id} is not connected to network {net}")
    try:
        world.networks.detach(net, record.id)
    except EndpointNotFound:  # another disconnect won the race
        raise NotConnected(f"container {record.id} is not connected to network {net}") from None
    if _ours(world, record, "resolv_conf") is not None and dns.enabled(world):
        _listen(world, record, Path(endpoint.netns))
    _edit_hosts(world, record, drop=[str(a.ip) for a in endpoint.addresses])


def _container(world: World, ref: str) -> ContainerRecord:
    from engine.state import NoSuchContainer as EngineNoSuchContainer

    try:
        return world.containers.get(ref)
    except EngineNoSuchContainer:
        raise NoSuchContainer(f"No such container: {ref}") from None


def _mode(record: ContainerRecord) -> str:
    return str(record.config.launch.get("options", {}).get("network", "") or "none")


def _own_netns(world: World, record: ContainerRecord) -> Path:
    """The container's own namespace under the run root; Docker's refusals for host, none and shared ones."""
    from compose.reconcile.namespaces import netns_of

    mode = _mode(record)
    if mode == "host":
        raise NetworkModeConflict(SHARED)
    if mode == "none":
        raise NetworkModeConflict(NO_NETWORK)
    path = netns_of(record, world.run_root)
    if path is None or not path.exists():
        raise NetworkModeConflict(SHARED)
    others = {e.container for e in world.networks.endpoints(netns=str(path))} - {record.id}
    if others:  # `network_mode: service:x` / `container:x`: the namespace is x's
        raise NetworkModeConflict(SHARED)
    return path


def _service_names(record: ContainerRecord) -> tuple[str, ...]:
    """A compose service container is known by its service's name on every network, as `up` makes it."""
    service = record.labels.get(SERVICE_LABEL)
    if service is None or record.labels.get(ONEOFF_LABEL, "False") == "True":
        return ()
    return (service,)


def _ours(world: World, record: ContainerRecord, key: str) -> Path | None:
    """The container's resolv.conf or hosts when pycompose wrote it under the run root (not a shared one)."""
    given = record.config.launch.get("options", {}).get(key)
    if not given:
        return None
    path = Path(given)
    return path if path.parent.parent == world.run_root / "etc" and path.exists() else None


def _listen(world: World, record: ContainerRecord, netns: Path) -> None:
    """The container's listener at 127.0.0.11 answers from the networks it is on now (updated in place)."""
    from compose.reconcile.dns import ADDRESS

    networks = sorted(e.network for e in world.networks.endpoints(container=record.id))
    world.networks.dns.listen(record.id, ADDRESS, networks=networks, netns=str(netns))


def _edit_hosts(world: World, record: ContainerRecord, add: Sequence[str] = (), drop: Sequence[str] = ()) -> None:
    """Rewrite the container's /etc/hosts in place (the container has this inode bound)."""
    from netplan.hosts import with_addresses, without_addresses

    path = _ours(world, record, "hosts")
    if path is None:
        return
    with open(path, "r+") as f:
        text = f.read()
        text = without_addresses(with_addresses(text, add), drop)
        f.seek(0)
        f.write(text)
        f.truncate()


def _forget(world: World, network: str, ref: str) -> bool:
    """`disconnect -f` of a container that is gone: its endpoint (by id, id prefix or name) goes anyway."""
    from netplan.errors import NetworkNotFound

    with contextlib.suppress(NetworkNotFound):
        for endpoint in world.networks.inspect(network).endpoints:
            if ref in (endpoint.container, endpoint.name) or (len(ref) >= 12 and endpoint.container.startswith(ref)):
                world.networks.detach(endpoint.network, endpoint.container)
                return True
    return False
