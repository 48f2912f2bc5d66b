"""`pycompose rm`: remove the services' stopped containers (`-s` stops them first, `-v` takes their
anonymous volumes), each off its networks and its namespace gone, as `down` removes them.

Without `-f` it asks first, as Compose does: `Going to remove demo-web-1` then `Are you sure? [yN]`,
the answer read from stdin (a terminal or not); only yes removes. Nothing stopped: `No stopped containers`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from compose.cli.lifecycle import DryRun, Services

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

YES = ("y", "yes", "true", "t", "1")


def confirmed(question: str) -> bool:
    """Ask on stdout, read one line of stdin: yes (y, yes, true) or anything else, no."""
    sys.stdout.write(question)
    sys.stdout.flush()
    return sys.stdin.readline().strip().lower() in YES


@app.command("rm", help="Removes stopped service containers")
def rm(
    ctx: typer.Context,
    services: Services = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Don't ask to confirm removal")] = False,
    stop: Annotated[bool, typer.Option("--stop", "-s", help="Stop the containers, if required, before removing")]
    = False,
    volumes: Annotated[bool, typer.Option("--volumes", "-v", help="Remove any anonymous volumes attached to "
                                                                  "containers")] = False,
    dry_run: DryRun = False,
) -> None:
    from compose.cli import lifecycle
    from compose.cli.state import warn
    from compose.cli.targets import select
    from compose.cli.up_cmd import progress
    from compose.plan import labels as L
    from compose.plan.actions import RemoveContainer
    from compose.plan.structure import Plan
    from compose.reconcile import dns
    from compose.reconcile.execute import execute
    from engine.state import NoSuchContainer
    from engine.state.lifecycle import ACTIVE

    targets = select(ctx, services)
    world = targets.world
    records = list(targets.records)
    if stop:
        lifecycle.act(targets.generations(reverse=True), "Stopping", "Stopped",
                      lambda r: world.containers.stop(r.id), dry_run=dry_run)
    if stop and not dry_run:
        fresh = []
        for record in records:
            try:
                fresh.append(world.containers.get(record.id))
            except NoSuchContainer:
                continue  # removed meanwhile: nothing left to do for it
        records = fresh
    stopped = [r for r in records if r.state not in ACTIVE or (stop and dry_run)]
    if not stopped:
        sys.stderr.write("No stopped containers\n")
        return
    the_plan = Plan.of([("services", [(r.name, [RemoveContainer(r.labels.get(L.SERVICE, ""), r.name, r.id, volumes)])
                                      for r in stopped])])
    if dry_run:
        sys.stdout.write("".join(line + "\n" for line in the_plan.describe()))
        return
    names = ", ".join(r.name for r in stopped)
    if force:
        sys.stdout.write(f"Going to remove {names}\n")
    elif not confirmed(f"Going to remove {names}\nAre you sure? [yN] "):
        return
    dns.connect(world)
    try:
        execute(the_plan, targets.project, world, progress=progress, warn=warn)
    finally:
        dns.stop_if_idle(world)
        world.containers.stop_supervisor_if_idle()
