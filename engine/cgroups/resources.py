"""A container's resource limits: the subset of the OCI runtime spec's `linux.resources` pycompose uses.

The dataclasses mirror the spec's JSON (`from_oci` / `to_oci` round-trip it), so the
runtime reads `config.json` into them and the engine writes them into `config.json`.
Values are kept in the spec's units, which are cgroup v1's: cpu `shares`, blkio
`weight` 10..1000, `swap` as memory+swap. The v2 controllers convert on the way out
with the functions below, each the documented formula:

  cpu.weight  = 1 + (shares - 2) * 9999 / 262142           shares 2..262144 -> weight 1..10000
                (the linear mapping of Kubernetes KEP-2254 and the OCI runtimes' cgroup v2 notes)
  io.weight   = 1 + (blkio_weight - 10) * 9999 / 990        weight 10..1000  -> 1..10000
  cpu.max     = quota period; Docker's `cpus` c is quota = c * period with period 100000 us
  memory.swap.max = swap - limit                            OCI `swap` counts memory too; v2 swap does not

`from_docker()` takes Docker/Compose units (`cpus: 0.5`, `mem_limit: 32m`,
`memswap_limit`, `pids_limit`, `blkio_config.weight`, `cpuset`) and applies Docker's
defaults (a memory limit without `memswap_limit` allows as much swap again: swap = 2 x memory).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from typing import Any

from engine.cgroups.errors import CgroupLimitInvalid

CPU_PERIOD_DEFAULT = 100_000  # microseconds, Docker's and the kernel's default CFS period
SHARES_MIN, SHARES_MAX = 2, 262_144
WEIGHT_MIN, WEIGHT_MAX = 1, 10_000
BLKIO_WEIGHT_MIN, BLKIO_WEIGHT_MAX = 10, 1000


@dataclass(frozen=True)
class Memory:
    """Memory limits: limit, reservation, swap, swappiness, OOM killer."""

    limit: int | None = None          # bytes; -1 unlimited
    reservation: int | None = None    # soft limit, bytes (v2: memory.low)
    swap: int | None = None           # memory+swap, bytes; -1 unlimited
    swappiness: int | None = None     # 0..100 (v1 only)
    disable_oom_killer: bool | None = None  # v1 only


@dataclass(frozen=True)
class Cpu:
    """CPU limits: shares, quota, period, cpuset."""

    shares: int | None = None         # 2..262144
    quota: int | None = None          # microseconds per period; -1 unlimited
    period: int | None = None         # microseconds
    burst: int | None = None          # microseconds
    cpus: str | None = None           # cpuset list, "0-1,3"
    mems: str | None = None           # memory nodes, "0"
    idle: int | None = None           # 0 or 1


@dataclass(frozen=True)
class Pids:
    """The pids limit."""

    limit: int                        # <= 0 unlimited


@dataclass(frozen=True)
class WeightDevice:
    """A block device's weight."""

    major: int
    minor: int
    weight: int


@dataclass(frozen=True)
class ThrottleDevice:
    """A block device's rate limit."""

    major: int
    minor: int
    rate: int                         # bytes or operations per second


@dataclass(frozen=True)
class BlockIO:
    """Block I/O weight and per-device weights and limits."""

    weight: int | None = None         # 10..1000
    weight_device: tuple[WeightDevice, ...] = ()
    throttle_read_bps_device: tuple[ThrottleDevice, ...] = ()
    throttle_write_bps_device: tuple[ThrottleDevice, ...] = ()
    throttle_read_iops_device: tuple[ThrottleDevice, ...] = ()
    throttle_write_iops_device: tuple[ThrottleDevice, ...] = ()


@dataclass(frozen=True)
class DeviceRule:
    """One device cgroup rule; None for major or minor is the wildcard `*`."""

    allow: bool
    type: str = "a"                   # a (all), c (char), b (block)
    major: int | None = None
    minor: int | None = None
    access: str = "rwm"

    def __str__(self) -> str:
        """The v1 `devices.allow`/`devices.deny` line: `c 1:3 rwm`, `a *:* rwm`."""
        major = "*" if self.major is None else self.major
        minor = "*" if self.minor is None else self.minor
        return f"{self.type} {major}:{minor} {self.access}"


@dataclass(frozen=True)
class Resources:
    """A container's limits, as the cgroup controllers take them."""

    memory: Memory | None = None
    cpu: Cpu | None = None
    pids: Pids | None = None
    block_io: BlockIO | None = None
    devices: tuple[DeviceRule, ...] = ()
    unified: tuple[tuple[str, str], ...] = ()   # v2 files written verbatim (OCI `unified`)

    @classmethod
    def from_oci(cls, doc: dict[str, Any]) -> Resources:
        return _from_oci(doc)

    def to_oci(self) -> dict[str, Any]:
        return _to_oci(self)


