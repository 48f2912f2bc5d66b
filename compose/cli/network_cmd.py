"""`pycompose network ...`: Docker's network commands over netplan's network service.

The service works in the namespace the CLI runs in (the host; a throwaway namespace under
`ip netns exec` in tests) with the roots of `engine.roots`. Output has Docker's shapes: the
`ls` table (NETWORK ID, NAME, DRIVER, SCOPE), the full id from `create`, the name from `rm`,
and `inspect`'s JSON array with Name, Id, Created, Driver, EnableIPv6, IPAM, Internal,
Labels, Containers. `connect` and `disconnect` print nothing, as Docker's; their rules are in
`compose.reconcile.connect`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from ipaddress import ip_address, ip_network
from typing import TYPE_CHECKING, Annotated, Any

import typer

from compose.cli.tables import tabwriter
from pycompose.errors import InvalidArgument, PycomposeError

if TYPE_CHECKING:
    from netplan.ipam import SubnetRequest
    from netplan.service import Network, NetworkService

app = typer.Typer(name="network", help="Manage networks", add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None, no_args_is_help=True)

MTU_OPTION = "com.docker.network.driver.mtu"
PRUNE_WARNING = "WARNING! This will remove all custom networks not used by at least one container.\n"


class NetworkArgumentError(InvalidArgument):
    """A flag of `pycompose network` that cannot be used as given."""


def service() -> NetworkService:
    from compose.reconcile.proxy import network_service
    from engine.roots import roots

    return network_service(roots())


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


@app.command("ls", help="List networks")
@app.command("list", hidden=True)
def ls(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only display network IDs")] = False,
    no_trunc: Annotated[bool, typer.Option("--no-trunc", help="Do not truncate the output")] = False,
    filters: Annotated[list[str] | None, typer.Option("--filter", "-f",
                                                      help="Filter output (name=, id=, label=, driver=)")] = None,
    format_: Annotated[str | None, typer.Option("--format", help="table (default), json, or a Go template")]
    = None,
) -> None:
    from compose.cli import formatting

    networks = [n for n in service().list_networks() if matches(n, parse_filters(filters or []))]
    ids = [n.record.id if no_trunc else n.record.id[:12] for n in networks]
    if quiet:
        out("".join(f"{i}\n" for i in ids))
        return
    if format_ is not None and (format_ == "json" or formatting.is_template(format_)):
        rows = [{"ID": i, "Name": n.record.name, "Driver": n.record.driver, "Scope": "local",
                 "IPv6": str(n.record.enable_ipv6).lower(), "Internal": str(n.record.internal).lower(),
                 "CreatedAt": n.record.created, "Labels": ",".join(f"{k}={v}" for k, v in n.record.labels.items())}
                for i, n in zip(ids, networks, strict=True)]
        out("".join(json.dumps(row) + "\n" for row in rows) if format_ == "json" else
            formatting.render(rows, format_, LS_HEADERS))
        return
    table_rows = [("NETWORK ID", "NAME", "DRIVER", "SCOPE")]
    table_rows += [(i, n.record.name, n.record.driver, "local") for i, n in zip(ids, networks, strict=True)]
    out(table(table_rows))


LS_HEADERS = {"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv6": "IPV6",
              "Internal": "INTERNAL", "CreatedAt": "CREATED AT", "Labels": "LABELS"}


def table(rows: Sequence[Sequence[str]]) -> str:
    """Docker's tabwriter: every column but the last padded to its widest cell plus three spaces."""
    return tabwriter(rows)


def parse_filters(filters: Sequence[str]) -> list[tuple[str, str]]:
    parsed = []
    for text in filters:
        key, _, value = text.partition("=")
        if key not in ("name", "id", "label", "driver") or not value:
            raise NetworkArgumentError(f"filter networks by {text!r}: use name=, id=, label= or driver=")
        parsed.append((key, value))
    return parsed


def matches(network: Network, filters: Sequence[tuple[str, str]]) -> bool:
    """Docker's rule: values of one key are alternatives (or), different keys must all match (and)."""
    by_key: dict[str, list[str]] = {}
    for key, value in filters:
        by_key.setdefault(key, []).append(value)
    record = network.record
    tests = {"name": lambda v: v in record.name, "id": record.id.startswith, "driver": lambda v: v == record.driver,
             "label": lambda v: _has_label(record.labels, v)}
    return all(any(tests[key](v) for v in values) for key, values in by_key.items())


