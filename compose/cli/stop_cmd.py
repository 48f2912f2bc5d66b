"""`pycompose stop`: stop the project's containers, dependents first (`-t`: seconds before SIGKILL).

Every container of the services is named, as Compose does, a stopped one too (stopping it does
nothing); without `-t` each container's own `stop_grace_period` holds. A running one runs its
service's `pre_stop` hooks first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from compose.cli.lifecycle import DryRun, Services
from compose.cli.up_cmd import Timeout

if TYPE_CHECKING:
    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("stop", help="Stop services")
def stop(ctx: typer.Context, services: Services = None, timeout: Timeout = None, dry_run: DryRun = False) -> None:
    from compose.cli import lifecycle
    from compose.cli.targets import select
    from compose.reconcile import hooks

    targets = select(ctx, services)

    def halt(record: ContainerRecord) -> None:
        hooks.stopping(targets.world, targets.project, record)
        targets.world.containers.stop(record.id, timeout)

    lifecycle.act(targets.generations(reverse=True), "Stopping", "Stopped", halt, dry_run=dry_run)
