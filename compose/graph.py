"""The service graph: which service needs which, and the order `up` and `down` walk it in.

Terms: an edge `web -> db` means *web needs db*: db starts first and stops last.
Each edge carries the `depends_on` entry that declares it (`condition`, `required`,
`restart`) and `via`, the attributes that imply it (`depends_on`, `links`,
`network_mode`, `ipc`, `pid`, `volumes_from`). Canonical `depends_on` already
holds the implied entries; reading the attributes too keeps the graph right for a
model built by hand, and tells a shared namespace (which a recreated dependency
breaks) from a plain order.

A *generation* is a set of services whose dependencies all come in earlier
generations: the members of one generation can run in parallel.

    >>> from pathlib import Path
    >>> from compose.model import Project
    >>> p = Project.from_canonical({"name": "d", "services": {
    ...     "web": {"image": "w", "depends_on": {"db": {"condition": "service_healthy"}}},
    ...     "db": {"image": "postgres"}}}, working_dir=Path("/d"))
    >>> g = service_graph(p)
    >>> list(walk(g)), list(walk(g, reverse=True))
    ([('db',), ('web',)], [('web',), ('db',)])
    >>> g.edges["web", "db"]["condition"]
    'service_healthy'

networkx is imported by the functions that build or walk a graph, not with this module: `Edge` and
`dependencies` (what one service needs) serve a plan that has nothing to order (a no-op `up`)
without it; it costs ~170 ms to import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compose.errors import ComposeError, ServiceNotFound
from compose.model import Dependency, Project, Service
from pycompose.errors import InvalidArgument

if TYPE_CHECKING:
    import networkx as nx

SERVICE_PREFIX = "service:"
NAMESPACE_ATTRIBUTES = ("network_mode", "ipc", "pid")


class DependencyCycle(ComposeError, InvalidArgument):
    """Services that need each other; `path` is the cycle, its first name repeated at the end."""

    def __init__(self, path: list[str]):
        self.path = tuple(path)
        super().__init__("dependency cycle: " + " -> ".join(path))


@dataclass(frozen=True, slots=True)
class Edge:
    """One `needs` edge: the dependency entry and the attributes that imply it."""

    condition: str = "service_started"
    required: bool = True
    restart: bool = False
    via: tuple[str, ...] = ("depends_on",)

    @property
    def shares_namespace(self) -> bool:
        """True when the dependent joins a namespace of the dependency (`network_mode: service:db`, ...)."""
        return any(v in NAMESPACE_ATTRIBUTES for v in self.via)


def _implied(service: Service) -> Iterator[tuple[str, str]]:
    """(service named, attribute) for every reference outside `depends_on`."""
    for attribute in NAMESPACE_ATTRIBUTES:
        value = getattr(service, attribute)
        if isinstance(value, str) and value.startswith(SERVICE_PREFIX):
            yield value[len(SERVICE_PREFIX):], attribute
    for link in service.links:
        yield link.partition(":")[0], "links"
    for source in service.volumes_from:
        if not source.startswith("container:"):
            yield source.removeprefix(SERVICE_PREFIX).partition(":")[0], "volumes_from"


def dependencies(service: Service) -> dict[str, Edge]:
    """The services `service` needs, each with its edge (`depends_on` wins over what links etc. imply)."""
    via: dict[str, list[str]] = {}
    for target, attribute in _implied(service):
        via.setdefault(target, []).append(attribute)
    out: dict[str, Edge] = {}
    for target in dict.fromkeys([*service.depends_on, *via]):
        dep = service.depends_on.get(target)
        attributes = tuple(dict.fromkeys((["depends_on"] if dep else []) + via.get(target, [])))
        if dep is None:  # a model built without the canonical phase: what compose-go would imply
            restart = any(a in (*NAMESPACE_ATTRIBUTES, "links") for a in attributes)
            dep = Dependency(restart=restart)
        out[target] = Edge(dep.condition, dep.required, dep.restart, attributes)
    return out


def service_graph(project: Project) -> nx.DiGraph:
    """Nodes are the project's services (attribute `service`); edges point from a service to what it needs.

    References to services the project does not have (a `required: false` dependency
    disabled by a profile) are left out.
    """
    import networkx as nx

    graph = nx.DiGraph()
    for name, service in project.services.items():
        graph.add_node(name, service=service)
    for name, service in project.services.items():
        for target, edge in dependencies(service).items():
            if target in project.services and target != name:
                graph.add_edge(name, target, edge=edge, condition=edge.condition, required=edge.required,
                               restart=edge.restart, via=edge.via)
    return graph


def edge(graph: nx.DiGraph, dependent: str, dependency: str) -> Edge:
    return graph.edges[dependent, dependency]["edge"]


def find_cycle(graph: nx.DiGraph) -> list[str] | None:
    """A cycle as `[a, b, ..., a]` (following `needs` edges), or None; deterministic for a given graph."""
    import networkx as nx

    for root in sorted(graph):
        try:
            found = nx.find_cycle(graph, source=root)
        except nx.NetworkXNoCycle:
            continue
        return [u for u, _ in found] + [found[-1][1]]
    return None


def walk(graph: nx.DiGraph, *, reverse: bool = False) -> Iterator[tuple[str, ...]]:
    """The generations of `graph`, names sorted within each: dependencies first, or dependents first (`reverse`).

    `up` walks forward, `down` in reverse; each generation may run in parallel.
    A cycle raises `DependencyCycle` naming its path before anything is yielded.
    """
    cycle = find_cycle(graph)
    if cycle:
        raise DependencyCycle(cycle)
    # topological_generations puts sources (nodes nothing points at) first: with edges
    # dependent -> dependency those are the dependents, the order of `down`. `up` walks
    # the reversed graph, so a service starts as early as its own dependencies allow
    # (and stops as early as its dependents do): not merely one list read backwards.
    import networkx as nx

    order = graph if reverse else graph.reverse(copy=False)
    for generation in nx.topological_generations(order):
        yield tuple(sorted(generation))


def generations(graph: nx.DiGraph, *, reverse: bool = False) -> tuple[tuple[str, ...], ...]:
    """`walk`, as a tuple."""
    return tuple(walk(graph, reverse=reverse))


def select(graph: nx.DiGraph, services: Iterable[str], *, with_dependencies: bool = True) -> nx.DiGraph:
    """The subgraph of `services` (all when none are named) and, unless `--no-deps`, all they need.

    An unknown name raises `ServiceNotFound` naming the services there are.
    """
    names = list(services)
    for name in names:
        if name not in graph:
            known = ", ".join(sorted(graph)) or "none"
            raise ServiceNotFound(f"no such service: {name} (the project has: {known})")
    if not names:
        return graph.copy()
    import networkx as nx

    keep = set(names)
    if with_dependencies:
        for name in names:
            keep |= nx.descendants(graph, name)
    return graph.subgraph(keep).copy()


def dependents(graph: nx.DiGraph, name: str) -> tuple[str, ...]:
    """The services that need `name` directly, sorted."""
    return tuple(sorted(graph.predecessors(name)))
