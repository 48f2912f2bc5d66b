"""A container's cgroup: where it lies and what limits it, from the options in Docker's units.

    cgroup_path(options, "3f2a9c...")   # pycompose/3f2a9c..., or <parent>/3f2a9c... under pycompose
    resources(options, device_rules)   # engine.cgroups.Resources, checked as Docker's daemon checks them
    warnings(options)                  # what this host cannot honour and Docker would only warn about

`--cgroup-parent` keeps pycompose's rule that everything it makes lies under a `pycompose...`
parent (so cleanup and the leak check find it): a parent that does not start with `pycompose` is
placed under `pycompose/`, as Docker places a relative parent under its cgroup root.
"""

from __future__ import annotations

from engine.cgroups.resources import DeviceRule, Resources, from_docker, parse_bytes
from engine.containers.errors import ContainerInvalid
from engine.containers.options import RunOptions

PARENT = "pycompose"


def cgroup_parent(given: str | None) -> str:
    parts = [p for p in (given or "").split("/") if p]
    if ".." in parts:
        raise ContainerInvalid(f"cgroup parent `{given}`: must not climb out with `..`")
    if not parts or not parts[0].startswith(PARENT):
        parts.insert(0, PARENT)
    return "/".join(parts)


def cgroup_path(options: RunOptions, container_id: str) -> str:
    return f"{cgroup_parent(options.cgroup_parent)}/{container_id}"


def _bytes(value: str | None, what: str) -> int | None:
    if value is None:
        return None
    try:
        return parse_bytes(value)
    except Exception:  # noqa: BLE001 - the cgroups' error names the size, ours names the flag too
        raise ContainerInvalid(f"invalid {what} size: {value!r}", hint="a number of bytes such as 512m or 1g") from None


def _check(options: RunOptions, memory: int | None, swap: int | None, reservation: int | None) -> None:
    """Docker's verifyContainerResources, in its words."""
    if swap is not None and swap > 0 and not memory:
        raise ContainerInvalid("You should always set the Memory limit when using Memoryswap limit, see usage")
    if memory and swap is not None and 0 < swap < memory:
        raise ContainerInvalid("Minimum memoryswap limit should be larger than memory limit, see usage")
    if memory and reservation and memory < reservation:
        raise ContainerInvalid("Minimum memory limit can not be less than memory reservation limit, see usage")
    swappiness = options.memory_swappiness
    if swappiness is not None and swappiness != -1 and not 0 <= swappiness <= 100:
        raise ContainerInvalid(f"invalid value: {swappiness}. Valid memory swappiness range is 0-100")
    if options.cpus and options.cpu_period:
        raise ContainerInvalid("Conflicting options: Nano CPUs and CPU Period cannot both be set")
    if options.cpus and options.cpu_quota:
        raise ContainerInvalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set")
    if options.blkio_weight and not 10 <= options.blkio_weight <= 1000:
        raise ContainerInvalid("Range of blkio weight is from 10 to 1000")
    if options.cpu_period and not 1000 <= options.cpu_period <= 1_000_000:
        raise ContainerInvalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s "
                               "(i.e. 1000000)")
    if options.cpu_quota and 0 < options.cpu_quota < 1000:
        raise ContainerInvalid("CPU cfs quota can not be less than 1ms (i.e. 1000)")


def resources(options: RunOptions, devices: tuple[DeviceRule, ...]) -> Resources:
    memory = _bytes(options.memory, "memory")
    swap = _bytes(options.memory_swap, "memory-swap")
    reservation = _bytes(options.memory_reservation, "memory-reservation")
    _check(options, memory, swap, reservation)
    swappiness = options.memory_swappiness if options.memory_swappiness != -1 else None
    return from_docker(cpus=options.cpus, cpu_shares=options.cpu_shares or None, cpu_quota=options.cpu_quota or None,
                       cpu_period=options.cpu_period or None, cpuset_cpus=options.cpuset_cpus or None,
                       cpuset_mems=options.cpuset_mems or None, mem_limit=memory or None,
                       memswap_limit=swap or None, mem_reservation=reservation or None, mem_swappiness=swappiness,
                       oom_kill_disable=True if options.oom_kill_disable else None, pids_limit=options.pids_limit,
                       blkio_weight=options.blkio_weight or None, devices=devices,
                       blkio_weight_device=tuple((p, int(w)) for p, w in options.blkio_weight_device),
                       device_read_bps=tuple((p, r) for p, r in options.device_read_bps),
                       device_write_bps=tuple((p, r) for p, r in options.device_write_bps),
                       device_read_iops=tuple((p, int(r)) for p, r in options.device_read_iops),
                       device_write_iops=tuple((p, int(r)) for p, r in options.device_write_iops))


def warnings(options: RunOptions) -> list[str]:
    """Docker's warnings for limits this host drops (verifyPlatformContainerResources)."""
    from engine.cgroups.manager import host_layout

    out = []
    layout = host_layout()
    blkio = layout.v1.get("blkio")
    if options.blkio_weight and blkio is not None and not any(
            (blkio / name).exists() for name in ("blkio.weight", "blkio.bfq.weight")):
        out.append("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.")
    if options.oom_kill_disable and not options.memory:
        out.append("Disabling the OOM killer on containers without setting a '-m/--memory' limit may be dangerous.")
    return out
