"""`State`: an image being built (its config and layers), and the three things a step does with one.

A state is what Docker's legacy builder calls an intermediate image, kept as data:
the image config object and the layer descriptors, their blobs in the content store
and their trees unpacked in the layer store. A step turns one state into the next.

    with as_image(images, state) as ref:           # RUN: a container needs an image in the store
        record = containers.create(RunOptions(image=ref, ...))
    with mounted(images, state, workdir) as (root, upper):   # COPY: the merged tree, and its changes
        ...
    state = state.with_layer(add_layer(images, upper), created_by="...")

A RUN's container is made from `transient_image(images, state)`, an `Image` that is in no
store (the container's snapshot holds the layers itself); only when a layer is not unpacked
does `as_image` register the state as a dangling image while the container is made, and
drop it again, unless an image with that ID was already there; so a build leaves no
intermediate images behind.
"""

from __future__ import annotations

import contextlib
import copy
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.images import digests, mediatypes
from engine.images.errors import ImageNotFound
from engine.images.images import Image, ImageService
from engine.images.manifests import Descriptor, ImageConfig, Manifest, base_config

SCRATCH_ID = "scratch"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class State:
    """A stage's image so far: its layers and config."""

    config: dict[str, Any] = field(compare=False)
    layers: tuple[Descriptor, ...] = ()
    media_type: str = mediatypes.OCI_MANIFEST

    @classmethod
    def scratch(cls) -> State:
        return cls(base_config())

    @classmethod
    def of_image(cls, image: Image) -> State:
        return cls(copy.deepcopy(image.config.obj), tuple(image.manifest.layers), image.manifest.media_type)

    @property
    def image_config(self) -> ImageConfig:
        return ImageConfig.build(self.config)

    @property
    def id(self) -> str:
        """The config digest: the image ID this state has once stored (`scratch` for the empty one)."""
        if not self.layers and not self.config.get("history"):
            return SCRATCH_ID
        return self.image_config.digest

    @property
    def diff_ids(self) -> tuple[str, ...]:
        return tuple(self.config.get("rootfs", {}).get("diff_ids") or ())

    @property
    def run_config(self) -> dict[str, Any]:
        return dict(self.config.get("config") or {})

    def with_config(self, container_config: dict[str, Any], created_by: str, *, layer: Descriptor | None = None,
                    diff_id: str | None = None) -> State:
        """The next state: `container_config` as its config, a history entry, and a layer when one was made."""
        obj = copy.deepcopy(self.config)
        when = now()
        obj["created"] = when
        obj["config"] = container_config
        entry: dict[str, Any] = {"created": when, "created_by": created_by}
        layers = self.layers
        if layer is not None:
            obj.setdefault("rootfs", {"type": "layers", "diff_ids": []})["diff_ids"].append(diff_id or layer.digest)
            layers = (*layers, layer)
        else:
            entry["empty_layer"] = True
        obj.setdefault("history", []).append(entry)
        return State(obj, layers, self.media_type)

    def layer_media_type(self) -> str:
        return mediatypes.DOCKER_LAYER if self.media_type == mediatypes.DOCKER_MANIFEST else mediatypes.OCI_LAYER

    def usable(self, images: ImageService) -> bool:
        """Are its blobs all in the store (a cached state whose image was removed may have lost them)?"""
        return all(images.store.has(d.digest) for d in self.layers)


def store(images: ImageService, state: State, name: str | None = None) -> Image:
    """Register `state` as an image (named `name`, else dangling) and return it."""
    manifest = images.add_manifest(state.image_config, list(state.layers), state.media_type)
    return images.register(manifest.digest, name)


_AS_IMAGE = threading.Lock()


@contextlib.contextmanager
def as_image(images: ImageService, state: State) -> Iterator[str]:
    """An image ID for `state` while the block runs; a dangling image made for it is dropped after.

    One block at a time in a process: two stages building at once may ask for the same state, and
    the first to finish must not drop the image the other is making its container from."""
    with _AS_IMAGE, _as_image(images, state) as image_id:
        yield image_id


