"""The pure parts of `stats` and `cp`: Docker's CPU % and units, kernel text parsing, cp's placement rules,
and path resolution under a fake root full of hostile symlinks (no root needed)."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from engine.containers import copy, stats, views
from engine.containers.stats import Sample
from engine.state import ContainerConfig, ContainerRecord
from pycompose.units import bytes_size, human_size

# --- stats --------------------------------------------------------------------------------------

def test_cpu_percent_is_the_share_of_host_time_times_cpus() -> None:
    before = Sample(system_ns=10_000_000_000, cpu_ns=1_000_000_000, online_cpus=2)
    after = Sample(system_ns=12_000_000_000, cpu_ns=1_500_000_000, online_cpus=2)
    assert stats.cpu_percent(before, after) == pytest.approx(50.0)  # half a CPU of two
    assert stats.cpu_percent(after, after) == 0.0
    assert stats.cpu_percent(after, before) == 0.0  # a counter that went back (a restart) is no use


def test_system_cpu_sums_the_first_seven_fields() -> None:
    text = "cpu  100 5 50 1000 20 3 2 7 0 0\ncpu0 50 2 25 500 10 1 1 3 0 0\n"
    assert stats.system_cpu_ns(text, 100) == (100 + 5 + 50 + 1000 + 20 + 3 + 2) * 10_000_000


def test_memory_leaves_out_inactive_file() -> None:
    assert stats.memory_used(10_000, 3_000) == 7_000
    assert stats.memory_used(10_000, 20_000) == 10_000  # never below zero, as Docker
    assert stats.memory_used(None, None) == 0


def test_net_dev_leaves_out_loopback() -> None:
    text = ("Inter-|   Receive                                                |  Transmit\n"
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets ...\n"
            "    lo:  999999  10 0 0 0 0 0 0   999999  10 0 0 0 0 0 0\n"
            "  eth0:    1500   3 0 0 0 0 0 0      700   2 0 0 0 0 0 0\n"
            "  eth1:     500   1 0 0 0 0 0 0      300   1 0 0 0 0 0 0\n")
    assert stats.net_bytes(text) == (2000, 1000)


def test_block_io_from_blkio_and_io_stat() -> None:
    assert stats.blkio_bytes("8:0 Read 4096\n8:0 Write 512\n8:0 Sync 9\n8:16 Read 4\nTotal 4612\n") == (4100, 512)
    assert stats.io_stat_bytes("8:0 rbytes=4096 wbytes=1024 rios=1 wios=1\n253:0 rbytes=1 wbytes=2\n") == (4097, 1026)
    assert stats.io_stat_bytes("") == (0, 0)


def test_docker_units() -> None:
    assert bytes_size(0) == "0B"
    assert bytes_size(1536 * 1024) == "1.5MiB"
    assert bytes_size(23.54 * 1024 ** 3) == "23.54GiB"
    assert human_size(2048) == "2.05kB"
    assert human_size(1_986_000, 4) == "1.986MB"
    assert human_size(999) == "999B"


def test_stats_row_has_dockers_columns() -> None:
    record = ContainerRecord(id="a" * 64, name="web", config=ContainerConfig(launch={}))
    reading = Sample(memory_used=1536 * 1024, memory_limit=1024 ** 3, pids=3, net_rx=1500, net_tx=0,
                     block_read=4096, block_write=0)
    row = views.stats_row(record, reading, 12.345)
    assert row == {"BlockIO": "4.1kB / 0B", "CPUPerc": "12.35%", "Container": "a" * 12, "ID": "a" * 12,
                   "MemPerc": "0.15%", "MemUsage": "1.5MiB / 1GiB", "Name": "web", "NetIO": "1.5kB / 0B",
                   "PIDs": "3"}
    stopped = views.stats_row(record, Sample(), 0.0, "web")
    assert (stopped["MemUsage"], stopped["MemPerc"], stopped["PIDs"], stopped["Container"]) == \
        ("0B / 0B", "0.00%", "0", "web")


# --- cp: arguments and placement -------------------------------------------------------------------

def test_split_arg_like_docker() -> None:
    assert copy.split_arg("web:/etc/hosts") == copy.End("web", "/etc/hosts")
    assert copy.split_arg("/abs/with:colon") == copy.End(None, "/abs/with:colon")
    assert copy.split_arg("./rel:colon") == copy.End(None, "./rel:colon")
    assert copy.split_arg("file.txt") == copy.End(None, "file.txt")
    assert copy.split_arg("web:") == copy.End("web", "/")
    assert copy.split_arg("-") == copy.End(None, "-")


def test_placement_follows_dockers_rules() -> None:
    # into an existing directory under the source's name, or its contents with SRC/.
    assert copy.place("f", False, False, "/d", True, True) == copy.Placement(True, "f")
    assert copy.place("d", True, False, "/x", True, True) == copy.Placement(True, "d")
    assert copy.place("d", True, True, "/x", True, True) == copy.Placement(True, None)
    # over an existing file; as DEST when it does not exist
    assert copy.place("f", False, False, "/x/g", True, False) == copy.Placement(False, "g")
    assert copy.place("d", True, False, "/x/new", False, False) == copy.Placement(False, "new")
    with pytest.raises(copy.ContainerInvalid, match="cannot copy a directory to a file"):
        copy.place("d", True, False, "/x/g", True, False)
    with pytest.raises(copy.CopyNotFound, match="does not exist"):
        copy.place("f", False, False, "/x/nodir/", False, False)


# --- cp: resolution under a root ------------------------------------------------------------------

@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A fake container root beside a host file it must never reach, full of symlinks that try."""
    (tmp_path / "host-secret").write_text("host")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "shadow").write_text("container")
    (root / "data").mkdir()
    os.symlink("/etc/shadow", root / "abs")                 # absolute: the container's /etc/shadow
    os.symlink("../../../../host-secret", root / "data" / "up")  # climbs: stops at the root
    os.symlink("../../..", root / "data" / "top")
    os.symlink("/", root / "data" / "slash")
    os.symlink("loop2", root / "loop1")
    os.symlink("loop1", root / "loop2")
    os.symlink(str(tmp_path), root / "hostpath")            # the host's absolute path means the container's
    return root


