"""`Project` and its top-level objects: networks, volumes, secrets and configs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compose.errors import ServiceNotFound
from compose.model.service import Service
from compose.model.values import EMPTY, FrozenMap, build, freeze, str_map


@dataclass(frozen=True, slots=True)
class IpamPool:
    """One `ipam.config` entry: subnet, ip_range, gateway, aux_addresses."""

    subnet: str | None = None
    ip_range: str | None = None
    gateway: str | None = None
    aux_addresses: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY


@dataclass(frozen=True, slots=True)
class Ipam:
    """A network's `ipam`: driver, pools and options."""

    driver: str | None = None
    config: tuple[IpamPool, ...] = ()
    options: FrozenMap[str, str] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Ipam:
        pools = lambda v: tuple(build(IpamPool, p, {"aux_addresses": str_map}) for p in v)  # noqa: E731
        return build(cls, data, {"config": pools, "options": str_map})


@dataclass(frozen=True, slots=True)
class Network:
    """A top-level network; `name` is the engine's name (`<project>_<key>` unless set or external)."""

    name: str
    driver: str | None = None
    driver_opts: FrozenMap[str, str] = EMPTY
    external: bool = False
    internal: bool = False
    attachable: bool = False
    enable_ipv4: bool | None = None
    enable_ipv6: bool | None = None
    ipam: Ipam = field(default_factory=Ipam)
    labels: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, key: str, data: Mapping[str, Any] | None) -> Network:
        return build(cls, data, {"driver_opts": str_map, "ipam": Ipam.from_canonical, "labels": str_map},
                     name=str((data or {}).get("name") or key))


@dataclass(frozen=True, slots=True)
class Volume:
    """A top-level named volume; `name` is the engine's name."""

    name: str
    driver: str | None = None
    driver_opts: FrozenMap[str, str] = EMPTY
    external: bool = False
    labels: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, key: str, data: Mapping[str, Any] | None) -> Volume:
        return build(cls, data, {"driver_opts": str_map, "labels": str_map},
                     name=str((data or {}).get("name") or key))


@dataclass(frozen=True, slots=True)
class FileObject:
    """A top-level secret or config: its content comes from `file`, `environment` or (configs) `content`."""

    name: str
    file: str | None = None
    environment: str | None = None
    content: str | None = None
    external: bool = False
    labels: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, key: str, data: Mapping[str, Any] | None) -> Any:
        return build(cls, data, {"labels": str_map}, name=str((data or {}).get("name") or key))


@dataclass(frozen=True, slots=True)
class Secret(FileObject):
    """A top-level secret: its source (file, environment or content) and name."""

    pass


@dataclass(frozen=True, slots=True)
class Config(FileObject):
    """A top-level config: its source (file, environment or content) and name."""

    pass


@dataclass(frozen=True, slots=True)
class Project:
    """A whole project, immutable: what every phase after loading works from.

    >>> p = Project.from_canonical({"name": "demo", "services": {"web": {"image": "nginx"}}}, working_dir=Path("/p"))
    >>> p.service("web").image, p.service("web").replicas
    ('nginx', 1)
    """

    name: str
    working_dir: Path
    services: FrozenMap[str, Service] = EMPTY
    networks: FrozenMap[str, Network] = EMPTY
    volumes: FrozenMap[str, Volume] = EMPTY
    secrets: FrozenMap[str, Secret] = EMPTY
    configs: FrozenMap[str, Config] = EMPTY
    environment: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any], *, working_dir: Path,
                       environment: Mapping[str, str] | None = None) -> Project:
        """The model of a canonical project dict; absent sections are empty.

        `environment` is what interpolation used (Compose keeps it beside the project).
        """
        from compose.hash import service_hash

        services = {name: Service.from_canonical(name, svc or {}, config_hash=service_hash(svc or {}))
                    for name, svc in (data.get("services") or {}).items()}
        known = {"name", "services", "networks", "volumes", "secrets", "configs"}
        return cls(
            name=str(data.get("name") or ""),
            working_dir=Path(working_dir),
            services=FrozenMap(services),
            networks=_objects(data, "networks", Network),
            volumes=_objects(data, "volumes", Volume),
            secrets=_objects(data, "secrets", Secret),
            configs=_objects(data, "configs", Config),
            environment=str_map(environment or {}),
            extra=FrozenMap({k: freeze(v) for k, v in data.items() if k not in known}),
        )

    def service(self, name: str) -> Service:
        """The service called `name`; ServiceNotFound names the ones there are."""
        try:
            return self.services[name]
        except KeyError:
            known = ", ".join(sorted(self.services)) or "none"
            raise ServiceNotFound(f"no such service: {name} (the project has: {known})") from None

    def select(self, names: tuple[str, ...] | list[str]) -> tuple[Service, ...]:
        """The services named (all of them when none are), checking each name."""
        return tuple(self.service(n) for n in names) if names else tuple(self.services.values())

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(self.services)


def _objects(data: Mapping[str, Any], section: str, kind: Any) -> FrozenMap[str, Any]:
    return FrozenMap({str(key): kind.from_canonical(str(key), obj) for key, obj in (data.get(section) or {}).items()})


