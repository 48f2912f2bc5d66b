"""Fake cgroup hosts in a temporary directory, for the unit tests of engine.cgroups.

A fake host is a mountinfo text whose mount points are temporary directories, plus
the root interface files the code reads (cpuset sets, cgroup.controllers). The kernel
creates interface files on mkdir; a fake does not, so a test that needs one (for
example `memory.memsw.limit_in_bytes`, whose presence means swap accounting) makes
it with `kernel_files`. `Recorder` captures every write through the `fs` seam, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine.cgroups import fs
from engine.cgroups.detect import Layout, parse_mountinfo

V1 = ("memory", "cpu,cpuacct", "cpuset", "pids", "blkio", "devices", "freezer")


def _line(n: int, mount_point: Path, fstype: str, options: str) -> str:
    return f"{30 + n} 25 0:{40 + n} / {mount_point} rw,relatime shared:{n} - {fstype} cgroup {options}"


def v1_host(root: Path, with_unified: str | None = None) -> tuple[str, Layout]:
    """A v1 host (cpu and cpuacct co-mounted); `with_unified` makes it hybrid with those v2 controllers."""
    lines = []
    for n, names in enumerate(V1):
        mount = root / names
        mount.mkdir(parents=True)
        lines.append(_line(n, mount, "cgroup", f"rw,{names}"))
    (root / "cpuset" / "cpuset.cpus").write_text("0-3\n")
    (root / "cpuset" / "cpuset.mems").write_text("0\n")
    systemd = root / "systemd"
    systemd.mkdir()
    lines.append(_line(20, systemd, "cgroup", "rw,xattr,name=systemd"))
    if with_unified is not None:
        unified = root / "unified"
        unified.mkdir()
        (unified / "cgroup.controllers").write_text(with_unified + "\n")
        lines.append(_line(21, unified, "cgroup2", "rw,nsdelegate"))
    text = "\n".join(lines) + "\n"
    return text, parse_mountinfo(text)


def v2_host(root: Path, controllers: str = "cpuset cpu io memory hugetlb pids rdma misc") -> tuple[str, Layout]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cgroup.controllers").write_text(controllers + "\n")
    (root / "cgroup.subtree_control").write_text("")
    text = _line(0, root, "cgroup2", "rw,nsdelegate,memory_recursiveprot") + "\n"
    return text, parse_mountinfo(text)


def kernel_files(directory: Path, files: dict[str, str]) -> None:
    """Make interface files as the kernel would on mkdir."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in files.items():
        (directory / name).write_text(value + "\n")


@dataclass
class Recorder:
    root: Path
    writes: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, path: Path, value: str | int) -> None:
        self.writes.append((str(Path(path).relative_to(self.root)), str(value)))
        _real_write(path, value)


_real_write = fs.write


def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Record (and still perform) every write through `fs.write`; paths relative to `tmp_path`."""
    rec = Recorder(tmp_path)
    monkeypatch.setattr(fs, "write", rec)
    return rec
