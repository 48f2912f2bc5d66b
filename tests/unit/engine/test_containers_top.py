"""engine.containers.top on a /proc tree written by the test: the `ps -ef` columns and which pids are listed."""

from __future__ import annotations

import os
import time
from pathlib import Path

from engine.containers import top
from engine.containers.top import Clock

HZ = 100


def fake_process(proc: Path, pid: int, *, ppid: int, comm: str, argv: list[str], uid: int = 0, ticks: int = 0,
                 started: int = 0, tty_nr: int = 0, pidns: str = "pid:[1]") -> None:
    base = proc / str(pid)
    (base / "ns").mkdir(parents=True)
    # pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ... starttime
    fields = ["S", ppid, pid, pid, tty_nr, -1, 0, 0, 0, 0, 0, ticks, 0, 0, 0, 20, 0, 1, 0, started]
    (base / "stat").write_text(f"{pid} ({comm}) " + " ".join(map(str, fields)) + " 0 0\n")
    (base / "status").write_text(f"Name:\t{comm}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n")
    (base / "cmdline").write_bytes(b"".join(a.encode() + b"\0" for a in argv))
    os.symlink(pidns, base / "ns" / "pid")


def test_rows_read_like_ps_ef(tmp_path: Path) -> None:
    now = time.time()
    clock = Clock(HZ, now - 1000, now)  # booted 1000 s ago
    fake_process(tmp_path, 42, ppid=7, comm="sleep", argv=["sleep", "300"], ticks=500, started=500 * HZ)
    fake_process(tmp_path, 43, ppid=42, comm="kworker", argv=[], uid=4242424, tty_nr=(136 << 8) | 3,
                 ticks=HZ * 3700, started=0)
    sleep = top.process_row(42, clock, tmp_path)
    assert sleep is not None
    uid, pid, ppid, cpu, stime, tty, cputime, cmd = sleep
    assert (uid, pid, ppid, cpu, tty, cputime, cmd) == ("root", "42", "7", "1", "?", "00:00:05", "sleep 300")
    assert stime == time.strftime("%H:%M", time.localtime(now - 500))
    assert top.process_row(43, clock, tmp_path)[0::5] == ("4242424", "pts/3")  # type: ignore[index]
    assert top.process_row(43, clock, tmp_path)[6:] == ("01:01:40", "[kworker]")  # type: ignore[index]
    assert top.process_row(44, clock, tmp_path) is None  # gone


def test_only_the_container_pid_namespace(tmp_path: Path) -> None:
    (tmp_path / "self" / "ns").mkdir(parents=True)
    os.symlink("pid:[1]", tmp_path / "self" / "ns" / "pid")
    fake_process(tmp_path, 10, ppid=1, comm="shim", argv=["python"], pidns="pid:[1]")
    fake_process(tmp_path, 11, ppid=10, comm="sh", argv=["sh"], pidns="pid:[9]")
    fake_process(tmp_path, 12, ppid=11, comm="sleep", argv=["sleep"], pidns="pid:[9]")
    assert top.container_pids([12, 10, 11], 11, tmp_path) == [11, 12]
    assert top.container_pids([12, 10, 11], None, tmp_path) == [10, 11, 12]  # no init known: the whole cgroup
    assert top.container_pids([10, 12], 10, tmp_path) == [10, 12]  # the host's namespace (pid: host): all


def test_times() -> None:
    assert top._cputime(0) == "00:00:00" and top._cputime(90061) == "1-01:01:01"
    now = time.mktime((2024, 6, 15, 12, 0, 0, 0, 0, -1))
    assert top._stime(now - 3600, now) == "11:00"
    assert top._stime(now - 40 * 86400, now) == time.strftime("%b%d", time.localtime(now - 40 * 86400))
    assert top._stime(now - 400 * 86400, now) == "2023"
    assert top._tty(0) == "?" and top._tty((4 << 8) | 1) == "tty1" and top._tty((4 << 8) | 65) == "ttyS1"
