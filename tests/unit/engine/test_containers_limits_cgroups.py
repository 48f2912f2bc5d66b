"""The container options' limits, as engine.cgroups writes them on fake v1, v2 and hybrid hosts (cgroups_fake):
what `container run --cpu-shares ... --memory-reservation ... --device ...` leaves in the container's cgroup."""

from __future__ import annotations

import pytest

from engine.cgroups.manager import Cgroup
from engine.containers import devices, limits
from engine.containers.options import RunOptions
from tests.unit.engine.cgroups_fake import kernel_files, record, v1_host, v2_host

OPTIONS = RunOptions("busybox", cpu_shares=512, memory="64m", memory_reservation="32m", memory_swappiness=10,
                     oom_kill_disable=True, cpuset_cpus="1", blkio_weight=300, pids_limit=20,
                     cgroup_parent="batch", device_cgroup_rules=("c 10:229 r",))


@pytest.fixture
def recorder(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    return record(tmp_path, monkeypatch)


def create(layout):  # type: ignore[no-untyped-def]
    resources = limits.resources(OPTIONS, devices.cgroup_rules(OPTIONS, []))
    return Cgroup.create(limits.cgroup_path(OPTIONS, "c1"), resources, layout)


def written(recorder, prefix: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, list[str]] = {}
    for path, value in recorder.writes:
        if path.startswith(prefix):
            out.setdefault(path.removeprefix(prefix), []).append(value)
    return out


def test_v1_host_gets_the_v1_files_under_the_parent(tmp_path, recorder):
    _, layout = v1_host(tmp_path)
    kernel_files(tmp_path / "memory" / "pycompose" / "batch" / "c1", {"memory.memsw.limit_in_bytes": "0"})
    kernel_files(tmp_path / "blkio" / "pycompose" / "batch" / "c1", {"blkio.weight": "500"})
    create(layout)
    memory = written(recorder, "memory/pycompose/batch/c1/")
    assert memory == {"memory.limit_in_bytes": [str(64 << 20)], "memory.memsw.limit_in_bytes": [str(128 << 20)],
                      "memory.soft_limit_in_bytes": [str(32 << 20)], "memory.swappiness": ["10"],
                      "memory.oom_control": ["1"]}
    assert written(recorder, "cpu,cpuacct/pycompose/batch/c1/") == {"cpu.shares": ["512"]}
    assert written(recorder, "cpuset/pycompose/batch/c1/")["cpuset.cpus"][-1] == "1"
    assert written(recorder, "blkio/pycompose/batch/c1/") == {"blkio.weight": ["300"]}
    assert written(recorder, "pids/pycompose/batch/c1/") == {"pids.max": ["20"]}
    rules = written(recorder, "devices/pycompose/batch/c1/")
    assert rules["devices.deny"] == ["a"] and rules["devices.allow"][-1] == "c 10:229 r"


def test_v2_host_gets_the_converted_files(tmp_path, recorder):
    _, layout = v2_host(tmp_path / "cg", "cpuset cpu io memory pids")
    kernel_files(tmp_path / "cg" / "pycompose" / "batch" / "c1", {"memory.swap.max": "max"})
    create(layout)
    files = written(recorder, "cg/pycompose/batch/c1/")
    assert files["memory.max"] == [str(64 << 20)] and files["memory.low"] == [str(32 << 20)]
    assert files["memory.swap.max"] == [str(64 << 20)]  # OCI memory+swap 128m, less the memory
    assert files["cpu.weight"] == ["20"]  # 512 shares on the linear scale
    assert files["cpuset.cpus"] == ["1"] and files["pids.max"] == ["20"]
    assert files["io.weight"] == ["default 2930"]  # blkio weight 300 on io.weight's scale
    assert "memory.swappiness" not in files and "memory.oom_control" not in files  # v1 only, as Docker on v2


def test_hybrid_host_writes_v1_limits_and_makes_the_unified_cgroup(tmp_path, recorder):
    _, layout = v1_host(tmp_path, with_unified="")
    cgroup = create(layout)
    assert (tmp_path / "unified" / "pycompose" / "batch" / "c1").is_dir()
    assert written(recorder, "cpu,cpuacct/pycompose/batch/c1/") == {"cpu.shares": ["512"]}
    cgroup.remove(parents=True)
    assert not (tmp_path / "memory" / "pycompose" / "batch").exists()  # the parent made for it goes too


def test_per_device_throttles_are_written_with_the_devices_numbers(tmp_path, recorder):
    _, layout = v1_host(tmp_path)
    options = RunOptions("busybox", device_read_bps=(("/dev/null", "1mb"),), device_write_iops=(("/dev/null", 100),))
    Cgroup.create(limits.cgroup_path(options, "c2"), limits.resources(options, ()), layout)
    files = written(recorder, "blkio/pycompose/c2/")
    assert files == {"blkio.throttle.read_bps_device": ["1:3 1048576"], "blkio.throttle.write_iops_device": ["1:3 100"]}
