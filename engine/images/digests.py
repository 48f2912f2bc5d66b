"""Content digests (`sha256:<64 hex>`), as the OCI image specification writes them.

Only sha256 is accepted: it is what Docker and every registry use, and one
algorithm keeps blob paths (`blobs/sha256/<hex>`) unambiguous.
"""

from __future__ import annotations

import hashlib
import re
from typing import BinaryIO

from engine.images.errors import BadImage

_DIGEST = re.compile(r"sha256:[a-f0-9]{64}")


def check(digest: str) -> str:
    """Return `digest` if it is a well-formed sha256 digest; raise BadImage otherwise."""
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise BadImage(f"`{digest}` is not a sha256 digest (sha256:<64 lowercase hex digits>)")
    return digest


def hex_of(digest: str) -> str:
    return check(digest)[len("sha256:"):]


def lock_slot(digest: str) -> int:
    """The byte of a shared lock file (pycompose.files.locked_slot) that stands for the object `digest` names."""
    return int(hex_of(digest)[:15], 16)


def of_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class HashingReader:
    """A file-like reader that hashes and counts what passes through it."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._hash.update(data)
        self.size += len(data)
        return data

    def drain(self, chunk: int = 1 << 20) -> None:
        """Read to the end (a tar stream may carry padding after its end-of-archive blocks)."""
        while self.read(chunk):
            pass

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()
