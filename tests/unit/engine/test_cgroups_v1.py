"""v1 controllers against a temporary directory: the exact files and values written, in order."""

import pytest

from engine.cgroups import fs
from engine.cgroups.errors import CgroupError, CgroupLimitInvalid
from engine.cgroups.resources import (
    DEFAULT_DEVICE_RULES,
    BlockIO,
    Cpu,
    Memory,
    Pids,
    Resources,
    ThrottleDevice,
    WeightDevice,
)
from engine.cgroups.v1 import blkio, cpu, cpuset, devices, freezer, memory, pids
from tests.unit.engine.cgroups_fake import kernel_files, record


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    return record(tmp_path, monkeypatch)


def test_memory_writes_limit_swap_soft_limit_swappiness_and_oom(tmp_path, recorder):
    kernel_files(tmp_path / "c", {"memory.memsw.limit_in_bytes": "9223372036854771712"})
    memory.apply(tmp_path / "c", Resources(memory=Memory(limit=32 << 20, swap=64 << 20, reservation=16 << 20,
                                                         swappiness=0, disable_oom_killer=True)))
    assert recorder.writes == [
        ("c/memory.limit_in_bytes", "33554432"),
        ("c/memory.memsw.limit_in_bytes", "67108864"),
        ("c/memory.soft_limit_in_bytes", "16777216"),
        ("c/memory.swappiness", "0"),
        ("c/memory.oom_control", "1"),
    ]


def test_memory_without_swap_accounting_drops_the_swap_limit(tmp_path, recorder):
    memory.apply(tmp_path, Resources(memory=Memory(limit=1 << 20, swap=2 << 20)))
    assert recorder.writes == [("memory.limit_in_bytes", "1048576")]


def test_memory_retries_the_pair_in_the_other_order_when_the_kernel_refuses(tmp_path, monkeypatch):
    kernel_files(tmp_path, {"memory.memsw.limit_in_bytes": "100"})
    writes = []

    def write(path, value):
        # Like the kernel: memory.limit_in_bytes may not exceed memory.memsw.limit_in_bytes.
        if path.name == "memory.limit_in_bytes" and int(value) > int(fs.read(tmp_path / "memory.memsw.limit_in_bytes")):
            raise CgroupLimitInvalid("refused")
        writes.append((path.name, str(value)))
        path.write_text(str(value))

    monkeypatch.setattr(fs, "write", write)
    memory.apply(tmp_path, Resources(memory=Memory(limit=200, swap=400)))
    assert writes == [("memory.memsw.limit_in_bytes", "400"), ("memory.limit_in_bytes", "200")]


def test_memory_stats(tmp_path):
    kernel_files(tmp_path, {"memory.usage_in_bytes": "4096", "memory.limit_in_bytes": "9223372036854771712",
                            "memory.stat": "cache 0\ntotal_inactive_file 1024\n", "memory.failcnt": "3",
                            "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2"})
    assert memory.stats(tmp_path) == {"memory_usage": 4096, "memory_inactive_file": 1024, "memory_failcnt": 3,
                                      "memory_oom_kills": 2}


def test_cpu_writes_shares_then_period_then_quota(tmp_path, recorder):
    cpu.apply(tmp_path, Resources(cpu=Cpu(shares=512, quota=50000, period=100000, burst=1000, idle=0)))
    assert recorder.writes == [("cpu.shares", "512"), ("cpu.cfs_period_us", "100000"),
                               ("cpu.cfs_quota_us", "50000"), ("cpu.cfs_burst_us", "1000"), ("cpu.idle", "0")]


def test_cpu_with_only_cpuset_writes_nothing(tmp_path, recorder):
    cpu.apply(tmp_path, Resources(cpu=Cpu(cpus="0")))
    assert recorder.writes == []


def test_cpuacct_stats(tmp_path):
    kernel_files(tmp_path, {"cpuacct.usage": "5000", "cpuacct.usage_user": "3000", "cpuacct.usage_sys": "2000",
                            "cpu.stat": "nr_periods 10\nnr_throttled 4\nthrottled_time 77"})
    assert cpu.acct_stats(tmp_path) == {"cpu_usage_ns": 5000, "cpu_user_ns": 3000, "cpu_system_ns": 2000}
    assert cpu.stats(tmp_path) == {"cpu_nr_periods": 10, "cpu_nr_throttled": 4}


