"""Unpack one tar layer into an empty directory, safely and completely.

Every entry's path is cleaned and checked before anything is written: an absolute
path, a `..` component, a hard link whose target is outside the layer or absent, or
an entry below a symbolic link (which could lead anywhere) is refused with
`UnsafeArchive`. Symbolic links are created, never followed; an entry that replaces
a link replaces the link itself (O_EXCL | O_NOFOLLOW). Because the unpacker made
every object in the (private, fresh) directory itself, it knows each path's kind
and needs no `openat` walk per entry.

Kept: ownership, modes (with setuid/setgid/sticky), mtimes (directories' last, once
their children are in), extended attributes from PAX `SCHILY.xattr.*` records (not
`trusted.overlay.*`, which only the unpacker may set), hard links, symbolic links,
device nodes and fifos. OCI whiteouts become overlayfs ones: `.wh.name` a 0/0
character device `name`, `.wh..wh..opq` the `trusted.overlay.opaque=y` xattr on
its directory.

Needs root (ownership, device nodes, trusted xattrs). The caller unpacks into a
temporary directory and renames it into place when `unpack` returns, so a refused
or broken layer leaves nothing half-written.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from engine.images.errors import BadImage, UnsafeArchive

WHITEOUT_PREFIX = ".wh."
OPAQUE = ".wh..wh..opq"
OPAQUE_XATTR = "trusted.overlay.opaque"
_DIR, _LINK, _OTHER = "d", "l", "f"
SMALL = 1 << 20  # files up to this size are written by a pool of threads: creating a file is the cost
WRITERS, QUEUED = 4, 64


@dataclass
class UnpackStats:
    """What unpacking a layer wrote: files and bytes."""

    entries: int = 0
    bytes: int = 0  # regular files' content and symlinks' targets: the layer's size as Docker counts it


def clean(name: str, what: str = "entry") -> str:
    """A tar path as a relative path with no `.` or `..`; refuse one that leaves the root."""
    if name.startswith("/"):
        raise UnsafeArchive(f"tar {what} `{name}` is an absolute path; layers hold paths relative to their root")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"tar {what} `{name}` climbs out of the layer with `..`")
    if any("\0" in p for p in parts):
        raise UnsafeArchive(f"tar {what} `{name!r}` holds a NUL byte")
    return "/".join(parts)


class _Unpacker:
    def __init__(self, root: Path):
        self.root = str(root)
        self.kinds: dict[str, str] = {}
        self.dir_times: dict[str, int] = {}  # rel -> mtime in ns, set once children are in
        self.stats = UnpackStats()
        self.pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="unpack")
        self.pending: dict[str, Future[None]] = {}
        self.order: deque[str] = deque()

    def wait(self, rel: str | None = None) -> None:
        """Wait for the pooled write of `rel` (None: of every file), raising its error."""
        if rel is None:
            while self.order:
                self.wait(self.order.popleft())
            return
        fut = self.pending.pop(rel, None)
        if fut is not None:
            fut.result()

    def full(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def parents(self, rel: str, original: str) -> None:
        """Make sure every parent of `rel` is a real directory this unpacker made."""
        parts = rel.split("/")[:-1]
        prefix = ""
        for part in parts:
            prefix = f"{prefix}/{part}" if prefix else part
            kind = self.kinds.get(prefix)
            if kind == _DIR:
                continue
            if kind == _LINK:
                raise UnsafeArchive(f"tar entry `{original}` lies below the symbolic link `{prefix}`; "
                                    "writing through it could land outside the layer")
            if kind == _OTHER:
                raise BadImage(f"tar entry `{original}`: its parent `{prefix}` is not a directory")
            os.mkdir(self.full(prefix), 0o755)
            self.kinds[prefix] = _DIR

    def clear(self, rel: str, keep_dir: bool) -> bool:
        """Remove what is at `rel` (unless it is a directory and `keep_dir`); True if a directory stays."""
        kind = self.kinds.get(rel)
        if kind is None:
            return False
        self.wait(rel)
        if kind == _DIR:
            if keep_dir:
                return True
            self.wait()
            shutil.rmtree(self.full(rel))
            for key in [k for k in self.kinds if k.startswith(rel + "/")]:
                del self.kinds[key]
                self.dir_times.pop(key, None)
            self.dir_times.pop(rel, None)
        else:
            os.unlink(self.full(rel))
        del self.kinds[rel]
        return False

    def entry(self, tar: tarfile.TarFile, m: tarfile.TarInfo) -> None:
        rel = clean(m.name)
        if not rel:
            return  # the root itself: its metadata is the snapshot's business
        self.stats.entries += 1
        self.parents(rel, m.name)
        base = rel.rsplit("/", 1)[-1]
        if base.startswith(WHITEOUT_PREFIX):
            self.whiteout(rel, base)
            return
        exists_as_dir = self.clear(rel, keep_dir=m.isdir())
        path = self.full(rel)
        if m.isdir():
            if not exists_as_dir:
                os.mkdir(path, 0o700)
            self.kinds[rel] = _DIR
            self.meta(path, m)
            self.dir_times[rel] = int(m.mtime * 1e9)
        elif m.isreg():
            self.regular(tar, m, path, rel)
            self.kinds[rel] = _OTHER
        elif m.issym():
            self.stats.bytes += len(os.fsencode(m.linkname))  # a symlink's size is its target's length
            os.symlink(m.linkname, path)
            self.kinds[rel] = _LINK
            self.meta(path, m, link=True)
        elif m.islnk():
            self.hardlink(rel, m)
        elif m.ischr() or m.isblk() or m.isfifo():
            kind = stat.S_IFCHR if m.ischr() else stat.S_IFBLK if m.isblk() else stat.S_IFIFO
            os.mknod(path, kind | 0o600, os.makedev(m.devmajor, m.devminor) if kind != stat.S_IFIFO else 0)
            self.kinds[rel] = _OTHER
            self.meta(path, m)
        else:
            raise BadImage(f"tar entry `{m.name}` has a type pycompose does not unpack ({m.type!r})")

    def whiteout(self, rel: str, base: str) -> None:
        parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if base == OPAQUE:
            os.setxattr(self.full(parent) if parent else self.root, OPAQUE_XATTR, b"y")
            return
        name = base[len(WHITEOUT_PREFIX):]
        if name in ("", ".", ".."):
            raise UnsafeArchive(f"tar whiteout `{rel}` names no file")
        target = f"{parent}/{name}" if parent else name
        self.clear(target, keep_dir=False)
        os.mknod(self.full(target), stat.S_IFCHR | 0o600, os.makedev(0, 0))
        self.kinds[target] = _OTHER

    def regular(self, tar: tarfile.TarFile, m: tarfile.TarInfo, path: str, rel: str) -> None:
        self.stats.bytes += m.size
        if m.size <= SMALL:
            src = tar.extractfile(m)
            data = src.read() if src is not None else b""
            if len(self.order) >= QUEUED:
                self.wait(self.order.popleft())
            self.pending[rel] = self.pool.submit(self.small, path, data, m)
            self.order.append(rel)
            return
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with open(fd, "wb", buffering=1 << 20) as out:
            src = tar.extractfile(m)
            if src is not None:
                shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            self.meta(fd, m)

    def small(self, path: str, data: bytes, m: tarfile.TarInfo) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            self.meta(fd, m)
        finally:
            os.close(fd)

    def hardlink(self, rel: str, m: tarfile.TarInfo) -> None:
        target = clean(m.linkname, "hard link target")
        kind = self.kinds.get(target)
        self.wait(target)
        if kind is None or kind == _DIR:
            what = "a directory" if kind == _DIR else "not in the layer (so far)"
            raise UnsafeArchive(f"tar hard link `{m.name}` -> `{m.linkname}`: the target is {what}")
        self.parents(target, m.linkname)
        os.link(self.full(target), self.full(rel), follow_symlinks=False)
        self.kinds[rel] = kind

    def meta(self, where: str | int, m: tarfile.TarInfo, link: bool = False) -> None:
        follow = not link
        os.chown(where, m.uid, m.gid, follow_symlinks=follow)
        for key, value in m.pax_headers.items():
            if key.startswith("SCHILY.xattr.") and not key.startswith("SCHILY.xattr.trusted.overlay."):
                os.setxattr(where, key[len("SCHILY.xattr."):], value.encode("utf-8", "surrogateescape"),
                            follow_symlinks=follow)
        if not link:
            os.chmod(where, m.mode & 0o7777)
        if not m.isdir():
            ns = int(m.mtime * 1e9)
            os.utime(where, ns=(ns, ns), follow_symlinks=follow)

    def finish(self) -> None:
        self.wait()
        for rel in sorted(self.dir_times, key=lambda r: r.count("/"), reverse=True):
            ns = self.dir_times[rel]
            os.utime(self.full(rel), ns=(ns, ns), follow_symlinks=False)


def unpack(stream: BinaryIO, root: Path) -> UnpackStats:
    """Unpack the uncompressed tar `stream` into the empty directory `root`."""
    unpacker = _Unpacker(root)
    try:
        with tarfile.open(fileobj=stream, mode="r|", bufsize=1 << 16) as tar:
            for member in tar:
                unpacker.entry(tar, member)
        unpacker.finish()
    except tarfile.TarError as err:
        raise BadImage(f"the layer is not a readable tar archive: {err}") from None
    finally:
        unpacker.pool.shutdown(wait=True, cancel_futures=True)
    return unpacker.stats
