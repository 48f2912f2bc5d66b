"""`Service`: one service of a project, typed, with every attribute planning and running use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compose.model.deploy import Deploy, DeviceRequest
from compose.model.parts import (
    Build,
    Dependency,
    Device,
    FileReference,
    Healthcheck,
    Hook,
    Logging,
    Mount,
    PortConfig,
    ServiceNetwork,
    Ulimit,
)
from compose.model.values import (
    EMPTY,
    FrozenMap,
    build,
    env_map,
    map_of,
    seconds,
    size,
    str_map,
    strings,
    tuple_of,
)


def host_entries(value: Any) -> tuple[tuple[str, str], ...]:
    """`extra_hosts` as (host, address) pairs; canonical data writes `host=address`."""
    pairs = []
    for entry in value.items() if isinstance(value, Mapping) else value:
        if isinstance(entry, str):
            sep = "=" if "=" in entry else ":"
            host, _, address = entry.partition(sep)
            pairs.append((host, address))
        else:
            host, address = entry
            for one in strings(address):
                pairs.append((str(host), one))
    return tuple(pairs)


@dataclass(frozen=True, slots=True)
class Service:
    """A service as `docker compose config` describes it.

    Sizes are bytes, durations seconds, file modes permission bits. Attributes the
    model does not name stay in `extra`. `config_hash` is the hash of the canonical
    definition (see `compose.hash`), filled in by `Project.from_canonical`.
    """

    name: str
    image: str | None = None
    build: Build | None = None
    pull_policy: str | None = None
    platform: str | None = None
    # the process
    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    environment: FrozenMap[str, str | None] = EMPTY
    working_dir: str | None = None
    user: str | None = None
    group_add: tuple[str, ...] = ()
    init: bool | None = None
    tty: bool = False
    stdin_open: bool = False
    stop_signal: str | None = None
    stop_grace_period: float | None = None
    healthcheck: Healthcheck | None = None
    restart: str | None = None
    post_start: tuple[Hook, ...] = ()
    pre_stop: tuple[Hook, ...] = ()
    # identity
    container_name: str | None = None
    hostname: str | None = None
    domainname: str | None = None
    labels: FrozenMap[str, str] = EMPTY
    annotations: FrozenMap[str, str] = EMPTY
    profiles: tuple[str, ...] = ()
    scale: int | None = None
    deploy: Deploy | None = None
    # network
    ports: tuple[PortConfig, ...] = ()
    expose: tuple[str, ...] = ()
    networks: FrozenMap[str, ServiceNetwork] = EMPTY
    network_mode: str | None = None
    mac_address: str | None = None
    dns: tuple[str, ...] = ()
    dns_search: tuple[str, ...] = ()
    dns_opt: tuple[str, ...] = ()
    extra_hosts: tuple[tuple[str, str], ...] = ()
    links: tuple[str, ...] = ()
    external_links: tuple[str, ...] = ()
    # storage
    volumes: tuple[Mount, ...] = ()
    volumes_from: tuple[str, ...] = ()
    tmpfs: tuple[str, ...] = ()
    read_only: bool = False
    shm_size: int | None = None
    secrets: tuple[FileReference, ...] = ()
    configs: tuple[FileReference, ...] = ()
    storage_opt: FrozenMap[str, str] = EMPTY
    # order
    depends_on: FrozenMap[str, Dependency] = EMPTY
    # isolation and privileges
    privileged: bool = False
    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = ()
    sysctls: FrozenMap[str, str] = EMPTY
    ulimits: FrozenMap[str, Ulimit] = EMPTY
    devices: tuple[Device, ...] = ()
    device_cgroup_rules: tuple[str, ...] = ()
    gpus: tuple[DeviceRequest, ...] = ()
    ipc: str | None = None
    pid: str | None = None
    uts: str | None = None
    userns_mode: str | None = None
    cgroup: str | None = None
    cgroup_parent: str | None = None
    runtime: str | None = None
    isolation: str | None = None
    # resources (the deploy.resources spelling is in `deploy`; see the properties below)
    cpus: float | None = None
    cpu_shares: int | None = None
    cpu_quota: int | None = None
    cpu_period: int | None = None
    cpuset: str | None = None
    mem_limit: int | None = None
    mem_reservation: int | None = None
    memswap_limit: int | None = None
    mem_swappiness: int | None = None
    pids_limit: int | None = None
    oom_kill_disable: bool = False
    oom_score_adj: int | None = None
    logging: Logging | None = None
    attach: bool = True
    extra: FrozenMap[str, Any] = EMPTY
    config_hash: str = field(default="", compare=False)

    @classmethod
    def from_canonical(cls, name: str, data: Mapping[str, Any], *, config_hash: str = "") -> Service:
        return build(cls, data, _CONVERT, name=name, config_hash=config_hash)

    @property
    def replicas(self) -> int:
        """How many containers the service runs: `scale`, else `deploy.replicas`, else 1."""
        if self.scale is not None:
            return self.scale
        if self.deploy is not None and self.deploy.replicas is not None:
            return self.deploy.replicas
        return 1

    def _limit(self, own: Any, section: str, key: str) -> Any:
        if own is not None:
            return own
        spec = getattr(self.deploy.resources, section) if self.deploy else None
        return getattr(spec, key) if spec is not None else None

    @property
    def memory_limit(self) -> int | None:
        """Bytes, from `mem_limit` or `deploy.resources.limits.memory`."""
        return self._limit(self.mem_limit, "limits", "memory")

    @property
    def memory_reservation(self) -> int | None:
        return self._limit(self.mem_reservation, "reservations", "memory")

    @property
    def cpu_limit(self) -> float | None:
        """CPUs (a fraction), from `cpus` or `deploy.resources.limits.cpus`."""
        return self._limit(self.cpus, "limits", "cpus")

    @property
    def pids_max(self) -> int | None:
        return self._limit(self.pids_limit, "limits", "pids")

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Services this one waits for (canonical `depends_on` holds links, network_mode, ... too)."""
        return tuple(self.depends_on)


