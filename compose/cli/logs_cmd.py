"""`pycompose logs [SERVICE...]`: the project's container logs, merged in time order, as Docker Compose prints them.

Each line is prefixed with its container's name (`demo-web-1  | hello`), in colour on a terminal;
`-f` keeps following, new containers too (recreated, scaled, restarted), until Ctrl-C or SIGTERM,
which end it quietly with status 0. The machinery is compose.reconcile.follow's (attached `up` uses it).
"""

from __future__ import annotations

import signal
import sys
from types import FrameType, TracebackType
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


class Interrupts:
    """SIGINT and SIGTERM counted instead of raising, while in the `with` (logs -f, attached up).

        with Interrupts() as interrupts:
            while not interrupts.count:
                ...
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.count = 0
        self._before: list[object] = []

    def _got(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1

    def __enter__(self) -> Interrupts:
        self._before = [signal.signal(s, self._got) for s in self.SIGNALS]
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        for s, handler in zip(self.SIGNALS, self._before, strict=True):
            signal.signal(s, handler)  # type: ignore[arg-type]


@app.command("logs", help="View output from containers")
def logs(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services (default: all)")] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Follow log output")] = False,
    tail: Annotated[str, typer.Option("--tail", "-n", help="Number of lines to show from the end of the logs "
                                                           "for each container, or all")] = "all",
    since: Annotated[str | None, typer.Option("--since", help="Show logs since timestamp (e.g. "
                                                              "2013-01-02T13:23:37Z) or relative (e.g. 42m)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Show logs before timestamp (e.g. "
                                                              "2013-01-02T13:23:37Z) or relative (e.g. 42m)")] = None,
    timestamps: Annotated[bool, typer.Option("--timestamps", "-t", help="Show timestamps")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="Produce monochrome output")] = False,
    no_log_prefix: Annotated[bool, typer.Option("--no-log-prefix", help="Don't print prefix in logs")] = False,
    index: Annotated[int | None, typer.Option("--index", help="Index of the container if the service has "
                                                              "multiple replicas")] = None,
) -> None:
    from compose.cli import output
    from compose.cli.targets import select
    from compose.reconcile.follow import Follower, Printer, Window, picker

    window = Window.parse(tail, since, until)
    targets = select(ctx, services)
    printer = Printer(sys.stdout, sys.stderr, color=output.colour(sys.stdout, no_color),
                      prefix=not no_log_prefix, timestamps=timestamps)
    follower = Follower(targets.world.containers, picker(targets.world, targets.project.name, targets.services,
                                                         index=index), printer, window)
    if not follow:
        follower.start(follow=False)
        return
    with Interrupts() as interrupts:
        follower.start(follow=True)
        while not interrupts.count:
            follower.pump(0.1)
    follower.close()
