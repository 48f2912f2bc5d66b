"""`container export`: a container's root filesystem as one tar stream, as `docker export` writes it.

    size = export(containers, "web", sys.stdout.buffer)

The tree is the container's snapshot (its image's layers and what it changed), read through the
overlay mounted at its bundle's `rootfs` on the host's side: what the container mounted inside its
own namespace (proc, sysfs, devices, volumes, binds, secrets) is not part of it, as with Docker.
Entries are named from the root without a leading `/` or `./` (`bin/sh`), directories before what
they hold, no symlink followed. A stopped container's snapshot is mounted for the export and left
so, as `cp` does (`copy.container_root`).
"""

from __future__ import annotations

import contextlib
import os
import tarfile
from typing import IO, TYPE_CHECKING

from engine.containers.copy import add_tree
from engine.containers.errors import ContainerInvalid

if TYPE_CHECKING:
    from engine.containers.service import ContainerService


def export(svc: ContainerService, ref: str, out: IO[bytes]) -> int:
    """Write the tar stream of container `ref`'s filesystem to `out`; its size in bytes."""
    from engine.images.snapshots import mount_all

    record = svc.get(ref)
    rootfs = svc.bundle(record.id) / "rootfs"
    if not os.path.ismount(rootfs):
        mount_all(svc.snapshots().mounts(record.id, rootfs))
    try:
        root = os.open(rootfs, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as err:
        raise ContainerInvalid(f"export container `{record.name}`: {err.strerror or err}") from None
    try:
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for child in sorted(os.listdir(root)):
                with contextlib.suppress(FileNotFoundError):  # gone meanwhile
                    add_tree(tar, root, child, child)
        return tar.offset
    finally:
        os.close(root)
