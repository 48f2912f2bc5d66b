"""`pycompose images`: the top-level alias of `pycompose image ls`, as Docker has `docker images`."""

from __future__ import annotations

import typer

from compose.cli.image_cmd import ls

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
app.command("images", help="List images")(ls)
