"""v1 cpuset: the CPUs and memory nodes a container may use.

A new v1 cpuset cgroup starts with empty `cpuset.cpus` and `cpuset.mems`, and a task
cannot join a cgroup whose sets are empty, so every cgroup pycompose makes inherits its
parent's sets first (`inherit`), and a container's own sets are written after.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.resources import Resources


def inherit(cgroup: Path) -> None:
    """Copy the parent's cpus and mems into a cgroup whose sets are empty."""
    for name in ("cpuset.cpus", "cpuset.mems"):
        if not fs.read_optional(cgroup / name):
            value = fs.read_optional(cgroup.parent / name)
            if value:
                fs.write(cgroup / name, value)


def apply(cgroup: Path, resources: Resources) -> None:
    cpu = resources.cpu
    if cpu is None:
        return
    if cpu.cpus:
        fs.write(cgroup / "cpuset.cpus", cpu.cpus)
    if cpu.mems:
        fs.write(cgroup / "cpuset.mems", cpu.mems)
