"""`pycompose create`: `up --no-start`, as Compose has it: networks, volumes and containers made, none started.

The plan is `up`'s (the same planner, executor and progress lines); only the flags `up` already has.
"""

from __future__ import annotations

from typing import Annotated

import typer

from compose.cli.lifecycle import DryRun, Services

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("create", help="Creates containers for a service")
def create(
    ctx: typer.Context,
    services: Services = None,
    force_recreate: Annotated[bool, typer.Option("--force-recreate", help="Recreate containers even if their "
                                                                          "configuration and image haven't "
                                                                          "changed")] = False,
    no_recreate: Annotated[bool, typer.Option("--no-recreate", help="If containers already exist, don't recreate "
                                                                    "them. Incompatible with --force-recreate.")]
    = False,
    remove_orphans: Annotated[bool, typer.Option("--remove-orphans", help="Remove containers for services not "
                                                                          "defined in the Compose file")] = False,
    dry_run: DryRun = False,
) -> None:
    from compose.cli.up_cmd import up

    # detached: nothing starts, so nothing to attach to, whatever up's attached mode does
    up(ctx, services, detach=True, no_start=True, force_recreate=force_recreate, no_recreate=no_recreate,
       remove_orphans=remove_orphans, dry_run=dry_run)
