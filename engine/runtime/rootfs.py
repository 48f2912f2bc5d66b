"""The container's root filesystem: from the bundle's rootfs directory to `/` of the container.

The steps, in order (each needs the one before):

1. propagation: make every mount of the new mount namespace rslave (or the spec's
   rootfsPropagation), so nothing done here reaches the host; with a shared rootfsPropagation
   (a bind that passes mounts back to the host) only the old root and the rootfs's mount are
   made private, and the old root becomes an rslave tree before it is detached;
2. rootfs a mount point: bind it onto itself (pivot_root needs a mount point);
3. the spec's mounts, in spec order, under the rootfs;
4. /dev: device nodes and links when /dev is a fresh tmpfs;
5. pivot_root into it, and detach the old root;
6. masked paths, read-only paths (they name paths in the container);
7. a read-only root last, as it stops every write before it.

`enter` does 1-5 and `seal` 6-7: the caller writes the sysctls between the two, as runc does,
since /proc/sys is one of the read-only paths.
"""

from __future__ import annotations

import os
import re

from engine.runtime import devices, mounts
from engine.runtime import syscalls as sc
from engine.runtime.errors import SetupFailed
from engine.runtime.spec import Spec


def prepare(rootfs: str, propagation: str | None) -> None:
    try:
        if propagation in ("shared", "rshared"):
            # The host's shared mounts stay peers (a bind of one passes mounts both ways), but pivot_root
            # refuses a shared old root or a shared parent of the new one: those two alone are made private.
            sc.mount(None, "/", None, sc.MS_PRIVATE, None)
            sc.mount(None, mount_point_of(rootfs), None, sc.MS_PRIVATE, None)
        else:
            sc.mount(None, "/", None, mounts.PROPAGATION.get(propagation or "rslave", sc.MS_SLAVE | sc.MS_REC), None)
        sc.mount(rootfs, rootfs, None, sc.MS_BIND | sc.MS_REC, None)
    except OSError as e:
        raise SetupFailed(f"prepare rootfs `{rootfs}`: {e.strerror}") from None


def mount_point_of(path: str) -> str:
    """The mount point of the mount that holds `path` (the last mounted of the longest match)."""
    best = "/"
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
                best = point
    return best


def mount_all(spec: Spec) -> None:
    dev_is_tmpfs = has_devpts = False
    for m in spec.mounts:
        mounts.mount_in(spec.root_path, m)
        if m.destination.rstrip("/") == "/dev":
            dev_is_tmpfs = m.type == "tmpfs"
        if m.destination.rstrip("/") == "/dev/pts" and m.type == "devpts":
            has_devpts = True
    in_user_namespace = any(ns.type == "user" for ns in spec.namespaces)
    if dev_is_tmpfs:
        devices.create(spec.root_path, spec.devices, bind=in_user_namespace)
        devices.link(spec.root_path, has_devpts)
    elif spec.devices:
        devices.create(spec.root_path, spec.devices, bind=in_user_namespace)


def pivot(rootfs: str) -> None:
    """pivot_root(".", ".") stacks the old root on the new one; detaching it leaves the new root alone. The old root
    is made an rslave tree first (through a descriptor of it: `.` is the new root), so that its unmounting does
    not reach the host's shared mounts."""
    try:
        old_root = sc.open_directory("/")
        try:
            sc.chdir(rootfs)
            sc.pivot_root(".", ".")
            sc.fchdir(old_root)
            sc.mount(None, ".", None, sc.MS_SLAVE | sc.MS_REC, None)
            sc.umount2(".", sc.MNT_DETACH)
        finally:
            sc.close(old_root)
        sc.chdir("/")
    except OSError as e:
        raise SetupFailed(f"pivot_root `{rootfs}`: {e.strerror}") from None


def protect(spec: Spec) -> None:
    """Masked and read-only paths (container paths, after the pivot); missing ones are skipped."""
    for path in spec.masked_paths:
        if os.path.lexists(path):
            mounts.mask(path)
    for path in spec.readonly_paths:
        if os.path.lexists(path):
            mounts.bind_readonly(path)


def readonly_root() -> None:
    try:
        sc.mount(None, "/", None, sc.MS_REMOUNT | sc.MS_BIND | sc.MS_RDONLY | mounts.kept_flags("/"), None)
    except OSError as e:
        raise SetupFailed(f"make the root read-only: {e.strerror}") from None


def enter(spec: Spec) -> None:
    prepare(spec.root_path, spec.rootfs_propagation)
    mount_all(spec)
    pivot(spec.root_path)


def seal(spec: Spec) -> None:
    protect(spec)
    if spec.root_readonly:
        readonly_root()


def setup(spec: Spec) -> None:
    enter(spec)
    seal(spec)
