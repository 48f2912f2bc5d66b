"""Real pause, kill, stats and removal: freeze stops a counting process, thaw resumes it, nothing is left."""

import os
from pathlib import Path

import pytest

from engine.cgroups import fs
from engine.cgroups.detect import detect
from engine.cgroups.resources import Resources, from_docker
from engine.cgroups.v2 import freeze as v2_freeze
from tests.integration.engine import cgroups_real as real
from tests.integration.engine.cgroups_real import eventually, read_line


@pytest.fixture(autouse=True)
def _root():
    real.needs_root()


@pytest.fixture
def cgroups():
    with real.cgroup_factory() as make:
        yield make


@pytest.fixture
def children():
    with real.children() as kids:
        yield kids


COUNTER = """
import os
fd = os.open({path!r}, os.O_WRONLY | os.O_CREAT, 0o644)
n = 0
print("counting", flush=True)
while True:
    n += 1
    if n % 1000 == 0:
        os.pwrite(fd, b"%20d" % n, 0)
"""


def _count(path: Path) -> int:
    text = path.read_bytes().strip()
    return int(text) if text else 0


def _assert_pauses_and_resumes(freeze, thaw, counter: Path) -> None:
    assert eventually(lambda: _count(counter) > 0, timeout=10)
    freeze()
    frozen_at = _count(counter)
    # Stopped means: no advance over a quarter of a second that a running process would fill with thousands.
    assert not eventually(lambda: _count(counter) != frozen_at, timeout=0.25)
    thaw()
    assert eventually(lambda: _count(counter) > frozen_at, timeout=10)


def test_freeze_stops_a_counting_process_and_thaw_resumes_it(cgroups, children, tmp_path):
    cg = cgroups("pause")
    counter = tmp_path / "count"
    proc = children.spawn(cg, COUNTER.format(path=str(counter)))
    assert read_line(proc) == "counting"
    _assert_pauses_and_resumes(lambda: cg.freeze(timeout=10), lambda: cg.thaw(timeout=10), counter)
    assert not cg.frozen()


@pytest.mark.skipif(detect().unified is None, reason="no cgroup2 hierarchy on this host (pure v1)")
def test_v2_core_freeze_on_the_unified_hierarchy(cgroups, children, tmp_path):
    # On a hybrid host this is the v2 code path, on real cgroup2 files: cgroup.freeze and cgroup.events.
    cg = cgroups("v2pause")
    unified = cg.dirs()["unified"]
    counter = tmp_path / "count"
    proc = children.spawn(cg, COUNTER.format(path=str(counter)))
    assert read_line(proc) == "counting"
    _assert_pauses_and_resumes(lambda: v2_freeze.freeze(unified, timeout=10),
                               lambda: v2_freeze.thaw(unified, timeout=10), counter)
    assert fs.read_flat(unified / "cgroup.events")["populated"] == 1


# Three children that only wait, then one line from the parent (the children never write).
FORK_THREE = """
import os, signal
for _ in range(3):
    if os.fork() == 0:
        while True:
            signal.pause()
print("up", flush=True)
signal.pause()
"""


def test_kill_takes_every_process_including_forked_ones(cgroups, children):
    cg = cgroups("kill")
    proc = children.spawn(cg, FORK_THREE)
    assert read_line(proc) == "up"
    assert eventually(lambda: len(cg.pids()) == 4, timeout=10)
    cg.kill(timeout=10)
    assert proc.wait(timeout=10) == -9
    assert cg.pids() == []


def test_kill_without_cgroup_kill_freezes_signals_and_thaws(cgroups, children, monkeypatch):
    monkeypatch.setattr(v2_freeze, "can_kill", lambda cgroup: False)
    cg = cgroups("killv1")
    proc = children.spawn(cg, FORK_THREE)
    assert read_line(proc) == "up"
    cg.kill(timeout=10)
    assert proc.wait(timeout=10) == -9
    assert not cg.frozen() and cg.pids() == []


def test_stats_read_memory_cpu_and_pids(cgroups, children):
    cg = cgroups("stats", from_docker(mem_limit="64m", pids_limit=16))
    proc = children.spawn(cg, "b = bytearray(8 << 20)\nsum(range(10**6))\nprint('done', flush=True)\n"
                              "import signal\nsignal.pause()\n")
    assert read_line(proc) == "done"
    stats = cg.stats()
    assert stats.memory_usage >= 8 << 20 and stats.memory_limit == 64 << 20
    assert stats.cpu_usage_ns > 0
    assert stats.pids_current == 1 and stats.pids_limit == 16


def test_remove_kills_what_is_left_and_leaves_no_directory(cgroups, children):
    cg = cgroups("gone", Resources.from_oci({"pids": {"limit": 4}, "memory": {"limit": 64 << 20}}))
    proc = children.spawn(cg, "import signal\nprint('up', flush=True)\nsignal.pause()\n")
    assert read_line(proc) == "up"
    dirs = list(cg.dirs().values())
    assert all(d.is_dir() for d in dirs)
    cg.remove(timeout=10)
    assert proc.wait(timeout=10) == -9
    assert [d for d in dirs if d.exists()] == []
    assert not cg.exists()


def test_a_value_the_kernel_refuses_is_reported_and_unwound(cgroups):
    from engine.cgroups.errors import CgroupLimitInvalid
    from engine.cgroups.resources import Cpu

    cpus = os.cpu_count() or 1
    with pytest.raises(CgroupLimitInvalid, match=f"cpuset.cpus`: the kernel refused '{cpus + 60}'"):
        cgroups("bad", Resources(cpu=Cpu(cpus=str(cpus + 60))))
    # the factory's teardown then finds nothing left under the test's parent


def test_priming_moves_leaves_the_caller_where_it_was_and_keeps_the_next_moves_quick():
    import threading
    import time

    from engine.cgroups.manager import Cgroup, prime_moves

    group = Cgroup.create(f"pycompose-test-prime-{os.getpid()}/c")
    child = os.fork()
    if child == 0:
        time.sleep(5)
        os._exit(0)
    try:
        before = Path("/proc/self/cgroup").read_text()
        primed = time.perf_counter()
        prime_moves(seconds=0.3)
        # Longer than the kernel keeps its fast path after one move (~10-20 ms): still open, moved again and again.
        time.sleep(0.1)
        began = time.perf_counter()
        group.add(child)
        took = time.perf_counter() - began
        assert group.pids() == [child]
        assert took < 0.005, f"the move 100 ms after priming took {took * 1000:.1f} ms"
        [primer] = [thread for thread in threading.enumerate() if thread.name == "cgroup-prime"]
        primer.join(timeout=5)  # it stops once the time asked for has passed
        assert not primer.is_alive() and time.perf_counter() - primed >= 0.3
        assert Path("/proc/self/cgroup").read_text() == before
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
        group.remove(parents=True)
