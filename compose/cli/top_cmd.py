"""`pycompose top`: the processes of the project's running containers (engine.containers.top).

Docker Compose v2's shape (v2.40): one table for all containers, sorted by container name, columns
SERVICE # (the container number) then `docker top`'s UID PID PPID C STIME TTY TIME CMD, laid out as
Go's tabwriter does (cells padded by two, at least four wide; CMD last and unpadded). One-off `run`
containers are listed too. Nothing running prints nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


def tabwrite(lines: Sequence[Sequence[str]], *, minwidth: int = 4, padding: int = 2) -> str:
    """Go's tabwriter (flags 0, padchar ' '): every cell but a line's last padded to its column's width."""
    columns = max((len(line) for line in lines), default=0) - 1
    widths = [max((len(line[i]) + padding for line in lines if i < len(line) - 1), default=0) for i in
              range(max(columns, 0))]
    widths = [max(w, minwidth) for w in widths]
    return "".join("".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])) + line[-1] + "\n"
                   for line in lines)


@app.command("top", help="Display the running processes")
def top(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Only the containers of these services")] = None,
) -> None:
    from compose.cli.exec_cmd import RUNNING
    from compose.cli.targets import select
    from compose.plan import labels as L
    from engine.containers import top as engine_top

    targets = select(ctx, services, oneoff=True)
    svc = targets.world.containers
    lines: list[list[str]] = []
    titles: tuple[str, ...] = engine_top.TITLES
    for record in sorted((r for r in targets.records if r.state in RUNNING), key=lambda r: r.name):
        titles, rows = engine_top.listing(record, svc.container_pid(record))
        lines += [[record.labels.get(L.SERVICE, ""), record.labels.get(L.CONTAINER_NUMBER, ""), *row]
                  for row in rows]
    if lines:
        sys.stdout.write(tabwrite([["SERVICE", "#", *titles], *lines]))
