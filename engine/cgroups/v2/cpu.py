"""v2 cpu: cpu.weight (converted from shares), cpu.max `quota period`, cpu.max.burst, cpu.idle.

`cpu.stat` is a core file of every v2 cgroup, so CPU time is readable even where the
cpu controller is not enabled (the unified hierarchy of a hybrid host).
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.resources import CPU_PERIOD_DEFAULT, Resources, shares_to_weight


def apply(cgroup: Path, resources: Resources) -> None:
    cpu = resources.cpu
    if cpu is None:
        return
    if cpu.shares is not None:
        fs.write(cgroup / "cpu.weight", shares_to_weight(cpu.shares))
    if cpu.quota is not None or cpu.period is not None:
        quota = "max" if cpu.quota is None or cpu.quota < 0 else cpu.quota
        fs.write(cgroup / "cpu.max", f"{quota} {cpu.period or CPU_PERIOD_DEFAULT}")
    if cpu.burst is not None:
        fs.write(cgroup / "cpu.max.burst", cpu.burst)
    if cpu.idle is not None:
        fs.write(cgroup / "cpu.idle", cpu.idle)


def stats(cgroup: Path) -> dict[str, int]:
    stat = fs.read_flat(cgroup / "cpu.stat")
    names = {"usage_usec": "cpu_usage_ns", "user_usec": "cpu_user_ns", "system_usec": "cpu_system_ns"}
    out = {name: stat[key] * 1000 for key, name in names.items() if key in stat}
    out.update({f"cpu_{key}": stat[key] for key in ("nr_periods", "nr_throttled") if key in stat})
    return out
