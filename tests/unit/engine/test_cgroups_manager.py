"""manager.py on fake v1, v2 and hybrid hosts: which directories are made, what is written where, and unwinding."""

import pytest

from engine.cgroups import fs
from engine.cgroups.errors import CgroupError, CgroupLimitInvalid, CgroupNotFound
from engine.cgroups.manager import Cgroup, Stats
from engine.cgroups.resources import Cpu, Memory, Pids, Resources, from_docker
from tests.unit.engine.cgroups_fake import kernel_files, record, v1_host, v2_host

V1_DIRS = ["memory", "cpu,cpuacct", "cpuset", "pids", "blkio", "devices", "freezer"]

@pytest.fixture
def recorder(tmp_path, monkeypatch):
    return record(tmp_path, monkeypatch)


def test_create_on_v1_makes_the_path_on_every_hierarchy_and_inherits_cpusets(tmp_path, recorder):
    _, layout = v1_host(tmp_path)
    cg = Cgroup.create("pycompose/web", Resources(memory=Memory(limit=1 << 25), pids=Pids(10),
                                                  cpu=Cpu(quota=50000, period=100000)), layout)
    assert sorted(str(d.relative_to(tmp_path)) for d in cg.dirs().values()) == sorted(f"{d}/pycompose/web"
                                                                                     for d in V1_DIRS)
    assert all(d.is_dir() for d in cg.dirs().values())
    assert recorder.writes == [
        ("cpuset/pycompose/cpuset.cpus", "0-3"), ("cpuset/pycompose/cpuset.mems", "0"),
        ("cpuset/pycompose/web/cpuset.cpus", "0-3"), ("cpuset/pycompose/web/cpuset.mems", "0"),
        ("memory/pycompose/web/memory.limit_in_bytes", "33554432"),
        ("cpu,cpuacct/pycompose/web/cpu.cfs_period_us", "100000"),
        ("cpu,cpuacct/pycompose/web/cpu.cfs_quota_us", "50000"),
        ("pids/pycompose/web/pids.max", "10"),
    ]


def test_create_on_v2_enables_controllers_down_to_the_parent_and_writes_v2_files(tmp_path, recorder):
    _, layout = v2_host(tmp_path / "cg", "cpu memory pids io")
    res = from_docker(cpus=1.5, cpu_shares=2048, mem_limit="64m", pids_limit=5, blkio_weight=1000)
    cg = Cgroup.create("pycompose/db", res, layout)
    assert cg.dirs() == {"unified": tmp_path / "cg" / "pycompose" / "db"}
    enable = [(f"cg/{where}cgroup.subtree_control", f"+{c}") for where in ("", "pycompose/")
              for c in ("memory", "cpu", "pids", "io")]
    assert recorder.writes == enable + [
        ("cg/pycompose/db/memory.max", "67108864"),
        ("cg/pycompose/db/cpu.weight", "79"),
        ("cg/pycompose/db/cpu.max", "150000 100000"),
        ("cg/pycompose/db/pids.max", "5"),
        ("cg/pycompose/db/io.weight", "default 10000"),
    ]


def test_v2_controllers_already_enabled_are_not_enabled_again(tmp_path, recorder):
    _, layout = v2_host(tmp_path / "cg", "memory pids")
    (tmp_path / "cg" / "cgroup.subtree_control").write_text("memory pids\n")
    Cgroup.create("pycompose/a", None, layout)
    assert recorder.writes == [("cg/pycompose/cgroup.subtree_control", "+memory"),
                               ("cg/pycompose/cgroup.subtree_control", "+pids")]


def test_hybrid_host_also_makes_the_unified_cgroup_and_adds_the_pid_everywhere(tmp_path, recorder):
    _, layout = v1_host(tmp_path, with_unified="hugetlb")
    cg = Cgroup.create("pycompose/x", None, layout)
    recorder.writes.clear()
    cg.add(4242)
    assert sorted(recorder.writes) == sorted([(f"{d}/pycompose/x/cgroup.procs", "4242")
                                              for d in [*V1_DIRS, "unified"]])
    assert cg.pids() == [4242]  # read from the unified half


