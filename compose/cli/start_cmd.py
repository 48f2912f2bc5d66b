"""`pycompose start`: start the project's existing containers, dependencies first.

Each generation waits for its services' `depends_on` conditions (healthy, completed) before it
starts; a running container is left as it is. A service without a container (never created, or
removed) is an error, as in Compose: `service "web" has no container to start`. A started container
runs its service's `post_start` hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from compose.cli.lifecycle import DryRun, Services

if TYPE_CHECKING:
    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("start", help="Start services")
def start(ctx: typer.Context, services: Services = None, dry_run: DryRun = False) -> None:
    from compose.cli import lifecycle
    from compose.cli.targets import select
    from compose.reconcile import dns
    from engine.state.lifecycle import ACTIVE

    targets = select(ctx, services)
    for name in targets.services:
        if not targets.of(name) and targets.project.services[name].replicas != 0:
            raise lifecycle.NoContainer(f'service "{name}" has no container to start',
                                        hint="create it first: pycompose up -d (or pycompose create)")
    groups = [[r for r in g if r.state not in ACTIVE] for g in targets.generations()]
    if any(groups) and not dry_run:
        dns.ensure(targets.world)  # containers made with the run root's resolver find it again
    from compose.reconcile import hooks

    def begin(record: ContainerRecord) -> None:
        targets.world.containers.start(record.id)
        hooks.started(targets.world, targets.project, record)

    lifecycle.act(groups, "Starting", "Started", begin, dry_run=dry_run,
                  before=lambda group: lifecycle.wait_dependencies(targets, group))
