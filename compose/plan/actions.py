"""The actions a plan is made of: typed, frozen, each able to say in one line what it will do.

`describe()` reads like Docker Compose's progress lines (`Container demo-web-1  Recreate`),
which is also what its `--dry-run` prints after `DRY-RUN MODE - `. An action names
what it acts on (engine names and ids) and, for what it creates, the model key the
executor looks the definition up by (`project.networks[key]`, `project.services[service]`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compose.model import FrozenMap


@dataclass(frozen=True, slots=True)
class Action:
    """Base of every action."""

    def describe(self) -> str:
        raise NotImplementedError


# --- networks, volumes, images -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CreateNetwork(Action):
    """Make the project's network `key` under its engine name."""

    key: str
    name: str
    config_hash: str = ""
    labels: FrozenMap[str, str] = field(default_factory=FrozenMap)

    def describe(self) -> str:
        return f"Network {self.name}  Creating"


@dataclass(frozen=True, slots=True)
class RemoveNetwork(Action):
    """Remove the network of that engine name."""

    name: str

    def describe(self) -> str:
        return f"Network {self.name}  Removing"


@dataclass(frozen=True, slots=True)
class CreateVolume(Action):
    """Make the project's volume `key` under its engine name."""

    key: str
    name: str
    config_hash: str = ""
    labels: FrozenMap[str, str] = field(default_factory=FrozenMap)

    def describe(self) -> str:
        return f"Volume {self.name}  Creating"


@dataclass(frozen=True, slots=True)
class RemoveVolume(Action):
    """Remove the volume of that engine name."""

    name: str

    def describe(self) -> str:
        return f"Volume {self.name}  Removing"


@dataclass(frozen=True, slots=True)
class PullImage(Action):
    """Pull `image` for `services`; `build_fallback`: build it when the registry has none (Compose's default
    for a service with both `image` and `build`)."""

    image: str
    services: tuple[str, ...]
    build_fallback: bool = False

    def describe(self) -> str:
        return f"Image {self.image}  Pulling"


@dataclass(frozen=True, slots=True)
class BuildImage(Action):
    """Build a service's image."""

    image: str
    service: str

    def describe(self) -> str:
        return f"Image {self.image}  Building"


@dataclass(frozen=True, slots=True)
class RemoveImage(Action):
    """Remove an image (`down --rmi`)."""

    image: str

    def describe(self) -> str:
        return f"Image {self.image}  Removing"


# --- containers -------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CreateContainer(Action):
    """Create container `name` (number `number`) of `service` from `image`, with `labels` (Compose's included)."""

    service: str
    number: int
    name: str
    config_hash: str
    image: str
    labels: FrozenMap[str, str] = field(default_factory=FrozenMap)

    def describe(self) -> str:
        return f"Container {self.name}  Creating"


@dataclass(frozen=True, slots=True)
class RecreateContainer(Action):
    """Replace container `old_id` by a new one made as `CreateContainer` would, under the same name.

    As Compose does: stop the old one, rename it `<short id>_<name>`, create the new one
    (labelled `com.docker.compose.replace=<old name>`), remove the old one. The new one
    is started by a later `StartContainer` when the plan has one (not with `--no-start`).
    """

    service: str
    number: int
    old_id: str
    old_name: str
    name: str
    config_hash: str
    image: str
    reason: str
    labels: FrozenMap[str, str] = field(default_factory=FrozenMap)
    timeout: float | None = None

    def describe(self) -> str:
        return f"Container {self.name}  Recreate"


@dataclass(frozen=True, slots=True)
class StartContainer(Action):
    """Start `name`; `id` is None when the container is made earlier in the same plan."""

    service: str
    name: str
    id: str | None = None

    def describe(self) -> str:
        return f"Container {self.name}  Starting"


@dataclass(frozen=True, slots=True)
class StopContainer(Action):
    """Stop a container (its stop signal, then SIGKILL after the timeout)."""

    service: str
    name: str
    id: str
    timeout: float | None = None

    def describe(self) -> str:
        return f"Container {self.name}  Stopping"


@dataclass(frozen=True, slots=True)
class RestartContainer(Action):
    """Stop and start `name` (a dependent with `restart: true` of a recreated dependency)."""

    service: str
    name: str
    id: str
    timeout: float | None = None

    def describe(self) -> str:
        return f"Container {self.name}  Restarting"


@dataclass(frozen=True, slots=True)
class RemoveContainer(Action):
    """Remove a stopped container; `volumes`: its anonymous volumes too (`down -v`)."""

    service: str
    name: str
    id: str
    volumes: bool = False

    def describe(self) -> str:
        return f"Container {self.name}  Removing"


@dataclass(frozen=True, slots=True)
class WaitDependency(Action):
    """Before starting `service`: wait until `dependency` meets `condition` (`required: false` only warns)."""

    service: str
    dependency: str
    condition: str
    required: bool = True

    def describe(self) -> str:
        return f"Service {self.dependency}  Waiting ({self.condition.removeprefix('service_')})"


# --- orphans ----------------------------------------------------------------------------------------------------

ORPHANS_WARNING = ("Found orphan containers ([{names}]) for this project. If you removed or renamed this service "
                   "in your compose file, you can run this command with the --remove-orphans flag to clean it up.")


@dataclass(frozen=True, slots=True)
class WarnOrphans(Action):
    """Nothing to do but say so: containers of the project whose service the file no longer has."""

    names: tuple[str, ...]

    def describe(self) -> str:
        return ORPHANS_WARNING.format(names=" ".join(self.names))


@dataclass(frozen=True, slots=True)
class RemoveOrphans(Action):
    """Stop and remove the containers `(id, name)` of services the file no longer has."""

    containers: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        return "Orphan containers " + ", ".join(n for _, n in self.containers) + "  Removing"
