"""The containers a compose command acts on: `pycompose stop web`, `logs api db`, `restart`.

    targets = select(ctx, ["web"])              # the project, its world, web's containers
    for generation in targets.generations(reverse=True):   # dependents first (stop, kill, rm)
        ...

Services named on the command line must exist in the project (ServiceNotFound names the
ones there are); no names means every service. One-off containers (`run`) are left out
unless `oneoff` is asked for. Records come oldest first within a service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

    from compose.load.loader import Loaded
    from compose.model import Project
    from compose.reconcile.world import World
    from engine.state import ContainerRecord


@dataclass(frozen=True)
class Targets:
    """A command's project, its world, the services asked for and their containers."""

    loaded: Loaded
    project: Project
    world: World
    services: tuple[str, ...]               # the services asked for, in the project's order
    records: tuple[ContainerRecord, ...]    # their containers (every state)

    def of(self, service: str) -> list[ContainerRecord]:
        from compose.plan import labels as L

        return [r for r in self.records if r.labels.get(L.SERVICE) == service]

    def generations(self, *, reverse: bool = False) -> list[list[ContainerRecord]]:
        """The records grouped by dependency generation: dependencies first, or dependents first."""
        from compose.graph import generations, service_graph

        graph = service_graph(self.project)
        wanted = set(self.services)
        groups = [[r for name in generation if name in wanted for r in self.of(name)]
                  for generation in generations(graph, reverse=reverse)]
        return [group for group in groups if group]


def select(ctx: typer.Context, services: list[str] | None, *, oneoff: bool = False) -> Targets:
    """The project of the global flags, and the containers of `services` (all when none are named)."""
    from compose.cli.up_cmd import open_project
    from compose.plan import labels as L
    from compose.reconcile.observe import project_records

    loaded, project, world = open_project(ctx, by_name=True)
    for name in services or ():
        project.service(name)  # ServiceNotFound names the services there are
    wanted = tuple(n for n in project.services if not services or n in services)
    records = tuple(r for r in project_records(world, project.name)
                    if r.labels.get(L.SERVICE) in wanted
                    and (oneoff or r.labels.get(L.ONEOFF, "False").lower() != "true"))
    return Targets(loaded, project, world, wanted, records)