_CONVERT = {
    "build": Build.from_canonical,
    "command": strings,
    "entrypoint": strings,
    "environment": env_map,
    "group_add": strings,
    "stop_grace_period": seconds,
    "healthcheck": Healthcheck.from_canonical,
    "post_start": tuple_of(Hook.from_canonical),
    "pre_stop": tuple_of(Hook.from_canonical),
    "labels": str_map,
    "annotations": str_map,
    "profiles": strings,
    "scale": int,
    "deploy": Deploy.from_canonical,
    "ports": tuple_of(PortConfig.from_canonical),
    "expose": strings,
    "networks": lambda v: FrozenMap({str(k): ServiceNetwork.from_canonical(n) for k, n in v.items()}),
    "dns": strings,
    "dns_search": strings,
    "dns_opt": strings,
    "extra_hosts": host_entries,
    "links": strings,
    "external_links": strings,
    "volumes": tuple_of(Mount.from_canonical),
    "volumes_from": strings,
    "tmpfs": strings,
    "shm_size": size,
    "secrets": tuple_of(FileReference.from_canonical),
    "configs": tuple_of(FileReference.from_canonical),
    "storage_opt": str_map,
    "depends_on": lambda v: FrozenMap({str(k): Dependency.from_canonical(d) for k, d in v.items()}),
    "cap_add": strings,
    "cap_drop": strings,
    "security_opt": strings,
    "sysctls": str_map,
    "ulimits": map_of(Ulimit.from_canonical),
    "devices": tuple_of(Device.from_canonical),
    "device_cgroup_rules": strings,
    "gpus": tuple_of(DeviceRequest.from_canonical),
    "cpus": float,
    "cpu_shares": int,
    "cpu_quota": int,
    "cpu_period": int,
    "cpuset": str,
    "mem_limit": size,
    "mem_reservation": size,
    "memswap_limit": size,
    "mem_swappiness": int,
    "pids_limit": int,
    "oom_score_adj": int,
    "logging": Logging.from_canonical,
    "user": str,
}