def test_unified_files_are_written_verbatim_on_v2(tmp_path, recorder):
    _, layout = v2_host(tmp_path / "cg", "memory")
    Cgroup.create("pycompose/u", Resources(unified=(("memory.high", "1000000"),)), layout)
    assert recorder.writes[-1] == ("cg/pycompose/u/memory.high", "1000000")
    with pytest.raises(CgroupLimitInvalid, match="not a cgroup interface file"):
        Cgroup.create("pycompose/v", Resources(unified=(("../escape", "1"),)), layout)


def test_a_limit_without_its_controller_fails_and_leaves_nothing(tmp_path):
    _, layout = v2_host(tmp_path / "cg", "cpu")
    with pytest.raises(CgroupError, match="no `memory` cgroup controller"):
        Cgroup.create("pycompose/m", Resources(memory=Memory(limit=1 << 20)), layout)
    assert not (tmp_path / "cg" / "pycompose").exists()


def test_a_refused_write_unwinds_every_directory_made(tmp_path, monkeypatch):
    _, layout = v1_host(tmp_path)
    real = fs.write

    def refuse_pids(path, value):
        if path.name == "pids.max":
            raise CgroupLimitInvalid(f"write `{path}`: the kernel refused {value!r}")
        real(path, value)

    monkeypatch.setattr(fs, "write", refuse_pids)
    with pytest.raises(CgroupLimitInvalid, match="pids.max"):
        Cgroup.create("pycompose/p", Resources(pids=Pids(3)), layout)
    assert [p for p in tmp_path.rglob("pycompose*")] == []


def test_an_existing_parent_is_kept_when_a_create_unwinds(tmp_path, monkeypatch):
    _, layout = v1_host(tmp_path)
    Cgroup.create("pycompose/first", None, layout)
    monkeypatch.setattr(fs, "write", lambda path, value: (_ for _ in ()).throw(CgroupError("no")))
    with pytest.raises(CgroupError):
        Cgroup.create("pycompose/second", Resources(pids=Pids(3)), layout)
    assert (tmp_path / "pids" / "pycompose" / "first").is_dir()
    assert not (tmp_path / "pids" / "pycompose" / "second").exists()


@pytest.mark.parametrize("path", ["docker/abc", "/", "pycompose/../docker", "system.slice/x"])
def test_paths_outside_a_pycompose_parent_are_refused(tmp_path, path):
    _, layout = v1_host(tmp_path)
    with pytest.raises(CgroupLimitInvalid, match="pycompose"):
        Cgroup(path, layout)


def test_leading_slash_of_an_oci_cgroups_path_is_accepted(tmp_path):
    _, layout = v1_host(tmp_path)
    assert str(Cgroup("/pycompose/abc", layout).path) == "pycompose/abc"


def test_stats_on_v1_gather_memory_cpuacct_and_pids(tmp_path):
    _, layout = v1_host(tmp_path)
    cg = Cgroup.create("pycompose/s", None, layout)
    kernel_files(tmp_path / "memory/pycompose/s", {"memory.usage_in_bytes": "100", "memory.limit_in_bytes": "200"})
    kernel_files(tmp_path / "cpu,cpuacct/pycompose/s", {"cpuacct.usage": "7"})
    kernel_files(tmp_path / "pids/pycompose/s", {"pids.current": "2", "pids.max": "9"})
    assert cg.stats() == Stats(memory_usage=100, memory_limit=200, cpu_usage_ns=7, pids_current=2, pids_limit=9)


def test_stats_on_v2(tmp_path):
    _, layout = v2_host(tmp_path / "cg", "memory pids cpu")
    cg = Cgroup.create("pycompose/s", None, layout)
    kernel_files(tmp_path / "cg/pycompose/s", {"memory.current": "100", "memory.max": "max", "pids.current": "1",
                                              "cpu.stat": "usage_usec 3\nuser_usec 2\nsystem_usec 1"})
    assert cg.stats() == Stats(memory_usage=100, cpu_usage_ns=3000, cpu_user_ns=2000, cpu_system_ns=1000,
                               pids_current=1)


