"""`deploy:` — replicas, resource limits and reservations, the restart policy — and `gpus:`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compose.model.values import EMPTY, FrozenMap, build, seconds, size, str_map, strings, tuple_of


@dataclass(frozen=True, slots=True)
class DeviceRequest:
    """A device reservation (`deploy.resources.reservations.devices[]`, `gpus[]`); count -1 means all."""

    capabilities: tuple[str, ...] = ()
    count: int | None = None
    device_ids: tuple[str, ...] = ()
    driver: str | None = None
    options: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> DeviceRequest:
        return build(cls, data, {"capabilities": strings, "device_ids": strings, "options": str_map,
                                 "count": lambda v: -1 if v == "all" else int(v)})


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    """One of `limits` and `reservations`: cpus (a fraction of CPUs), memory in bytes, pids."""

    cpus: float | None = None
    memory: int | None = None
    pids: int | None = None
    devices: tuple[DeviceRequest, ...] = ()
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> ResourceSpec:
        return build(cls, data, {"cpus": float, "memory": size, "pids": int,
                                 "devices": tuple_of(DeviceRequest.from_canonical)})


@dataclass(frozen=True, slots=True)
class Resources:
    """`deploy.resources`: limits and reservations."""

    limits: ResourceSpec | None = None
    reservations: ResourceSpec | None = None

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Resources:
        return build(cls, data, {"limits": ResourceSpec.from_canonical,
                                 "reservations": ResourceSpec.from_canonical})


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """`deploy.restart_policy`: condition `none`, `on-failure` or `any`; delay and window in seconds."""

    condition: str | None = None
    delay: float | None = None
    max_attempts: int | None = None
    window: float | None = None

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> RestartPolicy:
        return build(cls, data, {"delay": seconds, "window": seconds, "max_attempts": int})


@dataclass(frozen=True, slots=True)
class Deploy:
    """What of `deploy:` a single engine honours; Swarm's placement and update settings stay in `extra`."""

    mode: str | None = None
    replicas: int | None = None
    resources: Resources = field(default_factory=Resources)
    restart_policy: RestartPolicy | None = None
    labels: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Deploy:
        return build(cls, data, {"replicas": int, "resources": Resources.from_canonical,
                                 "restart_policy": RestartPolicy.from_canonical, "labels": str_map})
