"""The content store: blobs by digest, and an index of image names, under a state root.

BlobSink (the interface a registry client writes into)
------------------------------------------------------
Lifecycle: a writer asks `has(digest)`; if not, it calls `ingest(digest, size,
chunks)` with the bytes as an iterable of chunks (a streaming HTTP body, a file read
in pieces). `ingest` hashes while it writes to a private temporary file, checks the
size and the digest, fsyncs, and only then renames the blob into place: a blob that
does not match its digest never becomes visible (`DigestMismatch`), and a reader
never sees half a blob. Two processes ingesting one digest serialise on the blob's
lock; the second finds the blob present and consumes nothing. `open(digest)`
gives a binary reader of a present blob (`ImageNotFound` otherwise).

Terms: a *digest* is `sha256:<64 hex>`; *size* is the byte count the descriptor
announced (None when unknown; more bytes than announced stop the ingest at once).

Example::

    store = ContentStore(state_root / "images")
    if not store.has(desc.digest):
        store.ingest(desc.digest, desc.size, response.iter_bytes())
    with store.open(desc.digest) as blob:
        ...

Layout on disk (an OCI image layout, so `umoci` or `skopeo` can read it)::

    <root>/oci-layout                 {"imageLayoutVersion": "1.0.0"}
    <root>/index.json                 names -> manifest descriptors
    <root>/blobs/sha256/<hex>         content, read-only once written
    <root>/ingest/                    temporary files of ingests in progress
    <root>/locks/                     lock files: blobs.lock (a byte of it per blob), index.lock

A name lives in the index as a manifest descriptor annotated with
`io.containerd.image.name` (the normalised `domain/repo:tag`) and
`org.opencontainers.image.ref.name` (the tag), as containerd exports them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from engine.images import digests, mediatypes, names
from engine.images.errors import DigestMismatch, ImageNotFound
from engine.images.manifests import Descriptor, load_json
from pycompose import files

NAME_ANNOTATION = "io.containerd.image.name"
REF_ANNOTATION = "org.opencontainers.image.ref.name"


@runtime_checkable
class BlobSink(Protocol):
    """Where fetched content goes: see the module docstring for the contract."""

    def has(self, digest: str) -> bool: ...

    def ingest(self, digest: str, size: int | None, chunks: Iterable[bytes]) -> None: ...

    def open(self, digest: str) -> BinaryIO: ...


class ContentStore:
    """Blobs by digest and names by `domain/repo:tag`, safe under concurrent processes."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._blobs = self.root / "blobs" / "sha256"
        self._ingest = self.root / "ingest"
        self._locks = self.root / "locks"
        for d in (self._blobs, self._ingest, self._locks):
            d.mkdir(parents=True, exist_ok=True)
        layout = self.root / "oci-layout"
        if not layout.exists():
            files.write_atomic(layout, b'{"imageLayoutVersion":"1.0.0"}')

    # -- blobs ---------------------------------------------------------------

    def path(self, digest: str) -> Path:
        return self._blobs / digests.hex_of(digest)

    def has(self, digest: str) -> bool:
        return self.path(digest).exists()

    def open(self, digest: str) -> BinaryIO:
        try:
            return open(self.path(digest), "rb")
        except FileNotFoundError:
            raise ImageNotFound(f"blob {digest} is not in the store") from None

    def read(self, digest: str, limit: int = 4 << 20) -> bytes:
        with self.open(digest) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise DigestMismatch(f"blob {digest} is larger than the {limit} bytes allowed for it")
        return data

    def size(self, digest: str) -> int:
        return self.path(digest).stat().st_size

    def ingest(self, digest: str, size: int | None, chunks: Iterable[bytes]) -> None:
        """Write a blob whose digest is known in advance, verifying it (BlobSink)."""
        target = self.path(digest)
        if target.exists():
            return
        with self._blob_lock(digest):
            if target.exists():
                return
            got, n, tmp = self._write_temp(chunks, size, digest)
            try:
                if size is not None and n != size:
                    raise DigestMismatch(f"blob {digest}: got {n} bytes, {size} were announced")
                if got != digest:
                    raise DigestMismatch(f"blob {digest}: the content hashes to {got}")
                os.rename(tmp, target)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        files.fsync_dir(self._blobs)

    def add(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Write a blob whose digest is not known in advance; return (digest, size)."""
        got, n, tmp = self._write_temp(chunks, None, "new blob")
        try:
            with self._blob_lock(got):
                if not self.path(got).exists():
                    os.rename(tmp, self.path(got))
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        files.fsync_dir(self._blobs)
        return got, n

    def _blob_lock(self, digest: str) -> contextlib.AbstractContextManager[None]:
        return files.locked_slot(self._locks / "blobs.lock", digests.lock_slot(digest))

    def add_bytes(self, data: bytes) -> str:
        digest = digests.of_bytes(data)
        self.ingest(digest, len(data), [data])
        return digest

    def add_file(self, f: BinaryIO, chunk: int = 1 << 20) -> tuple[str, int]:
        return self.add(iter(lambda: f.read(chunk), b""))

    def delete(self, digest: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(digest).unlink()

    def _write_temp(self, chunks: Iterable[bytes], size: int | None, what: str) -> tuple[str, int, str]:
        h, n = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=self._ingest)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    n += len(chunk)
                    if size is not None and n > size:
                        raise DigestMismatch(f"blob {what}: more than the {size} bytes announced")
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
        except BaseException:
            os.unlink(tmp)
            raise
        return "sha256:" + h.hexdigest(), n, tmp

    # -- names ---------------------------------------------------------------

    def tag(self, name: str, manifest: Descriptor) -> str:
        """Point `name` at a manifest; returns the normalised name."""
        full = names.normalize(name)
        entry = Descriptor(manifest.media_type or mediatypes.OCI_MANIFEST, manifest.digest, manifest.size,
                           {NAME_ANNOTATION: full, REF_ANNOTATION: names.tag_of(full)})
        with files.locked(self._locks / "index.lock"):
            old = self._read_index()
            moved = [d for d in old if d.annotations.get(NAME_ANNOTATION) == full and d.digest != manifest.digest]
            entries = [d for d in old if d.annotations.get(NAME_ANNOTATION) != full
                       and (d.annotations.get(NAME_ANNOTATION) or d.digest != manifest.digest)]
            for d in moved:  # the name moved away: the image it left stays, dangling, until pruned
                if not any(e.digest == d.digest for e in entries):
                    entries.append(Descriptor(d.media_type, d.digest, d.size))
            self._write_index([*entries, entry])
        return full

    def add_unnamed(self, manifest: Descriptor) -> None:
        """Record an image that has no name (an untagged import, a tag that moved on): a dangling image."""
        with files.locked(self._locks / "index.lock"):
            entries = self._read_index()
            if not any(d.digest == manifest.digest for d in entries):
                self._write_index([*entries, Descriptor(manifest.media_type, manifest.digest, manifest.size)])

    def drop(self, digest: str) -> None:
        """Forget the unnamed entries of a manifest (its image is being removed)."""
        with files.locked(self._locks / "index.lock"):
            entries = self._read_index()
            kept = [d for d in entries if d.annotations.get(NAME_ANNOTATION) or d.digest != digest]
            if len(kept) != len(entries):
                self._write_index(kept)

    def entries(self) -> list[Descriptor]:
        """Every image entry of the index: named ones and dangling (unnamed) ones."""
        return self._read_index()

    def untag(self, name: str) -> Descriptor:
        full = names.normalize(name)
        with files.locked(self._locks / "index.lock"):
            entries = self._read_index()
            found = [d for d in entries if d.annotations.get(NAME_ANNOTATION) == full]
            if not found:
                raise ImageNotFound(f"no such image: {name}")
            self._write_index([d for d in entries if d.annotations.get(NAME_ANNOTATION) != full])
        return found[0]

    def resolve(self, name: str) -> Descriptor:
        full = names.normalize(name)
        for d in self._read_index():
            if d.annotations.get(NAME_ANNOTATION) == full:
                return d
        raise ImageNotFound(f"no such image: {name}")

    def names(self) -> dict[str, Descriptor]:
        """Every name in the index, normalised, with its manifest descriptor."""
        return {d.annotations[NAME_ANNOTATION]: d for d in self._read_index() if NAME_ANNOTATION in d.annotations}

    def _read_index(self) -> list[Descriptor]:
        try:
            data = (self.root / "index.json").read_bytes()
        except FileNotFoundError:
            return []
        obj = load_json(data, f"{self.root}/index.json")
        return [Descriptor.from_json(d, "index.json") for d in obj.get("manifests", [])]

    def _write_index(self, entries: list[Descriptor]) -> None:
        entries = sorted(entries, key=lambda d: d.annotations.get(NAME_ANNOTATION, ""))
        obj = {"schemaVersion": 2, "mediaType": mediatypes.OCI_INDEX, "manifests": [d.to_json() for d in entries]}
        files.write_atomic(self.root / "index.json", json.dumps(obj, indent=2).encode())
