"""v2 controllers against a temporary directory: the exact files and values written, converted from OCI units."""

import pytest

from engine.cgroups.errors import CgroupError, CgroupLimitInvalid
from engine.cgroups.resources import BlockIO, Cpu, Memory, Pids, Resources, ThrottleDevice, WeightDevice
from engine.cgroups.v2 import cpu, cpuset, devices, freeze, io, memory, pids
from tests.unit.engine.cgroups_fake import kernel_files, record


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    return record(tmp_path, monkeypatch)


def test_memory_converts_swap_to_swap_alone(tmp_path, recorder):
    kernel_files(tmp_path, {"memory.swap.max": "max"})
    memory.apply(tmp_path, Resources(memory=Memory(limit=32 << 20, swap=64 << 20, reservation=8 << 20,
                                                   swappiness=10, disable_oom_killer=True)))
    assert recorder.writes == [("memory.max", "33554432"), ("memory.swap.max", "33554432"),
                               ("memory.low", "8388608")]


def test_memory_unlimited_is_max(tmp_path, recorder):
    kernel_files(tmp_path, {"memory.swap.max": "max"})
    memory.apply(tmp_path, Resources(memory=Memory(limit=-1, swap=-1)))
    assert recorder.writes == [("memory.max", "max"), ("memory.swap.max", "max")]


def test_memory_swap_without_limit_is_refused_before_any_write(tmp_path, recorder):
    with pytest.raises(CgroupLimitInvalid):
        memory.apply(tmp_path, Resources(memory=Memory(swap=64 << 20)))
    assert recorder.writes == []


def test_memory_stats(tmp_path):
    kernel_files(tmp_path, {"memory.current": "8192", "memory.max": "max", "memory.stat": "anon 4096\ninactive_file 12",
                            "memory.events": "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0"})
    assert memory.stats(tmp_path) == {"memory_usage": 8192, "memory_inactive_file": 12, "memory_oom_kills": 1,
                                      "memory_failcnt": 5}


def test_cpu_converts_shares_and_writes_cpu_max(tmp_path, recorder):
    cpu.apply(tmp_path, Resources(cpu=Cpu(shares=1024, quota=50000, period=100000, burst=500)))
    assert recorder.writes == [("cpu.weight", "39"), ("cpu.max", "50000 100000"), ("cpu.max.burst", "500")]


@pytest.mark.parametrize(("quota", "period", "line"), [(None, 50000, "max 50000"), (-1, None, "max 100000"),
                                                       (25000, None, "25000 100000")])
def test_cpu_max_forms(tmp_path, recorder, quota, period, line):
    cpu.apply(tmp_path, Resources(cpu=Cpu(quota=quota, period=period)))
    assert recorder.writes == [("cpu.max", line)]


def test_cpu_stats_are_in_nanoseconds(tmp_path):
    kernel_files(tmp_path, {"cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 3\n"
                                        "nr_throttled 1\nthrottled_usec 9"})
    assert cpu.stats(tmp_path) == {"cpu_usage_ns": 1500000, "cpu_user_ns": 1000000, "cpu_system_ns": 500000,
                                   "cpu_nr_periods": 3, "cpu_nr_throttled": 1}


def test_cpuset(tmp_path, recorder):
    cpuset.apply(tmp_path, Resources(cpu=Cpu(cpus="0-1", mems="0")))
    assert recorder.writes == [("cpuset.cpus", "0-1"), ("cpuset.mems", "0")]


def test_pids(tmp_path, recorder):
    pids.apply(tmp_path, Resources(pids=Pids(12)))
    assert recorder.writes == [("pids.max", "12")]


BLOCK = BlockIO(weight=500, weight_device=(WeightDevice(8, 0, 1000),),
                throttle_read_bps_device=(ThrottleDevice(8, 0, 1048576),),
                throttle_write_bps_device=(ThrottleDevice(8, 0, 2097152),),
                throttle_read_iops_device=(ThrottleDevice(8, 16, 10),))


def test_io_converts_the_weight_and_gathers_limits_per_device(tmp_path, recorder):
    io.apply(tmp_path, Resources(block_io=BLOCK))
    assert recorder.writes == [("io.weight", "default 4950"), ("io.weight", "8:0 10000"),
                               ("io.max", "8:0 rbps=1048576 wbps=2097152"), ("io.max", "8:16 riops=10")]


def test_io_bfq_takes_the_blkio_weight_unconverted(tmp_path, recorder):
    kernel_files(tmp_path, {"io.bfq.weight": "default 100"})
    io.apply(tmp_path, Resources(block_io=BlockIO(weight=500, weight_device=(WeightDevice(8, 0, 200),))))
    assert recorder.writes == [("io.bfq.weight", "500"), ("io.bfq.weight", "8:0 200")]


def test_freeze_waits_for_the_frozen_event(tmp_path, recorder):
    kernel_files(tmp_path, {"cgroup.events": "populated 1\nfrozen 1"})
    freeze.freeze(tmp_path, timeout=1)
    (tmp_path / "cgroup.events").write_text("populated 1\nfrozen 0\n")
    freeze.thaw(tmp_path, timeout=1)
    assert recorder.writes == [("cgroup.freeze", "1"), ("cgroup.freeze", "0")]


def test_freeze_that_never_completes_is_undone_and_reported(tmp_path, recorder):
    kernel_files(tmp_path, {"cgroup.events": "populated 1\nfrozen 0"})
    with pytest.raises(CgroupError, match="freeze .*frozen 1"):
        freeze.freeze(tmp_path, timeout=0.05)
    assert recorder.writes == [("cgroup.freeze", "1"), ("cgroup.freeze", "0")]


def test_kill_writes_cgroup_kill(tmp_path, recorder):
    kernel_files(tmp_path, {"cgroup.kill": ""})
    assert freeze.can_kill(tmp_path)
    freeze.kill(tmp_path)
    assert recorder.writes == [("cgroup.kill", "1")]


def test_devices_on_v2_are_a_program_not_files(tmp_path, recorder):
    from engine.cgroups.resources import DEFAULT_DEVICE_RULES

    devices.apply(tmp_path, Resources(devices=DEFAULT_DEVICE_RULES))  # a plain directory: no program either
    assert recorder.writes == [] and list(tmp_path.iterdir()) == []
