"""`pycompose login`: check credentials against a registry and keep them in `$DOCKER_CONFIG/config.json`
(else `~/.docker/config.json`), where the Docker CLI keeps them."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("login", help="Authenticate to a registry (Docker Hub when no server is given)")
def login(
    server: Annotated[str, typer.Argument(metavar="[SERVER]")] = "docker.io",
    username: Annotated[str | None, typer.Option("--username", "-u", help="Username")] = None,
    password: Annotated[str | None, typer.Option("--password", "-p", help="Password or Personal Access Token")]
    = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Take the password from stdin")] = False,
) -> None:
    from engine.registry import login as registry_login
    from pycompose.errors import InvalidArgument

    if password is not None and password_stdin:
        raise InvalidArgument("--password and --password-stdin are mutually exclusive")
    if password_stdin:
        if not username:
            raise InvalidArgument("must provide --username with --password-stdin")
        password = sys.stdin.read().rstrip("\r\n")
    elif password is not None:
        sys.stderr.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n")
    if not username:
        if not sys.stdin.isatty():
            raise InvalidArgument("login needs a username: give -u USER (stdin is not a terminal to ask on)")
        username = typer.prompt("Username").strip()
    if password is None:
        import getpass

        if not sys.stdin.isatty():
            raise InvalidArgument("login needs a password: give --password-stdin (stdin is not a terminal)")
        password = getpass.getpass("Password: ")
    if not username or not password:
        raise InvalidArgument("login needs a non-empty username and password")
    registry_login(server.removeprefix("https://").removeprefix("http://").rstrip("/"), username, password)
    sys.stdout.write("Login Succeeded\n")
