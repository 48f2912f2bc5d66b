"""`pycompose wait SERVICE...`: block until the services' containers stop, as Docker Compose does.

Each container's exit is printed as it comes (`container "<id>" exited with status code 3`), one-off
containers included; the command exits with the code of the last container to stop. `--down-project`
then takes the project down (orphans too). Services without containers: `no containers for project`.
"""

from __future__ import annotations

import sys
import threading
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("wait", help="Block until containers of all (or specified) services stop.")
def wait(
    ctx: typer.Context,
    services: Annotated[list[str], typer.Argument(help="Services to wait for")],
    down_project: Annotated[bool, typer.Option("--down-project", help="Drops project when the first container "
                                                                      "stops")] = False,
) -> None:
    from compose.cli.targets import select
    from compose.errors import ProjectError
    from compose.reconcile.parallel import each

    targets = select(ctx, services, oneoff=True)
    if not targets.records:
        raise ProjectError(f'no containers for project "{targets.project.name}"')
    lock = threading.Lock()
    last: list[int] = [0]

    def one(record_id: str) -> None:
        code = targets.world.containers.wait(record_id)
        with lock:
            last[0] = code
            sys.stdout.write(f'container "{record_id}" exited with status code {code}\n')
            sys.stdout.flush()

    failures = each([r.id for r in targets.records], one, key=lambda i: i, limit=len(targets.records))
    if failures:
        raise next(iter(failures.values()))
    if down_project:
        from compose.cli.down_cmd import down

        down(ctx, remove_orphans=True)
    raise typer.Exit(last[0])
