"""Unpacked layers: one directory per diff_id, kept once, reference-counted by images.

Layout under the layer root::

    sha256/<hex>/diff/          the unpacked tree (an overlayfs lower directory)
    sha256/<hex>/refs/<owner>   one name per user of the layer (image, snapshot, cache entry): a hard link to ref
    ref                         the empty file every name in refs/ is
    sha256/<hex>/size           bytes of file content (what Docker shows as the layer's size)
    l/<short>                   -> ../sha256/<hex>/diff, a short name for mount options
    tmp/                        unpacks in progress (renamed into sha256/ when complete)
    locks/layers.lock           serialises unpack, reference and removal of one layer: a byte of it per layer

A layer's diff_id is the sha256 of its uncompressed tar, computed while unpacking
and checked against the one the image config names, so a layer directory is the
content its diff_id says. Short names keep overlayfs' option string (one page)
large enough for about 300 layers.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from engine.images import compression, digests
from engine.images.errors import BadImage, DigestMismatch, ImageNotFound
from pycompose import files

REF = "ref"


def short_id(diff_id: str) -> str:
    """A 10-character name derived from the diff_id (50 bits: no collision among a host's layers)."""
    raw = hashlib.sha256(diff_id.encode()).digest()
    return base64.b32encode(raw).decode()[:10].lower()


class LayerStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        for sub in ("sha256", "l", "tmp", "locks"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        if not (self.root / REF).exists():
            (self.root / REF).touch(mode=0o644)

    def _dir(self, diff_id: str) -> Path:
        return self.root / "sha256" / digests.hex_of(diff_id)

    def path(self, diff_id: str) -> Path:
        """The unpacked tree of a present layer."""
        p = self._dir(diff_id) / "diff"
        if not p.is_dir():
            raise ImageNotFound(f"layer {diff_id} is not unpacked")
        return p

    def short_path(self, diff_id: str) -> Path:
        self.path(diff_id)
        return self.root / "l" / short_id(diff_id)

    def exists(self, diff_id: str) -> bool:
        return (self._dir(diff_id) / "diff").is_dir()

    def owners(self, diff_id: str) -> set[str]:
        try:
            return set(os.listdir(self._dir(diff_id) / "refs"))
        except FileNotFoundError:
            return set()

    def held_by(self, owner: str) -> list[str]:
        """The layers `owner` holds, found by looking at every layer's users (for an owner that lost its list)."""
        try:
            hexes = os.listdir(self.root / "sha256")
        except FileNotFoundError:
            return []
        return [f"sha256:{h}" for h in sorted(hexes) if os.path.lexists(self.root / "sha256" / h / "refs" / owner)]

    def _refer(self, diff_id: str, owner: str) -> None:
        """Record `owner` as a user: a name in `refs/`, hard-linked to one empty file of the store (a name costs
        a hundredth of the tenth of a millisecond a new file does here); a file of its own where no link can
        be made (ext4 allows 65,000 links to one file)."""
        ref = self._dir(diff_id) / "refs" / owner
        try:
            os.link(self.root / REF, ref)
        except FileExistsError:
            pass
        except OSError:
            ref.touch()

    def _lock(self, diff_id: str) -> contextlib.AbstractContextManager[None]:
        return files.locked_slot(self.root / "locks" / "layers.lock", digests.lock_slot(diff_id))

    def ensure(self, diff_id: str, open_blob, owner: str) -> None:
        """Unpack the layer unless present (`open_blob()` gives its blob), and record `owner` as a user."""
        with self._lock(diff_id):
            if not self.exists(diff_id):
                with open_blob() as blob:
                    self._unpack_locked(blob, diff_id)
            self._refer(diff_id, owner)

    def hold(self, diff_id: str, owner: str) -> None:
        """Record `owner` (a snapshot, an image) as a user of a present layer."""
        with self._lock(diff_id):
            self.path(diff_id)
            self._refer(diff_id, owner)

    def add(self, blob: BinaryIO, owner: str) -> str:
        """Unpack a layer whose diff_id is not known in advance (an import, a commit); returns it."""
        tmp, diff_id = self._unpack_to_temp(blob, None)
        try:
            with self._lock(diff_id):
                if not self.exists(diff_id):
                    self._install(tmp, diff_id)
                self._refer(diff_id, owner)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        return diff_id

    def adopt(self, tree: Path, diff_id: str) -> bool:
        """Install `tree` as the layer `diff_id` unless that is present: moved (a rename), not unpacked again.

        `tree` is an overlay upper directory, no longer mounted, on this store's filesystem, whose layer tar
        (archives.commit.write_layer) hashes to `diff_id`; it is made what unpacking that tar makes: overlay's
        own xattrs (origin, impure: about the mount it was the upper of) go, whiteouts and opaque directories
        stay as they are. No owner is recorded: the caller's next `ensure` (a cache entry, an image) holds it,
        and finds it unpacked from the blob again should it have gone in between. True if it was installed;
        False if the layer was there already (`tree` is then left where it was, or removed when another
        process installed the layer while this one was moving it)."""
        if self.exists(diff_id):
            return False
        tmp = Path(tempfile.mkdtemp(prefix="adopt-", dir=self.root / "tmp"))
        try:
            (tmp / "refs").mkdir()
            (tmp / "size").write_text(str(_settle_upper(tree)))
            os.chmod(tree, 0o755)
            os.rename(tree, tmp / "diff")
            with self._lock(diff_id):
                if self.exists(diff_id):
                    return False
                self._install(tmp, diff_id)
                return True
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)

    def release(self, diff_id: str, owner: str) -> bool:
        """Drop `owner`'s reference; remove the layer when nobody uses it. True if removed."""
        with self._lock(diff_id):
            with contextlib.suppress(FileNotFoundError):
                (self._dir(diff_id) / "refs" / owner).unlink()
            if self.owners(diff_id) or not self._dir(diff_id).exists():
                return False
            with contextlib.suppress(FileNotFoundError):
                (self.root / "l" / short_id(diff_id)).unlink()
            doomed = self.root / "tmp" / f"rm-{digests.hex_of(diff_id)}"
            os.rename(self._dir(diff_id), doomed)
            shutil.rmtree(doomed)
            return True

    def _unpack_locked(self, blob: BinaryIO, diff_id: str) -> None:
        tmp, _ = self._unpack_to_temp(blob, diff_id)
        try:
            self._install(tmp, diff_id)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)

    def content_size(self, diff_id: str) -> int | None:
        """Bytes of file content in the layer (Docker's layer size); None when not recorded."""
        try:
            return int((self._dir(diff_id) / "size").read_text())
        except (OSError, ValueError):
            return None

    def _unpack_to_temp(self, blob: BinaryIO, expected: str | None) -> tuple[Path, str]:
        import gzip
        import zlib

        from engine.images.unpack import unpack  # tarfile and the rest: only when a layer is unpacked

        tmp = Path(tempfile.mkdtemp(prefix="unpack-", dir=self.root / "tmp"))
        try:
            (tmp / "diff").mkdir(mode=0o755)
            (tmp / "refs").mkdir()
            _, stream = compression.decompressed(blob)
            reader = digests.HashingReader(stream)
            try:
                stats = unpack(reader, tmp / "diff")  # type: ignore[arg-type]
                (tmp / "size").write_text(str(stats.bytes))
                reader.drain()
            except (gzip.BadGzipFile, zlib.error, EOFError) as err:
                raise BadImage(f"the layer's compressed stream is broken: {err}") from None
            if expected is not None and reader.digest != expected:
                raise DigestMismatch(f"layer {expected}: its uncompressed content hashes to {reader.digest}")
        except BaseException:
            shutil.rmtree(tmp)
            raise
        return tmp, reader.digest

    def _install(self, tmp: Path, diff_id: str) -> None:
        os.rename(tmp, self._dir(diff_id))
        link = self.root / "l" / short_id(diff_id)
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        os.symlink(f"../sha256/{digests.hex_of(diff_id)}/diff", link)


def _settle_upper(tree: Path) -> int:
    """Drop overlay's xattrs but the opaque mark (unpack sets no other) from `tree`; its size as unpack counts
    it: regular files' content (a hard-linked file once) and symlinks' targets."""
    from engine.images.unpack import OPAQUE_XATTR

    size, seen = 0, set()
    for path in _walk(str(tree)):
        st = os.lstat(path)
        with contextlib.suppress(OSError):
            for key in os.listxattr(path, follow_symlinks=False):
                if key.startswith("trusted.overlay.") and key != OPAQUE_XATTR:
                    os.removexattr(path, key, follow_symlinks=False)
        if stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            size += st.st_size
        elif stat.S_ISLNK(st.st_mode):
            size += len(os.fsencode(os.readlink(path)))
    return size


def _walk(top: str) -> Iterator[str]:
    yield top
    for directory, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            yield os.path.join(directory, name)
