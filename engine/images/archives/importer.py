"""`import`: a root filesystem tarball (plain, gzip or zstd) as a one-layer image."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from engine.images import compression, digests, mediatypes
from engine.images.archives.commit import new_config
from engine.images.images import Image, ImageService
from engine.images.manifests import Descriptor, base_config

_LAYER_TYPES = {"none": mediatypes.OCI_LAYER, "gzip": mediatypes.OCI_LAYER_GZIP, "zstd": mediatypes.OCI_LAYER_ZSTD}


def diff_id_of(service: ImageService, digest: str) -> tuple[str, str]:
    """(compression, diff_id) of a layer blob in the store."""
    with service.store.open(digest) as blob:
        kind, stream = compression.decompressed(blob)
        reader = digests.HashingReader(stream)
        reader.drain()
    return kind, reader.digest


def import_rootfs(service: ImageService, source: BinaryIO, name: str | None = None, *, message: str = "",
                  change_list: Iterable[str] = ()) -> Image:
    digest, size = service.store.add_file(source)
    kind, diff_id = diff_id_of(service, digest)
    config = new_config(base_config(), diff_id, "pycompose import", comment=message or "Imported from tarball",
                        change_list=change_list)
    manifest = service.add_manifest(config, [Descriptor(_LAYER_TYPES[kind], digest, size)])
    return service.register(manifest.digest, name)
