"""OCI image layouts (a directory) and OCI archives (a tar of one), loaded into the store.

Every blob an index names is copied in through the store's verifying `ingest`, so
a layout whose blob does not match its digest loads nothing under that name. A
name comes from `io.containerd.image.name`, else from
`org.opencontainers.image.ref.name` (a bare tag like `latest` is put after `repo`).
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from engine.images import digests, mediatypes
from engine.images.errors import BadImage, ImageNotFound
from engine.images.images import Image, ImageService
from engine.images.manifests import Descriptor, Index, Manifest, load_json
from engine.images.store import NAME_ANNOTATION, REF_ANNOTATION

Opener = Callable[[str], BinaryIO]  # a blob path inside the layout ("blobs/sha256/<hex>") -> reader


def _copy(service: ImageService, opener: Opener, desc: Descriptor) -> None:
    if service.store.has(desc.digest):
        return
    path = f"blobs/sha256/{digests.hex_of(desc.digest)}"
    try:
        src = opener(path)
    except (KeyError, FileNotFoundError):
        raise BadImage(f"the layout names blob {desc.digest} but has no {path}") from None
    with src:
        service.store.ingest(desc.digest, desc.size, iter(lambda: src.read(1 << 20), b""))


def _copy_tree(service: ImageService, opener: Opener, desc: Descriptor) -> None:
    """Copy a manifest or index and everything below it."""
    _copy(service, opener, desc)
    data = service.store.read(desc.digest)
    kind = load_json(data, f"blob {desc.digest}").get("mediaType") or desc.media_type
    if kind in mediatypes.INDEXES:
        for child in Index.parse(data, kind).manifests:
            if child.media_type in mediatypes.MANIFESTS | mediatypes.INDEXES:
                _copy_tree(service, opener, child)
        return
    manifest = Manifest.parse(data, kind)
    for blob in (manifest.config, *manifest.layers):
        _copy(service, opener, blob)


def _name(desc: Descriptor, repo: str | None) -> str | None:
    if NAME_ANNOTATION in desc.annotations:
        return desc.annotations[NAME_ANNOTATION]
    ref = desc.annotations.get(REF_ANNOTATION)
    if not ref:
        return None
    if ":" in ref or "/" in ref:
        return ref
    return f"{repo}:{ref}" if repo else None


def load_from(service: ImageService, opener: Opener, repo: str | None = None) -> list[Image]:
    try:
        with opener("index.json") as f:
            index = Index.parse(f.read())
    except (KeyError, FileNotFoundError):
        raise BadImage("not an OCI image layout: there is no index.json") from None
    loaded = []
    for desc in index.manifests:
        _copy_tree(service, opener, desc)
        loaded.append(service.register(desc.digest, _name(desc, repo)))
    return loaded


def load_layout(service: ImageService, path: Path, repo: str | None = None) -> list[Image]:
    """Load every image of the OCI layout directory `path`."""
    root = Path(path)
    if not (root / "oci-layout").is_file():
        raise ImageNotFound(f"`{path}` is not an OCI image layout (no oci-layout file)")

    def opener(rel: str) -> BinaryIO:
        fd = os.open(root / rel, os.O_RDONLY | os.O_NOFOLLOW)
        return os.fdopen(fd, "rb")

    return load_from(service, opener, repo)


def tar_opener(tar: tarfile.TarFile) -> Opener:
    def opener(rel: str) -> BinaryIO:
        for candidate in (rel, f"./{rel}"):
            try:
                member = tar.getmember(candidate)
            except KeyError:
                continue
            f = tar.extractfile(member)
            if f is not None:
                return f  # type: ignore[return-value]
        raise KeyError(rel)

    return opener
