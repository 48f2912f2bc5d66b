"""The native runtime's pure parts: option tables, path resolution, the syscall order, the lifecycle table."""

from __future__ import annotations

import os

import pytest

from engine.runtime import capabilities, defaults, mounts, namespaces, rootfs, spec
from engine.runtime import syscalls as sc
from engine.runtime.cli import _split_exec
from engine.runtime.errors import BundleInvalid, WrongState
from engine.runtime.state import Record, Store


def test_mount_options_become_flags_propagation_and_data():
    flags, propagation, data = mounts.parse_options(("nosuid", "ro", "rw", "noexec", "rslave", "mode=755", "size=1k"))
    assert flags == sc.MS_NOSUID | sc.MS_NOEXEC
    assert propagation == [sc.MS_SLAVE | sc.MS_REC]
    assert data == "mode=755,size=1k"


def test_secure_join_keeps_symlinks_inside_the_root(tmp_path):
    (tmp_path / "etc").mkdir()
    os.symlink("/../../../etc", tmp_path / "escape")
    os.symlink("../..", tmp_path / "etc" / "up")
    assert mounts.secure_join(str(tmp_path), "/escape/passwd") == str(tmp_path / "etc" / "passwd")
    assert mounts.secure_join(str(tmp_path), "etc/up/etc/up/x") == str(tmp_path / "x")
    assert mounts.secure_join(str(tmp_path), "/../../x") == str(tmp_path / "x")


def test_rootfs_pivots_in_order():
    with sc.recording() as calls:
        rootfs.prepare("/b/rootfs", None)
        rootfs.pivot("/b/rootfs")
    assert calls == [
        ("mount", None, "/", None, sc.MS_SLAVE | sc.MS_REC, None),
        ("mount", "/b/rootfs", "/b/rootfs", None, sc.MS_BIND | sc.MS_REC, None),
        ("open_directory", "/"), ("chdir", "/b/rootfs"), ("pivot_root", ".", "."),
        ("fchdir", 0), ("mount", None, ".", None, sc.MS_SLAVE | sc.MS_REC, None),  # the old root: an rslave tree
        ("umount2", ".", sc.MNT_DETACH), ("close", 0), ("chdir", "/"),
    ]


def test_a_shared_rootfs_keeps_the_hosts_peers_and_makes_only_the_pivots_mounts_private(monkeypatch):
    monkeypatch.setattr(rootfs, "mount_point_of", lambda path: "/b/rootfs")
    with sc.recording() as calls:
        rootfs.prepare("/b/rootfs", "shared")
    assert calls == [
        ("mount", None, "/", None, sc.MS_PRIVATE, None),          # not recursive: the host's shared mounts stay
        ("mount", None, "/b/rootfs", None, sc.MS_PRIVATE, None),  # pivot_root refuses a shared parent
        ("mount", "/b/rootfs", "/b/rootfs", None, sc.MS_BIND | sc.MS_REC, None),
    ]


def test_the_mount_point_of_a_path_is_the_longest_mounted_prefix():
    assert rootfs.mount_point_of("/proc/self/status") == "/proc"
    assert rootfs.mount_point_of("/") == "/"


def test_bind_mount_is_bound_then_remounted_read_only(tmp_path):
    (tmp_path / "src").mkdir()
    m = spec.Mount("/data", "bind", str(tmp_path / "src"), ("rbind", "ro", "rprivate"))
    with sc.recording() as calls:
        target = mounts.mount_in(str(tmp_path / "root"), m)
    assert target == str(tmp_path / "root" / "data") and os.path.isdir(target)
    assert calls[0] == ("mount", str(tmp_path / "src"), target, None, sc.MS_BIND | sc.MS_REC, None)
    assert calls[1][4] & (sc.MS_REMOUNT | sc.MS_BIND | sc.MS_RDONLY) == sc.MS_REMOUNT | sc.MS_BIND | sc.MS_RDONLY
    assert calls[2] == ("mount", None, target, None, sc.MS_PRIVATE | sc.MS_REC, None)


def test_docker_default_capabilities_mask():
    assert capabilities.mask(capabilities.DOCKER_DEFAULT) == 0xA80425FB
    with pytest.raises(BundleInvalid, match="CAP_NOPE"):
        capabilities.mask(["CAP_NOPE"])


def test_default_config_reads_back():
    s = spec.from_dict(defaults.config(["sh"], hostname="web"), "/b")
    assert s.process.args == ("sh",) and s.hostname == "web" and s.root_path == "/b/rootfs"
    p = namespaces.plan(s.namespaces)
    assert p.new_pid and p.has("mount") and p.has("network") and not p.joins


def test_a_given_network_namespace_is_joined_not_made():
    p = namespaces.plan([spec.Namespace("network", "/run/pycompose/netns/x"), spec.Namespace("mount")])
    assert p.joins == (("/run/pycompose/netns/x", sc.CLONE_NEWNET),) and p.new == sc.CLONE_NEWNS
    with pytest.raises(BundleInvalid, match="unknown namespace type 'time'"):
        namespaces.plan([spec.Namespace("time")])


def test_missing_args_is_a_bundle_error():
    with pytest.raises(BundleInvalid, match="process.args"):
        spec.from_dict({"process": {"args": []}}, "/b")


def test_lifecycle_table_refuses_in_runc_words(tmp_path):
    store = Store(str(tmp_path))
    record = Record(id="web", pid=2**22 + 1, bundle="/b", rootfs="/b/rootfs", created="", starttime=1)
    assert store.status(record) == "stopped"
    with pytest.raises(WrongState, match="cannot start a container that has stopped"):
        store.check("start", record)
    assert store.check("delete", record) == "stopped"


def test_exec_options_stop_at_the_container_id():
    assert _split_exec(["--root", "r", "exec", "-e", "A=1", "-d", "web", "sh", "-c", "true"]) == (
        ["--root", "r", "exec", "-e", "A=1", "-d", "web"], ["sh", "-c", "true"])
