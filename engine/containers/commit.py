"""`diff` and `commit`: what a container changed in its root filesystem, and that as a new image.

    changes = commit.diff(snapshots, images, record)           # [Change("/etc", "C"), ...]
    image = commit.commit(snapshots, images, record, CommitOptions(repo="me/web:v2"))

Both read the container's overlay upper directory (engine.images.archives does the
work: `diff.changes` and `commit.commit`). The lower side is the snapshot's init
layer (the /etc/hostname placeholders) over the image's layers: a path present
there is `C`hanged, any other `A`dded, a whiteout `D`eleted; the init layer is
never committed.

The new image's config is Docker's: the image's, then what the container was run
with (command, entrypoint, environment, user, working directory), then `--change`s.
A running container is frozen while its layer is written (`--pause`, the default),
so the layer is one moment of it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.images.archives.diff import Change
from engine.images.images import Image, ImageService
from engine.images.snapshots import OverlaySnapshotter
from engine.state import ContainerRecord


@dataclass(frozen=True)
class CommitOptions:
    """What `commit` is asked: repository, message, author, changes, pause."""

    repo: str | None = None          # REPO[:TAG]; None: a dangling image
    message: str = ""
    author: str = ""
    changes: tuple[str, ...] = ()    # Dockerfile instructions: CMD, ENV, ...
    pause: bool = True


def _lowers(snapshots: OverlaySnapshotter, images: ImageService, record: ContainerRecord) -> list[Path]:
    """The snapshot's init layer, then the image's layers, topmost first."""
    diff_ids = images.get(record.config.launch["image_id"]).diff_ids
    return [snapshots.init_dir(record.id), *(images.layers.path(d) for d in reversed(diff_ids))]


def diff(snapshots: OverlaySnapshotter, images: ImageService, record: ContainerRecord) -> list[Change]:
    from engine.images.archives.diff import changes

    return changes(snapshots.upper(record.id), _lowers(snapshots, images, record))


def container_changes(options: dict) -> list[str]:
    """What the container was run with, as `--change` instructions (Docker merges these into the image)."""
    out = []
    if options.get("entrypoint") is not None:
        out.append(f"ENTRYPOINT {json.dumps(list(options['entrypoint']))}")
        out.append(f"CMD {json.dumps(list(options.get('command') or []))}")
    elif options.get("command"):
        out.append(f"CMD {json.dumps(list(options['command']))}")
    for item in options.get("env") or ():
        key, _, value = item.partition("=")
        out.append(f"ENV {key}={json.dumps(value)}")
    if options.get("user"):
        out.append(f"USER {options['user']}")
    if options.get("workdir"):
        out.append(f"WORKDIR {options['workdir']}")
    return out


@contextlib.contextmanager
def _frozen(record: ContainerRecord, wanted: bool) -> Iterator[None]:
    if not wanted or record.state != "running":
        yield
        return
    from engine.cgroups.manager import Cgroup

    cgroup = Cgroup(record.config.launch["cgroup"])
    cgroup.freeze()
    try:
        yield
    finally:
        cgroup.thaw()


def commit(snapshots: OverlaySnapshotter, images: ImageService, record: ContainerRecord,
           options: CommitOptions) -> Image:
    from engine.images.archives import changes as change_rules
    from engine.images.archives.commit import commit as commit_layer

    image = images.get(record.config.launch["image_id"])
    changes = [*container_changes(record.config.launch.get("options") or {}), *options.changes]
    change_rules.apply(image.config.container_config, changes)  # a bad --change before any blob is written
    with _frozen(record, options.pause):
        return commit_layer(images, image, snapshots.upper(record.id), options.repo, message=options.message,
                            author=options.author, change_list=changes)
