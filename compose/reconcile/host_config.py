"""A service's attributes as the engine's container options, as Docker Compose maps them (its create.go).

    fields(service)                      -> RunOptions fields (pure): privileges, namespaces, devices,
                                            resources (deploy.resources.limits and reservations.memory where
                                            set, as Compose applies them last; the loader has refused values
                                            that disagree with mem_limit, cpus or pids_limit), logging
    joins(world, project, service, o)    -> RunOptions `o` with `service:x` in ipc and pid, and services in
                                            volumes_from, turned into the container of x (its first running
                                            one), as Compose does
    refuse(project, services)            -> raise, before anything is made, for what cannot work here
    warnings(service)                    -> what is accepted but cannot be applied on this host

Refused, one line naming the service and the attribute (Docker would fail at create or start, after
other containers were made): `gpus` and device reservations (no GPU driver), `storage_opt` (only
overlay on xfs with pquota), `isolation` other than default (Linux has no other), `userns_mode`
other than host, a logging driver other than json-file, local and none, `cpu_rt_*` (a daemon-wide
real-time budget) and `use_api_socket`. `cpu_count` and
`cpu_percent` are warned about and dropped, as Docker does on Linux.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from compose.model import Project, Service
from compose.reconcile.errors import DependencyFailed, NotSupportedYet

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.containers.options import RunOptions

LOG_DRIVERS = ("json-file", "local", "none")


def _deploy_limit(service: Service, key: str) -> Any:
    resources = service.deploy.resources if service.deploy else None
    spec = resources.limits if resources else None
    return getattr(spec, key) if spec is not None else None


def _reservation(service: Service) -> int | None:
    resources = service.deploy.resources if service.deploy else None
    spec = resources.reservations if resources else None
    return spec.memory if spec is not None and spec.memory else service.mem_reservation


def _resources(service: Service) -> dict[str, Any]:
    """Compose's getDeployResources: the service's own, then deploy.resources.limits where set (applied last)."""
    memory = _deploy_limit(service, "memory") or service.mem_limit
    blkio = service.extra.get("blkio_config") or {}
    return {
        "memory": None if not memory else str(memory),
        "cpus": _deploy_limit(service, "cpus") or service.cpus,
        "pids_limit": _deploy_limit(service, "pids") or service.pids_limit,
        "memory_reservation": None if not _reservation(service) else str(_reservation(service)),
        "memory_swap": None if not service.memswap_limit else str(service.memswap_limit),
        "memory_swappiness": service.mem_swappiness,
        "oom_kill_disable": service.oom_kill_disable,
        "cpu_shares": service.cpu_shares, "cpu_quota": service.cpu_quota, "cpu_period": service.cpu_period,
        "cpuset_cpus": service.cpuset,
        "blkio_weight": blkio.get("weight") or None,
        "blkio_weight_device": tuple((d["path"], int(d["weight"])) for d in blkio.get("weight_device") or ()),
        **{key: tuple((d["path"], str(d["rate"]) if key.endswith("bps") else int(d["rate"]))
                      for d in blkio.get(key) or ())
           for key in ("device_read_bps", "device_write_bps", "device_read_iops", "device_write_iops")},
        "cgroup_parent": service.cgroup_parent,
    }


def _security(service: Service) -> dict[str, Any]:
    from engine.containers import flags

    try:
        opts, _ = flags.security_opts(service.security_opt)
    except Exception as err:  # noqa: BLE001 - the engine's words, with the service named
        raise NotSupportedYet(f"service {service.name}: security_opt: {err}") from None
    return opts


def fields(service: Service) -> dict[str, Any]:
    """The RunOptions fields of the service's attributes beyond command, user, mounts and networks."""
    from engine.containers.options import Device, Ulimit

    check(service)
    logging = service.logging
    return {
        "privileged": service.privileged, "cap_add": service.cap_add, "cap_drop": service.cap_drop,
        "read_only": service.read_only, "group_add": service.group_add, "init": bool(service.init),
        "domainname": service.domainname, "sysctls": dict(service.sysctls),
        "ulimits": tuple(Ulimit(name, u.soft, u.hard) for name, u in service.ulimits.items()),
        "oom_score_adj": service.oom_score_adj, "annotations": dict(service.annotations),
        "ipc": service.ipc or "private", "pid": service.pid or "", "uts": service.uts or "",
        "cgroupns": service.cgroup or "private", "userns": service.userns_mode or "",
        "shm_size": service.shm_size,
        "devices": tuple(Device(d.source, d.target, d.permissions) for d in service.devices),
        "device_cgroup_rules": service.device_cgroup_rules,
        "log_driver": (logging.driver if logging else None) or "json-file",
        "log_opts": dict(logging.options) if logging else {},
        "volumes_from": service.volumes_from, "expose": _expose(service.expose),
        "extra_hosts": service.extra_hosts,
        **_resources(service), **_security(service),
    }


