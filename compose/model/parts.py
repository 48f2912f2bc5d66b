"""The parts of a service: ports, mounts, network attachments, dependencies, healthcheck, build, ..."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compose.model.values import (
    EMPTY,
    FrozenMap,
    build,
    env_map,
    octal,
    seconds,
    size,
    str_map,
    strings,
    tuple_of,
)


@dataclass(frozen=True, slots=True)
class PortConfig:
    """One published or exposed port, long form: `published` may be a range (`"8000-8010"`) or absent."""

    target: int
    published: str | None = None
    host_ip: str | None = None
    protocol: str = "tcp"
    mode: str = "ingress"
    name: str | None = None
    app_protocol: str | None = None
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> PortConfig:
        return build(cls, data, {"target": int, "published": str})

    @property
    def published_range(self) -> tuple[int, int] | None:
        """The host ports as (first, last), or None when the engine picks one."""
        if not self.published:
            return None
        first, _, last = self.published.partition("-")
        return int(first), int(last or first)


@dataclass(frozen=True, slots=True)
class BindOptions:
    """A bind mount's options: propagation, create_host_path, selinux."""

    propagation: str | None = None
    create_host_path: bool | None = None
    selinux: str | None = None
    recursive: str | None = None
    extra: FrozenMap[str, Any] = EMPTY


@dataclass(frozen=True, slots=True)
class VolumeOptions:
    """A volume mount's options: nocopy, subpath."""

    nocopy: bool = False
    subpath: str | None = None
    labels: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY


@dataclass(frozen=True, slots=True)
class TmpfsOptions:
    """`size` in bytes, `mode` as permission bits."""

    size: int | None = None
    mode: int | None = None
    extra: FrozenMap[str, Any] = EMPTY


@dataclass(frozen=True, slots=True)
class Mount:
    """One entry of `volumes:`, long form. `type` is bind, volume, tmpfs, image, npipe or cluster.

    A volume mount without `source` is anonymous; a named one refers to a top-level volume.
    """

    type: str
    target: str
    source: str | None = None
    read_only: bool = False
    consistency: str | None = None
    bind: BindOptions | None = None
    volume: VolumeOptions | None = None
    tmpfs: TmpfsOptions | None = None
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Mount:
        return build(cls, data, {
            "bind": lambda v: build(BindOptions, v, {}),
            "volume": lambda v: build(VolumeOptions, v, {"labels": str_map}),
            "tmpfs": lambda v: build(TmpfsOptions, v, {"size": size, "mode": octal}),
        })


@dataclass(frozen=True, slots=True)
class ServiceNetwork:
    """How a service joins one network; `networks: {front: null}` gives all defaults."""

    aliases: tuple[str, ...] = ()
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    link_local_ips: tuple[str, ...] = ()
    mac_address: str | None = None
    priority: int = 0
    gw_priority: int = 0
    interface_name: str | None = None
    driver_opts: FrozenMap[str, str] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any] | None) -> ServiceNetwork:
        return build(cls, data, {"aliases": strings, "link_local_ips": strings, "priority": int,
                                 "gw_priority": int, "driver_opts": str_map})


@dataclass(frozen=True, slots=True)
class Dependency:
    """One `depends_on` entry: wait for `condition`; `restart` restarts this service when that one restarts."""

    condition: str = "service_started"
    required: bool = True
    restart: bool = False

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any] | None) -> Dependency:
        return build(cls, data, {"required": bool, "restart": bool})


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """`test` is `("CMD", ...)`, `("CMD-SHELL", "...")` or `("NONE",)`; durations in seconds, None for the default."""

    test: tuple[str, ...] = ()
    interval: float | None = None
    timeout: float | None = None
    start_period: float | None = None
    start_interval: float | None = None
    retries: int | None = None
    disable: bool = False

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Healthcheck:
        return build(cls, data, {"test": strings, "interval": seconds, "timeout": seconds,
                                 "start_period": seconds, "start_interval": seconds, "retries": int})

    @property
    def disabled(self) -> bool:
        return self.disable or self.test[:1] == ("NONE",)


@dataclass(frozen=True, slots=True)
class FileReference:
    """A service's use of a secret or config (or a build secret); `mode` as permission bits."""

    source: str
    target: str | None = None
    uid: str | None = None
    gid: str | None = None
    mode: int | None = None
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any] | str) -> FileReference:
        if isinstance(data, str):
            return cls(source=data)
        return build(cls, data, {"mode": octal, "uid": str, "gid": str})


@dataclass(frozen=True, slots=True)
class Ulimit:
    """One ulimit: soft and hard."""

    soft: int
    hard: int

    @classmethod
    def from_canonical(cls, data: Any) -> Ulimit:
        if isinstance(data, Mapping):
            return cls(soft=int(data["soft"]), hard=int(data["hard"]))
        return cls(soft=int(data), hard=int(data))


@dataclass(frozen=True, slots=True)
class Device:
    """A host device made visible in the container: `source` on the host, `target` inside."""

    source: str
    target: str
    permissions: str = "rwm"

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any] | str) -> Device:
        if isinstance(data, str):
            parts = data.split(":")
            return cls(parts[0], parts[1] if len(parts) > 1 else parts[0], parts[2] if len(parts) > 2 else "rwm")
        return build(cls, data, {})


@dataclass(frozen=True, slots=True)
class Hook:
    """A lifecycle hook (`post_start[]`, `pre_stop[]`): a command run inside the container."""

    command: tuple[str, ...] = ()
    user: str | None = None
    privileged: bool = False
    working_dir: str | None = None
    environment: FrozenMap[str, str | None] = EMPTY
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Hook:
        return build(cls, data, {"command": strings, "environment": env_map, "user": str})


@dataclass(frozen=True, slots=True)
class Logging:
    """A service's log driver and its options."""

    driver: str | None = None
    options: FrozenMap[str, str] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Logging:
        return build(cls, data, {"options": str_map})


@dataclass(frozen=True, slots=True)
class Build:
    """How to build the service's image; paths are absolute in canonical data."""

    context: str = "."
    dockerfile: str | None = None
    dockerfile_inline: str | None = None
    args: FrozenMap[str, str | None] = EMPTY
    target: str | None = None
    labels: FrozenMap[str, str] = EMPTY
    cache_from: tuple[str, ...] = ()
    cache_to: tuple[str, ...] = ()
    no_cache: bool = False
    pull: bool = False
    network: str | None = None
    shm_size: int | None = None
    extra_hosts: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    ssh: tuple[str, ...] = ()
    secrets: tuple[FileReference, ...] = ()
    additional_contexts: FrozenMap[str, str] = EMPTY
    privileged: bool = False
    isolation: str | None = None
    extra: FrozenMap[str, Any] = EMPTY

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Build:
        return build(cls, data, {
            "args": env_map, "labels": str_map, "additional_contexts": str_map, "shm_size": size,
            "cache_from": strings, "cache_to": strings, "extra_hosts": strings, "platforms": strings,
            "tags": strings, "ssh": strings, "secrets": tuple_of(FileReference.from_canonical),
        })
