"""`system info`, `system df`, `system prune`: what the engine holds, what it costs on disk, and clearing it.

    facts = system.info(roots)                 # {"Containers": 3, "ContainersRunning": 1, ...}
    usage = system.disk_usage(roots)           # DiskUsage(images=[...], containers=[...], volumes=[...])
    report = system.prune(roots, all_images=False, volumes=True)

The engine's half only: containers, images and volumes. Networks belong to netplan, which
the engine never imports; the CLI prunes them beside this (`compose/cli/system_cmd.py`).

Sizes are what Docker counts: an image's layers by their files' content, each layer once
however many images share it; a container's writable layer (its snapshot's upper
directory); a volume's data directory; apparent sizes (st_size), hard links counted once.
"""

from __future__ import annotations

import contextlib
import os
import platform
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.roots import Roots

RUNNING = ("running", "paused", "restarting")


def tree_size(path: str | Path) -> int:
    """The bytes of the files under `path` (not following symlinks, hard links once); 0 when it is missing."""
    total, seen = 0, set()
    for top, dirs, files in os.walk(path):
        for name in files + dirs:
            try:
                st = os.lstat(os.path.join(top, name))
            except OSError:
                continue
            if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
            if not stat.S_ISDIR(st.st_mode):
                total += st.st_size
    return total


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _os_name() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.partition("=")[2].strip('"')
    return platform.system()


def _memory() -> int:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def info(roots: Roots) -> dict[str, Any]:
    """Docker's `info` fields (its JSON names) for this engine and host."""
    from engine.cgroups.detect import detect
    from engine.containers.service import ContainerService
    from engine.images.snapshots.overlay import overlay_supported
    from pycompose import __version__

    svc = ContainerService(roots)
    records = svc.list(all=True)
    states = [r.state for r in records]
    try:
        mode = detect().mode
    except Exception:  # noqa: BLE001 - a host without cgroups still has the rest to tell
        mode = "none"
    uname = os.uname()
    return {
        "Containers": len(records),
        "ContainersRunning": sum(s in ("running", "restarting") for s in states),
        "ContainersPaused": states.count("paused"),
        "ContainersStopped": sum(s not in RUNNING for s in states),
        "Images": len(svc.images.list()),
        "ServerVersion": __version__,
        "Driver": "overlay2" if overlay_supported() else "copy",
        "CgroupDriver": "cgroupfs",
        "CgroupVersion": {"v1": "1", "v2": "2", "hybrid": "1 (hybrid: a cgroup2 mount beside)"}.get(mode, mode),
        "KernelVersion": uname.release,
        "OperatingSystem": _os_name(),
        "OSType": "linux",
        "Architecture": uname.machine,
        "NCPU": os.cpu_count() or 1,
        "MemTotal": _memory(),
        "Name": uname.nodename,
        "DockerRootDir": str(roots.state),
        "RunRootDir": str(roots.run),
    }


# --- df ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageUsage:
    """An image's size and how many containers use it."""

    id: str
    names: tuple[str, ...]
    created: str
    size: int           # all its layers
    shared: int         # of which layers another image has too
    containers: int     # how many containers use it


@dataclass(frozen=True)
class ContainerUsage:
    """A container's writable size."""

    id: str
    name: str
    image: str
    command: list[str]
    state: str
    status: str         # Docker's words: "Up 3 minutes", "Exited (0) 2 hours ago"
    created: str
    size: int           # its writable layer
    volumes: int


@dataclass(frozen=True)
class VolumeUsage:
    """A volume's size and how many containers use it."""

    name: str
    links: int          # containers using it
    size: int


@dataclass(frozen=True)
class DiskUsage:
    """What `system df` shows: images, containers, volumes and build cache."""

    images: list[ImageUsage] = field(default_factory=list)
    containers: list[ContainerUsage] = field(default_factory=list)
    volumes: list[VolumeUsage] = field(default_factory=list)
    layers: dict[str, int] = field(default_factory=dict)   # diff_id -> size, each layer once
    layer_users: dict[str, set[str]] = field(default_factory=dict)  # diff_id -> image ids

    def summary(self) -> list[tuple[str, int, int, int, int]]:
        """Docker's df rows: (TYPE, TOTAL, ACTIVE, SIZE, RECLAIMABLE)."""
        active_images = {i.id for i in self.images if i.containers}
        kept_layers = {d for d, users in self.layer_users.items() if users & active_images}
        image_size = sum(self.layers.values())
        image_free = sum(size for d, size in self.layers.items() if d not in kept_layers)
        running = [c for c in self.containers if c.state in RUNNING]
        return [
            ("Images", len(self.images), len(active_images), image_size, image_free),
            ("Containers", len(self.containers), len(running), sum(c.size for c in self.containers),
             sum(c.size for c in self.containers if c.state not in RUNNING)),
            ("Local Volumes", len(self.volumes), sum(1 for v in self.volumes if v.links),
             sum(v.size for v in self.volumes), sum(v.size for v in self.volumes if not v.links)),
            ("Build Cache", 0, 0, 0, 0),
        ]


