"""Is the process a record names still the one it started? Status is told from /proc, not believed.

A pid alone lies: after the process ends the kernel hands the number to another
one, and after a reboot every number starts over. A record therefore keeps the
pid, the process's start time (field 22 of /proc/<pid>/stat, in clock ticks since
boot) and the boot id; all three must match for the process to be the same.
"""

from __future__ import annotations

from engine.state.lifecycle import ACTIVE, EXITED
from engine.state.record import ContainerRecord

LOST = "exit status lost: the process ended while no supervisor watched it"
LOST_EXIT_CODE = 255  # what Docker reports for a container whose exit it did not see

_boot_id: str | None = None


def boot_id() -> str:
    global _boot_id
    if _boot_id is None:
        with open("/proc/sys/kernel/random/boot_id") as f:
            _boot_id = f.read().strip()
    return _boot_id


def start_time(pid: int) -> int | None:
    """The start time of process `pid` in clock ticks since boot, or None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # comm (field 2) may hold spaces and parentheses: the fields after it start after the last ')'
    fields = stat[stat.rindex(b")") + 2:].split()
    if fields[0] in (b"Z", b"X"):  # a zombie has finished: it only waits to be reaped
        return None
    return int(fields[19])


def is_alive(pid: int, pid_start: int, boot: str) -> bool:
    return pid > 0 and boot == boot_id() and start_time(pid) == pid_start


def observe(record: ContainerRecord) -> ContainerRecord:
    """The record as the truth has it: an active record whose process (or, while restarting,
    whose supervisor) is gone is exited."""
    if record.state not in ACTIVE:
        return record
    if record.state == "restarting":
        if is_alive(record.supervisor[0], record.supervisor[1], record.boot_id):
            return record
        return record.replace(state=EXITED, error=record.error or "the supervisor ended before the restart")
    if is_alive(record.pid, record.pid_start, record.boot_id):
        return record
    return record.replace(state=EXITED, pid=0, exit_code=LOST_EXIT_CODE, error=LOST)
