"""`pycompose restart`: stop and start the services' containers, dependencies first.

As Compose does: the services that depend on a named one with `restart: true` are restarted with
it (not with `--no-deps`), and before a generation restarts, the `restart: true` dependencies'
conditions (healthy, completed) are waited for. A stopped container is started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli.lifecycle import DryRun, Services
from compose.cli.up_cmd import Timeout

if TYPE_CHECKING:
    import networkx as nx

    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

NoDeps = Annotated[bool, typer.Option("--no-deps", help="Don't restart dependent services")]


def with_dependents(graph: nx.DiGraph, names: list[str]) -> set[str]:
    """`names` and, transitively, the services that depend on one of them with `restart: true`."""
    found, todo = set(names), list(names)
    while todo:
        name = todo.pop()
        for dependent in graph.predecessors(name):
            if dependent not in found and graph.edges[dependent, name].get("restart"):
                found.add(dependent)
                todo.append(dependent)
    return found


@app.command("restart", help="Restart service containers")
def restart(ctx: typer.Context, services: Services = None, timeout: Timeout = None, no_deps: NoDeps = False,
            dry_run: DryRun = False) -> None:
    from compose import graph as G
    from compose.cli import lifecycle
    from compose.cli.targets import select
    from compose.reconcile import dns, hooks

    targets = select(ctx, None)
    if services:
        for name in services:
            targets.project.service(name)  # ServiceNotFound names the services there are
        names = set(services) if no_deps else with_dependents(G.service_graph(targets.project), services)
        targets = lifecycle.narrow(targets, names)
    containers = targets.world.containers
    if targets.records and not dry_run:
        dns.ensure(targets.world)

    def again(record: ContainerRecord) -> None:  # with the hooks around it, as Compose's restartContainer
        hooks.stopping(targets.world, targets.project, record)
        containers.stop(record.id, timeout)
        containers.start(record.id)
        hooks.started(targets.world, targets.project, record)

    lifecycle.act(targets.generations(), "Restarting", "Started", again, dry_run=dry_run,
                  before=lambda group: lifecycle.wait_dependencies(targets, group, restart_only=True))
