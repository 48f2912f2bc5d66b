"""`pycompose kill`: send a signal (SIGKILL unless `-s`) to the services' running containers, all at once.

One-off containers (`run`) of the services are signalled too, as Compose does; `--remove-orphans`
adds the running containers of services the file no longer has. Nothing running: Compose's
`no container to kill`, and success.
"""

from __future__ import annotations

import signal as signals
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli.lifecycle import DryRun, Services
from compose.errors import ComposeError
from pycompose.errors import InvalidArgument

if TYPE_CHECKING:
    from compose.cli.targets import Targets
    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


class InvalidSignal(ComposeError, InvalidArgument):
    pass


def check_signal(name: str) -> str:
    """`name` when it names a signal (`SIGTERM`, `term`, `15`), else InvalidSignal."""
    upper = name.upper()
    known = name.isdigit() and 0 < int(name) < signals.NSIG or \
        (upper if upper.startswith("SIG") else "SIG" + upper) in signals.Signals.__members__
    if not known:
        raise InvalidSignal(f"invalid signal: {name}", hint="name one as `kill -l` lists them, e.g. SIGTERM or 15")
    return name


def running(targets: Targets, orphans: bool) -> list[ContainerRecord]:
    from compose.plan import labels as L
    from compose.reconcile.observe import project_records

    found = list(targets.records)
    if orphans:
        found += [r for r in project_records(targets.world, targets.project.name)
                  if r.labels.get(L.SERVICE) not in targets.project.services]
    return [r for r in found if r.state in ("running", "paused")]


@app.command("kill", help="Force stop service containers")
def kill(
    ctx: typer.Context,
    services: Services = None,
    signal: Annotated[str, typer.Option("--signal", "-s", help="SIGNAL to send to the container")] = "SIGKILL",
    remove_orphans: Annotated[bool, typer.Option("--remove-orphans", help="Remove containers for services not "
                                                                          "defined in the Compose file")] = False,
    dry_run: DryRun = False,
) -> None:
    from compose.cli import lifecycle
    from compose.cli.targets import select

    check_signal(signal)
    targets = select(ctx, services, oneoff=True)
    found = running(targets, remove_orphans and not services)  # orphans match no service named
    if not found:
        sys.stderr.write("no container to kill\n")
        return
    lifecycle.act([found], "Killing", "Killed", lambda r: targets.world.containers.kill(r.id, signal),
                  dry_run=dry_run)