def _has_label(labels: dict[str, str] | Any, wanted: str) -> bool:
    key, eq, value = wanted.partition("=")
    return key in labels and (not eq or labels[key] == value)


@app.command("create", help="Create a network")
def create(
    name: Annotated[str, typer.Argument(help="Network name")],
    driver: Annotated[str, typer.Option("--driver", "-d", help="Driver to manage the Network")] = "bridge",
    subnet: Annotated[list[str] | None, typer.Option("--subnet", help="Subnet in CIDR format")] = None,
    gateway: Annotated[list[str] | None, typer.Option("--gateway", help="IPv4 or IPv6 Gateway")] = None,
    ip_range: Annotated[list[str] | None, typer.Option("--ip-range", help="Allocate container ip from")] = None,
    aux_address: Annotated[list[str] | None, typer.Option("--aux-address", help="Auxiliary addresses")] = None,
    internal: Annotated[bool, typer.Option("--internal", help="Restrict external access to the network")] = False,
    ipv6: Annotated[bool, typer.Option("--ipv6", help="Enable IPv6 networking")] = False,
    label: Annotated[list[str] | None, typer.Option("--label", help="Set metadata on a network")] = None,
    opt: Annotated[list[str] | None, typer.Option("--opt", "-o", help="Set driver specific options")] = None,
) -> None:
    from netplan.service import NetworkOptions

    if driver != "bridge":
        raise NetworkArgumentError(f"create network `{name}`: driver {driver!r} is not supported",
                                   hint="pycompose makes bridge networks")
    options = key_values(opt or [], "option")
    mtu = None
    if MTU_OPTION in options:
        try:
            mtu = int(options[MTU_OPTION])
        except ValueError:
            raise NetworkArgumentError(f"create network `{name}`: {MTU_OPTION} {options[MTU_OPTION]!r} "
                                       "is not a number") from None
    requests = subnet_requests(name, subnet or [], gateway or [], ip_range or [], aux_address or [])
    made = service().create_network(name, NetworkOptions(requests, ipv6, internal, mtu,
                                                         key_values(label or [], "label"), options))
    out(made.record.id + "\n")


