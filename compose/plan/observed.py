"""What is there: the project's containers, networks, volumes and images, as plain frozen data.

The caller gathers it from the engine and netplan before planning (containers
labelled `com.docker.compose.project=<name>`, the project's networks and volumes,
the digests of the images the services name), so the planner is a pure function
and its tests write an `Observed` by hand.

    >>> c = ObservedContainer.from_labels("f00", "demo-web-1", {
    ...     "com.docker.compose.service": "web", "com.docker.compose.container-number": "1",
    ...     "com.docker.compose.oneoff": "False", "com.docker.compose.config-hash": "abc"}, state="exited")
    >>> (c.service, c.number, c.oneoff, c.config_hash, c.running)
    ('web', 1, False, 'abc', False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from compose.model import FrozenMap
from compose.plan import labels as L

STATES = ("created", "running", "exited", "paused", "restarting", "dead", "removing")


@dataclass(frozen=True, slots=True)
class ObservedContainer:
    """One container of the project. `state` is one of `STATES`; `health` starting/healthy/unhealthy or None.

    `image_digest` is the `com.docker.compose.image` label: the digest of the image it was made from.
    `networks` are the engine names of the networks it is attached to.
    """

    id: str
    name: str
    service: str
    number: int = 1
    oneoff: bool = False
    config_hash: str = ""
    image_digest: str | None = None
    state: str = "running"
    exit_code: int | None = None
    health: str | None = None
    networks: tuple[str, ...] = ()

    @classmethod
    def from_labels(cls, id: str, name: str, labels: Mapping[str, str], *, state: str = "running",
                    exit_code: int | None = None, health: str | None = None,
                    networks: tuple[str, ...] = ()) -> ObservedContainer:
        """A container as the engine lists it, read through Compose's labels."""
        number = labels.get(L.CONTAINER_NUMBER, "")
        return cls(id=id, name=name, service=labels.get(L.SERVICE, ""),
                   number=int(number) if number.isdigit() else 0,
                   oneoff=labels.get(L.ONEOFF, "False").lower() == "true",
                   config_hash=labels.get(L.CONFIG_HASH, ""), image_digest=labels.get(L.IMAGE) or None,
                   state=state, exit_code=exit_code, health=health, networks=tuple(networks))

    @property
    def running(self) -> bool:
        """Up, as `up` sees it: a paused or restarting container is not started again."""
        return self.state in ("running", "paused", "restarting")


@dataclass(frozen=True, slots=True)
class ObservedNetwork:
    """A network with the project's name on it; `config_hash` from its label ("" when it has none)."""

    name: str
    config_hash: str = ""
    labels: FrozenMap[str, str] = field(default_factory=FrozenMap)

    @classmethod
    def from_labels(cls, name: str, labels: Mapping[str, str]) -> ObservedNetwork:
        return cls(name, labels.get(L.CONFIG_HASH, ""), FrozenMap(labels))


@dataclass(frozen=True, slots=True)
class ObservedVolume:
    """A volume the engine holds under a name the model uses."""

    name: str
    labels: FrozenMap[str, str] = field(default_factory=FrozenMap)


@dataclass(frozen=True, slots=True)
class Observed:
    """Everything planning needs to know of the world, for project `project`.

    `containers` are those labelled with the project (one-off `run` containers too).
    `networks` and `volumes` are those whose engine names the model uses, wherever
    they came from. `images` maps each image reference a service names (as written)
    to the digest of the local image; a reference that is absent is not present.
    """

    project: str
    containers: tuple[ObservedContainer, ...] = ()
    networks: tuple[ObservedNetwork, ...] = ()
    volumes: tuple[ObservedVolume, ...] = ()
    images: FrozenMap[str, str] = field(default_factory=FrozenMap)

    def of_service(self, service: str) -> tuple[ObservedContainer, ...]:
        """The service's containers (one-offs left out), by number."""
        return tuple(sorted((c for c in self.containers if c.service == service and not c.oneoff),
                            key=lambda c: (c.number, c.name)))

    def network(self, name: str) -> ObservedNetwork | None:
        return next((n for n in self.networks if n.name == name), None)

    def volume(self, name: str) -> ObservedVolume | None:
        return next((v for v in self.volumes if v.name == name), None)
