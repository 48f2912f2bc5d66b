"""A plain container (`pycompose container run|create --network NAME`) on a user network, and its removal.

    create(world, options, PlainNetwork("demo_back", aliases=("cache",), publish=("127.0.0.1:8080:80",)))
        the ports are checked before anything is made; then a namespace `<run root>/netns/pc<12 hex>`,
        the engine's container in it, an endpoint on the network (known there by the container's name and
        its aliases, as a compose service's container is by its service's), the run root's DNS server
        answering at 127.0.0.11 (resolv.conf with --dns/--dns-search/--dns-option, /etc/hosts with its
        address and --add-host, `host-gateway` being the network's gateway), then the published ports.
        A failure unwinds all of it.
    remove(world, ref, force=..., volumes=...)
        the engine's removal (refused for a running container without force), then every endpoint, the
        DNS listener and files, and the namespace; the DNS server stops when nothing listens any more,
        the userland proxy with its last port. Any container with a namespace of its own under the run
        root goes this way, a compose service's too.

Docker's words for what a user network is needed for ("user specified IP address is supported on user
defined networks only") come from `check`.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from compose.errors import ComposeError
from pycompose.errors import InvalidArgument, NotFound

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.containers.options import RunOptions
    from engine.state import ContainerRecord
    from netplan.service_ports import PortRequest

ENGINE_MODES = ("none", "host")


class NetworkOptionInvalid(ComposeError, InvalidArgument):
    """A network option the container's network mode cannot take."""


class NoSuchNetwork(ComposeError, NotFound):
    """`--network` names no network."""


@dataclass(frozen=True)
class PlainNetwork:
    """The network flags of `container run`: network, addresses, aliases, ports, DNS."""

    network: str
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    aliases: tuple[str, ...] = ()
    publish: tuple[str, ...] = ()                # -p, Docker's short syntax
    dns: tuple[str, ...] = ()
    dns_search: tuple[str, ...] = ()
    dns_opt: tuple[str, ...] = ()
    extra_hosts: tuple[tuple[str, str], ...] = ()  # --add-host host:address
    domainname: str | None = None


def is_user_network(mode: str) -> bool:
    """Whether `--network` names a network (not none, host, a namespace path or container:x)."""
    return mode not in ENGINE_MODES and not mode.startswith(("/", "container:"))


def check(net: PlainNetwork) -> None:
    """Refuse, with Docker's words, what only a user network gives."""
    if is_user_network(net.network):
        return
    if net.ipv4_address or net.ipv6_address:
        raise NetworkOptionInvalid("user specified IP address is supported on user defined networks only")
    if net.aliases:
        raise NetworkOptionInvalid("network-scoped alias is supported only for containers in user defined networks")
    if net.publish and net.network.startswith("container:"):
        raise NetworkOptionInvalid("conflicting options: port publishing and the container type network mode")
    if net.publish and net.network != "host":
        raise NetworkOptionInvalid(f"publish ports of a container on network {net.network!r}: it has no network to "
                                   "publish from", hint="give it a user network: --network NAME")
    if net.dns or net.dns_search or net.dns_opt or net.extra_hosts:
        raise NetworkOptionInvalid(f"--dns, --dns-search, --dns-option and --add-host need a user network here, "
                                   f"not {net.network!r}", hint="create one: pycompose network create NAME")


def requests(specs: tuple[str, ...]) -> list[PortRequest]:
    """`-p` specs as netplan's requests (a host range stays one request)."""
    from compose.reconcile.oneoff import BadRunArgument, _ports
    from compose.reconcile.runs import _request
    from netplan.service_ports import PortRequest

    try:
        return [_request(PortRequest, p) for p in _ports(specs)]
    except BadRunArgument as error:
        raise NetworkOptionInvalid(error.message) from None


def create(world: World, options: RunOptions, net: PlainNetwork) -> ContainerRecord:
    from compose.reconcile import dns
    from netplan import netns
    from netplan.errors import NetworkNotFound
    from netplan.service import Unwind

    try:
        name = world.networks.inspect(net.network).record.name
    except NetworkNotFound:
        raise NoSuchNetwork(f"network {net.network} not found") from None
    ports = requests(net.publish)
    world.networks.preflight(ports)
    dns.ensure(world)
    with Unwind() as undo:
        ns_name = f"pc{secrets.token_hex(6)}"
        path = netns.path_of(world.run_root, ns_name)  # made once the record names it (below)
        undo.add(dns.unplug, world, None, ns_name)
        resolv_conf, hosts = dns.files(world, net, ns_name)
        record = world.containers.create(replace(options, network=str(path), resolv_conf=resolv_conf, hosts=hosts),
                                         whole=False)  # `dead` until it is on its network (engine's create)
        undo.add(world.containers.remove, record.id, True)
        netns.create(world.run_root, ns_name)  # after the record that names it: a kill leaves none unknown
        undo.add(netns.remove, world.run_root, ns_name)
        endpoint = world.networks.attach(name, record.id, path, name=record.name, aliases=net.aliases,
                                         ipv4_address=net.ipv4_address, ipv6_address=net.ipv6_address,
                                         hostname=options.hostname or "")
        undo.add(world.networks.detach, name, record.id)
        undo.add(dns.unplug, world, record.id, path.name)
        dns.plug(world, net, path.name, record.id, options.hostname or record.id[:12], path, [name],
                 [str(a.ip) for a in endpoint.addresses])
        if ports:
            world.networks.publish(name, record.id, ports)
        return world.containers.made(record.id)


def remove(world: World, ref: str, *, force: bool = False, volumes: bool = False) -> None:
    from compose.reconcile import dns, namespaces

    record = world.containers.get(ref)
    world.containers.remove(record.id, force, volumes=volumes)
    shutil.rmtree(world.files_dir(record.name), ignore_errors=True)  # a compose container's secrets and configs
    if namespaces.netns_of(record, world.run_root) is None:
        return
    dns.connect(world)
    namespaces.release(world, record)
    dns.stop_if_idle(world)
