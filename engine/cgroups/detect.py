"""Where each cgroup controller lives on this host: v1, v2, or hybrid.

Terms:
  v1      one hierarchy per controller (or per group of co-mounted controllers), each a
          `cgroup` mount such as /sys/fs/cgroup/memory; the controller names are mount options.
  v2      one unified hierarchy, a `cgroup2` mount (usually /sys/fs/cgroup), whose root
          `cgroup.controllers` lists the controllers bound to it.
  hybrid  both: v1 mounts for most controllers plus a `cgroup2` mount (systemd puts it at
          /sys/fs/cgroup/unified) holding whatever no v1 hierarchy took, often nothing
          but the core files (cgroup.freeze, cgroup.kill, cpu.stat) or just `hugetlb`.

`detect()` reads /proc/self/mountinfo; tests pass the text of a mountinfo whose mount
points are temporary directories, so the same code reads a fake tree.

    layout = detect()
    layout.mode                # "hybrid"
    layout.where("memory")     # ("v1", Path("/sys/fs/cgroup/memory"))
    layout.where("hugetlb")    # ("v2", Path("/sys/fs/cgroup/unified"))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from engine.cgroups import fs
from engine.cgroups.errors import CgroupError

Version = Literal["v1", "v2"]
Mode = Literal["v1", "v2", "hybrid"]

# The v1 controllers pycompose drives (their modules are engine/cgroups/v1/<name>.py).
V1_CONTROLLERS = ("memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "devices", "freezer")
# The v2 controllers pycompose drives; freezing and killing are core files of every v2 cgroup.
V2_CONTROLLERS = ("memory", "cpu", "cpuset", "pids", "io")
# v1 mount options that are not controller names.
_NOT_CONTROLLERS = {"rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods"}


@dataclass(frozen=True)
class Layout:
    """The cgroup hierarchies of one host, as pycompose sees them."""

    v1: dict[str, Path] = field(default_factory=dict)   # controller -> mount point of its hierarchy
    unified: Path | None = None                          # the cgroup2 mount point, if any
    unified_controllers: frozenset[str] = frozenset()   # controllers bound to the cgroup2 hierarchy
    named: dict[str, Path] = field(default_factory=dict)  # v1 hierarchies with no controller (`name=systemd`)

    @property
    def mode(self) -> Mode:
        if self.v1 and self.unified is not None:
            return "hybrid"
        return "v1" if self.v1 else "v2"

    def where(self, controller: str) -> tuple[Version, Path] | None:
        """The version and hierarchy root of a controller, or None when this host lacks it."""
        if controller in self.v1:
            return "v1", self.v1[controller]
        if self.unified is not None and controller in self.unified_controllers:
            return "v2", self.unified
        return None

    def v1_hierarchies(self) -> dict[str, Path]:
        """The v1 controllers pycompose drives that this host mounts, in a fixed order."""
        return {name: self.v1[name] for name in V1_CONTROLLERS if name in self.v1}

    def v2_controllers(self) -> tuple[str, ...]:
        """The v2 controllers pycompose drives that are bound to the unified hierarchy."""
        return tuple(name for name in V2_CONTROLLERS if name in self.unified_controllers and name not in self.v1)


def _unescape(field_text: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \040, \011, \012, \134.
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field_text)


def parse_mountinfo(text: str) -> Layout:
    """The layout described by a mountinfo text (first mount of each controller wins, root mounts only)."""
    v1: dict[str, Path] = {}
    named: dict[str, Path] = {}
    unified: Path | None = None
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3 or fields[3] != "/":
            continue  # a bind mount of a sub-cgroup (inside a container) is not a hierarchy root
        fstype, mount_point = tail[0], Path(_unescape(fields[4]))
        if fstype == "cgroup2" and unified is None:
            unified = mount_point
        elif fstype == "cgroup":
            for option in tail[2].split(","):
                if option.startswith("name="):
                    named.setdefault(option[len("name="):], mount_point)
                elif option not in _NOT_CONTROLLERS and "=" not in option:
                    v1.setdefault(option, mount_point)
    controllers = frozenset()
    if unified is not None:
        controllers = frozenset((fs.read_optional(unified / "cgroup.controllers") or "").split())
    named = {name: root for name, root in named.items() if root not in v1.values()}
    return Layout(v1=v1, unified=unified, unified_controllers=controllers, named=named)


def detect(mountinfo: str | None = None) -> Layout:
    """This host's layout (or the one `mountinfo` describes); fails when no cgroup hierarchy is mounted."""
    if mountinfo is None:
        mountinfo = fs.read(Path("/proc/self/mountinfo"))
    layout = parse_mountinfo(mountinfo)
    if not layout.v1 and layout.unified is None:
        raise CgroupError("detect cgroups `/proc/self/mountinfo`: no cgroup or cgroup2 file system is mounted",
                          hint="mount cgroup2 on /sys/fs/cgroup (or let systemd do it)")
    return layout
