"""Real limits on this host: memory (OOM kill), pids (fork stops), cpu (half a core), devices (v1)."""

import time

import pytest

from engine.cgroups.detect import detect
from engine.cgroups.resources import DEFAULT_DEVICE_RULES, Resources, from_docker
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


HOG = """
chunks = []
while True:
    chunks.append(bytearray(1 << 20))  # zero-filled, so every page is touched and charged
"""


def test_a_memory_hog_over_32_mib_is_oom_killed(cgroups, children):
    cg = cgroups("hog", from_docker(mem_limit="32m", memswap_limit="32m"))
    proc = children.spawn(cg, HOG)
    assert proc.wait(timeout=30) == -9
    stats = cg.stats()
    assert stats.memory_limit == 32 << 20
    assert stats.memory_oom_kills >= 1


FORK_LOOP = """
import os, signal
forks = 0
while True:
    try:
        pid = os.fork()
    except BlockingIOError:
        break
    if pid == 0:
        signal.pause()
        os._exit(0)
    forks += 1
print(forks, flush=True)
signal.pause()
"""


def test_a_fork_loop_stops_at_pids_max(cgroups, children):
    cg = cgroups("forks", Resources.from_oci({"pids": {"limit": 8}}))
    proc = children.spawn(cg, FORK_LOOP)
    assert read_line(proc) == "7"  # the loop itself and 7 children make 8
    stats = cg.stats()
    assert stats.pids_current == 8 and stats.pids_limit == 8
    cg.kill(timeout=10)
    assert proc.wait(timeout=10) == -9
    assert cg.pids() == []


BUSY = """
print("running", flush=True)
while True:
    pass
"""


def test_a_busy_loop_with_half_a_cpu_uses_about_half_a_core(cgroups, children):
    # A limit is a ceiling: the limited loop never gets more than half a core. How much it gets
    # below that depends on the host's load (CI, other suites), so an unlimited loop measured
    # over the same window tells whether a core was free; only then must the loop reach ~0.5.
    limited = cgroups("busy", from_docker(cpus=0.5))
    control = cgroups("control")
    for cg in (limited, control):
        assert read_line(children.spawn(cg, BUSY)) == "running"
    # Measure over whole CFS periods (100 ms each): wait for 10 more periods, not for a fixed time.
    first, first_control, start = limited.stats(), control.stats(), time.monotonic()
    assert eventually(lambda: limited.stats().cpu_nr_periods >= first.cpu_nr_periods + 10, timeout=10)
    last, last_control, wall = limited.stats(), control.stats(), time.monotonic() - start
    share = (last.cpu_usage_ns - first.cpu_usage_ns) / 1e9 / wall
    free = (last_control.cpu_usage_ns - first_control.cpu_usage_ns) / 1e9 / wall
    assert share <= 0.6, f"{share:.2f} of a core over {wall:.3f} s with cpus=0.5"
    if free >= 0.9:
        assert share >= 0.35, f"{share:.2f} of a core with cpus=0.5 while a core was free ({free:.2f})"
    else:
        assert share <= free + 0.1, f"limited {share:.2f} of a core, unlimited {free:.2f}: host too loaded"


OPEN_DEVICES = """
for path in ("/dev/null", "/dev/kmsg"):
    try:
        open(path, "rb", buffering=0).close()
        print(path, "ok", flush=True)
    except PermissionError:
        print(path, "denied", flush=True)
"""


@pytest.mark.skipif(detect().where("devices") is None, reason="no v1 devices controller on this host (pure v2)")
def test_device_rules_on_v1(cgroups, children):
    cg = cgroups("devices", Resources(devices=DEFAULT_DEVICE_RULES))
    proc = children.spawn(cg, OPEN_DEVICES)
    assert [read_line(proc), read_line(proc)] == ["/dev/null ok", "/dev/kmsg denied"]
    assert proc.wait(timeout=10) == 0
