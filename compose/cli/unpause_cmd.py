"""`pycompose unpause`: thaw the services' paused containers."""

from __future__ import annotations

import typer

from compose.cli.lifecycle import DryRun, Services

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("unpause", help="Unpause services")
def unpause(ctx: typer.Context, services: Services = None, dry_run: DryRun = False) -> None:
    from compose.cli import lifecycle
    from compose.cli.targets import select

    targets = select(ctx, services)
    found = [r for r in targets.records if r.state == "paused"]
    lifecycle.act([found], "Unpausing", "Unpaused", lambda r: targets.world.containers.unpause(r.id),
                  dry_run=dry_run)
