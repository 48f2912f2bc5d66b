"""v1 memory: limit, memory+swap, soft limit, swappiness, OOM killer; usage for stats.

The kernel keeps memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every write,
so raising both writes memsw first and lowering both writes the limit first; when the
order is unknown (an update), the limit is tried first and the pair is retried the other way.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.errors import CgroupLimitInvalid
from engine.cgroups.resources import Memory, Resources


def apply(cgroup: Path, resources: Resources) -> None:
    memory = resources.memory
    if memory is None:
        return
    _limits(cgroup, memory)
    if memory.reservation is not None:
        fs.write(cgroup / "memory.soft_limit_in_bytes", memory.reservation)
    if memory.swappiness is not None:
        fs.write(cgroup / "memory.swappiness", memory.swappiness)
    if memory.disable_oom_killer is not None:
        fs.write(cgroup / "memory.oom_control", int(memory.disable_oom_killer))


def _limits(cgroup: Path, memory: Memory) -> None:
    memsw = cgroup / "memory.memsw.limit_in_bytes"
    writes = []
    if memory.limit is not None:
        writes.append((cgroup / "memory.limit_in_bytes", memory.limit))
    if memory.swap is not None and memsw.exists():
        # Without swap accounting (no memsw files) the swap limit is dropped, as Docker drops it.
        writes.append((memsw, memory.swap))
    try:
        for path, value in writes:
            fs.write(path, value)
    except CgroupLimitInvalid:
        if len(writes) != 2:
            raise
        for path, value in reversed(writes):
            fs.write(path, value)


_UNLIMITED = 1 << 62  # v1 reports "no limit" as PAGE_COUNTER_MAX pages, a number near 2^63


def stats(cgroup: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    usage = fs.read_int(cgroup / "memory.usage_in_bytes")
    if usage is not None:
        out["memory_usage"] = usage
    limit = fs.read_int(cgroup / "memory.limit_in_bytes")
    if limit is not None and limit < _UNLIMITED:
        out["memory_limit"] = limit
    stat = fs.read_flat(cgroup / "memory.stat")
    if "total_inactive_file" in stat:
        out["memory_inactive_file"] = stat["total_inactive_file"]
    failcnt = fs.read_int(cgroup / "memory.failcnt")
    if failcnt is not None:
        out["memory_failcnt"] = failcnt
    oom = fs.read_flat(cgroup / "memory.oom_control")
    if "oom_kill" in oom:
        out["memory_oom_kills"] = oom["oom_kill"]
    return out