def _resolve(root: Path, path: str, follow: bool = True) -> tuple[str | None, str]:
    fd = os.open(root, os.O_PATH | os.O_DIRECTORY)
    try:
        found = copy.walk(fd, path, follow_last=follow)
        try:
            where = os.readlink(f"/proc/self/fd/{found.fd}") if found.fd is not None else None
            return where, found.name
        finally:
            found.close()
    finally:
        os.close(fd)


def test_walk_keeps_every_symlink_inside_the_root(hostile: Path) -> None:
    shadow = str(hostile / "etc" / "shadow")
    assert _resolve(hostile, "/abs") == (shadow, "shadow")
    assert _resolve(hostile, "/data/top/etc/shadow") == (shadow, "shadow")
    assert _resolve(hostile, "/data/slash/../../etc/shadow") == (shadow, "shadow")
    assert _resolve(hostile, "../../../etc/shadow") == (shadow, "shadow")
    assert _resolve(hostile, "/data/up") == (None, "host-secret")  # missing inside the root, not the host's
    assert _resolve(hostile, "/data/top") == (str(hostile), "/")
    with pytest.raises(copy.CopyNotFound):
        _resolve(hostile, "/hostpath/host-secret")


def test_walk_keeps_the_last_symlink_unless_asked(hostile: Path) -> None:
    assert _resolve(hostile, "/abs", follow=False) == (str(hostile / "abs"), "abs")
    with pytest.raises(OSError, match="Too many levels"):
        _resolve(hostile, "/loop1")


def test_extract_refuses_dotdot_and_never_writes_through_a_symlink(hostile: Path, tmp_path: Path) -> None:
    def tar_of(*entries: tuple[str, bytes | None, str | None]) -> io.BytesIO:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for name, data, link in entries:
                info = tarfile.TarInfo(name)
                if link is not None:
                    info.type, info.linkname = tarfile.SYMTYPE, link
                    tar.addfile(info)
                else:
                    info.size = len(data or b"")
                    tar.addfile(info, io.BytesIO(data or b""))
        buffer.seek(0)
        return buffer

    fd = os.open(hostile / "data", os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(copy.ContainerInvalid, match=r"`\.\.`"):
            copy.extract(tar_of(("../../host-secret", b"pwned", None)), fd)
        with pytest.raises(copy.ContainerInvalid, match="never followed"):
            copy.extract(tar_of(("out", None, str(tmp_path)), ("out/host-secret", b"pwned", None)), fd)
        copy.extract(tar_of(("up", b"replaced", None)), fd, owner=(os.getuid(), os.getgid()))
    finally:
        os.close(fd)
    assert (tmp_path / "host-secret").read_text() == "host"
    assert (hostile / "data" / "up").read_text() == "replaced" and not (hostile / "data" / "up").is_symlink()


# --- inspect's Mounts and ps's --------------------------------------------------------------------

def test_mounts_show_as_dockers_inspect_and_ps_show_them() -> None:
    mounts = [{"type": "bind", "target": "/data", "source": "/srv/data", "read_only": True},
              {"type": "volume", "target": "/db", "source": "project_database_files"},
              {"type": "bind", "target": "/x", "source": "/mnt/x", "propagation": "rslave"},
              {"type": "tmpfs", "target": "/run"}]
    record = ContainerRecord(id="a" * 64, name="web", config=ContainerConfig(launch={"options": {"mounts": mounts}}),
                             created="2026-12-07T10:00:00.000000000Z")
    config_json = {"mounts": [{"destination": "/db", "source": "/state/volumes/project_database_files/_data"}]}
    assert views.mounts_of(record, config_json) == [
        {"Type": "bind", "Source": "/srv/data", "Destination": "/data", "Mode": "ro", "RW": False,
         "Propagation": "rprivate"},
        {"Type": "volume", "Name": "project_database_files", "Source": "/state/volumes/project_database_files/_data",
         "Destination": "/db", "Driver": "local", "Mode": "", "RW": True, "Propagation": ""},
        {"Type": "bind", "Source": "/mnt/x", "Destination": "/x", "Mode": "", "RW": True, "Propagation": "rslave"},
        {"Type": "tmpfs", "Source": "", "Destination": "/run", "Mode": "", "RW": True, "Propagation": ""},
    ]
    row = views.ls_row(record, ["true"], now=1.8e9)
    assert (row["Mounts"], row["LocalVolumes"]) == ("/srv/data,project_databa…,/mnt/x", "1")
    whole = views.ls_row(record, ["true"], now=1.8e9, truncate=False)
    assert whole["Mounts"] == "/srv/data,project_database_files,/mnt/x"


def test_the_command_column_quotes_arguments_with_spaces_as_dockers_list() -> None:
    assert views.command_text(["sh", "-c", "mkdir -p /www; httpd"]) == '"sh -c \'mkdir -p /ww…"'
    assert views.command_text(["sleep", "300"]) == '"sleep 300"'
    assert views.command_text(["echo", "a;b", "$HOME"], truncate=False) == '"echo a;b $HOME"'
