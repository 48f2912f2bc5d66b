"""What `start`, `stop`, `restart`, `kill`, `pause` and `unpause` share: act on the project's containers
group by group (one dependency generation after another), in parallel within a group, and say so as
Docker Compose does when each is done (` ✔ Container demo-web-1  Stopped`, ` ✘ ...  Error`).

    targets = select(ctx, services)
    act(targets.generations(reverse=True), "Stopping", "Stopped", lambda r: containers.stop(r.id, 3))

A group's failures are collected (its other containers finish), then `ReconcileFailed` names them and no
later group runs. `--dry-run` prints what would be done (`DRY-RUN MODE - Container demo-web-1  Stopping`)
on stdout, as `up --dry-run` does, and does nothing.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli.up_cmd import progress
from compose.errors import ComposeError
from compose.reconcile.parallel import each
from pycompose.errors import NotFound

if TYPE_CHECKING:
    from compose.cli.targets import Targets
    from engine.state import ContainerRecord


Services = Annotated[list[str] | None, typer.Argument(help="Services (default: all)")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print what would be done, and do nothing")]


class NoContainer(ComposeError, NotFound):
    """A service named (or implied) has no container to act on: `service "web" has no container to start`."""


def subject(record: ContainerRecord) -> str:
    return f"Container {record.name}"


def act(groups: Sequence[Sequence[ContainerRecord]], doing: str, done: str,
        op: Callable[[ContainerRecord], object], *, dry_run: bool = False,
        before: Callable[[Sequence[ContainerRecord]], None] | None = None) -> None:
    """Run `op` on every record, group after group, in parallel within a group; ` ✔ Container x  <done>`.

    `before(group)` runs ahead of each group (start waits there on the group's dependencies).
    """
    from compose.plan.structure import DRY_RUN
    from compose.reconcile.errors import ReconcileFailed

    groups = [list(g) for g in groups if g]
    if dry_run:
        sys.stdout.write("".join(f"{DRY_RUN}{subject(r)}  {doing}\n" for g in groups for r in g))
        return
    width = max((len(subject(r)) for g in groups for r in g), default=0)
    lock = threading.Lock()

    def one(record: ContainerRecord) -> None:
        try:
            op(record)
        except BaseException:
            say(record, "Error", width, lock, ok=False)
            raise
        say(record, done, width, lock)

    for group in groups:
        if before is not None:
            before(group)
        failures = each(group, one, key=subject)
        if failures:
            raise ReconcileFailed(failures)


def say(record: ContainerRecord, word: str, width: int, lock: threading.Lock, *, ok: bool = True) -> None:
    with lock:
        progress(f" {'✔' if ok else '✘'} {subject(record).ljust(width)}  {word}")


def narrow(targets: Targets, names: Iterable[str]) -> Targets:
    """`targets` cut down to the services `names` (kept in the project's order)."""
    from compose.plan import labels as L

    wanted = set(names)
    services = tuple(n for n in targets.services if n in wanted)
    return replace(targets, services=services,
                   records=tuple(r for r in targets.records if r.labels.get(L.SERVICE) in wanted))


def wait_dependencies(targets: Targets, group: Sequence[ContainerRecord], *, restart_only: bool = False) -> None:
    """Before a group starts: wait for its services' `depends_on` conditions, as Compose's start does.

    `service_started` is met by the order itself; `restart_only` (restart) heeds only `restart: true`
    entries. A dependency that fails a `required: false` entry is a warning.
    """
    from compose import graph as G
    from compose.cli.state import warn
    from compose.plan import labels as L
    from compose.reconcile import waits
    from compose.reconcile.errors import DependencyFailed

    graph = G.service_graph(targets.project)
    services = sorted({r.labels.get(L.SERVICE, "") for r in group} & set(graph))
    width = max((len(subject(r)) for r in targets.records), default=0)
    lock = threading.Lock()
    for name in services:
        for dep in sorted(graph.successors(name)):
            edge = G.edge(graph, name, dep)
            if edge.condition == "service_started" or (restart_only and not edge.restart):
                continue
            try:
                records = waits.wait_for(targets.world, targets.project.name, dep, edge.condition)
            except DependencyFailed as error:
                if edge.required:
                    raise
                warn(f"optional dependency {dep} of {name}: {error}")
                continue
            word = {"service_healthy": "Healthy", "service_completed_successfully": "Exited"}[edge.condition]
            for record in records:
                say(record, word, width, lock)
