"""The network options of `container run` and `container create`, and the two calls they lead to.

`--network NAME` of a pycompose network puts the container on it (compose.reconcile.plain), with `--ip`,
`--ip6`, `--network-alias`, `-p/--publish`, `--dns`, `--dns-search` and `--dns-option` (and the options'
`--add-host`, RunOptions.extra_hosts, where `host-gateway` is the network's gateway);
none, host and a namespace path stay the engine's own. `container rm` (and `run --rm`) removes through
`remove`, which also takes the container off its networks and removes its namespace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.containers.options import RunOptions
    from engine.state import ContainerRecord
    from netplan.service import NetworkService

Network = Annotated[str, typer.Option("--network", help="A network's name, none, host, or the path of a network "
                                                        "namespace")]
Ip = Annotated[str | None, typer.Option("--ip", help="IPv4 address (e.g., 172.30.100.104)")]
Ip6 = Annotated[str | None, typer.Option("--ip6", help="IPv6 address (e.g., 2001:db8::33)")]
Aliases = Annotated[list[str] | None, typer.Option("--network-alias", help="Add network-scoped alias for the "
                                                                           "container")]
Publish = Annotated[list[str] | None, typer.Option("--publish", "-p", help="Publish a container's port(s) to the "
                                                                           "host")]
Dns = Annotated[list[str] | None, typer.Option("--dns", help="Set custom DNS servers")]
DnsSearch = Annotated[list[str] | None, typer.Option("--dns-search", help="Set custom DNS search domains")]
DnsOption = Annotated[list[str] | None, typer.Option("--dns-option", help="Set DNS options")]


def create(options: RunOptions, *, ip: str | None = None, ip6: str | None = None, aliases: list[str] | None = None,
           publish: list[str] | None = None, dns: list[str] | None = None, dns_search: list[str] | None = None,
           dns_option: list[str] | None = None) -> ContainerRecord:
    from compose.reconcile import plain
    from compose.reconcile.world import World
    from engine.roots import roots

    net = plain.PlainNetwork(options.network, ip or None, ip6 or None, tuple(aliases or ()), tuple(publish or ()),
                             tuple(dns or ()), tuple(dns_search or ()), tuple(dns_option or ()),
                             options.extra_hosts)
    plain.check(net)
    if plain.is_user_network(options.network):
        return plain.create(World.from_roots(roots()), options, net)
    if net.publish:
        typer.echo("WARNING: Published ports are discarded when using host network mode", err=True)
    from engine.containers.service import ContainerService

    return ContainerService(roots()).create(options)  # none, host or a namespace: netplan is not needed


def remove(ref: str, *, force: bool = False, volumes: bool = False) -> None:
    from compose.reconcile import plain
    from compose.reconcile.world import World
    from engine.roots import roots

    plain.remove(World.from_roots(roots()), ref, force=force, volumes=volumes)


def networks() -> NetworkService:
    """The network service of this process's roots, as every command that reads or changes networks builds it."""
    from compose.reconcile.proxy import network_service
    from engine.roots import roots

    return network_service(roots())
