"""Snapshots: a container's root filesystem made of an image's layers.

Snapshotter (the interface; `OverlaySnapshotter` and `CopySnapshotter` implement it)
-----------------------------------------------------------------------------------
Lifecycle: `prepare(key, diff_ids, target)` creates the container's writable state
(and an init layer with `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf`
placeholders for the runtime to bind-mount over) and *returns* the mounts that make
its root filesystem at `target`; it mounts nothing. The caller performs them with
`mounts.mount_all` and undoes them with `mounts.unmount_all`. `mounts(key, target)`
returns the same mounts again (a restart, a reboot). `upper(key)` is the directory
that holds the container's changes (what `diff` and `commit` read); the init layer
is never part of it. `remove(key)` deletes the snapshot's directories once nothing
is mounted from them, and releases its hold on the layers.

Terms: *key* names a snapshot (a container ID); *diff_ids* are the image's layers,
lowest first, as its config lists them.

Example::

    snaps = OverlaySnapshotter(state_root / "snapshots", images.layers)
    mount_all(snaps.prepare(container_id, image.diff_ids, bundle / "rootfs"))
    ...
    unmount_all(snaps.mounts(container_id, bundle / "rootfs"))
    snaps.remove(container_id)
"""

from engine.images.snapshots.mounts import Mount, mount_all, unmount_all
from engine.images.snapshots.overlay import CopySnapshotter, OverlaySnapshotter, Snapshotter, overlay_supported

__all__ = ["CopySnapshotter", "Mount", "OverlaySnapshotter", "Snapshotter", "mount_all", "overlay_supported",
           "unmount_all"]
