"""v2 cpuset: cpuset.cpus and cpuset.mems (empty means the parent's, so nothing needs inheriting)."""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.resources import Resources


def apply(cgroup: Path, resources: Resources) -> None:
    cpu = resources.cpu
    if cpu is None:
        return
    if cpu.cpus:
        fs.write(cgroup / "cpuset.cpus", cpu.cpus)
    if cpu.mems:
        fs.write(cgroup / "cpuset.mems", cpu.mems)
