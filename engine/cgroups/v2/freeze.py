"""v2 freezing and killing: `cgroup.freeze`, `cgroup.events`, `cgroup.kill` are core files of every v2 cgroup.

Writing 1 to cgroup.freeze starts freezing; `cgroup.events` reads `frozen 1` once every
task has stopped. The kernel signals a change of cgroup.events to poll(2) (POLLPRI),
so the wait sleeps in poll with a deadline rather than spinning.
"""

from __future__ import annotations

import os
import select
import time
from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.errors import CgroupError


def _wait_events(cgroup: Path, key: str, want: int, timeout: float, what: str) -> None:
    events = cgroup / "cgroup.events"
    deadline = time.monotonic() + timeout
    try:
        fd = os.open(events, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as err:
        raise CgroupError(f"open `{events}`: {os.strerror(err.errno or 0)}") from err
    try:
        poller = select.poll()
        poller.register(fd, select.POLLPRI | select.POLLERR)
        while _read_key(fd, key) != want:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CgroupError(f"{what}: `{events}` still does not read `{key} {want}` after {timeout:g} s")
            # A fake tree's plain file is always "ready": cap each wait so it cannot spin the CPU.
            poller.poll(min(left, 0.05) * 1000)
    finally:
        os.close(fd)


def _read_key(fd: int, key: str) -> int | None:
    # Reading through the polled descriptor re-arms it (kernfs compares its event count per open file).
    os.lseek(fd, 0, os.SEEK_SET)
    for line in os.read(fd, 4096).decode().splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return None


def freeze(cgroup: Path, timeout: float = 5.0) -> None:
    fs.write(cgroup / "cgroup.freeze", 1)
    try:
        _wait_events(cgroup, "frozen", 1, timeout, f"freeze `{cgroup}`")
    except CgroupError:
        fs.write(cgroup / "cgroup.freeze", 0)
        raise


def thaw(cgroup: Path, timeout: float = 5.0) -> None:
    fs.write(cgroup / "cgroup.freeze", 0)
    _wait_events(cgroup, "frozen", 0, timeout, f"thaw `{cgroup}`")


def frozen(cgroup: Path) -> bool:
    return fs.read_flat(cgroup / "cgroup.events").get("frozen") == 1


def can_kill(cgroup: Path) -> bool:
    """cgroup.kill exists since Linux 5.14."""
    return (cgroup / "cgroup.kill").exists()


def kill(cgroup: Path) -> None:
    """SIGKILL every process of the cgroup and its descendants, atomically with respect to forks."""
    fs.write(cgroup / "cgroup.kill", 1)


def wait_empty(cgroup: Path, timeout: float = 5.0) -> None:
    """Wait until no process is left (`populated 0`)."""
    _wait_events(cgroup, "populated", 0, timeout, f"empty `{cgroup}`")
