"""`pycompose ps`: the project's containers as Docker Compose lists them.

Columns NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS; `-a` adds stopped ones, `-q` prints
ids, `--services` the services, `--format json` one JSON object per line (Compose's keys),
`--format TEMPLATE` or `table TEMPLATE` a Go template over the same fields (Compose's
ContainerContext: `.Name`, `.Service`, `.Health`, `.Label "key"`...).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from compose.cli.formatting import is_template, render
from compose.cli.up_cmd import open_project

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

COLUMNS = [("NAME", "Name"), ("IMAGE", "Image"), ("COMMAND", "Command"), ("SERVICE", "Service"),
           ("CREATED", "RunningFor"), ("STATUS", "Status"), ("PORTS", "Ports")]
# Compose's titles for `table TEMPLATE` (cmd/formatter/container.go); other fields title as `<no value>` there too
HEADERS = {"ID": "CONTAINER ID", "Name": "NAME", "Project": "PROJECT", "Service": "SERVICE", "Image": "IMAGE",
           "Command": "COMMAND", "CreatedAt": "CREATED AT", "RunningFor": "CREATED", "Ports": "PORTS",
           "State": "STATE", "Status": "STATUS", "Size": "SIZE", "Labels": "LABELS"}
RAW = ("container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n"
       "state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\n"
       "labels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n")


def _attachments(world: World) -> tuple[dict[str, list[Any]], dict[str, list[str]]]:
    """By container: its published ports, and the names of its networks."""
    ports: dict[str, list[Any]] = {}
    networks: dict[str, list[str]] = {}
    for net in world.networks.list_networks():
        for endpoint in net.endpoints:
            ports.setdefault(endpoint.container, []).extend(endpoint.ports)
            networks.setdefault(endpoint.container, []).append(net.record.name)
    return ports, networks


def _row(world: World, record: ContainerRecord, ports: list[Any], networks: list[str]) -> dict[str, Any]:
    from compose.plan import labels as L
    from engine.containers import views

    try:
        config = json.loads((world.containers.bundle(record.id) / "config.json").read_text())
    except (OSError, ValueError):
        config = None
    row: dict[str, Any] = views.ls_row(record, views.args_of(record, config))
    published = [{"URL": str(p.host_ip), "TargetPort": p.container_port, "PublishedPort": p.host_port,
                  "Protocol": p.protocol} for p in ports]
    row.update({
        "Name": record.name, "Project": record.labels.get(L.PROJECT, ""), "Service": record.labels.get(L.SERVICE, ""),
        "ExitCode": record.exit_code or 0, "Health": record.health.status if record.health else "",
        "Ports": ", ".join(f"{p['URL']}:{p['PublishedPort']}->{p['TargetPort']}/{p['Protocol']}" for p in published),
        "Publishers": published, "Networks": ",".join(sorted(networks)),
    })
    return row


def template_row(row: dict[str, Any], labels: dict[str, str]) -> Any:
    """A row as Compose's templates see it: its JSON fields, `.Label "key"`, publishers as structs."""
    from compose.cli.gotemplate import Func, Record

    publishers = [Record("api.PortPublisher", p, sorted_json=False) for p in row["Publishers"]]
    return Record("*formatter.ContainerContext", {**row, "Publishers": publishers},
                  {"Label": Func(lambda name: labels.get(name, ""), ("string",))})


def _table(rows: list[dict[str, Any]]) -> str:
    from compose.cli.tables import tabwriter

    return tabwriter([[title for title, _ in COLUMNS]] + [[str(row[key]) for _, key in COLUMNS] for row in rows])


@app.command("ps", help="List containers")
def ps(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Only the containers of these services")] = None,
    all: Annotated[bool, typer.Option("--all", "-a", help="Show all stopped containers")] = False,  # noqa: A002
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only display IDs")] = False,
    list_services: Annotated[bool, typer.Option("--services", help="Display services")] = False,
    format: Annotated[str, typer.Option("--format", help="table (default), json, raw, a Go template or "  # noqa: A002
                                                          "'table TEMPLATE'")] = "table",
) -> None:
    from compose.plan import labels as L
    from compose.reconcile.observe import project_records

    _, project, world = open_project(ctx, by_name=True)
    wanted = set(services or ())
    for name in wanted:
        project.service(name)  # ServiceNotFound names the services there are
    records = [r for r in project_records(world, project.name)
               if (all or r.state in ("running", "paused", "restarting"))
               and (not wanted or r.labels.get(L.SERVICE) in wanted)]
    records.sort(key=lambda r: r.name)
    if quiet:
        sys.stdout.write("".join(r.id + "\n" for r in records))
        return
    if list_services:
        names = dict.fromkeys(r.labels.get(L.SERVICE, "") for r in records)
        sys.stdout.write("".join(n + "\n" for n in names))
        return
    ports, networks = _attachments(world)
    rows = [_row(world, r, ports.get(r.id, []), networks.get(r.id, [])) for r in records]
    if is_template(format):
        shown = [template_row(row, dict(r.labels)) for row, r in zip(rows, records, strict=True)]
        sys.stdout.write(render(shown, RAW if format == "raw" else format, HEADERS))
    elif format == "json":
        from pycompose.gojson import compact

        sys.stdout.write("".join(compact(row) + "\n" for row in rows))
    else:
        sys.stdout.write(_table(rows))
