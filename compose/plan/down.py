"""`plan_down`: what `down` must do to leave nothing of the project behind.

Containers are stopped and removed dependents first (one stage per generation),
one-off `run` containers of the project's services with them; then the project's
networks (never an external one), with `-v` its named volumes (never an external
one) and the containers' anonymous volumes, with `--rmi` its images (`all`: every
image a service uses; `local`: only those made by `build` without an `image` name).
Orphans are removed with `--remove-orphans`, else named in a warning.
"""

from __future__ import annotations

from compose import graph as G
from compose.model import Project
from compose.plan import resources as R
from compose.plan.actions import Action, RemoveContainer, RemoveImage, RemoveNetwork, RemoveVolume, StopContainer
from compose.plan.observed import Observed
from compose.plan.planner import orphan_steps, orphans
from compose.plan.structure import Plan

RMI = (None, "all", "local")


def plan_down(project: Project, observed: Observed, *, remove_volumes: bool = False, remove_orphans: bool = False,
              rmi: str | None = None, timeout: float | None = None) -> Plan:
    """The plan of `down` for `project` given `observed`."""
    if rmi not in RMI:
        raise ValueError(f"rmi must be one of {RMI}, not {rmi!r}")
    stages = [("orphans", orphan_steps(orphans(project, observed), remove_orphans))]
    for generation in G.walk(G.service_graph(project), reverse=True):
        stages.append(("services", [(name, _remove_containers(observed, name, remove_volumes, timeout))
                                    for name in generation]))
    resources: list[tuple[str, list[Action]]] = []
    for net in project.networks.values():
        if not net.external and observed.network(net.name) is not None:
            resources.append((net.name, [RemoveNetwork(net.name)]))
    if remove_volumes:
        for vol in project.volumes.values():
            if not vol.external and observed.volume(vol.name) is not None:
                resources.append((vol.name, [RemoveVolume(vol.name)]))
    stages.append(("resources", resources))
    stages.append(("images", [(ref, [RemoveImage(ref)]) for ref in _images(project, observed, rmi)]))
    return Plan.of(stages)


def _remove_containers(observed: Observed, service: str, volumes: bool, timeout: float | None) -> list[Action]:
    found = sorted((c for c in observed.containers if c.service == service),
                   key=lambda c: (c.oneoff, -c.number, c.name))
    actions: list[Action] = [StopContainer(c.service, c.name, c.id, timeout) for c in found if c.running]
    return actions + [RemoveContainer(c.service, c.name, c.id, volumes) for c in found]


def _images(project: Project, observed: Observed, rmi: str | None) -> list[str]:
    if rmi is None:
        return []
    refs = [R.image_of(project, s) for s in project.services.values() if rmi == "all" or s.image is None]
    return sorted(r for r in set(refs) if r in observed.images)
