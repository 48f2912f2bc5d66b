"""`pycompose config`: the project as Compose resolves it, or one list out of it."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from compose.cli.state import GlobalOptions, warn

if TYPE_CHECKING:
    from compose.load.loader import Loaded


class Format(StrEnum):
    yaml = "yaml"
    json = "json"


app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("config", help="Parse, resolve and render the compose file in canonical format")
def config(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services to show (and their dependencies)")] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format")] = Format.yaml,
    list_services: Annotated[bool, typer.Option("--services", help="Print the service names, one per line")] = False,
    list_volumes: Annotated[bool, typer.Option("--volumes", help="Print the volume names, one per line")] = False,
    list_networks: Annotated[bool, typer.Option("--networks", help="Print the network names, one per line")] = False,
    list_profiles: Annotated[bool, typer.Option("--profiles", help="Print the profile names, one per line")] = False,
    list_images: Annotated[bool, typer.Option("--images", help="Print the image names, one per line")] = False,
    hash_of: Annotated[str | None, typer.Option("--hash", help='Print the config hash of services ("*" for all)')]
    = None,
    environment: Annotated[bool, typer.Option("--environment", help="Print the environment used for interpolation")]
    = False,
    variables: Annotated[bool, typer.Option("--variables", help="Print the variables the files use")] = False,
    no_interpolate: Annotated[bool, typer.Option("--no-interpolate", help="Don't interpolate variables")] = False,
    no_path_resolution: Annotated[bool, typer.Option("--no-path-resolution", help="Don't resolve file paths")]
    = False,
    no_normalize: Annotated[bool, typer.Option("--no-normalize", help="Don't normalize compose model")] = False,
    no_env_resolution: Annotated[bool, typer.Option("--no-env-resolution", help="Don't resolve service env files")]
    = False,
    no_consistency: Annotated[bool, typer.Option("--no-consistency", help="Don't check references between services, "
                                                 "networks, volumes...")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only validate; print nothing")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout")] = None,
) -> None:
    from compose.load import load

    options: GlobalOptions = ctx.obj
    selected = () if list_services else tuple(services or ())  # Compose lists every service with --services
    # `--no-env-resolution` changes nothing Compose 2.40 prints: its loader has folded `env_file` into
    # `environment` before the flag is looked at (and `--no-interpolate` keeps `env_file` anyway).
    wanted = options.project_options(services=selected, interpolate=not no_interpolate,
                                     consistency=not no_consistency)
    loaded = load(replace(wanted, resolve_paths=not no_path_resolution, normalize=not no_normalize))
    for message in loaded.warnings:
        warn(message)
    if quiet:
        return
    listing = next((name for name, wanted in (("services", list_services), ("volumes", list_volumes),
                                               ("networks", list_networks), ("profiles", list_profiles),
                                               ("images", list_images), ("environment", environment),
                                               ("variables", variables)) if wanted), None)
    text = _render(loaded, format, listing=listing, hash_of=hash_of, no_interpolate=no_interpolate)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _render(loaded: Loaded, format: Format, *, listing: str | None, hash_of: str | None,
            no_interpolate: bool) -> str:
    """The text `config` prints: one of the lists, the hashes, or the whole project."""
    from compose import render

    data = loaded.data
    if listing == "services":
        return _lines(render.service_order(data))
    if listing in ("volumes", "networks"):
        return _lines(data.get(listing, {}))
    if listing == "profiles":
        return _lines(loaded.all_profiles)
    if listing == "images":
        return _lines(render.images(data))
    if listing == "environment":
        return _lines(f"{k}={v}" for k, v in sorted(loaded.environ.items()))
    if listing == "variables":
        from compose.load import variables as found

        used = found.variables(loaded.sources)
        return render.to_json(found.as_json(used)) if format is Format.json else found.table(used)
    if hash_of is not None:
        return _hashes(data, hash_of)
    # Compose writes every `$` back as `$$` unless it did not interpolate; then it prints its model, a plain map
    raw = no_interpolate
    if format is Format.json:
        return render.to_json(data, escape_dollars=not raw, as_map=raw)
    return render.to_yaml(data, escape_dollars=not raw, as_map=raw)


def _hashes(data: dict[str, Any], selection: str) -> str:
    from compose.errors import ServiceNotFound
    from compose.hash import service_hash

    services = data.get("services", {})
    names = sorted(services) if selection == "*" else [n for n in selection.split(",") if n]
    for name in names:
        if name not in services:
            raise ServiceNotFound(f"no such service: {name}")
    return _lines(f"{name} {service_hash(services[name])}" for name in names)


def _lines(items: Iterable[object]) -> str:
    return "".join(f"{item}\n" for item in items)

