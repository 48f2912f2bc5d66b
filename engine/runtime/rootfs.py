"""The container's root filesystem: from the bundle's rootfs directory to `/` of the container.

The steps, in order (each needs the one before):

1. propagation: make every mount of the new mount namespace rslave (or the spec's
   rootfsPropagation), so nothing done here reaches the host;
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

from engine.runtime import devices, mounts
from engine.runtime import syscalls as sc
from engine.runtime.errors import SetupFailed
from engine.runtime.spec import Spec


def prepare(rootfs: str, propagation: str | None) -> None:
    flags = mounts.PROPAGATION.get(propagation or "rslave", sc.MS_SLAVE | sc.MS_REC)
    try:
        sc.mount(None, "/", None, flags, None)
        sc.mount(rootfs, rootfs, None, sc.MS_BIND | sc.MS_REC, None)
        if propagation in ("shared", "rshared"):
            sc.mount(None, rootfs, None, flags, None)
    except OSError as e:
        raise SetupFailed(f"prepare rootfs `{rootfs}`: {e.strerror}") from None


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
    """pivot_root(".", ".") stacks the old root on the new one; detaching it leaves the new root alone."""
    try:
        sc.chdir(rootfs)
        sc.pivot_root(".", ".")
        sc.umount2(".", sc.MNT_DETACH)
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
