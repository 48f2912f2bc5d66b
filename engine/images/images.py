"""Images: a name, a manifest, a config and unpacked layers, put together and taken apart.

`ImageService` is the one entry point the rest of the engine uses: a registry
client ingests blobs into `service.store` (a `BlobSink`) and calls `register`;
archives, imports and commits do the same. An image's ID is its config digest,
as in Docker. Each layer directory records the image IDs that use it, so removing
the last image that needs a layer removes the layer.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.images import digests, mediatypes, names
from engine.images.errors import BadImage, ImageNotFound
from engine.images.manifests import Descriptor, ImageConfig, Index, Manifest
from engine.images.store import ContentStore

if TYPE_CHECKING:
    from engine.images.layers import LayerStore


@dataclass(frozen=True)
class Image:
    """An image in the store: its id, manifest, config and names."""

    id: str  # the config digest
    manifest: Manifest
    config: ImageConfig
    names: tuple[str, ...] = ()
    layer_sizes: tuple[int, ...] = ()  # bytes of file content per layer, as Docker counts (compressed when unknown)

    @property
    def diff_ids(self) -> tuple[str, ...]:
        return self.config.diff_ids

    @property
    def size(self) -> int:
        """The image's size as `docker images` shows it: the content of its layers' files."""
        return sum(self.layer_sizes) if self.layer_sizes else sum(d.size for d in self.manifest.layers)


class ImageService:
    def __init__(self, state_root: Path):
        self.root = Path(state_root)
        self.store = ContentStore(self.root / "images")

    @functools.cached_property
    def layers(self) -> LayerStore:
        """The unpacked layers (loaded when first used: finding an image by name needs none of it)."""
        from engine.images.layers import LayerStore

        return LayerStore(self.root / "layers")

    def register(self, manifest_digest: str, name: str | None = None, *, platform: tuple[str, str] = ("linux",
                 "amd64")) -> Image:
        """Make an image of a manifest (or an index: the platform's manifest) whose blobs are in the store:
        unpack its layers, then give it `name`."""
        data = self.store.read(manifest_digest)
        kind = str(_peek_media_type(data))
        if kind in mediatypes.INDEXES or (not kind and b'"manifests"' in data):
            chosen = Index.parse(data).for_platform(*platform)
            return self.register(chosen.digest, name, platform=platform)
        manifest = Manifest.parse(data)
        config = ImageConfig.parse(self.store.read(manifest.config.digest))
        if len(config.diff_ids) != len(manifest.layers):
            raise BadImage(f"image {manifest_digest}: {len(manifest.layers)} layers but "
                           f"{len(config.diff_ids)} diff_ids in its config")
        owner = digests.hex_of(config.digest)
        for layer, diff_id in zip(manifest.layers, config.diff_ids, strict=True):
            self.layers.ensure(diff_id, lambda d=layer.digest: self.store.open(d), owner)
        if name:
            full = self.store.tag(name, manifest.descriptor())
            return self._image(manifest, config, (full,))
        self.store.add_unnamed(manifest.descriptor())
        return self._image(manifest, config)

    def add_manifest(self, config: ImageConfig, layers: list[Descriptor],
                     media_type: str = mediatypes.OCI_MANIFEST) -> Manifest:
        """Store a config and a manifest over layer blobs already in the store."""
        config_kind = mediatypes.DOCKER_CONFIG if media_type == mediatypes.DOCKER_MANIFEST else mediatypes.OCI_CONFIG
        self.store.add_bytes(config.raw)
        manifest = Manifest.build(config.descriptor(config_kind), layers, media_type)
        self.store.add_bytes(manifest.raw)
        return manifest

    def get(self, ref: str) -> Image:
        """An image by name (`busybox:latest`), by ID (`sha256:...`) or by a unique ID prefix."""
        by_name = self.store.names()
        with contextlib.suppress(BadImage):
            full = names.normalize(ref)
            if full in by_name:
                return self._load(by_name[full].digest, by_name)
        wanted = ref.removeprefix("sha256:")
        if len(wanted) >= 4 and all(c in "0123456789abcdef" for c in wanted):
            for image in self.list():
                if image.id.removeprefix("sha256:").startswith(wanted):
                    return image
        raise ImageNotFound(f"no such image: {ref}")

    def list(self) -> list[Image]:
        """Every image, named or dangling (an image with no name has `names == ()`)."""
        by_name = self.store.names()
        seen: dict[str, Image] = {}
        for desc in self.store.entries():
            image = self._load(desc.digest, by_name)
            if image.id not in seen or (image.names and not seen[image.id].names):
                seen[image.id] = image
        return sorted(seen.values(), key=lambda i: i.names)

    def remove(self, ref: str) -> list[str]:
        """Untag `ref` (or every name of an ID); when no name is left, release its layers and blobs.
        Returns the layer diff_ids removed from disk."""
        image = self.get(ref)
        full = _maybe_normalize(ref)
        for name in image.names if full not in image.names else (full,):
            self.store.untag(name)
        still = {self._load(d.digest, {}).id for d in self.store.names().values()}
        if image.id in still:
            return []
        for desc in self.store.entries():
            if self._load(desc.digest, {}).id == image.id:
                self.store.drop(desc.digest)
        owner = digests.hex_of(image.id)
        removed = [d for d in image.diff_ids if self.layers.release(d, owner)]
        in_use = self._blobs_in_use()
        for digest in (image.manifest.digest, image.config.digest, *(d.digest for d in image.manifest.layers)):
            if digest not in in_use:
                self.store.delete(digest)
        return removed

    def _blobs_in_use(self) -> set[str]:
        used: set[str] = set()
        for desc in self.store.entries():
            image = self._load(desc.digest, {})
            used |= {image.manifest.digest, image.config.digest, *(d.digest for d in image.manifest.layers)}
        return used

    def _load(self, manifest_digest: str, by_name: dict[str, Descriptor], tags: tuple[str, ...] = ()) -> Image:
        tags = tags or tuple(sorted(n for n, d in by_name.items() if d.digest == manifest_digest))
        data = self.store.read(manifest_digest)
        if _peek_media_type(data) in mediatypes.INDEXES:
            return self._load(Index.parse(data).for_platform().digest, by_name, tags)
        manifest = Manifest.parse(data)
        config = ImageConfig.parse(self.store.read(manifest.config.digest))
        return self._image(manifest, config, tags)

    def _image(self, manifest: Manifest, config: ImageConfig, tags: tuple[str, ...] = ()) -> Image:
        sizes = tuple(self.layers.content_size(d) for d in config.diff_ids)
        known = tuple(size if size is not None else layer.size for size, layer in zip(sizes, manifest.layers,
                                                                                        strict=False))
        return Image(config.digest, manifest, config, tags, known)


def _peek_media_type(data: bytes) -> str:
    from engine.images.manifests import load_json

    return str(load_json(data, "a manifest or index").get("mediaType") or "")


def _maybe_normalize(ref: str) -> str | None:
    try:
        return names.normalize(ref)
    except BadImage:
        return None
