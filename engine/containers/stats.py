"""`stats`: one reading of a container's resource use, and the CPU % of two readings, as Docker computes it.

    before = stats.sample(record, init)
    ...                                   # about a second later
    after = stats.sample(record, init)
    stats.cpu_percent(before, after)      # 12.5

A reading (`Sample`) holds what `docker stats` shows, in raw numbers:

    cpu       the cgroup's CPU time (ns) and the host's (`system_ns`, the first seven fields of
              /proc/stat's `cpu` line, as Docker's daemon sums them); CPU % is the cgroup's share
              of the host's time between two readings, times the online CPUs (100 % is one CPU)
    memory    usage minus the reclaimable page cache (`inactive_file`), Docker's "MEM USAGE";
              the limit is the cgroup's, else the host's total memory (Docker's too)
    pids      the tasks (threads) of the container's processes: those of its cgroup in its init's
              pid namespace, so the runtime waiting beside it in the cgroup is not counted
    net       bytes received and sent on the interfaces of the init's network namespace
              (/proc/<init>/net/dev), loopback excluded; 0 with the host's network, as Docker
    block     bytes read and written, from blkio (v1) or io.stat (v2); 0 when neither tells

The parsing functions are pure (text in, numbers out) so unit tests feed them kernel text;
`sample` is the only part that reads the host. A stopped container reads as zeros.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.state import ContainerRecord

PROC = Path("/proc")
RUNNING = ("running", "paused", "restarting")


@dataclass(frozen=True)
class Sample:
    """One reading of a container's cgroup and network counters."""

    system_ns: int = 0           # the host's CPU time (all CPUs), ns
    cpu_ns: int = 0              # the container's CPU time, ns
    online_cpus: int = 1
    memory_used: int = 0         # usage minus inactive_file
    memory_limit: int = 0        # the cgroup's limit, else the host's memory; 0 for a stopped container
    pids: int = 0
    net_rx: int = 0
    net_tx: int = 0
    block_read: int = 0
    block_write: int = 0


# --- pure parts: kernel text -> numbers ---------------------------------------------------------

def system_cpu_ns(proc_stat: str, hz: int) -> int:
    """The host's CPU time in ns: user+nice+system+idle+iowait+irq+softirq of /proc/stat's `cpu` line."""
    for line in proc_stat.splitlines():
        words = line.split()
        if words and words[0] == "cpu":
            return sum(int(w) for w in words[1:8]) * 1_000_000_000 // hz
    return 0


def cpu_percent(before: Sample, after: Sample) -> float:
    """Docker's calculateCPUPercentUnix: the container's CPU delta over the host's, times the CPUs, in %."""
    cpu_delta = after.cpu_ns - before.cpu_ns
    system_delta = after.system_ns - before.system_ns
    if cpu_delta <= 0 or system_delta <= 0:
        return 0.0
    return cpu_delta / system_delta * after.online_cpus * 100.0


def memory_used(usage: int | None, inactive_file: int | None) -> int:
    """Docker's MEM USAGE: the usage without the page cache the kernel may drop at once."""
    if usage is None:
        return 0
    if inactive_file is not None and inactive_file < usage:
        return usage - inactive_file
    return usage


def net_bytes(net_dev: str) -> tuple[int, int]:
    """(received, sent) bytes over the interfaces of /proc/<pid>/net/dev, loopback left out."""
    rx = tx = 0
    for line in net_dev.splitlines()[2:]:
        name, _, rest = line.partition(":")
        fields = rest.split()
        if name.strip() == "lo" or len(fields) < 9:
            continue
        rx += int(fields[0])
        tx += int(fields[8])
    return rx, tx


def blkio_bytes(text: str) -> tuple[int, int]:
    """(read, written) bytes of v1's blkio `*io_service_bytes*` lines: `8:0 Read 4096`."""
    read = write = 0
    for line in text.splitlines():
        words = line.split()
        if len(words) == 3 and words[2].isdigit():
            if words[1] == "Read":
                read += int(words[2])
            elif words[1] == "Write":
                write += int(words[2])
    return read, write


def io_stat_bytes(text: str) -> tuple[int, int]:
    """(read, written) bytes of v2's io.stat lines: `8:0 rbytes=4096 wbytes=0 rios=1 ...`."""
    read = write = 0
    for line in text.splitlines():
        for word in line.split()[1:]:
            key, _, value = word.partition("=")
            if key == "rbytes" and value.isdigit():
                read += int(value)
            elif key == "wbytes" and value.isdigit():
                write += int(value)
    return read, write


def host_memory(meminfo: str) -> int:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


# --- reading the host --------------------------------------------------------------------------

def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _block(dirs: dict[str, Path]) -> tuple[int, int]:
    blkio = dirs.get("blkio")
    if blkio is not None:
        for name in ("blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive",
                     "blkio.throttle.io_service_bytes"):
            found = blkio_bytes(_read(blkio / name))
            if any(found):
                return found
    unified = dirs.get("unified")
    if unified is not None:
        return io_stat_bytes(_read(unified / "io.stat"))
    return 0, 0


def _tasks(pids: list[int], proc: Path) -> int:
    count = 0
    for pid in pids:
        try:
            count += len(os.listdir(proc / str(pid) / "task"))
        except OSError:
            continue  # ended meanwhile
    return count


def _net(init: int, proc: Path) -> tuple[int, int]:
    try:
        if os.readlink(proc / str(init) / "ns" / "net") == os.readlink(proc / "self" / "ns" / "net"):
            return 0, 0  # the host's network: Docker reports nothing for it
    except OSError:
        return 0, 0
    return net_bytes(_read(proc / str(init) / "net" / "dev"))


def sample(record: ContainerRecord, init: int | None, proc: Path = PROC) -> Sample:
    """One reading of `record` (whose first process is `init`); zeros when it is not running."""
    from engine.cgroups.errors import CgroupError
    from engine.cgroups.manager import Cgroup
    from engine.containers.top import container_pids

    system = system_cpu_ns(_read(proc / "stat"), os.sysconf("SC_CLK_TCK"))
    cpus = os.cpu_count() or 1
    if record.state not in RUNNING or not init:
        return Sample(system_ns=system, online_cpus=cpus)
    cgroup = Cgroup(record.config.launch["cgroup"])
    try:
        readings = cgroup.stats()
        pids = container_pids(cgroup.pids(), init, proc)
    except CgroupError:  # removed meanwhile: the container has just gone
        return Sample(system_ns=system, online_cpus=cpus)
    rx, tx = _net(init, proc)
    read, write = _block(cgroup.dirs())
    return Sample(system_ns=system, cpu_ns=readings.cpu_usage_ns or 0, online_cpus=cpus,
                  memory_used=memory_used(readings.memory_usage, readings.memory_inactive_file),
                  memory_limit=readings.memory_limit or host_memory(_read(proc / "meminfo")),
                  pids=_tasks(pids, proc), net_rx=rx, net_tx=tx, block_read=read, block_write=write)
