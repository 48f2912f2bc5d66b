"""v1 pids: the most tasks a container may have (`max` when the limit is 0 or less)."""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.resources import Resources


def apply(cgroup: Path, resources: Resources) -> None:
    if resources.pids is not None:
        fs.write(cgroup / "pids.max", resources.pids.limit if resources.pids.limit > 0 else "max")


def stats(cgroup: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    current = fs.read_int(cgroup / "pids.current")
    if current is not None:
        out["pids_current"] = current
    limit = fs.read_int(cgroup / "pids.max")
    if limit is not None:
        out["pids_limit"] = limit
    return out
