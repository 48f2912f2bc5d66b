"""`plan`: what `up` must do to make the observed project match the model.

Per service, as Docker Compose's convergence does it:
- containers beyond the scale are stopped and removed, highest numbers first;
- a container is recreated when its config hash differs from the service's, when the
  local image's digest differs from the one it was made from, when it is dead, when
  `--force-recreate` names its service, or when a dependency it shares a namespace
  with (`network_mode`/`ipc`/`pid: service:x`, `restart: true` implied) is recreated;
  never with `--no-recreate`;
- a running dependent with `restart: true` on a recreated dependency is restarted;
- missing containers are created, numbered after the highest one kept;
- unless `--no-start`, every container that is not running is started, after waiting
  for the service's dependencies' conditions; a running, unchanged container is untouched.

The graph (networkx) orders the services' steps; it is built only when there is something to order,
so a plan that changes nothing (the no-op `up`) never imports it: the decisions per service read the
dependency edges from the model (`graph.dependencies`), which are the graph's edges.

Images: the digests in `observed.images` are those before any pull or build. When a
plan pulls or builds, the executor runs the `images` stage, observes the images again
and plans once more with `pull="never"` (planning is cheap and pure), so that a
container whose image a pull changed is recreated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from compose import graph as G
from compose.model import FrozenMap, Project, Service
from compose.plan import labels as L
from compose.plan import resources as R
from compose.plan.actions import (
    Action,
    CreateContainer,
    RecreateContainer,
    RemoveContainer,
    RemoveOrphans,
    RestartContainer,
    StartContainer,
    StopContainer,
    WaitDependency,
    WarnOrphans,
)
from compose.plan.errors import PlanConflict
from compose.plan.observed import Observed, ObservedContainer
from compose.plan.structure import Plan


@dataclass(frozen=True)
class UpOptions:
    """The flags of `up` (and `create`) that change the plan.

    `pull` is `--pull` (always, missing, never, build) and wins over each service's
    `pull_policy`; `scale` is `--scale service=n`; `services` are those named on the
    command line (none: all); `disabled_services` are those profiles left out, which
    are not orphans; `config_files` go into the containers' labels.
    """

    services: tuple[str, ...] = ()
    no_deps: bool = False
    force_recreate: bool = False
    always_recreate_deps: bool = False
    no_recreate: bool = False
    no_start: bool = False
    remove_orphans: bool = False
    ignore_orphans: bool = False  # COMPOSE_IGNORE_ORPHANS: no warning about them
    scale: Mapping[str, int] = field(default_factory=dict)
    pull: str | None = None
    build: bool = False
    timeout: float | None = None
    config_files: tuple[str, ...] = ()
    disabled_services: tuple[str, ...] = ()


def orphans(project: Project, observed: Observed, disabled: tuple[str, ...] = ()) -> tuple[ObservedContainer, ...]:
    """Containers of the project whose service the model no longer has (one-offs aside)."""
    return tuple(sorted((c for c in observed.containers
                         if not c.oneoff and c.service not in project.services and c.service not in disabled),
                        key=lambda c: c.name))


def orphan_steps(found: tuple[ObservedContainer, ...], remove: bool,
                 ignore: bool = False) -> list[tuple[str, list[Action]]]:
    if not found or (ignore and not remove):
        return []
    if remove:
        return [("orphans", [RemoveOrphans(tuple((c.id, c.name) for c in found))])]
    return [("orphans", [WarnOrphans(tuple(c.name for c in found))])]


@dataclass
class _Run:
    """What one `plan` call shares between services: their dependency edges, and who was recreated so far."""

    project: Project
    observed: Observed
    options: UpOptions
    selected: frozenset[str]
    forced: frozenset[str]
    detached: frozenset[str]  # ids of containers the detach stage removes
    recreated: set[str] = field(default_factory=set)

    def needs(self, name: str) -> dict[str, G.Edge]:
        """The selected services `name` needs, with their edges (the graph's edges from `name`)."""
        return {target: edge for target, edge in G.dependencies(self.project.services[name]).items()
                if target in self.selected and target != name}


def plan(project: Project, observed: Observed, options: UpOptions | None = None) -> Plan:
    """The plan of `up` for `project` given `observed` (see the module's docstring for the rules)."""
    options = options or UpOptions()
    for name in options.scale:
        project.service(name)  # ServiceNotFound names the services there are
    graph = G.select(G.service_graph(project), options.services, with_dependencies=not options.no_deps) \
        if options.services else None
    selected = tuple(sorted(graph if graph is not None else project.services))
    warnings: list[str] = []

    network_keys = R.networks_of(project, selected)
    diverged = R.diverged_networks(project, observed, network_keys)
    detach = _detached(project, observed, selected, diverged)
    stages = [  # images first, as Compose: a pull that fails leaves nothing made
        ("images", R.image_steps(project, observed, selected, pull=options.pull, build=options.build)),
        ("orphans", orphan_steps(orphans(project, observed, options.disabled_services), options.remove_orphans,
                                 options.ignore_orphans)),
        ("detach", [(c.name, _stop_remove(c, options.timeout)) for c in detach]),
        ("resources", R.network_steps(project, observed, network_keys, diverged, warnings)
         + R.volume_steps(project, observed, R.volumes_of(project, selected), warnings)),
    ]
    named = options.services or tuple(project.services)
    forced = frozenset(selected if options.always_recreate_deps else named) if options.force_recreate else frozenset()
    detached = frozenset(c.id for c in detach)
    # Each service on its own first: when none has anything to do, no dependency can make it (a
    # dependency's reason is always another service's recreation), and there is nothing to order.
    alone = _Run(project, observed, options, frozenset(selected), forced, detached)
    if any(_service_actions(alone, name) for name in selected) or alone.recreated:
        if graph is None:
            graph = G.service_graph(project)
        run = _Run(project, observed, options, frozenset(selected), forced, detached)
        for generation in G.generations(graph):
            stages.append(("services", [(name, _service_actions(run, name)) for name in generation]))
    return Plan.of(stages, warnings)


def _stop_remove(c: ObservedContainer, timeout: float | None) -> list[Action]:
    stop: list[Action] = [StopContainer(c.service, c.name, c.id, timeout)] if c.running else []
    return stop + [RemoveContainer(c.service, c.name, c.id)]


def _detached(project: Project, observed: Observed, selected: tuple[str, ...],
              diverged: tuple[str, ...]) -> tuple[ObservedContainer, ...]:
    """The containers to remove before the diverged networks are made again."""
    if not diverged:
        return ()
    names = {project.networks[k].name for k in diverged}
    out = []
    for c in observed.containers:
        service = project.services.get(c.service)
        on = set(c.networks) & names or (
            {project.networks[k].name for k in service.networks if k in diverged} if service and not c.networks
            else set())
        if not on:
            continue
        if c.service not in selected or c.oneoff:
            raise PlanConflict(f"network {sorted(on)[0]} has changed, but container {c.name} uses it; "
                               "run `up` for the whole project, or `down` first")
        out.append(c)
    return tuple(sorted(out, key=lambda c: c.name))


def _recreate_reason(run: _Run, service: Service, c: ObservedContainer) -> str | None:
    if run.options.no_recreate:
        return None
    if service.name in run.forced:
        return "forced"
    if c.config_hash != service.config_hash:
        return "configuration changed"
    digest = run.observed.images.get(R.image_of(run.project, service))
    if digest and c.image_digest and digest != c.image_digest:
        return "image changed"
    if c.state == "dead":
        return "dead"
    for dep, edge in run.needs(service.name).items():
        if dep in run.recreated and edge.restart and edge.shares_namespace:
            return f"{dep} was recreated"
    return None


def _restarted_by(run: _Run, name: str) -> bool:
    """True when a dependency with `restart: true` (no shared namespace) is recreated by this plan."""
    return any(dep in run.recreated and edge.restart for dep, edge in run.needs(name).items())


def _service_actions(run: _Run, name: str) -> list[Action]:
    project, options = run.project, run.options
    service = project.services[name]
    scale = options.scale.get(name, service.replicas)
    containers = [c for c in run.observed.of_service(name) if c.id not in run.detached]
    if len(containers) < len(run.observed.of_service(name)):
        run.recreated.add(name)
    keep, surplus = containers[:scale], containers[scale:]

    actions: list[Action] = []
    for c in reversed(surplus):
        actions += _stop_remove(c, options.timeout)
    image = R.image_of(project, service)
    starts: list[Action] = []
    restart = _restarted_by(run, name)
    for c in keep:
        reason = _recreate_reason(run, service, c)
        if reason:
            run.recreated.add(name)
            actions.append(RecreateContainer(name, c.number, c.id, c.name, c.name, service.config_hash, image,
                                             reason, _labels(run, service, c.number), options.timeout))
            starts.append(StartContainer(name, c.name))
        elif not c.running:
            starts.append(StartContainer(name, c.name, c.id))
        elif restart:
            starts.append(RestartContainer(name, c.name, c.id, options.timeout))
    first = max((c.number for c in keep), default=0) + 1
    for number in range(first, first + scale - len(keep)):
        cname = L.service_container_name(project, service, number)
        actions.append(CreateContainer(name, number, cname, service.config_hash, image,
                                       _labels(run, service, number)))
        starts.append(StartContainer(name, cname))
    if starts and not options.no_start:
        actions += _waits(run, name) + starts
    return actions


def _waits(run: _Run, name: str) -> list[Action]:
    out: list[Action] = []
    for dep, edge in sorted(run.needs(name).items()):
        out.append(WaitDependency(name, dep, edge.condition, edge.required))
    return out


def _labels(run: _Run, service: Service, number: int) -> FrozenMap[str, str]:
    digest = run.observed.images.get(R.image_of(run.project, service))
    return FrozenMap(L.container_labels(run.project, service, number, config_files=run.options.config_files,
                                        image_digest=digest))
