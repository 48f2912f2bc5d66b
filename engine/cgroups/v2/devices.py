"""v2 devices: what pycompose does instead of the v1 allow/deny list.

cgroup v2 has no devices controller; access checks are eBPF programs of type
BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup. pycompose does not (yet) build and
load such a program. On a pure v2 host device access is bounded instead by the
runtime's /dev construction:

- the container's /dev is a fresh tmpfs holding only the nodes the OCI spec lists
  (`linux.devices` plus the default null, zero, full, random, urandom, tty, ptmx,
  and /dev/pts from a new devpts instance), so other host devices have no node;
- CAP_MKNOD is dropped unless the user adds it, so no new node can be made; with
  CAP_MKNOD kept (Docker's default set keeps it) a process could mknod and open a
  host device, which an eBPF program would refuse.

`apply` therefore checks nothing and writes nothing, and `enforced()` says so, so
`pycompose info` (or a warning when a service lists `device_cgroup_rules`) can tell
the truth. On v1 and hybrid hosts the v1 devices controller enforces the rules.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups.resources import Resources


def apply(cgroup: Path, resources: Resources) -> None:
    """Nothing to write on v2: see the module docstring."""
    del cgroup, resources


def enforced() -> bool:
    return False
