"""`top`: a running container's processes, as `docker top` lists them (the columns of `ps -ef`).

    titles, rows = top.listing(svc.get("web"), svc.container_pid(record))
    # TITLES, [("root", "4242", "4230", "0", "10:02", "?", "00:00:00", "sleep 300"), ...]

The processes are those of the container's cgroup (`record.config.launch["cgroup"]`); when the
container has its own pid namespace, only those in it (the namespace of its init, `pid`), so the
runtime that waits in the same cgroup (the native runtime's shim, an exec's runtime) is not listed.
Everything is read from /proc (a parameter, so that tests give their own tree): UID is the effective
user's name on the host (its number when the host has no such user), C the CPU use over the process's
life in percent, STIME its start (HH:MM today, else MonDD), TIME its CPU time [DD-]HH:MM:SS, CMD its
command line (`[comm]` when it has none). A process that ends while it is read is left out.
"""

from __future__ import annotations

import os
import pwd
import time
from dataclasses import dataclass
from pathlib import Path

from engine.containers.errors import ContainerBusy
from engine.state import ContainerRecord

TITLES = ("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD")
PROC = Path("/proc")


@dataclass(frozen=True)
class Clock:
    """What turns /proc's ticks into times: ticks per second, the boot time and now (epoch seconds)."""

    hz: int
    boot: float
    now: float

    @classmethod
    def of(cls, proc: Path = PROC) -> Clock:
        boot = next(int(line.split()[1]) for line in (proc / "stat").read_text().splitlines()
                    if line.startswith("btime "))
        return cls(os.sysconf("SC_CLK_TCK"), float(boot), time.time())


def _tty(tty_nr: int) -> str:
    if tty_nr == 0:
        return "?"
    major, minor = (tty_nr >> 8) & 0xFFF, (tty_nr & 0xFF) | ((tty_nr >> 12) & 0xFFF00)
    if 136 <= major <= 143:
        return f"pts/{(major - 136) * 256 + minor}"
    if major == 4:
        return f"tty{minor}" if minor < 64 else f"ttyS{minor - 64}"
    return "?"


def _cputime(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}-{text}" if days else text


def _stime(started: float, now: float) -> str:
    start, today = time.localtime(started), time.localtime(now)
    if now - started < 86400:
        return time.strftime("%H:%M", start)
    return time.strftime("%b%d", start) if start.tm_year == today.tm_year else str(start.tm_year)


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def process_row(pid: int, clock: Clock, proc: Path = PROC) -> tuple[str, ...] | None:
    """One process as `ps -ef` shows it; None when it is gone."""
    base = proc / str(pid)
    try:
        stat = (base / "stat").read_text()
        status = (base / "status").read_text()
        cmdline = (base / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return None
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is the state, the 3rd field of the file
    ppid, tty_nr = int(fields[1]), int(fields[4])
    ticks, started_ticks = int(fields[11]) + int(fields[12]), int(fields[19])
    uid = next(int(line.split()[2]) for line in status.splitlines() if line.startswith("Uid:"))
    started = clock.boot + started_ticks / clock.hz
    alive = max(clock.now - started, 1e-9)
    cpu = int(ticks / clock.hz / alive * 100)
    args = [a.decode(errors="replace") for a in cmdline.split(b"\0") if a]
    return (_user(uid), str(pid), str(ppid), str(cpu), _stime(started, clock.now), _tty(tty_nr),
            _cputime(ticks // clock.hz), " ".join(args) if args else f"[{comm}]")


def _pid_namespace(pid: int | str, proc: Path) -> str | None:
    try:
        return os.readlink(proc / str(pid) / "ns" / "pid")
    except OSError:
        return None


def container_pids(cgroup_pids: list[int], init: int | None, proc: Path = PROC) -> list[int]:
    """The cgroup's processes that belong to the container: those in its init's pid namespace, when that is
    not the host's (this process's)."""
    own = _pid_namespace("self", proc)
    wanted = _pid_namespace(init, proc) if init else None
    if wanted is None or wanted == own:
        return sorted(cgroup_pids)
    return sorted(p for p in cgroup_pids if _pid_namespace(p, proc) == wanted)


def listing(record: ContainerRecord, init: int | None, proc: Path = PROC) -> tuple[tuple[str, ...],
                                                                               list[tuple[str, ...]]]:
    """(TITLES, one row per process of the running container `record`, by pid); `init` is its first process."""
    from engine.cgroups.manager import Cgroup

    if record.state not in ("running", "paused", "restarting"):
        raise ContainerBusy(f"container `{record.name}` is not running")
    clock = Clock.of(proc)
    pids = container_pids(Cgroup(record.config.launch["cgroup"]).pids(), init, proc)
    rows = [row for row in (process_row(pid, clock, proc) for pid in pids) if row is not None]
    return TITLES, rows
