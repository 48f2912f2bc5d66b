"""Networks, volumes and images: what `up` creates, pulls or builds before any container, and what `down` removes.

Rules, as Docker Compose has them:
- a network or volume the model declares is created when missing; an `external` one
  that is missing is an error (`network x declared as external, but could not be found`);
- a network found without the project's labels is used, with Compose's warning;
- a network whose config hash changed is removed and made again, after the containers
  attached to it are removed (they are made again in their service's generation);
- a volume whose config hash changed is kept, with a warning (recreating it loses data);
- images follow the pull policy (`--pull` first, then the service's `pull_policy`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from compose.hash import digest
from compose.model import FrozenMap, Network, Project, Service, Volume
from compose.plan import labels as L
from compose.plan.actions import Action, BuildImage, CreateNetwork, CreateVolume, PullImage, RemoveNetwork
from compose.plan.errors import ExternalNotFound, ImageNotPresent
from compose.plan.observed import Observed

Steps = list[tuple[str, list[Action]]]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def object_hash(obj: Network | Volume) -> str:
    """The config hash of a top-level network or volume of the model (written in its config-hash label)."""
    return digest(_plain(obj))


def networks_of(project: Project, services: Iterable[str]) -> tuple[str, ...]:
    """The keys of the top-level networks the services join, sorted."""
    keys = {key for name in services for key in project.services[name].networks if key in project.networks}
    return tuple(sorted(keys))


def volumes_of(project: Project, services: Iterable[str]) -> tuple[str, ...]:
    keys = {m.source for name in services for m in project.services[name].volumes
            if m.type == "volume" and m.source in project.volumes}
    return tuple(sorted(k for k in keys if k is not None))


def diverged_networks(project: Project, observed: Observed, keys: Iterable[str]) -> tuple[str, ...]:
    """Keys of the networks that exist with a config hash that is not the model's."""
    out = []
    for key in keys:
        net = project.networks[key]
        seen = observed.network(net.name)
        if not net.external and seen is not None and seen.config_hash and seen.config_hash != object_hash(net):
            out.append(key)
    return tuple(out)


def network_steps(project: Project, observed: Observed, keys: Iterable[str], diverged: Iterable[str],
                  warnings: list[str]) -> Steps:
    steps: Steps = []
    replaced = set(diverged)
    for key in keys:
        net = project.networks[key]
        seen = observed.network(net.name)
        if net.external:
            if seen is None:
                raise ExternalNotFound(f"network {net.name} declared as external, but could not be found")
            continue
        config_hash = object_hash(net)
        create = CreateNetwork(key, net.name, config_hash,
                               FrozenMap(L.network_labels(project, key, net, config_hash=config_hash)))
        if seen is None:
            steps.append((net.name, [create]))
        elif key in replaced:
            steps.append((net.name, [RemoveNetwork(net.name), create]))
        elif seen.labels.get(L.PROJECT) != project.name:
            whose = seen.labels.get(L.PROJECT)
            origin = f"for project {whose!r}" if whose else "by compose"
            warnings.append(f"a network with name {net.name} exists but was not created {origin}.\n"
                            "Set `external: true` to use an existing network")
    return steps


def volume_steps(project: Project, observed: Observed, keys: Iterable[str], warnings: list[str]) -> Steps:
    steps: Steps = []
    for key in keys:
        vol = project.volumes[key]
        seen = observed.volume(vol.name)
        if vol.external:
            if seen is None:
                raise ExternalNotFound(f"external volume \"{vol.name}\" not found")
            continue
        config_hash = object_hash(vol)
        if seen is None:
            labels = FrozenMap(L.volume_labels(project, key, vol, config_hash=config_hash))
            steps.append((vol.name, [CreateVolume(key, vol.name, config_hash, labels)]))
        elif seen.labels.get(L.PROJECT) != project.name:
            warnings.append(f"volume \"{vol.name}\" already exists but was not created by Docker Compose. "
                            "Use `external: true` to use an existing volume")
        elif seen.labels.get(L.CONFIG_HASH, config_hash) != config_hash:
            warnings.append(f"volume \"{vol.name}\" exists but doesn't match configuration in compose file; "
                            "it is kept (remove it, or run `down -v`, to have it made again)")
    return steps


def image_of(project: Project, service: Service) -> str:
    """The image a service runs: its `image`, else the one `build` makes (`<project>-<service>`)."""
    return service.image or f"{project.name}-{service.name}"


def _image_action(project: Project, service: Service, present: bool, pull: str | None, build: bool) -> str | None:
    """"pull", "pull-or-build", "build" or None for one service."""
    policy = (pull or service.pull_policy or "missing").replace("if_not_present", "missing")
    buildable = service.build is not None
    if buildable and (build or policy == "build" or (not present and service.image is None)):
        return "build"
    if policy == "always":  # Compose pulls, and a failed pull of a buildable image is not an error: it is built
        return "pull-or-build" if buildable else "pull"
    if present:
        return None
    if policy == "never":
        if buildable:
            return "build"
        raise ImageNotPresent(f"service {service.name}: image {service.image} is not present "
                              "and the pull policy is never")
    return "pull-or-build" if buildable else "pull"  # missing, daily, weekly, every_<duration>


def image_steps(project: Project, observed: Observed, services: Iterable[str], *, pull: str | None,
                build: bool) -> Steps:
    """One step per image: a pull (for every service naming it) or a build."""
    pulls: dict[str, list[str]] = {}
    fallback: set[str] = set()
    steps: Steps = []
    for name in sorted(services):
        service = project.services[name]
        ref = image_of(project, service)
        what = _image_action(project, service, ref in observed.images, pull, build)
        if what == "build":
            steps.append((ref, [BuildImage(ref, name)]))
        elif what is not None:
            pulls.setdefault(ref, []).append(name)
            if what == "pull-or-build":
                fallback.add(ref)
    built = {ref for ref, _ in steps}
    steps += [(ref, [PullImage(ref, tuple(names), ref in fallback)]) for ref, names in sorted(pulls.items())
              if ref not in built]
    return steps
