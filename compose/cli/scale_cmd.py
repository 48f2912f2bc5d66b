"""`pycompose scale web=3 worker=0`: set the services' replicas and converge, as Docker Compose's `scale`.

It is `up -d` for the services named, with their scale from the command line (`up --scale`): the
planner adds or removes containers; other services are left alone, and with `--no-deps` so are the
named services' dependencies.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("scale", help="Scale services")
def scale(
    ctx: typer.Context,
    replicas: Annotated[list[str], typer.Argument(metavar="SERVICE=REPLICAS...", help="Services and their "
                                                                                      "replica counts")],
    no_deps: Annotated[bool, typer.Option("--no-deps", help="Don't start linked services")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be done, and do nothing")] = False,
) -> None:
    from compose.cli.up_cmd import scales, up

    wanted = scales(replicas)
    up(ctx, list(wanted), detach=True, no_deps=no_deps, dry_run=dry_run, scale=replicas)
