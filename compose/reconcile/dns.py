"""Service names inside a stack: the DNS server of the run root, and what each container sees of it.

    up:    ensure(world)          the server runs (started if absent), the NetworkService updates
                                  its records on attach/detach
           files(world, ns)       the container's resolv.conf (127.0.0.11, ndots:0) and a hosts placeholder,
                                  handed to the engine before create
           plug(world, ...)       after attach: the hosts file gets the container's addresses, and a listener
                                  on 127.0.0.11:53 opens inside its namespace (before it starts), forwarding
                                  to the service's `dns` servers when it has some (as Docker's embedded DNS)
           unplug(world, ...)     before the namespace goes: the listener closes, the files go
    down:  connect(world)         the records follow the detaches, if a server runs
           stop_if_idle(world)    the last container with a listener gone, the server stops

One server per run root (`netplan.dns`). Where it forwards: PYCOMPOSE_DNS_UPSTREAMS when set (addresses
separated by commas or spaces; empty forwards nothing, as tests want), else the host's nameservers.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from compose.reconcile.world import World

UPSTREAMS_ENV = "PYCOMPOSE_DNS_UPSTREAMS"
HOST_RESOLV_CONF = Path("/etc/resolv.conf")
ADDRESS = "127.0.0.11"
STOP_WITHIN = 5.0


class Resolving(Protocol):
    """What a container asks of its names: a compose `Service`, or a plain container's network options."""

    dns: tuple[str, ...]
    dns_search: tuple[str, ...]
    dns_opt: tuple[str, ...]
    domainname: str | None
    extra_hosts: tuple[tuple[str, str], ...]


def upstreams() -> list[str]:
    from netplan.resolvconf import parse

    given = os.environ.get(UPSTREAMS_ENV)
    if given is not None:
        return given.replace(",", " ").split()
    return list(parse(_host_text()).nameservers)


def _host_text() -> str:
    try:
        return HOST_RESOLV_CONF.read_text(errors="replace")
    except OSError:
        return ""


def connect(world: World) -> bool:
    """Give the NetworkService the server's client when a server runs; True when it does."""
    from netplan.dns import DnsClient
    from netplan.dns.errors import DnsUnavailable

    client = DnsClient(world.run_root)
    try:
        client.ping()
    except DnsUnavailable:
        return False
    world.networks.dns = client
    return True


def ensure(world: World) -> None:
    """Start the run root's server unless it runs (one starter at a time), then connect to it. The userland
    proxy, the run root's other resident helper, comes back with it when it should run and does not."""
    from compose.reconcile import proxy
    from netplan.dns import start

    proxy.ensure(world.networks)
    world.run_root.mkdir(parents=True, exist_ok=True)
    with open(world.run_root / "dns.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if connect(world):
            return
        start(world.run_root, upstreams())
        connect(world)
        _resync(world)


def _resync(world: World) -> None:
    """A fresh server knows nothing: tell it the records and listeners of the containers already plumbed."""
    from netplan.service import _dns_endpoint

    client = world.networks.dns
    views: dict[tuple[str, str], list[str]] = defaultdict(list)
    for net in world.networks.list_networks():
        client.set_network(net.record.name, [_dns_endpoint(e) for e in net.endpoints])
        for e in net.endpoints:
            views[(e.container, e.netns)].append(net.record.name)
    for (container, netns), networks in views.items():
        if Path(netns).exists():
            client.listen(container, ADDRESS, networks=networks, netns=netns)


def enabled(world: World) -> bool:
    return getattr(world.networks, "dns", None) is not None


def _directory(world: World, ns_name: str) -> Path:
    return world.run_root / "etc" / ns_name


def files(world: World, service: Resolving, ns_name: str) -> tuple[str, str]:
    """Write the container's resolv.conf and an empty hosts file; returns their paths (resolv.conf, hosts)."""
    from netplan.resolvconf import parse, render

    directory = _directory(world, ns_name)
    directory.mkdir(parents=True, exist_ok=True)
    resolv, hosts = directory / "resolv.conf", directory / "hosts"
    resolv.write_text(render(parse(_host_text()), "internal", dns=service.dns, dns_search=service.dns_search,
                             dns_opt=service.dns_opt))
    hosts.write_text("")
    for path in (resolv, hosts):
        path.chmod(0o644)
    return str(resolv), str(hosts)


def plug(world: World, service: Resolving, ns_name: str, container: str, hostname: str, netns: Path,
         networks: Sequence[str], addresses: Sequence[str]) -> None:
    """The container's /etc/hosts with its addresses, and its listener at 127.0.0.11:53 (before it starts).

    `host-gateway` in extra_hosts is the gateway of the container's first network: an address of the host
    that the container reaches directly (Docker's is its default bridge's gateway, 172.17.0.1)."""
    from netplan.hosts import render_hosts

    text = render_hosts(hostname, domainname=service.domainname or "", addresses=addresses,
                        extra_hosts=service.extra_hosts, host_gateway=gateways(world, networks[:1]))
    with open(_directory(world, ns_name) / "hosts", "w") as f:  # in place: the engine binds this inode
        f.write(text)
    world.networks.dns.listen(container, ADDRESS, networks=list(networks), netns=str(netns),
                              upstreams=list(service.dns) or None)


def gateways(world: World, networks: Sequence[str]) -> list[str]:
    """The gateway addresses of `networks` (IPv4 first)."""
    found = [p.gateway for name in networks for p in world.networks.inspect(name).subnets]
    return [str(g) for g in sorted(found, key=lambda g: g.version)]


def unplug(world: World, container: str | None, ns_name: str | None) -> None:
    """Close the container's listener (it holds the namespace) and remove the namespace's files (unless
    `ns_name` is None: another container still shares them)."""
    from netplan.dns.errors import DnsUnavailable

    if container is not None and enabled(world):
        with contextlib.suppress(DnsUnavailable):
            world.networks.dns.unlisten(container)
    if ns_name is not None:
        shutil.rmtree(_directory(world, ns_name), ignore_errors=True)


def stop_if_idle(world: World) -> None:
    """Stop the server when no container listens on it any more, and wait until it is gone."""
    from netplan.dns import DnsClient
    from netplan.dns.errors import DnsUnavailable

    client = DnsClient(world.run_root)
    if not client.path.exists():
        return
    with open(world.run_root / "dns.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = client.ping()
            if state.get("listeners"):
                return
            client.stop()
        except DnsUnavailable:
            return
        _wait_gone(int(state["pid"]))


def _wait_gone(pid: int) -> None:
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        select.select([fd], [], [], STOP_WITHIN)
    finally:
        os.close(fd)
