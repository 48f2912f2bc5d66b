"""The overlayfs snapshotter, and a copying one for hosts without overlayfs.

Layout under the snapshot root, one directory per key::

    <key>/init/     /etc/hostname, /etc/hosts, /etc/resolv.conf placeholders (a lower layer): made once,
                    under the layer store's root (<layers>/init), and shared; a snapshot made before
                    that has its own
    <key>/upper/    the container's changes (overlay) or its whole tree (copy: rootfs/)
    <key>/work/     overlayfs' work directory
    <key>/layers    the diff_ids, lowest first, one a line (so `mounts` can be asked again)
    <key>/volatile  present when the snapshot is mounted `volatile` (see OverlaySnapshotter)
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from engine.images.errors import ImageNotFound, StorageUnavailable
from engine.images.layers import LayerStore
from engine.images.snapshots.mounts import Mount
from engine.images.unpack import OPAQUE_XATTR
from pycompose import files

INIT_FILES = ("etc/hostname", "etc/hosts", "etc/resolv.conf")
INIT_DIRS = ("dev", "proc", "sys", "etc")
INIT = "init"  # under the layer store's root: the init layer, shared
VOLATILE = "volatile"  # in a snapshot's directory: mount it with overlayfs' `volatile`


class Snapshotter(Protocol):
    def prepare(self, key: str, diff_ids: Sequence[str], target: Path, *, volatile: bool = False) -> list[
        Mount]: ...

    def mounts(self, key: str, target: Path) -> list[Mount]: ...

    def upper(self, key: str) -> Path: ...

    def remove(self, key: str) -> None: ...


def overlay_supported() -> bool:
    try:
        return any(line.split()[-1] == "overlay" for line in Path("/proc/filesystems").read_text().splitlines())
    except OSError:
        return False


def _volatile_supported() -> bool:
    """Does overlayfs take `volatile` (Linux 5.10)?"""
    try:
        major, minor = (int(x) for x in os.uname().release.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 10)


def _check_key(key: str) -> str:
    if not key or "/" in key or key in (".", "..") or len(key) > 128:
        raise StorageUnavailable(f"snapshot key `{key}` must be a plain name")
    return key


class _Base:
    def __init__(self, root: Path, layers: LayerStore):
        self.root = Path(root)
        self.layers = layers
        self.root.mkdir(parents=True, exist_ok=True)

    def _dir(self, key: str) -> Path:
        return self.root / _check_key(key)

    def _create(self, key: str, diff_ids: Sequence[str], *, durable: bool = True) -> Path:
        """The snapshot's directory, its list of layers and their holds. Not `durable` (a volatile snapshot,
        which no one mounts again after a crash): the list is not synced, and `remove` of one a crash left
        empty finds the holds in the layer store instead."""
        d = self._dir(key)
        if d.exists():
            raise StorageUnavailable(f"prepare snapshot `{key}`: it exists already")
        for diff_id in diff_ids:
            self.layers.path(diff_id)  # all present, or ImageNotFound before anything is made
        d.mkdir(mode=0o700)
        try:  # the list of layers first: a snapshot half made (killed) still says which holds `remove` lets go
            files.write_atomic(d / "layers", "".join(f"{x}\n" for x in diff_ids).encode(), durable=durable)
            self._shared_init()
            for diff_id in dict.fromkeys(diff_ids):
                self.layers.hold(diff_id, f"snapshot-{key}")
        except BaseException:
            self.remove(key)
            raise
        return d

    def init_dir(self, key: str) -> Path:
        """The snapshot's init layer: its own (a snapshot made before they were shared), else the shared one."""
        own = self._dir(key) / "init"
        return own if own.is_dir() else self.layers.root / INIT

    def _shared_init(self) -> Path:
        """The init layer every snapshot of the layer store's shares (a lower layer: never written), made once."""
        shared = self.layers.root / INIT
        if shared.is_dir():
            return shared
        tmp = Path(tempfile.mkdtemp(prefix="init-", dir=self.layers.root / "tmp"))
        try:
            _make_init(tmp / "init")
            try:
                os.rename(tmp / "init", shared)
            except OSError:
                if not shared.is_dir():  # else another process made it first
                    raise
        finally:
            shutil.rmtree(tmp)
        return shared

    def _diff_ids(self, key: str) -> list[str]:
        try:
            return (self._dir(key) / "layers").read_text().split()
        except FileNotFoundError:
            raise ImageNotFound(f"no snapshot `{key}`") from None

    def remove(self, key: str) -> None:
        d = self._dir(key)
        if not d.exists():
            return
        ids = (d / "layers").read_text().split() if (d / "layers").exists() else []
        if not ids:  # none, or a list a crash left empty (not durable): whatever this snapshot holds
            ids = self.layers.held_by(f"snapshot-{key}")
        doomed = self.root / f".rm-{key}"
        os.rename(d, doomed)
        shutil.rmtree(doomed)
        for diff_id in dict.fromkeys(ids):
            self.layers.release(diff_id, f"snapshot-{key}")


