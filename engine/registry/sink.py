"""Where pulled blobs go, and where pushed blobs come from: a content-addressed store.

The contract is `engine.images.store.BlobSink` (re-exported here), which the image
store's `ContentStore` implements; this module also ships `DirectorySink`, a plain
directory of blobs for tests and tools. The client always knows the size it announces.

Lifecycle of one blob: `has(digest)` is asked first, and a present blob is never
fetched again. `ingest(digest, size, chunks)` consumes the chunks and makes the
blob visible only once all of them arrived; if iterating `chunks` raises (a
dropped connection, a digest that does not match), nothing becomes visible and
the error propagates. `open(digest)` reads a present blob.

    sink = DirectorySink(tmp / "blobs")
    sink.ingest("sha256:ab..", 3, [b"abc"])
    sink.open("sha256:ab..").read() == b"abc"
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from engine.images.store import BlobSink as BlobSink  # the one contract; re-exported for the client
from engine.registry.errors import BadContent, RegistryError


class DirectorySink:
    """Blobs as files `<root>/sha256/<hex>`, written to a temporary name and renamed when whole.

    It checks the size and the digest itself too, so a caller that feeds it
    wrong bytes cannot plant a blob under a false name.
    """

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        algorithm, _, hexa = digest.partition(":")
        if algorithm != "sha256" or len(hexa) != 64 or not all(c in "0123456789abcdef" for c in hexa):
            raise BadContent(f"store blob `{digest}`: not a sha256 digest")
        return self.root / algorithm / hexa

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def ingest(self, digest: str, size: int | None, chunks: Iterable[bytes]) -> None:
        final = self.path(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(f".{final.name}.{os.getpid()}.{id(chunks):x}.partial")
        hasher, written = hashlib.sha256(), 0
        try:
            with open(partial, "wb") as f:
                for chunk in chunks:
                    written += len(chunk)
                    if size is not None and written > size:
                        raise BadContent(f"store blob `{digest}`: more than the {size} bytes announced")
                    hasher.update(chunk)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            if (size is not None and written != size) or f"sha256:{hasher.hexdigest()}" != digest:
                raise BadContent(f"store blob `{digest}`: got {written} bytes with digest "
                                 f"sha256:{hasher.hexdigest()}, expected {size} bytes")
            os.replace(partial, final)
        except OSError as e:
            raise RegistryError(f"store blob `{digest}` in {self.root}: {e.strerror or e}") from e
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()

    def open(self, digest: str) -> BinaryIO:
        return open(self.path(digest), "rb")
