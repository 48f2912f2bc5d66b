"""`pycompose commit SERVICE [REPOSITORY[:TAG]]`: `container commit` of the service's container (the first by
number, or `--index N`; a stopped one too), printing the new image's ID."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("commit", help="Create a new image from a service container's changes")
def commit(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The service")],
    repository: Annotated[str | None, typer.Argument(help="REPOSITORY[:TAG] for the new image")] = None,
    author: Annotated[str, typer.Option("--author", "-a", help='Author (e.g., "John Hannibal Smith '
                                                               '<hannibal@a-team.com>")')] = "",
    change: Annotated[list[str] | None, typer.Option("--change", "-c", help="Apply Dockerfile instruction to the "
                                                                            "created image")] = None,
    message: Annotated[str, typer.Option("--message", "-m", help="Commit message")] = "",
    pause: Annotated[bool, typer.Option("--pause/--no-pause", "-p", help="Pause container during commit")] = True,
    index: Annotated[int, typer.Option("--index", help="index of the container if service has multiple "
                                                       "replicas.")] = 0,
) -> None:
    from compose.cli.exec_cmd import specified
    from compose.cli.targets import select
    from engine.containers.commit import CommitOptions
    from engine.state.lifecycle import STATES

    targets = select(ctx, [service], oneoff=True)
    record = specified(targets.records, service, index, states=STATES)
    image = targets.world.containers.commit(record.id, CommitOptions(
        repo=repository, message=message, author=author, changes=tuple(change or ()), pause=pause))
    sys.stdout.write(f"{image.id}\n")
