"""Files that several pycompose processes share: atomic replacement and advisory locks.

A reader never sees a half-written file: `write_atomic` writes a uniquely named
temporary sibling, fsyncs it, renames it over the target and fsyncs the directory.
`locked` holds an flock on a lock file for a whole read-change-write, `locked_slot`
a byte of one shared lock file (one per object, many objects a file); a process
that dies releases either with its descriptors. Both raise OSError; the caller names
the object in its own error.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644, *, durable: bool = True) -> None:
    """Replace `path` with `data`, all or nothing; `durable`: on disk before this returns (two fsyncs, some
    milliseconds), else as the kernel writes it back (still all or nothing for readers: state that a crash
    may lose, such as the latest health probe)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.rename(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


@contextlib.contextmanager
def locked(path: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold an flock on `path` (created if missing) while the block runs."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


_F_OFD_SETLKW = getattr(fcntl, "F_OFD_SETLKW", 38)  # Linux 3.15


@contextlib.contextmanager
def locked_slot(path: Path, slot: int) -> Iterator[None]:
    """Hold an exclusive lock on byte `slot` (0 <= slot < 2**62) of the lock file `path` while the block runs.

    One file serves many objects (blobs, layers), each its own slot (a hash of its name): no file is made
    and removed for each lock (a file made is a tenth of a millisecond here, and a layer is locked several
    times in each step of a build). An open file description's lock (OFD): threads of one
    process exclude each other as processes do; closing the descriptor (or dying) releases it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.fcntl(fd, _F_OFD_SETLKW, struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, slot, 1, 0))
        yield
    finally:
        os.close(fd)


_parsed: dict[str, tuple[tuple[int, int, int], Callable[[bytes], Any], Any]] = {}


def read_parsed(path: Path, parse: Callable[[bytes], T]) -> T:
    """`parse(the file's bytes)`, from this process's cache while the file is the one parsed before.

    Shared state files are replaced by `write_atomic` (a rename: a new inode), never written in place, so the
    inode, mtime and size say whether the file changed; what `parse` makes must be immutable (a frozen value),
    since every caller gets the same one. Raises OSError as reading does (FileNotFoundError when absent).
    """
    st = os.stat(path)
    key = (st.st_ino, st.st_mtime_ns, st.st_size)
    hit = _parsed.get(str(path))
    if hit is not None and hit[0] == key and hit[1] is parse:
        return hit[2]
    value = parse(path.read_bytes())
    _parsed[str(path)] = (key, parse, value)
    return value
