"""`docker save` archives: load and save.

The format is a tar holding `manifest.json` (a list of `{Config, RepoTags, Layers}`
with paths inside the tar), `repositories`, the config JSON and the layer tars. A
tar without `manifest.json` but with `index.json` is an OCI archive and loads as
one. `save` writes what Docker 25 writes: an OCI layout (`oci-layout`,
`index.json`, `blobs/sha256/...`) with `manifest.json` and `repositories` beside it,
so both `docker load` and OCI tools read it.
"""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from engine.images import compression, digests, mediatypes, names
from engine.images.archives import oci
from engine.images.errors import BadImage
from engine.images.images import Image, ImageService
from engine.images.manifests import MAX_JSON, Descriptor, ImageConfig
from engine.images.store import NAME_ANNOTATION, REF_ANNOTATION

_DOCKER_TYPES = {"none": mediatypes.DOCKER_LAYER, "gzip": mediatypes.DOCKER_LAYER_GZIP,
                 "zstd": mediatypes.OCI_LAYER_ZSTD}


def _open_tar(where: Path | BinaryIO, mode: str) -> tarfile.TarFile:
    if isinstance(where, Path):
        return tarfile.open(where, mode)
    return tarfile.open(fileobj=where, mode=mode)


def _member(tar: tarfile.TarFile, rel: str) -> BinaryIO:
    return oci.tar_opener(tar)(rel)


def _read_member(tar: tarfile.TarFile, rel: str, what: str) -> bytes:
    try:
        data = _member(tar, rel).read(MAX_JSON + 1)
    except KeyError:
        raise BadImage(f"the archive names {what} `{rel}` but does not hold it") from None
    if len(data) > MAX_JSON:
        raise BadImage(f"{what} `{rel}` in the archive is larger than {MAX_JSON} bytes")
    return data


def _load_entry(service: ImageService, tar: tarfile.TarFile, entry: Any) -> Image:
    if not isinstance(entry, dict) or not isinstance(entry.get("Config"), str):
        raise BadImage("manifest.json: each entry needs a Config path")
    config = ImageConfig.parse(_read_member(tar, entry["Config"], "the config"))
    service.store.add_bytes(config.raw)
    layers = []
    for rel in entry.get("Layers") or []:
        try:
            src = _member(tar, rel)
        except KeyError:
            raise BadImage(f"manifest.json names layer `{rel}` but the archive does not hold it") from None
        digest, size = service.store.add_file(src)
        with service.store.open(digest) as blob:
            kind, _ = compression.detect(blob)
        layers.append(Descriptor(_DOCKER_TYPES[kind], digest, size))
    manifest = service.add_manifest(config, layers, mediatypes.DOCKER_MANIFEST)
    tags = [names.normalize(t) for t in entry.get("RepoTags") or []]
    image = service.register(manifest.digest, tags[0] if tags else None)
    more = tuple(service.store.tag(tag, manifest.descriptor()) for tag in tags[1:])
    return dataclasses.replace(image, names=image.names + more)  # every name, as `docker load` reports them


def _seekable(source: Path | BinaryIO) -> bool:
    if isinstance(source, Path):
        return True
    try:
        return source.seekable() and source.tell() >= 0
    except (OSError, ValueError):
        return False


def load(service: ImageService, source: Path | BinaryIO, repo: str | None = None) -> list[Image]:
    """Load a `docker save` tar (or an OCI archive), plain or compressed; returns the images.

    A tar is read out of order (manifest.json may come last), so a stream that cannot seek
    (`docker save x | pycompose image load`) is first spooled to an unnamed file beside the store.
    """
    if _seekable(source):
        return _load(service, source, repo)
    with tempfile.TemporaryFile(dir=service.store.root) as spool:
        shutil.copyfileobj(source, spool, 1 << 20)
        spool.seek(0)
        return _load(service, spool, repo)


def _load(service: ImageService, source: Path | BinaryIO, repo: str | None) -> list[Image]:
    try:
        tar = _open_tar(source, "r:*")
    except (tarfile.TarError, OSError) as err:
        raise BadImage(f"the archive cannot be read as a tar: {err}") from None
    with tar:
        try:
            data = _read_member(tar, "manifest.json", "the manifest")
        except BadImage:
            return oci.load_from(service, oci.tar_opener(tar), repo)
        try:
            entries = json.loads(data)
        except json.JSONDecodeError as err:
            raise BadImage(f"manifest.json in the archive is not JSON: {err}") from None
        if not isinstance(entries, list):
            raise BadImage("manifest.json in the archive must be a list")
        return [_load_entry(service, tar, e) for e in entries]


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    tar.addfile(info, io.BytesIO(data))


def _add_blob(tar: tarfile.TarFile, service: ImageService, digest: str, written: set[str]) -> str:
    rel = f"blobs/sha256/{digests.hex_of(digest)}"
    if digest not in written:
        written.add(digest)
        info = tarfile.TarInfo(rel)
        info.size, info.mode, info.mtime = service.store.size(digest), 0o644, 0
        with service.store.open(digest) as f:
            tar.addfile(info, f)
    return rel


def save(service: ImageService, refs: Iterable[str], out: Path | BinaryIO) -> None:
    """Write the images `refs` (names or IDs) to `out` in `docker save`'s format."""
    images = [(ref, service.get(ref)) for ref in refs]
    tar = _open_tar(out, "w" if _seekable(out) else "w|")  # a pipe (`... | docker load`) is written as a stream
    written: set[str] = set()
    entries, index, repositories = [], [], {}
    with tar:
        _add_bytes(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        for ref, image in images:
            for d in (image.manifest.digest, image.config.digest, *(x.digest for x in image.manifest.layers)):
                _add_blob(tar, service, d, written)
            try:
                tags = [names.normalize(ref)] if not ref.startswith("sha256:") else list(image.names)
            except BadImage:
                tags = list(image.names)
            layers = [f"blobs/sha256/{digests.hex_of(x.digest)}" for x in image.manifest.layers]
            entries.append({"Config": f"blobs/sha256/{digests.hex_of(image.config.digest)}",
                            "RepoTags": [names.short(t) for t in tags], "Layers": layers})
            for t in tags:
                repo, tag = names.short(t).rsplit(":", 1)
                repositories.setdefault(repo, {})[tag] = digests.hex_of(image.manifest.layers[-1].digest) \
                    if image.manifest.layers else ""
                index.append(image.manifest.descriptor({NAME_ANNOTATION: t, REF_ANNOTATION: tag}).to_json())
            if not tags:
                index.append(image.manifest.descriptor().to_json())
        _add_bytes(tar, "index.json", json.dumps({"schemaVersion": 2, "mediaType": mediatypes.OCI_INDEX,
                                                  "manifests": index}).encode())
        _add_bytes(tar, "manifest.json", json.dumps(entries).encode())
        _add_bytes(tar, "repositories", json.dumps(repositories).encode())