def _expose(ports: Iterable[str]) -> tuple[str, ...]:
    from engine.containers import flags

    return flags.expose(ports)


def check(service: Service) -> None:
    """Refuse what cannot work here, naming the service and the attribute."""
    what = f"service {service.name}"
    reservations = service.deploy.resources.reservations if service.deploy else None
    if service.gpus or (reservations is not None and reservations.devices):
        key = "gpus" if service.gpus else "deploy.resources.reservations.devices"
        raise NotSupportedYet(f"{what}: {key}: could not select device driver: this host has no GPU runtime",
                              hint="remove the device request; pycompose runs containers without GPUs")
    if service.storage_opt:
        raise NotSupportedYet(f"{what}: storage_opt: not supported: pycompose's overlay snapshots have no "
                              "per-container quota", hint="remove storage_opt")
    if service.isolation not in (None, "", "default"):
        raise NotSupportedYet(f"{what}: isolation: Invalid isolation: {service.isolation!r} - Linux only "
                              "supports 'default'")
    if service.userns_mode not in (None, "", "host"):
        raise NotSupportedYet(f"{what}: userns_mode {service.userns_mode!r}: user namespaces are not remapped "
                              "here", hint="leave userns_mode unset, or host")
    for key, reason in (("cpu_rt_runtime", "real-time CPU time needs a daemon-wide budget pycompose does not keep"),
                        ("cpu_rt_period", "real-time CPU time needs a daemon-wide budget pycompose does not keep"),
                        ("use_api_socket", "pycompose has no Docker API socket to give a container")):
        if service.extra.get(key):
            raise NotSupportedYet(f"{what}: {key}: {reason}", hint=f"remove {key}")
    driver = service.logging.driver if service.logging else None
    if driver not in (None, *LOG_DRIVERS):
        raise NotSupportedYet(f"{what}: logging.driver {driver!r}: not supported",
                              hint="use json-file, local or none: pycompose keeps logs in files only")


def refuse(project: Project, services: Iterable[str]) -> None:
    """`check` every service about to get a container, before anything is made."""
    for name in services:
        if name in project.services:
            check(project.services[name])


def warnings(service: Service) -> list[str]:
    from engine.containers import flags
    from engine.containers.limits import warnings as host_warnings
    from engine.containers.options import RunOptions

    _, notes = flags.security_opts(service.security_opt)
    own = RunOptions("", **{k: v for k, v in _resources(service).items() if k != "cgroup_parent"})
    notes += host_warnings(own)
    for key, word in (("cpu_percent", "percent"), ("cpu_count", "count")):  # Docker's words on Linux
        if service.extra.get(key):
            notes.append(f"linux does not support CPU {word}. {word.title()} discarded.")
    return [f"service {service.name}: {note}" for note in notes]


def _container_of(world: World, project: Project, service: Service, target: str, key: str) -> str:
    """The id of the first running container of service `target`, which `key` of `service` names."""
    from compose.plan import labels as L
    from compose.reconcile.observe import project_records

    records = sorted((r for r in project_records(world, project.name)
                      if r.labels.get(L.SERVICE) == target and r.labels.get(L.ONEOFF, "False") != "True"
                      and r.state in ("running", "paused", "restarting")),
                     key=lambda r: int(r.labels.get(L.CONTAINER_NUMBER, "0") or 0))
    if not records:
        raise DependencyFailed(f"service {service.name}: {key}: service {target} has no running container")
    return records[0].id


def joins(world: World, project: Project, service: Service, options: RunOptions) -> RunOptions:
    """`options` with `service:x` in ipc and pid, and the service names of volumes_from, turned into containers."""
    changes: dict[str, Any] = {}
    for key in ("ipc", "pid"):
        kind, _, target = str(getattr(options, key) or "").partition(":")
        if kind == "service":
            changes[key] = "container:" + _container_of(world, project, service, target, f"{key} service:{target}")
    sources = []
    for spec in options.volumes_from:
        if spec.startswith("container:"):
            sources.append(spec.removeprefix("container:"))
            continue
        name, sep, mode = spec.partition(":")
        sources.append(_container_of(world, project, service, name, f"volumes_from {name}") + sep + mode)
    if sources:
        changes["volumes_from"] = tuple(sources)
    return replace(options, **changes) if changes else options
