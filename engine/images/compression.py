"""Layer compression, told by magic bytes: none, gzip, or zstd (when `zstandard` is installed)."""

from __future__ import annotations

import gzip
import io
from typing import BinaryIO

from engine.images.errors import BadImage

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _peekable(raw: BinaryIO) -> io.BufferedReader:
    if isinstance(raw, io.BufferedReader):
        return raw
    return io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[arg-type]


def detect(raw: BinaryIO) -> tuple[str, io.BufferedReader]:
    """("gzip" | "zstd" | "none", a reader positioned where `raw` was)."""
    reader = _peekable(raw)
    head = reader.peek(4)[:4]
    if head.startswith(GZIP_MAGIC):
        return "gzip", reader
    if head.startswith(ZSTD_MAGIC):
        return "zstd", reader
    return "none", reader


def decompressed(raw: BinaryIO) -> tuple[str, BinaryIO]:
    """The uncompressed stream of a layer blob, and the compression it had."""
    kind, reader = detect(raw)
    if kind == "gzip":
        return kind, gzip.GzipFile(fileobj=reader, mode="rb")  # type: ignore[return-value]
    if kind == "zstd":
        try:
            import zstandard  # optional: only zstd layers need it
        except ImportError:
            raise BadImage("the layer is zstd-compressed and the `zstandard` package is not installed",
                           hint="pip install zstandard") from None
        return kind, zstandard.ZstdDecompressor().stream_reader(reader, read_across_frames=True)
    return kind, reader