def _layer_sizes(image) -> dict[str, int]:  # type: ignore[no-untyped-def]
    sizes = image.layer_sizes or tuple(d.size for d in image.manifest.layers)
    return dict(zip(image.diff_ids, sizes, strict=False))


def disk_usage(roots: Roots) -> DiskUsage:
    from engine.containers import views
    from engine.containers.service import ContainerService
    from engine.volumes import volume_mounts

    svc = ContainerService(roots)
    records = svc.list(all=True)
    images = svc.images.list()
    layers: dict[str, int] = {}
    users: dict[str, set[str]] = {}
    for image in images:
        for diff_id, size in _layer_sizes(image).items():
            layers[diff_id] = size
            users.setdefault(diff_id, set()).add(image.id)
    image_rows = []
    for image in images:
        own = _layer_sizes(image)
        image_rows.append(ImageUsage(
            id=image.id, names=image.names, created=str(image.config.obj.get("created") or ""),
            size=sum(own.values()), shared=sum(s for d, s in own.items() if len(users[d]) > 1),
            containers=sum(r.config.launch.get("image_id") == image.id for r in records)))
    mounts = {r.id: volume_mounts(r) for r in records}
    container_rows = [ContainerUsage(
        id=r.id, name=r.name, image=r.config.launch.get("image", ""), command=views.args_of(r, None),
        state=r.state, status=views.status_text(r), created=r.created,
        size=tree_size(svc.snapshots().upper(r.id)), volumes=len(mounts[r.id]))
        for r in records]
    volume_rows = [VolumeUsage(v.name, sum(v.name in m for m in mounts.values()), tree_size(v.mountpoint))
                   for v in svc.volumes.list()]
    return DiskUsage(image_rows, container_rows, volume_rows, layers, users)


# --- prune -------------------------------------------------------------------------------------

@dataclass
class PruneReport:
    """What `system prune` removed and the space it reclaimed."""

    containers: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)   # Docker's lines: `untagged: x`, `deleted: sha256:...`
    reclaimed: int = 0


def prune_containers(roots: Roots, report: PruneReport) -> None:
    """Every container that is not running (created, exited, dead), as `container prune`."""
    from engine.containers.service import ContainerService
    from engine.state import NoSuchContainer

    svc = ContainerService(roots)
    for record in svc.list(all=True):
        if record.state in RUNNING or record.state == "removing":
            continue
        size = tree_size(svc.snapshots().upper(record.id))
        with contextlib.suppress(NoSuchContainer):
            svc.remove(record.id)
            report.containers.append(record.id)
            report.reclaimed += size


def prune_volumes(roots: Roots, report: PruneReport) -> None:
    """The anonymous volumes no container uses (Docker's `volume prune` since 23.0)."""
    from engine.volumes import VolumeService

    volumes = VolumeService(roots)
    sizes = {v.name: tree_size(v.mountpoint) for v in volumes.list()}
    for name in volumes.prune():
        report.volumes.append(name)
        report.reclaimed += sizes.get(name, 0)


def prune_images(roots: Roots, report: PruneReport, all_images: bool = False) -> None:
    """The dangling images (every image no container uses, with `all_images`); layers another image keeps
    are not reclaimed."""
    from engine.containers.service import ContainerService

    svc = ContainerService(roots)
    used = {r.config.launch.get("image_id") for r in svc.store.list()}
    for image in svc.images.list():
        if image.id in used or (image.names and not all_images):
            continue
        sizes = _layer_sizes(image)
        removed = svc.images.remove(image.id)
        report.images += [f"untagged: {n}" for n in image.names] + [f"deleted: {image.id}"]
        report.reclaimed += sum(sizes.get(d, 0) for d in removed)


def prune(roots: Roots, *, all_images: bool = False, volumes: bool = False) -> PruneReport:
    """`system prune`'s engine half: stopped containers, then (with `volumes`) volumes, then images."""
    report = PruneReport()
    prune_containers(roots, report)
    if volumes:
        prune_volumes(roots, report)
    prune_images(roots, report, all_images)
    return report
