"""`pycompose up`: load the project, observe what runs, plan, and execute the plan (detached only, for now).

Progress goes to stderr as Docker Compose prints it (` ✔ Container demo-web-1  Started`);
`--dry-run` prints the plan (`DRY-RUN MODE - Container demo-web-1  Creating`) and changes nothing.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli.state import GlobalOptions, warn

if TYPE_CHECKING:
    from compose.load.loader import Loaded
    from compose.model import Project
    from compose.reconcile.world import World

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


def progress(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def open_project(ctx: typer.Context) -> tuple[Loaded, Project, World]:
    """The loaded project, its model, and the engine and netplan of this process's roots (also for ps, down)."""
    from compose.load import load
    from compose.reconcile.world import World
    from engine.roots import roots

    options: GlobalOptions = ctx.obj
    loaded = load(options.project_options())
    for text in loaded.warnings:
        warn(text)
    return loaded, loaded.model(), World.from_roots(roots())


Timeout = Annotated[float | None, typer.Option("--timeout", "-t", help="Seconds to wait for a container to stop "
                                                                       "before killing it")]


@app.command("up", help="Create and start containers")
def up(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services to start (and what they need)")] = None,
    detach: Annotated[bool, typer.Option("--detach", "-d", help="Detached mode: run containers in the background")]
    = False,
    force_recreate: Annotated[bool, typer.Option("--force-recreate", help="Recreate containers even if their "
                                                                          "configuration hasn't changed")] = False,
    no_recreate: Annotated[bool, typer.Option("--no-recreate", help="Don't recreate existing containers")] = False,
    no_deps: Annotated[bool, typer.Option("--no-deps", help="Don't start linked services")] = False,
    no_start: Annotated[bool, typer.Option("--no-start", help="Don't start the services after creating them")]
    = False,
    remove_orphans: Annotated[bool, typer.Option("--remove-orphans", help="Remove containers for services not "
                                                                          "defined in the Compose file")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be done, and do nothing")] = False,
    timeout: Timeout = None,
) -> None:
    from compose.plan import UpOptions, plan
    from compose.reconcile.errors import NotSupportedYet
    from compose.reconcile.execute import execute
    from compose.reconcile.observe import observe

    if force_recreate and no_recreate:
        raise NotSupportedYet("--force-recreate and --no-recreate are incompatible")
    if not detach and not dry_run and not no_start:
        raise NotSupportedYet("up without -d (attached to the logs) is not there yet", hint="run `pycompose up -d`")
    loaded, project, world = open_project(ctx)
    observed = observe(project, world)
    options = UpOptions(services=tuple(services or ()), no_deps=no_deps, force_recreate=force_recreate,
                        no_recreate=no_recreate, no_start=no_start, remove_orphans=remove_orphans, timeout=timeout,
                        config_files=loaded.files)
    the_plan = plan(project, observed, options)
    if dry_run:
        sys.stdout.write("".join(line + "\n" for line in the_plan.describe()))
        return
    from compose.plan import actions as A
    from compose.reconcile import dns

    if any(isinstance(a, (A.CreateContainer, A.RecreateContainer)) for a in the_plan.actions):
        dns.ensure(world)
    else:
        dns.connect(world)
    try:
        execute(the_plan, project, world, progress=progress, warn=warn)
    finally:
        dns.stop_if_idle(world)
    touched = {getattr(a, "name", None) for a in the_plan.actions}
    width = max((len(f"Container {c.name}") for c in observed.containers), default=0)
    for c in sorted(observed.containers, key=lambda c: c.name):
        if c.running and c.name not in touched and not c.oneoff and c.service in project.services:
            progress(f" ✔ {f'Container {c.name}'.ljust(width)}  Running")
