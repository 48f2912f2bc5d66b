"""`pycompose config`: the project as Compose resolves it, or one list out of it."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from compose.cli.state import GlobalOptions, warn


class Format(str, Enum):
    yaml = "yaml"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("config", help="Parse, resolve and render the compose file in canonical format")(config)


def config(
    ctx: typer.Context,
    services: Annotated[Optional[list[str]], typer.Argument(help="Services to show (and their dependencies)")] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format")] = Format.yaml,
    list_services: Annotated[bool, typer.Option("--services", help="Print the service names, one per line")] = False,
    list_volumes: Annotated[bool, typer.Option("--volumes", help="Print the volume names, one per line")] = False,
    list_networks: Annotated[bool, typer.Option("--networks", help="Print the network names, one per line")] = False,
    list_profiles: Annotated[bool, typer.Option("--profiles", help="Print the profile names, one per line")] = False,
    list_images: Annotated[bool, typer.Option("--images", help="Print the image names, one per line")] = False,
    hash_of: Annotated[Optional[str], typer.Option("--hash", help='Print the config hash of services ("*" for all)')]
    = None,
    environment: Annotated[bool, typer.Option("--environment", help="Print the environment used for interpolation")]
    = False,
    variables: Annotated[bool, typer.Option("--variables", help="Print the variables the files use")] = False,
    no_interpolate: Annotated[bool, typer.Option("--no-interpolate", help="Don't interpolate variables")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only validate; print nothing")] = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file, not stdout")] = None,
) -> None:
    from compose.load import load

    options: GlobalOptions = ctx.obj
    loaded = load(options.project_options(services=tuple(services or ()), interpolate=not no_interpolate))
    for message in loaded.warnings:
        warn(message)
    if quiet:
        return
    text = _render(loaded, format, list_services=list_services, list_volumes=list_volumes,
                   list_networks=list_networks, list_profiles=list_profiles, list_images=list_images,
                   hash_of=hash_of, environment=environment, variables=variables)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _render(loaded, format: Format, *, list_services: bool, list_volumes: bool, list_networks: bool,  # noqa: ANN001
            list_profiles: bool, list_images: bool, hash_of: str | None, environment: bool,
            variables: bool) -> str:
    from compose import render

    data = loaded.data
    if list_services:
        return _lines(render.service_order(data))
    if list_volumes:
        return _lines(data.get("volumes", {}))
    if list_networks:
        return _lines(data.get("networks", {}))
    if list_profiles:
        return _lines(loaded.all_profiles)
    if list_images:
        return _lines(render.images(data))
    if hash_of is not None:
        return _hashes(data, hash_of)
    if environment:
        return _lines(f"{k}={v}" for k, v in sorted(loaded.environ.items()))
    if variables:
        from compose.load import variables as found

        used = found.variables(loaded.sources)
        return render.to_json(found.as_json(used)) if format is Format.json else found.table(used)
    return render.to_json(data) if format is Format.json else render.to_yaml(data)


def _hashes(data: dict, selection: str) -> str:
    from compose.errors import ServiceNotFound
    from compose.hash import service_hash

    services = data.get("services", {})
    names = sorted(services) if selection == "*" else [n for n in selection.split(",") if n]
    for name in names:
        if name not in services:
            raise ServiceNotFound(f"no such service: {name}")
    return _lines(f"{name} {service_hash(services[name])}" for name in names)


def _lines(items) -> str:  # noqa: ANN001
    return "".join(f"{item}\n" for item in items)

