"""`observe`: what the engine, netplan and the image store hold for a project, as `Observed` (plain data).

Containers are those labelled `com.docker.compose.project=<name>`; networks and volumes those whose
engine names the model uses; images the local digest (the image id) of each reference a service names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from compose.model import FrozenMap, Project
from compose.plan import labels as L
from compose.plan.observed import Observed, ObservedContainer, ObservedNetwork, ObservedVolume

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.state import ContainerRecord


def project_records(world: World, project: str) -> list[ContainerRecord]:
    """The engine's records of the project's containers (every state), oldest first."""
    return [r for r in world.containers.list(all=True) if r.labels.get(L.PROJECT) == project]


def networks_by_container(world: World) -> dict[str, tuple[str, ...]]:
    """Container id -> the names of the networks it is attached to."""
    out: dict[str, list[str]] = {}
    for net in world.networks.list_networks():
        for endpoint in net.endpoints:
            out.setdefault(endpoint.container, []).append(net.record.name)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def observe(project: Project, world: World, *, image_refs: Iterable[str] | None = None) -> Observed:
    from compose.plan.resources import image_of
    from engine.images.errors import ImageNotFound

    attached = networks_by_container(world)
    containers = tuple(
        ObservedContainer.from_labels(r.id, r.name, r.labels, state=r.state, exit_code=r.exit_code,
                                      health=r.health.status if r.health else None,
                                      networks=attached.get(r.id, ()))
        for r in project_records(world, project.name))
    wanted = {n.name for n in project.networks.values()}
    networks = tuple(ObservedNetwork.from_labels(n.record.name, n.record.labels)
                     for n in world.networks.list_networks() if n.record.name in wanted)
    wanted = {v.name for v in project.volumes.values()}
    volumes = tuple(ObservedVolume(v.name, FrozenMap(v.labels)) for v in world.volumes.list() if v.name in wanted)
    images: dict[str, str] = {}
    refs = image_refs if image_refs is not None else {image_of(project, s) for s in project.services.values()}
    for ref in sorted(set(refs)):
        try:
            images[ref] = world.images.get(ref).id
        except ImageNotFound:
            continue
    return Observed(project.name, containers, networks, volumes, FrozenMap(images))
