"""`pycompose pause`: freeze the services' running containers (a paused one is left as it is)."""

from __future__ import annotations

import typer

from compose.cli.lifecycle import DryRun, Services

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("pause", help="Pause services")
def pause(ctx: typer.Context, services: Services = None, dry_run: DryRun = False) -> None:
    from compose.cli import lifecycle
    from compose.cli.targets import select

    targets = select(ctx, services)
    found = [r for r in targets.records if r.state == "running"]
    lifecycle.act([found], "Pausing", "Paused", lambda r: targets.world.containers.pause(r.id), dry_run=dry_run)
