"""`pycompose builder ...`: the build cache (`builder prune`), as `docker builder` manages it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(name="builder", help="Manage builds", add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None, no_args_is_help=True)


@app.callback()
def builder() -> None:
    """Manage builds (a group, even with one command, as Docker's)."""


@app.command("prune", help="Remove build cache")
def prune(
    force: Annotated[bool, typer.Option("--force", "-f", help="Do not prompt for confirmation")] = False,
) -> None:
    from engine.build.cache import BuildCache
    from engine.images.images import ImageService
    from engine.roots import roots
    from pycompose.units import human_size

    if not force:
        sys.stderr.write("WARNING! This will remove all dangling build cache.\n"
                         "Are you sure you want to continue? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            return
    state = roots().state
    removed, reclaimed = BuildCache(state, ImageService(state)).prune()
    if removed:
        sys.stdout.write(f"Deleted build cache objects: {removed}\n")
    sys.stdout.write(f"Total reclaimed space: {human_size(reclaimed)}\n")
