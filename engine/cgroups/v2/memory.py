"""v2 memory: memory.max, memory.swap.max (swap alone, converted from OCI's memory+swap), memory.low.

v2 has no swappiness and no switch for the OOM killer; those v1-only fields are
ignored here, as Docker ignores them on v2 hosts.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.resources import Resources, swap_to_v2


def _max(value: int) -> str | int:
    return "max" if value < 0 else value


def apply(cgroup: Path, resources: Resources) -> None:
    memory = resources.memory
    if memory is None:
        return
    swap = swap_to_v2(memory)
    if memory.limit is not None:
        fs.write(cgroup / "memory.max", _max(memory.limit))
    if swap is not None and (cgroup / "memory.swap.max").exists():
        fs.write(cgroup / "memory.swap.max", _max(swap))
    if memory.reservation is not None:
        fs.write(cgroup / "memory.low", _max(memory.reservation))


def stats(cgroup: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    usage = fs.read_int(cgroup / "memory.current")
    if usage is not None:
        out["memory_usage"] = usage
    limit = fs.read_int(cgroup / "memory.max")
    if limit is not None:
        out["memory_limit"] = limit
    stat = fs.read_flat(cgroup / "memory.stat")
    if "inactive_file" in stat:
        out["memory_inactive_file"] = stat["inactive_file"]
    events = fs.read_flat(cgroup / "memory.events")
    if "oom_kill" in events:
        out["memory_oom_kills"] = events["oom_kill"]
    if "max" in events:
        out["memory_failcnt"] = events["max"]
    return out