@contextlib.contextmanager
def _as_image(images: ImageService, state: State) -> Iterator[str]:
    config = state.image_config
    try:
        images.get(config.digest)
        yield config.digest
        return
    except ImageNotFound:
        pass
    manifest = images.add_manifest(config, list(state.layers), state.media_type)
    images.register(manifest.digest)
    try:
        yield config.digest
    finally:
        images.store.drop(manifest.digest)
        owner = digests.hex_of(config.digest)
        for diff_id in dict.fromkeys(state.diff_ids):
            images.layers.release(diff_id, owner)
        used = {d.digest for image in images.list() for d in (image.manifest.config, image.manifest.descriptor())}
        for digest in (manifest.digest, config.digest):
            if digest not in used:
                images.store.delete(digest)


def transient_image(images: ImageService, state: State) -> Image | None:
    """`state` as an image in no store, for a container made from it (a RUN's): its config and manifest are
    not written, nor its name in the index; None when a layer is not unpacked (then `as_image`, which
    unpacks it)."""
    if not all(images.layers.exists(diff_id) for diff_id in state.diff_ids):
        return None
    config = state.image_config
    kind = mediatypes.DOCKER_CONFIG if state.media_type == mediatypes.DOCKER_MANIFEST else mediatypes.OCI_CONFIG
    manifest = Manifest.build(config.descriptor(kind), list(state.layers), state.media_type)
    return Image(config.digest, manifest, config)


def ensure_layers(images: ImageService, state: State, owner: str) -> None:
    """Every layer of `state` unpacked, and held by `owner` (a cache entry)."""
    for layer, diff_id in zip(state.layers, state.diff_ids, strict=True):
        images.layers.ensure(diff_id, lambda d=layer.digest: images.store.open(d), owner)


@contextlib.contextmanager
def mounted(images: ImageService, state: State, work: Path) -> Iterator[tuple[Path, Path]]:
    """The state's tree mounted read-write at a directory under `work`: (merged root, upper directory).

    An overlay snapshot of its own (not a container's); unmounted and removed when the block ends."""
    from engine.images.snapshots import OverlaySnapshotter, mount_all, unmount_all

    snaps = OverlaySnapshotter(work / "snapshots", images.layers)
    key = f"build-{secrets.token_hex(6)}"
    target = Path(tempfile.mkdtemp(prefix="rootfs-", dir=work))
    mounts = snaps.prepare(key, state.diff_ids, target, volatile=True)
    try:
        mount_all(mounts)
        try:
            yield target, snaps.upper(key)
        finally:
            unmount_all(mounts)
    finally:
        snaps.remove(key)
        os.rmdir(target)


def add_layer(images: ImageService, upper: Path, media_type: str, *, mounted_at: Path | None = None) -> tuple[
        Descriptor, str]:
    """The changes in `upper` as a layer blob in the store: (descriptor, diff_id); uncompressed, so both
    are the same digest. With `mounted_at` (where the overlay over `upper` is mounted; the caller removes
    its snapshot next) the tree is unmounted and `upper` itself becomes the unpacked layer, unless it is
    there already: the overlay's upper directory is the diff, so it is not unpacked again from the blob
    (a tree that cannot be moved is left where it is: the layer is unpacked from the blob when held)."""
    from engine.images.archives.commit import write_layer
    from engine.images.snapshots.mounts import unmount

    (images.store.root / "ingest").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=images.store.root / "ingest") as tmp:
        write_layer(upper, tmp)  # type: ignore[arg-type]
        tmp.seek(0)
        digest, size = images.store.add_file(tmp)  # type: ignore[arg-type]
    if mounted_at is not None:
        unmount(mounted_at)
        with contextlib.suppress(OSError):  # kept as it was: the cache entry's `ensure` unpacks the blob
            images.layers.adopt(upper, digest)
    return Descriptor(media_type, digest, size), digest