def key_values(items: Sequence[str], what: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not key or (not eq and what == "option"):
            raise NetworkArgumentError(f"read {what} {item!r}: write it as key=value")
        pairs[key] = value
    return pairs


def subnet_requests(name: str, subnets: Sequence[str], gateways: Sequence[str], ranges: Sequence[str],
                    aux: Sequence[str]) -> tuple[SubnetRequest, ...]:
    """Docker's matching: each gateway, range and aux address goes to the subnet that holds it."""
    from netplan.ipam import SubnetRequest

    def inside(text: str, what: str) -> int:
        try:
            net = ip_network(text, strict=False) if what == "ip-range" else ip_address(text)
            return next(i for i, s in enumerate(parsed)
                        if s is not None and net.version == s.version and _contains(s, net))
        except (ValueError, StopIteration):
            raise NetworkArgumentError(f"create network `{name}`: no matching subnet for {what} {text}") from None

    try:
        parsed = [ip_network(s, strict=False) for s in subnets]
    except ValueError as err:
        raise NetworkArgumentError(f"create network `{name}`: {err}") from None
    gw: dict[int, str] = {}
    rng: dict[int, str] = {}
    extra: dict[int, dict[str, str]] = {}
    for text in gateways:
        gw.setdefault(inside(text, "gateway"), text)
    for text in ranges:
        rng.setdefault(inside(text, "ip-range"), text)
    for host, text in key_values(aux, "aux address").items():
        extra.setdefault(inside(text, "aux-address"), {})[host] = text
    if gateways and not subnets or ranges and not subnets:
        raise NetworkArgumentError(f"create network `{name}`: --gateway and --ip-range need a --subnet")
    return tuple(SubnetRequest(s, rng.get(i), gw.get(i), extra.get(i, {})) for i, s in enumerate(subnets))


def _contains(subnet: Any, item: Any) -> bool:
    return item.subnet_of(subnet) if hasattr(item, "subnet_of") else item in subnet


@app.command("rm", help="Remove one or more networks")
@app.command("remove", hidden=True)
def rm(
    networks: Annotated[list[str], typer.Argument(help="Networks to remove")],
    force: Annotated[bool, typer.Option("--force", "-f", help="Do not error if the network does not exist")] = False,
) -> None:
    from netplan.errors import NetworkNotFound

    the = service()
    failed: PycomposeError | None = None
    for ref in networks:
        try:
            the.remove_network(ref)
        except NetworkNotFound as error:
            if not force:
                failed = failed or error
                sys.stderr.write(f"{error.message}\n")
            continue
        except PycomposeError as error:
            failed = failed or error
            sys.stderr.write(f"{error.message}\n")
            continue
        out(f"{ref}\n")
    if failed is not None:
        raise typer.Exit(failed.exit_code)


@app.command("inspect", help="Display detailed information on one or more networks")
def inspect(
    networks: Annotated[list[str], typer.Argument(help="Networks to inspect")],
    format_: Annotated[str | None, typer.Option("--format", "-f", help="json, or a Go template over each "
                                                                       "network")] = None,
) -> None:
    from compose.cli import formatting

    the = service()
    text, error = formatting.inspect([docker_shape(the.inspect(ref)) for ref in networks], format_)
    out(text)
    if error is not None:
        raise error


def docker_shape(network: Network) -> dict[str, Any]:
    record = network.record
    config = []
    for plan in network.subnets:
        entry: dict[str, Any] = {"Subnet": str(plan.subnet), "Gateway": str(plan.gateway)}
        if plan.ip_range is not None:
            entry["IPRange"] = str(plan.ip_range)
        if plan.aux:
            entry["AuxiliaryAddresses"] = {name: str(addr) for name, addr in plan.aux}
        config.append(entry)
    containers = {e.container: {
        "Name": e.name, "EndpointID": e.id, "MacAddress": e.mac,
        "IPv4Address": next((str(a) for a in e.addresses if a.version == 4), ""),
        "IPv6Address": next((str(a) for a in e.addresses if a.version == 6), ""),
    } for e in network.endpoints}
    return {
        "Name": record.name, "Id": record.id, "Created": record.created, "Scope": "local",
        "Driver": record.driver, "EnableIPv4": True, "EnableIPv6": record.enable_ipv6,
        "IPAM": {"Driver": "default", "Options": {}, "Config": config},
        "Internal": record.internal, "Attachable": False, "Ingress": False, "ConfigFrom": {"Network": ""},
        "ConfigOnly": False, "Containers": containers, "Options": dict(record.options),
        "Labels": dict(record.labels),
    }


@app.command("prune", help="Remove all unused networks")
def prune(
    force: Annotated[bool, typer.Option("--force", "-f", help="Do not prompt for confirmation")] = False,
    filters: Annotated[list[str] | None, typer.Option("--filter", help="Provide filter values (label=...)")] = None,
) -> None:
    wanted = parse_filters(filters or [])
    if not force:
        sys.stderr.write(PRUNE_WARNING + "Are you sure you want to continue? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            return
    from netplan.service import NetworkInUse

    the = service()
    deleted = []
    for network in the.list_networks():
        if not network.endpoints and matches(network, wanted):
            try:
                the.remove_network(network.record.name)
            except NetworkInUse:        # a container joined it meanwhile: no longer unused
                continue
            deleted.append(network.record.name)
    if deleted:
        out("Deleted Networks:\n" + "".join(f"{name}\n" for name in deleted))


@app.command("connect", help="Connect a container to a network")
def connect(
    network: Annotated[str, typer.Argument(help="Network")],
    container: Annotated[str, typer.Argument(help="Container (name or ID)")],
    ip: Annotated[str | None, typer.Option("--ip", help="IPv4 address (e.g., \"172.30.100.104\")")] = None,
    ip6: Annotated[str | None, typer.Option("--ip6", help="IPv6 address (e.g., \"2001:db8::33\")")] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Add network-scoped alias for the container")
                     ] = None,
) -> None:
    from compose.reconcile import connect as joining

    joining.connect(_world(), network, container, ipv4_address=ip, ipv6_address=ip6, aliases=tuple(alias or ()))


@app.command("disconnect", help="Disconnect a container from a network")
def disconnect(
    network: Annotated[str, typer.Argument(help="Network")],
    container: Annotated[str, typer.Argument(help="Container (name or ID)")],
    force: Annotated[bool, typer.Option("--force", "-f", help="Force the container to disconnect from a network")
                     ] = False,
) -> None:
    from compose.reconcile import connect as joining

    joining.disconnect(_world(), network, container, force=force)


def _world() -> Any:
    from compose.reconcile.world import World
    from engine.roots import roots

    return World.from_roots(roots())
