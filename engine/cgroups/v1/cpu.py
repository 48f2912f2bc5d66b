"""v1 cpu: shares, CFS quota/period/burst and idle (the `cpu` hierarchy); `cpuacct` usage for stats.

The period is written before the quota, as a quota is checked against the current
period; an update the kernel refuses in that order is retried quota first.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.errors import CgroupLimitInvalid
from engine.cgroups.resources import Resources


def apply(cgroup: Path, resources: Resources) -> None:
    cpu = resources.cpu
    if cpu is None:
        return
    if cpu.shares is not None:
        fs.write(cgroup / "cpu.shares", cpu.shares)
    bandwidth = [(cgroup / "cpu.cfs_period_us", cpu.period), (cgroup / "cpu.cfs_quota_us", cpu.quota)]
    bandwidth = [(path, value) for path, value in bandwidth if value is not None]
    try:
        for path, value in bandwidth:
            fs.write(path, value)
    except CgroupLimitInvalid:
        if len(bandwidth) != 2:
            raise
        for path, value in reversed(bandwidth):
            fs.write(path, value)
    if cpu.burst is not None:
        fs.write(cgroup / "cpu.cfs_burst_us", cpu.burst)
    if cpu.idle is not None:
        fs.write(cgroup / "cpu.idle", cpu.idle)


def stats(cgroup: Path) -> dict[str, int]:
    """Throttling, from the `cpu` hierarchy's cpu.stat."""
    stat = fs.read_flat(cgroup / "cpu.stat")
    return {f"cpu_{key}": stat[key] for key in ("nr_periods", "nr_throttled") if key in stat}


def acct_stats(cgroup: Path) -> dict[str, int]:
    """CPU time in nanoseconds, from the `cpuacct` hierarchy (often co-mounted with `cpu`)."""
    out: dict[str, int] = {}
    usage = fs.read_int(cgroup / "cpuacct.usage")
    if usage is not None:
        out["cpu_usage_ns"] = usage
    for key, name in (("cpuacct.usage_user", "cpu_user_ns"), ("cpuacct.usage_sys", "cpu_system_ns")):
        value = fs.read_int(cgroup / key)
        if value is not None:
            out[name] = value
    return out
