"""detect.py: where each controller lives, read from mountinfo texts of v1, v2 and hybrid hosts."""

from pathlib import Path

import pytest

from engine.cgroups.detect import detect, parse_mountinfo
from engine.cgroups.errors import CgroupError
from tests.unit.engine.cgroups_fake import v1_host, v2_host


def test_v1_host_maps_each_controller_to_its_mount_and_co_mounted_ones_share_it(tmp_path):
    _, layout = v1_host(tmp_path)
    assert layout.mode == "v1"
    assert layout.where("memory") == ("v1", tmp_path / "memory")
    assert layout.where("cpu") == layout.where("cpuacct") == ("v1", tmp_path / "cpu,cpuacct")
    assert "name=systemd" not in layout.v1 and "systemd" not in layout.v1
    assert layout.where("io") is None and layout.v2_controllers() == ()


def test_v2_host_reads_the_controllers_of_the_unified_root(tmp_path):
    _, layout = v2_host(tmp_path / "cg", "cpu memory pids")
    assert layout.mode == "v2"
    assert layout.where("memory") == ("v2", tmp_path / "cg")
    assert layout.where("io") is None
    assert layout.v2_controllers() == ("memory", "cpu", "pids")


def test_hybrid_host_prefers_v1_and_puts_the_rest_on_the_unified_mount(tmp_path):
    _, layout = v1_host(tmp_path, with_unified="hugetlb")
    assert layout.mode == "hybrid"
    assert layout.unified == tmp_path / "unified"
    assert layout.where("hugetlb") == ("v2", tmp_path / "unified")
    assert layout.where("memory") == ("v1", tmp_path / "memory")
    assert layout.v2_controllers() == ()


def test_hybrid_with_memory_on_both_still_drives_memory_through_v1(tmp_path):
    _, layout = v1_host(tmp_path, with_unified="memory pids")
    assert layout.where("memory")[0] == "v1"
    assert layout.v2_controllers() == ()


def test_escaped_mount_points_and_bind_mounted_subtrees():
    text = (
        "40 31 0:37 / /sys/fs/cgroup/with\\040space rw - cgroup cgroup rw,pids\n"
        "41 31 0:37 /docker/abc /mnt/inner rw - cgroup cgroup rw,memory\n"
        "42 31 0:37 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "43 31 0:38 / /sys/fs/cgroup/net rw - cgroup cgroup rw,net_cls,net_prio\n"
        "44 31 0:22 / /proc rw - proc proc rw\n"
    )
    layout = parse_mountinfo(text)
    assert layout.v1["pids"] == Path("/sys/fs/cgroup/with space")
    assert layout.v1["memory"] == Path("/sys/fs/cgroup/memory")
    assert layout.v1["net_cls"] == layout.v1["net_prio"]
    assert layout.unified is None


def test_no_cgroup_mount_is_an_error_naming_mountinfo():
    with pytest.raises(CgroupError, match="mountinfo"):
        detect("44 31 0:22 / /proc rw - proc proc rw\n")


def test_this_host_detects_something():
    layout = detect()
    assert layout.mode in ("v1", "v2", "hybrid")