def test_cpuset_inherits_the_parents_sets_then_writes_its_own(tmp_path, recorder):
    kernel_files(tmp_path, {"cpuset.cpus": "0-3", "cpuset.mems": "0"})
    kernel_files(tmp_path / "c", {"cpuset.cpus": "", "cpuset.mems": ""})
    cpuset.inherit(tmp_path / "c")
    cpuset.apply(tmp_path / "c", Resources(cpu=Cpu(cpus="1", mems="0")))
    assert recorder.writes == [("c/cpuset.cpus", "0-3"), ("c/cpuset.mems", "0"),
                               ("c/cpuset.cpus", "1"), ("c/cpuset.mems", "0")]


def test_cpuset_inherit_keeps_sets_already_there(tmp_path, recorder):
    kernel_files(tmp_path, {"cpuset.cpus": "0-3", "cpuset.mems": "0"})
    kernel_files(tmp_path / "c", {"cpuset.cpus": "2", "cpuset.mems": "0"})
    cpuset.inherit(tmp_path / "c")
    assert recorder.writes == []


@pytest.mark.parametrize(("limit", "written"), [(20, "20"), (0, "max"), (-1, "max")])
def test_pids_max(tmp_path, recorder, limit, written):
    pids.apply(tmp_path, Resources(pids=Pids(limit)))
    assert recorder.writes == [("pids.max", written)]


def test_pids_stats(tmp_path):
    kernel_files(tmp_path, {"pids.current": "3", "pids.max": "max"})
    assert pids.stats(tmp_path) == {"pids_current": 3}


BLOCK = BlockIO(weight=300, weight_device=(WeightDevice(8, 0, 100),),
                throttle_read_bps_device=(ThrottleDevice(8, 0, 1048576),),
                throttle_write_iops_device=(ThrottleDevice(8, 16, 50),))


def test_blkio_cfq_weight_and_throttles(tmp_path, recorder):
    kernel_files(tmp_path, {"blkio.weight": "500", "blkio.weight_device": ""})
    blkio.apply(tmp_path, Resources(block_io=BLOCK))
    assert recorder.writes == [("blkio.weight", "300"), ("blkio.weight_device", "8:0 100"),
                               ("blkio.throttle.read_bps_device", "8:0 1048576"),
                               ("blkio.throttle.write_iops_device", "8:16 50")]


def test_blkio_bfq_weight(tmp_path, recorder):
    kernel_files(tmp_path, {"blkio.bfq.weight": "default 100", "blkio.bfq.weight_device": ""})
    blkio.apply(tmp_path, Resources(block_io=BlockIO(weight=300, weight_device=(WeightDevice(8, 0, 100),))))
    assert recorder.writes == [("blkio.bfq.weight", "300"), ("blkio.bfq.weight_device", "8:0 100")]


def test_blkio_without_a_proportional_scheduler_skips_the_weight(tmp_path, recorder):
    blkio.apply(tmp_path, Resources(block_io=BlockIO(weight=300)))
    assert recorder.writes == []


def test_devices_writes_each_rule_in_order(tmp_path, recorder):
    devices.apply(tmp_path, Resources(devices=DEFAULT_DEVICE_RULES))
    assert recorder.writes[:4] == [("devices.deny", "a"), ("devices.allow", "c *:* m"),
                                   ("devices.allow", "b *:* m"), ("devices.allow", "c 1:3 rwm")]
    assert ("devices.allow", "c 136:* rwm") in recorder.writes
    assert len(recorder.writes) == len(DEFAULT_DEVICE_RULES)


def test_freezer_freeze_and_thaw(tmp_path, recorder):
    kernel_files(tmp_path, {"freezer.state": "THAWED"})
    freezer.freeze(tmp_path, timeout=1)
    assert freezer.state(tmp_path) == "FROZEN"
    freezer.thaw(tmp_path, timeout=1)
    assert recorder.writes == [("freezer.state", "FROZEN"), ("freezer.state", "THAWED")]


def test_freezer_stuck_in_freezing_is_undone_and_reported(tmp_path, monkeypatch):
    kernel_files(tmp_path, {"freezer.state": "THAWED"})
    written = []

    def write(path, value):
        written.append(value)
        path.write_text("FREEZING" if value == "FROZEN" else value)

    monkeypatch.setattr(fs, "write", write)
    with pytest.raises(CgroupError, match="freeze .*still not done"):
        freezer.freeze(tmp_path, timeout=0.05)
    assert written[-1] == "THAWED"
