"""`pycompose build [SERVICE...]`: build the services' images, as Docker Compose's `build` does.

The services named (all when none are) that have a `build` section are built, one after
another, with their `build` attributes (compose.reconcile.builds); the others are skipped.
The steps are printed on stderr as Docker's legacy builder prints them, then
` ✔ Service web  Built`; `-q` prints nothing but errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.build.options import BuildOptions

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


@app.command("build", help="Build or rebuild services")
def build(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services to build (default: all)")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use cache when building the image")] = False,
    pull: Annotated[bool, typer.Option("--pull", help="Always attempt to pull a newer version of the image")]
    = False,
    build_arg: Annotated[list[str] | None, typer.Option("--build-arg", help="Set build-time variables for "
                                                                            "services")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Don't print anything to STDOUT")] = False,
) -> None:
    from compose.cli.up_cmd import open_project
    from compose.reconcile.builds import build_service
    from engine.build.builder import parse_pairs

    _, project, world = open_project(ctx)
    names = list(services or project.services)
    for name in names:
        project.service(name)  # ServiceNotFound names the services there are
    args = parse_pairs(build_arg or (), "--build-arg", os.environ)
    say = (lambda line: None) if quiet else _say
    try:
        for name in names:
            if project.services[name].build is None:
                continue
            build_service(world, project, name, say=say, no_cache=no_cache, pull=pull, build_args=args)
            say(f" ✔ Service {name}  Built")
    finally:
        world.containers.stop_supervisor_if_idle()


def image_build_options(context: str, *, file: str | None, tags: Sequence[str] | None,
                        build_args: Sequence[str] | None, target: str | None, no_cache: bool, pull: bool,
                        labels: Sequence[str] | None, network: str, contexts: Sequence[str] | None,
                        hosts: Sequence[str] | None, shm_size: str | None) -> BuildOptions:
    """`image build`'s flags as the engine's BuildOptions (`-f -` reads the Dockerfile from stdin)."""
    from compose.load.canonical.units import UnitError, parse_size
    from engine.build.builder import BuildOptions, parse_pairs
    from pycompose.errors import InvalidArgument

    dockerfile = os.path.abspath(file) if file and file != "-" else None
    text = sys.stdin.read() if file == "-" else None
    named = {name: value if "://" in value else os.path.abspath(value)
             for name, value in parse_pairs(contexts or (), "--build-context").items()}
    extra_hosts = []
    for entry in hosts or ():
        name, sep, address = entry.partition("=" if "=" in entry else ":")
        if not sep or not name or not address:
            raise InvalidArgument(f"invalid argument \"{entry}\" for \"--add-host\" flag: expected HOST:IP")
        extra_hosts.append((name, address.strip("[]")))
    try:
        shm = parse_size(shm_size) if shm_size else None
    except UnitError as err:
        raise InvalidArgument(f"invalid argument \"{shm_size}\" for \"--shm-size\" flag: {err}") from None
    return BuildOptions(context=context, dockerfile=dockerfile, dockerfile_text=text, tags=tuple(tags or ()),
                        build_args=parse_pairs(build_args or (), "--build-arg", os.environ), target=target,
                        no_cache=no_cache, pull=pull, labels=parse_pairs(labels or (), "--label"), network=network,
                        contexts=named, shm_size=shm, extra_hosts=tuple(extra_hosts))
