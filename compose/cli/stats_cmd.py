"""`pycompose stats [SERVICE...]`: `container stats` over the project's containers (running ones, or all
with `-a`), Docker's table (or `--format json`), streamed until Ctrl-C or once with `--no-stream`."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("stats", help="Display a live stream of container(s) resource usage statistics")
def stats(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services (default: all)")] = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show all containers (default shows just running)")]
    = False,
    no_stream: Annotated[bool, typer.Option("--no-stream", help="Disable streaming stats and only pull the first "
                                                                "result")] = False,
    format_: Annotated[str | None, typer.Option("--format", help="Format output using a custom template: "
                                                                 "'table' or 'json'")] = None,
    no_trunc: Annotated[bool, typer.Option("--no-trunc", help="Do not truncate output")] = False,
) -> None:
    from compose.cli.container_cmd import stats_of
    from compose.cli.exec_cmd import RUNNING
    from compose.cli.targets import select

    targets = select(ctx, services, oneoff=True)
    ids = [r.id for r in sorted(targets.records, key=lambda r: r.name) if all_ or r.state in RUNNING]
    try:  # by full id, as Compose asks the engine (its JSON's `Container` is that id)
        stats_of(targets.world.containers, ids, stream=not no_stream, fmt=format_, truncate=not no_trunc)
    except KeyboardInterrupt:  # Ctrl-C ends the stream, as Docker's
        raise typer.Exit(0) from None
