"""`pycompose cp`: copy files between a service's containers and the host (engine.containers.copy).

    pycompose cp web:/etc/hostname .        # from the service's first container (or --index N)
    pycompose cp ./site web:/www            # to every container of the service (or --index N)
    pycompose cp - web:/www < site.tar      # a tar stream from stdin

As Docker Compose: `SERVICE:PATH` names the service's side (an absolute path, or one starting with `.`,
is the host's), copying from a service takes its first container by number, copying to one copies into
each of its containers (with `--all`, one-off `run` containers too), a copy between two services is
refused. Each container copied says ` ✔ Container demo-web-1  Copied` on stderr.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from compose.cli.exec_cmd import ServiceNotRunning

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("cp", help="Copy files/folders between a service container and the local filesystem")
def cp(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="SERVICE:SRC_PATH|SRC_PATH|-", help="What to copy")],
    destination: Annotated[str, typer.Argument(metavar="SERVICE:DEST_PATH|DEST_PATH|-", help="Where to")],
    all_: Annotated[bool, typer.Option("--all", help="Include containers created by the run command")] = False,
    index: Annotated[int, typer.Option("--index", help="Index of the container if service has multiple "
                                                       "replicas")] = 0,
    archive: Annotated[bool, typer.Option("--archive", "-a", help="Archive mode (copy all uid/gid "
                                                                  "information)")] = False,
    follow_link: Annotated[bool, typer.Option("--follow-link", "-L", help="Always follow symbol link in "
                                                                        "SRC_PATH")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be done, and do nothing")] = False,
) -> None:
    from compose.cli.exec_cmd import specified
    from compose.cli.targets import select
    from compose.cli.up_cmd import progress
    from compose.errors import ProjectError
    from compose.plan import labels as L
    from engine.containers import copy
    from engine.state.lifecycle import STATES

    src, dest = copy.split_arg(source), copy.split_arg(destination)
    if src.container and dest.container:
        raise ProjectError("copying between services is not supported")
    if not src.container and not dest.container:
        raise ProjectError("unknown copy direction", hint="name a service's side as SERVICE:PATH")
    service = src.container or dest.container or ""
    targets = select(ctx, [service], oneoff=all_)
    if index > 0 or src.container:
        records = [specified(targets.records, service, index, states=STATES)]
    else:
        records = sorted(targets.records, key=lambda r: (r.labels.get(L.ONEOFF, "False") == "True", r.name))
        if not records:
            raise ServiceNotRunning(f'no container found for service "{service}"')
    width = max(len(f"Container {r.name}") for r in records)
    for record in records:
        name = f"Container {record.name}".ljust(width)
        if dry_run:
            sys.stdout.write(f"DRY-RUN MODE - {name}  Copying\n")
            continue
        copy.copy(targets.world.containers, f"{record.id}:{src.path}" if src.container else source,
                  f"{record.id}:{dest.path}" if dest.container else destination, archive=archive,
                  follow=follow_link, stdin=sys.stdin.buffer, stdout=sys.stdout.buffer)
        if destination != "-":
            progress(f" ✔ {name}  Copied")
