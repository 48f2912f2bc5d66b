"""Host devices in a container: `--device`, `--device-cgroup-rule` and privileged's every device.

    nodes, rules = from_path(Device("/dev/fuse", "/dev/fuse", "rwm"))   # stat on the host
    cgroup_rules(options, rules)                                         # the device cgroup's list

A device becomes a node in the container (OCI `linux.devices`: type, major, minor, mode and owner
of the host's node) and an allow rule of the device cgroup with its permissions; a directory brings
every device under it, as Docker's DevicesFromPath. Privileged gets every device of the host's /dev
(runc's HostDevices: not pts, shm, fd, mqueue, nor the console) and one rule allowing all.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from engine.cgroups.resources import DEFAULT_DEVICE_RULES, DeviceRule
from engine.containers.errors import ContainerInvalid
from engine.containers.flags import device_cgroup_rule
from engine.containers.options import Device, RunOptions

SKIPPED_DIRS = ("pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev")
ALLOW_ALL = (DeviceRule(allow=True, type="a", access="rwm"),)


def _node(path: str, target: str) -> dict[str, Any] | None:
    st = os.lstat(path)
    if stat.S_ISCHR(st.st_mode):
        kind = "c"
    elif stat.S_ISBLK(st.st_mode):
        kind = "b"
    else:
        return None
    return {"path": target, "type": kind, "major": os.major(st.st_rdev), "minor": os.minor(st.st_rdev),
            "fileMode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid}


def _rule(node: dict[str, Any], access: str) -> DeviceRule:
    return DeviceRule(allow=True, type=node["type"], major=node["major"], minor=node["minor"], access=access)


def from_path(device: Device) -> tuple[list[dict[str, Any]], list[DeviceRule]]:
    """The container's nodes and the cgroup's rules for one `--device`."""
    try:
        real = os.path.realpath(device.host)
        node = _node(real, device.container)
        if node is not None:
            return [node], [_rule(node, device.permissions)]
        if not os.path.isdir(real):
            raise ContainerInvalid(f"error gathering device information while adding custom device "
                                   f'"{device.host}": not a device node')
    except OSError as err:
        raise ContainerInvalid(f"error gathering device information while adding custom device "
                               f'"{device.host}": {err.strerror}') from None
    nodes = []
    for directory, _, names in os.walk(real):
        for name in sorted(names):
            path = os.path.join(directory, name)
            found = _node(path, os.path.join(device.container, os.path.relpath(path, real)))
            if found is not None:
                nodes.append(found)
    return nodes, [_rule(n, device.permissions) for n in nodes]


def host_devices(root: str = "/dev") -> list[dict[str, Any]]:
    """Every device node of the host, for a privileged container."""
    nodes = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
        for name in sorted(names):
            path = os.path.join(directory, name)
            if path == os.path.join(root, "console"):
                continue
            try:
                found = _node(path, path)
            except OSError:
                continue  # gone meanwhile
            if found is not None:
                nodes.append(found)
    return nodes


def parse_rule(text: str) -> DeviceRule:
    """`c 1:3 rwm`, `a *:* m` as a device cgroup rule."""
    kind, numbers, access = device_cgroup_rule(text).split(" ")
    major, minor = numbers.split(":")
    return DeviceRule(allow=True, type=kind, major=None if major == "*" else int(major),
                      minor=None if minor == "*" else int(minor), access=access)


def cgroup_rules(options: RunOptions, mapped: list[DeviceRule]) -> tuple[DeviceRule, ...]:
    """The device cgroup's list: Docker's default, the mapped devices', then the user's rules."""
    if options.privileged:
        return ALLOW_ALL
    return (*DEFAULT_DEVICE_RULES, *mapped, *(parse_rule(r) for r in options.device_cgroup_rules))
