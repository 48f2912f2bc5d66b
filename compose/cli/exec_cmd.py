"""`pycompose exec`: a command in a service's running container, through the engine's exec.

The container is the service's first running one by number (`--index N`: number N), one-off `run`
containers after the others, as Docker Compose picks it; none running is Compose's
`service "web" is not running`. `exec` exits with the command's exit code. As Docker Compose's: the command
gets a pty when our stdout is a terminal (`-T` never), relayed in raw mode (compose.cli.interactive), and our
stdin (`-i`, on by default, hidden as Compose hides it; `-t` is accepted and changes nothing, as there);
without a pty its stdout and stderr are exec's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from compose.errors import ComposeError
from pycompose.errors import Conflict

if TYPE_CHECKING:
    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

PASS_THROUGH = {"allow_interspersed_args": False, "ignore_unknown_options": True}
RUNNING = ("running", "paused", "restarting")


class ServiceNotRunning(ComposeError, Conflict):
    """The service has no running container (numbered as asked) to exec in, or to read a port of."""


def specified(records: Iterable[ContainerRecord], service: str, index: int = 0, *,
              states: Iterable[str] = RUNNING) -> ContainerRecord:
    """The service's container numbered `index` (0: the first by number, one-offs last) in one of `states`
    (running ones, unless told: `cp`, `commit` and `export` take a stopped one too, with the same messages)."""
    from compose.plan import labels as L

    def number(r: ContainerRecord) -> int:
        text = r.labels.get(L.CONTAINER_NUMBER, "0")
        return int(text) if text.lstrip("-").isdigit() else 0

    states = tuple(states)
    found = [r for r in records if r.labels.get(L.SERVICE) == service and r.state in states
             and (index <= 0 or number(r) == index)]
    if not found:
        suffix = f" container #{index}" if index > 0 else ""
        raise ServiceNotRunning(f'service "{service}" is not running{suffix}')
    found.sort(key=lambda r: (number(r), r.labels.get(L.ONEOFF, "False") == "True"))
    return found[0]


@app.command("exec", help="Execute a command in a running container", context_settings=PASS_THROUGH)
def exec_(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The service")],
    command: Annotated[list[str], typer.Argument(help="The command and its arguments")],
    detach: Annotated[bool, typer.Option("--detach", "-d", help="Detached mode: Run command in the background")]
    = False,
    env: Annotated[list[str] | None, typer.Option("--env", "-e", help="Set environment variables")] = None,
    index: Annotated[int, typer.Option("--index", help="Index of the container if service has multiple "
                                                       "replicas")] = 0,
    no_tty: Annotated[bool | None, typer.Option("--no-tty", "--no-TTY", "-T", help="Disable pseudo-TTY allocation. "
                                                "By default `pycompose exec` allocates a TTY.")] = None,
    tty: Annotated[bool, typer.Option("--tty", "-t", hidden=True)] = False,
    interactive: Annotated[bool, typer.Option("--interactive/--no-interactive", "-i", hidden=True)] = True,
    privileged: Annotated[bool, typer.Option("--privileged", help="Give extended privileges to the process "
                                                                  "(not supported yet)")] = False,
    user: Annotated[str | None, typer.Option("--user", "-u", help="Run the command as this user")] = None,
    workdir: Annotated[str | None, typer.Option("--workdir", "-w", help="Path to workdir directory for this "
                                                                        "command")] = None,
) -> None:
    import os

    from compose.cli.interactive import execute
    from compose.cli.targets import select
    from compose.reconcile.errors import NotSupportedYet
    from compose.reconcile.oneoff import environment
    from engine.containers.exec import ExecOptions

    if privileged:
        raise NotSupportedYet("exec --privileged is not supported yet")
    targets = select(ctx, [service], oneoff=True)
    record = specified(targets.records, service, index)
    variables = environment(tuple(env or ()), targets.loaded.environ)
    pty = not no_tty if no_tty is not None else os.isatty(1)
    options = ExecOptions(argv=tuple(command), env=tuple(f"{k}={v}" for k, v in variables.items()), user=user,
                          workdir=workdir, detach=detach, tty=pty, interactive=interactive)
    raise typer.Exit(execute(targets.world.containers, record.id, options))
