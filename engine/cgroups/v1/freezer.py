"""v1 freezer: FROZEN and THAWED.

Writing FROZEN starts freezing; the state reads FREEZING until every task has stopped.
A task in an uninterruptible sleep can hold it there, so the write is repeated while
waiting, and a freeze that does not finish in time is undone and reported.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.errors import CgroupError


def freeze(cgroup: Path, timeout: float = 5.0) -> None:
    state = cgroup / "freezer.state"

    def frozen() -> bool:
        if fs.read(state) == "FROZEN":
            return True
        fs.write(state, "FROZEN")
        return fs.read(state) == "FROZEN"

    fs.write(state, "FROZEN")
    try:
        fs.until(frozen, timeout, f"freeze `{cgroup}`")
    except CgroupError:
        fs.write(state, "THAWED")
        raise


def thaw(cgroup: Path, timeout: float = 5.0) -> None:
    state = cgroup / "freezer.state"
    fs.write(state, "THAWED")
    fs.until(lambda: fs.read(state) == "THAWED", timeout, f"thaw `{cgroup}`")


def state(cgroup: Path) -> str:
    return fs.read(cgroup / "freezer.state")
