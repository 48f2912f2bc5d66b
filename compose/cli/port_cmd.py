"""`pycompose port`: the host address a service's container port is published on, e.g. `127.0.0.1:18080`.

The container is the one `exec` would pick (`--index N`, one-offs last; none running is Compose's
`service "web" is not running`). A port that is not published is Compose's
`no port 8080/tcp for container demo-web-1: ` followed by the published ports (host port/protocol).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from compose.errors import ComposeError
from pycompose.errors import NotFound

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


class PortNotPublished(ComposeError, NotFound):
    pass


@app.command("port", help="Print the public port for a port binding")
def port(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The service")],
    private_port: Annotated[int, typer.Argument(metavar="PRIVATE_PORT", help="The container port")],
    index: Annotated[int, typer.Option("--index", help="Index of the container if service has multiple "
                                                       "replicas")] = 0,
    protocol: Annotated[str, typer.Option("--protocol", help="tcp or udp")] = "tcp",
) -> None:
    from compose.cli.exec_cmd import specified
    from compose.cli.targets import select

    targets = select(ctx, [service], oneoff=True)
    record = specified(targets.records, service, index)
    published = [p for net in targets.world.networks.list_networks() for e in net.endpoints
                 if e.container == record.id for p in e.ports]
    for p in published:
        if p.container_port == private_port and p.protocol == protocol:
            sys.stdout.write(f"{p.host_ip}:{p.host_port}\n")
            return
    listed = ", ".join(f"{p.host_port}/{p.protocol}" for p in published)
    raise PortNotPublished(f"no port {private_port}/{protocol} for container {record.name}: {listed}")
