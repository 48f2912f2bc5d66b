"""`pycompose down`: stop and remove the project's containers (dependents first), then its networks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli.state import warn
from compose.cli.up_cmd import Timeout, open_project, progress

if TYPE_CHECKING:
    from compose.reconcile.world import World

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("down", help="Stop and remove containers, networks")
def down(
    ctx: typer.Context,
    volumes: Annotated[bool, typer.Option("--volumes", "-v", help="Remove named volumes declared in the volumes "
                                                                  "section and anonymous volumes")] = False,
    remove_orphans: Annotated[bool, typer.Option("--remove-orphans", help="Remove containers for services not "
                                                                          "defined in the Compose file")] = False,
    rmi: Annotated[str | None, typer.Option("--rmi", help="Remove images used by services: local or all")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be done, and do nothing")] = False,
    timeout: Timeout = None,
) -> None:
    import sys

    from compose.plan import plan_down
    from compose.reconcile.execute import execute
    from compose.reconcile.observe import observe

    _, project, world = open_project(ctx, by_name=True)
    from compose.cli.state import switch

    the_plan = plan_down(project, observe(project, world), remove_volumes=volumes,
                         remove_orphans=remove_orphans or switch("COMPOSE_REMOVE_ORPHANS"),
                         rmi=rmi, timeout=timeout)
    if dry_run:
        sys.stdout.write("".join(line + "\n" for line in the_plan.describe()))
        return
    from compose.reconcile import dns

    dns.connect(world)
    try:
        execute(the_plan, project, world, progress=progress, warn=warn)
    finally:
        _stop_idle_daemons(world)  # down leaves nothing running once nothing is left


def _stop_idle_daemons(world: World) -> None:
    """The DNS server and the supervisor, each ended if nothing needs it any more, both at once: each stop waits
    for a process to exit."""
    from concurrent.futures import ThreadPoolExecutor

    from compose.reconcile import dns

    with ThreadPoolExecutor(max_workers=1) as pool:
        dns_stopped = pool.submit(dns.stop_if_idle, world)
        world.containers.stop_supervisor_if_idle()
        dns_stopped.result()
