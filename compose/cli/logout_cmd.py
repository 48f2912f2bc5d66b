"""`pycompose logout`: forget the credentials `login` stored for a registry."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("logout", help="Log out from a registry (Docker Hub when no server is given)")
def logout(server: Annotated[str, typer.Argument(metavar="[SERVER]")] = "docker.io") -> None:
    from engine.registry import logout as registry_logout

    host = server.removeprefix("https://").removeprefix("http://").rstrip("/")
    if registry_logout(host):
        sys.stdout.write(f"Removing login credentials for {server}\n")
    else:
        sys.stdout.write(f"Not logged in to {server}\n")