def _make_init(init: Path) -> None:
    init.mkdir(mode=0o755)
    for sub in INIT_DIRS:
        (init / sub).mkdir(mode=0o755, exist_ok=True)
    for name in INIT_FILES:
        (init / name).touch(mode=0o644)


class OverlaySnapshotter(_Base):
    """Layers as overlayfs lower directories (short names), plus init, upper and work.

    A `volatile` snapshot (one whose changes need not survive a crash: a build step's, whose layer is
    written from them as a synced blob) is mounted with overlayfs' `volatile` where the kernel has it: no
    sync of the upper filesystem, neither by `syncfs` nor at unmount (which otherwise waits for every
    dirty page of that filesystem, the host's other work's too: milliseconds to tens of them)."""

    def prepare(self, key: str, diff_ids: Sequence[str], target: Path, *, volatile: bool = False) -> list[Mount]:
        volatile = volatile and _volatile_supported()
        d = self._create(key, diff_ids, durable=not volatile)
        (d / "upper").mkdir(mode=0o755)
        (d / "work").mkdir(mode=0o700)
        if volatile:
            (d / VOLATILE).touch(mode=0o600)
        return self.mounts(key, target)

    def mounts(self, key: str, target: Path) -> list[Mount]:
        d = self._dir(key)
        lowers = [str(self.init_dir(key))] + [str(self.layers.short_path(x)) for x in reversed(self._diff_ids(key))]
        options = (f"lowerdir={':'.join(lowers)}", f"upperdir={d / 'upper'}", f"workdir={d / 'work'}")
        if (d / VOLATILE).exists():
            options += ("volatile",)
        return [Mount("overlay", "overlay", str(target), options)]

    def upper(self, key: str) -> Path:
        return self._dir(key) / "upper"


class CopySnapshotter(_Base):
    """Each layer copied into one tree (whiteouts applied), bind-mounted at the target.

    For hosts without overlayfs: slower to prepare and heavier on disk. `upper` is
    the whole tree, so `diff`/`commit` need the overlay snapshotter."""

    def prepare(self, key: str, diff_ids: Sequence[str], target: Path, *, volatile: bool = False) -> list[Mount]:
        d = self._create(key, diff_ids)
        rootfs = d / "upper"
        rootfs.mkdir(mode=0o755)
        try:
            for diff_id in diff_ids:
                _apply_layer(self.layers.path(diff_id), rootfs)
            _apply_layer(self.init_dir(key), rootfs)
        except BaseException:
            self.remove(key)
            raise
        return self.mounts(key, target)

    def mounts(self, key: str, target: Path) -> list[Mount]:
        self._diff_ids(key)
        return [Mount("bind", str(self._dir(key) / "upper"), str(target), ("rbind",))]

    def upper(self, key: str) -> Path:
        return self._dir(key) / "upper"


def _is_whiteout(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def _is_opaque(path: str) -> bool:
    try:
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError:
        return False


def _scan(layer: Path) -> tuple[list[str], list[str]]:
    """(whiteouts, opaque directories) of a layer, relative to it."""
    whiteouts, opaques = [], []
    for dirpath, dirnames, filenames in os.walk(layer):
        rel = os.path.relpath(dirpath, layer)
        opaques += [os.path.normpath(os.path.join(rel, n)) for n in dirnames if _is_opaque(os.path.join(dirpath, n))]
        whiteouts += [os.path.normpath(os.path.join(rel, n)) for n in filenames
                      if _is_whiteout(os.lstat(os.path.join(dirpath, n)))]
    return whiteouts, opaques


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.is_symlink() or path.exists():
        path.unlink()


def _apply_layer(layer: Path, rootfs: Path) -> None:
    """Copy `layer` over `rootfs` as overlayfs would show it: whiteouts delete, opaque dirs hide."""
    whiteouts, opaques = _scan(layer)
    for rel in opaques + whiteouts:
        _remove(rootfs / rel)
    done = subprocess.run(["cp", "-a", "--reflink=auto", f"{layer}/.", f"{rootfs}/"], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise StorageUnavailable(f"copy layer `{layer}`: {done.stderr.strip()}")
    for rel in whiteouts:
        (rootfs / rel).unlink()
    for rel in opaques:
        os.removexattr(rootfs / rel, OPAQUE_XATTR, follow_symlinks=False)