# Docker's default device rules (the OCI runtime spec's defaults plus /dev/pts and tun):
# deny everything, allow mknod of any node, then read/write the harmless character devices.
DEFAULT_DEVICE_RULES: tuple[DeviceRule, ...] = (
    DeviceRule(allow=False, type="a", access="rwm"),
    DeviceRule(allow=True, type="c", access="m"),
    DeviceRule(allow=True, type="b", access="m"),
    *(DeviceRule(allow=True, type="c", major=major, minor=minor, access="rwm")
      for major, minor in ((1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 1), (5, 2), (136, None), (10, 200))),
)


# --- conversions ---------------------------------------------------------------------------

def shares_to_weight(shares: int) -> int:
    """cgroup v1 cpu.shares (2..262144) -> v2 cpu.weight (1..10000), linearly."""
    shares = min(max(shares, SHARES_MIN), SHARES_MAX)
    return 1 + (shares - SHARES_MIN) * (WEIGHT_MAX - 1) // (SHARES_MAX - SHARES_MIN)


def weight_to_shares(weight: int) -> int:
    """v2 cpu.weight -> v1 cpu.shares, the inverse of `shares_to_weight` (up to rounding)."""
    weight = min(max(weight, WEIGHT_MIN), WEIGHT_MAX)
    return SHARES_MIN + ((weight - 1) * (SHARES_MAX - SHARES_MIN) + WEIGHT_MAX - 2) // (WEIGHT_MAX - 1)


def blkio_weight_to_io_weight(weight: int) -> int:
    """cgroup v1 blkio.weight (10..1000) -> v2 io.weight (1..10000)."""
    weight = min(max(weight, BLKIO_WEIGHT_MIN), BLKIO_WEIGHT_MAX)
    return 1 + (weight - BLKIO_WEIGHT_MIN) * (WEIGHT_MAX - 1) // (BLKIO_WEIGHT_MAX - BLKIO_WEIGHT_MIN)


def cpus_to_quota(cpus: float, period: int = CPU_PERIOD_DEFAULT) -> tuple[int, int]:
    """Docker's `--cpus` (a fraction of CPUs) -> (quota, period) in microseconds."""
    if cpus <= 0:
        raise CgroupLimitInvalid(f"cpus {cpus!r}: must be more than 0")
    quota = round(cpus * period)
    if quota < 1000:
        raise CgroupLimitInvalid(f"cpus {cpus!r}: the quota {quota} us is below the kernel's minimum of 1000 us")
    return quota, period


def swap_to_v2(memory: Memory) -> int | None:
    """OCI `swap` (memory+swap) -> the value of v2 `memory.swap.max` (-1 for max, None to leave it)."""
    if memory.swap is None:
        return None
    if memory.swap == -1:
        return -1
    if memory.limit is None or memory.limit == -1:
        raise CgroupLimitInvalid(f"memory swap {memory.swap}: on cgroup v2 a swap limit needs a memory limit")
    if memory.swap < memory.limit:
        raise CgroupLimitInvalid(f"memory swap {memory.swap}: memory+swap is below the memory limit {memory.limit}")
    return memory.swap - memory.limit


_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_bytes(value: int | str) -> int:
    """Docker's byte sizes: an int, or `512m`, `1g`, `64kb` (binary units, case-insensitive)."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*([kmgtb]?)b?\s*", value.lower())
    if match is None:
        raise CgroupLimitInvalid(f"size {value!r}: expected a number of bytes such as 512m or 1g")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def device_numbers(path: str) -> tuple[int, int]:
    """(major, minor) of a device node, for Compose's `blkio_config` entries that name a path."""
    try:
        rdev = os.stat(path).st_rdev
    except OSError as err:
        raise CgroupLimitInvalid(f"blkio device `{path}`: {os.strerror(err.errno or 0)}") from err
    if rdev == 0:
        raise CgroupLimitInvalid(f"blkio device `{path}`: not a device node")
    return os.major(rdev), os.minor(rdev)


def _throttles(pairs: tuple[tuple[str, int | str], ...]) -> tuple[ThrottleDevice, ...]:
    return tuple(ThrottleDevice(*device_numbers(path), parse_bytes(rate)) for path, rate in pairs)


def _block_io_from_docker(weight: int | None, weight_device: tuple[tuple[str, int], ...],
                          throttles: dict[str, tuple[tuple[str, int | str], ...]]) -> BlockIO | None:
    block = BlockIO(weight=weight or None,
                    weight_device=tuple(WeightDevice(*device_numbers(path), w) for path, w in weight_device),
                    **{name: _throttles(pairs) for name, pairs in throttles.items()})
    return block if block != BlockIO() else None


