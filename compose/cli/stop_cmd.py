"""`pycompose stop`: stop the project's containers, dependents first (`-t`: seconds before SIGKILL).

Every container of the services is named, as Compose does, a stopped one too (stopping it does
nothing); without `-t` each container's own `stop_grace_period` holds.
"""

from __future__ import annotations

import typer

from compose.cli.lifecycle import DryRun, Services
from compose.cli.up_cmd import Timeout

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("stop", help="Stop services")
def stop(ctx: typer.Context, services: Services = None, timeout: Timeout = None, dry_run: DryRun = False) -> None:
    from compose.cli import lifecycle
    from compose.cli.targets import select

    targets = select(ctx, services)
    lifecycle.act(targets.generations(reverse=True), "Stopping", "Stopped",
                  lambda r: targets.world.containers.stop(r.id, timeout), dry_run=dry_run)
