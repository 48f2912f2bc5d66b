"""`pycompose export SERVICE`: the service container's filesystem as a tar archive (`container export` of
the first container by number, or `--index N`), to `-o FILE` or stdout."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("export", help="Export a service container's filesystem as a tar archive")
def export(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The service")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to a file, instead of STDOUT")]
    = None,
    index: Annotated[int, typer.Option("--index", help="index of the container if service has multiple "
                                                       "replicas.")] = 0,
) -> None:
    from compose.cli.exec_cmd import specified
    from compose.cli.exporting import write_export
    from compose.cli.targets import select
    from engine.state.lifecycle import STATES

    targets = select(ctx, [service], oneoff=True)
    record = specified(targets.records, service, index, states=STATES)
    write_export(targets.world.containers, record.id, output)