def test_stats_of_a_missing_cgroup(tmp_path):
    _, layout = v1_host(tmp_path)
    with pytest.raises(CgroupNotFound, match="pycompose/none"):
        Cgroup("pycompose/none", layout).stats()


def test_freeze_uses_the_v1_freezer_on_hybrid_hosts(tmp_path, recorder):
    _, layout = v1_host(tmp_path, with_unified="")
    cg = Cgroup.create("pycompose/f", None, layout)
    recorder.writes.clear()
    cg.freeze(timeout=1)
    assert cg.frozen()
    cg.thaw(timeout=1)
    assert not cg.frozen()
    assert recorder.writes == [("freezer/pycompose/f/freezer.state", "FROZEN"),
                               ("freezer/pycompose/f/freezer.state", "THAWED")]


def test_kill_prefers_cgroup_kill_and_remove_takes_every_directory(tmp_path, recorder):
    _, layout = v1_host(tmp_path, with_unified="")
    cg = Cgroup.create("pycompose-test/k", None, layout)
    kernel_files(tmp_path / "unified/pycompose-test/k", {"cgroup.kill": ""})
    recorder.writes.clear()
    cg.kill(timeout=1)
    assert recorder.writes == [("unified/pycompose-test/k/cgroup.kill", "1")]
    cg.remove(timeout=1, parents=True)
    assert not cg.exists()
    assert [p for p in tmp_path.rglob("pycompose*")] == []


def test_remove_keeps_a_parent_another_container_uses(tmp_path):
    _, layout = v2_host(tmp_path / "cg", "pids")
    a = Cgroup.create("pycompose/a", None, layout)
    Cgroup.create("pycompose/b", None, layout)
    a.remove(timeout=1, parents=True)
    assert sorted(p.name for p in (tmp_path / "cg" / "pycompose").iterdir() if p.is_dir()) == ["b"]


def test_remove_also_takes_what_runc_made_on_the_named_systemd_hierarchy(tmp_path):
    _, layout = v1_host(tmp_path)
    assert layout.named == {"systemd": tmp_path / "systemd"}
    cg = Cgroup.create("pycompose/r", None, layout)
    assert not (tmp_path / "systemd/pycompose").exists()  # pycompose itself never makes it
    (tmp_path / "systemd/pycompose/r").mkdir(parents=True)  # runc does
    cg.remove(timeout=1, parents=True)
    assert [p for p in tmp_path.rglob("pycompose*")] == []
    cg = Cgroup.create("pycompose/r", None, layout)
    (tmp_path / "systemd/pycompose").mkdir()  # runc made it, and `runc delete` removed only its own leaf
    cg.remove(timeout=1, parents=True)
    assert [p for p in tmp_path.rglob("pycompose*")] == []


def test_create_makes_the_shared_parent_again_when_a_removal_pruned_it_meanwhile(tmp_path, monkeypatch):
    import engine.cgroups.fs as cgfs

    _, layout = v2_host(tmp_path / "cg", "pids")
    real_mkdir, pruned = cgfs.mkdir, []

    def racing_mkdir(path):
        made = real_mkdir(path)
        if path.name == "pycompose" and not pruned:  # the last container's removal wins the race
            pruned.append(path)
            path.rmdir()
        return made

    monkeypatch.setattr(cgfs, "mkdir", racing_mkdir)
    cg = Cgroup.create("pycompose/c", None, layout)
    assert pruned and cg.exists()


def test_remove_of_a_missing_cgroup_is_a_no_op(tmp_path):
    _, layout = v1_host(tmp_path)
    Cgroup("pycompose/gone", layout).remove(timeout=1)


def test_creating_on_the_host_without_root_fails_loudly(monkeypatch):
    import engine.cgroups.manager as manager

    monkeypatch.setattr(manager.os, "geteuid", lambda: 1000)
    with pytest.raises(CgroupError, match="needs root") as err:
        Cgroup.create("pycompose/x")
    assert err.value.hint == "run pycompose as root"