def from_docker(*, cpus: float | None = None, cpu_shares: int | None = None, cpu_quota: int | None = None,
                cpu_period: int | None = None, cpuset_cpus: str | None = None, cpuset_mems: str | None = None,
                mem_limit: int | str | None = None, memswap_limit: int | str | None = None,
                mem_reservation: int | str | None = None, mem_swappiness: int | None = None,
                oom_kill_disable: bool | None = None, pids_limit: int | None = None,
                blkio_weight: int | None = None, blkio_weight_device: tuple[tuple[str, int], ...] = (),
                device_read_bps: tuple[tuple[str, int | str], ...] = (),
                device_write_bps: tuple[tuple[str, int | str], ...] = (),
                device_read_iops: tuple[tuple[str, int], ...] = (), device_write_iops: tuple[tuple[str, int], ...] = (),
                devices: tuple[DeviceRule, ...] = DEFAULT_DEVICE_RULES) -> Resources:
    """Resources from Docker's (and Compose's) options, with Docker's defaults.

    Per-device options name a device path (`("/dev/sda", "1mb")`), as Compose's
    `blkio_config` does; the path is resolved to its major:minor here.
    """
    throttles = {"throttle_read_bps_device": device_read_bps, "throttle_write_bps_device": device_write_bps,
                 "throttle_read_iops_device": device_read_iops, "throttle_write_iops_device": device_write_iops}
    memory = _memory_from_docker(mem_limit, memswap_limit, mem_reservation, mem_swappiness, oom_kill_disable)
    quota, period = cpu_quota, cpu_period
    if cpus is not None:
        quota, period = cpus_to_quota(cpus, cpu_period or CPU_PERIOD_DEFAULT)
    cpu = Cpu(shares=cpu_shares or None, quota=quota, period=period, cpus=cpuset_cpus, mems=cpuset_mems)
    return Resources(
        memory=memory,
        cpu=cpu if cpu != Cpu() else None,
        pids=Pids(pids_limit) if pids_limit is not None else None,
        block_io=_block_io_from_docker(blkio_weight, blkio_weight_device, throttles),
        devices=devices,
    )


def _memory_from_docker(limit: int | str | None, swap: int | str | None, reservation: int | str | None,
                        swappiness: int | None, oom_kill_disable: bool | None) -> Memory | None:
    limit_b = parse_bytes(limit) if limit is not None else None
    swap_b = parse_bytes(swap) if swap is not None else None
    if limit_b and limit_b > 0 and not swap_b:
        swap_b = 2 * limit_b  # Docker: "--memory-swap unset: as much swap as memory"
    if swap_b and swap_b > 0 and limit_b and swap_b < limit_b:
        raise CgroupLimitInvalid(f"memswap_limit {swap}: must be at least mem_limit {limit} (it counts memory too)")
    memory = Memory(limit=limit_b, swap=swap_b, reservation=parse_bytes(reservation) if reservation else None,
                    swappiness=swappiness, disable_oom_killer=oom_kill_disable)
    return memory if memory != Memory() else None


# --- the OCI JSON ---------------------------------------------------------------------------

def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_OCI_NAMES = {"disable_oom_killer": "disableOOMKiller", "block_io": "blockIO"}


def _key(name: str) -> str:
    return _OCI_NAMES.get(name, _camel(name))


def _plain(cls: type, doc: dict[str, Any]) -> Any:
    return cls(**{f.name: doc[_key(f.name)] for f in fields(cls) if _key(f.name) in doc})


def _from_oci(doc: dict[str, Any]) -> Resources:
    block = doc.get("blockIO")
    block_io = None
    if block is not None:
        lists = {f.name: tuple(ThrottleDevice(d["major"], d["minor"], d["rate"]) for d in block.get(_key(f.name), ()))
                 for f in fields(BlockIO) if f.name.startswith("throttle")}
        block_io = BlockIO(weight=block.get("weight"),
                           weight_device=tuple(WeightDevice(d["major"], d["minor"], d["weight"])
                                               for d in block.get("weightDevice", ()) if "weight" in d),
                           **lists)
    return Resources(
        memory=_plain(Memory, doc["memory"]) if "memory" in doc else None,
        cpu=_plain(Cpu, doc["cpu"]) if "cpu" in doc else None,
        pids=Pids(doc["pids"]["limit"]) if "pids" in doc else None,
        block_io=block_io,
        devices=tuple(DeviceRule(allow=d["allow"], type=d.get("type", "a"), major=d.get("major"),
                                 minor=d.get("minor"), access=d.get("access", "rwm")) for d in doc.get("devices", ())),
        unified=tuple(sorted(doc.get("unified", {}).items())),
    )


def _drop_none(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if value is None or value == ():
            continue
        if isinstance(value, tuple):
            value = [_drop_none(item) for item in value]
        out[_key(f.name)] = value
    return out


def _to_oci(res: Resources) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name in ("memory", "cpu", "pids", "block_io"):
        value = getattr(res, name)
        if value is not None:
            doc[_key(name)] = _drop_none(value)
    if res.devices:
        doc["devices"] = [_drop_none(rule) for rule in res.devices]
    if res.unified:
        doc["unified"] = dict(res.unified)
    return doc


__all__ = [
    "BlockIO", "Cpu", "DEFAULT_DEVICE_RULES", "DeviceRule", "Memory", "Pids", "Resources", "ThrottleDevice",
    "WeightDevice", "blkio_weight_to_io_weight", "cpus_to_quota", "from_docker", "parse_bytes",
    "shares_to_weight", "swap_to_v2", "weight_to_shares",
]
