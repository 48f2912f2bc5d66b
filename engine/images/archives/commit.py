"""`commit`: a container's upper directory as a new layer on top of its image.

The layer is a PAX tar written from the upper directory: whiteouts become
`.wh.<name>` entries, opaque directories a `.wh..wh..opq` entry, hard links inside
the upper directory stay hard links, and overlayfs' own `trusted.overlay.*`
attributes are left out. The init layer is a lower layer, so it is never committed.
The new config is the image's, with the diff_id, a history entry and `--change`s.
"""

from __future__ import annotations

import copy
import io
import os
import stat
import tarfile
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from engine.images import mediatypes
from engine.images.archives import changes as change_rules
from engine.images.archives.diff import is_opaque, is_whiteout
from engine.images.images import Image, ImageService
from engine.images.manifests import Descriptor, ImageConfig
from engine.images.unpack import OPAQUE, WHITEOUT_PREFIX


def _info(name: str, st: os.stat_result) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mode, info.uid, info.gid, info.mtime = stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, st.st_mtime
    info.uname = info.gname = ""
    return info


def _xattrs(path: str) -> dict[str, str]:
    out = {}
    try:
        keys = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return out
    for key in keys:
        if key.startswith("trusted.overlay."):
            continue
        value = os.getxattr(path, key, follow_symlinks=False)
        out[f"SCHILY.xattr.{key}"] = value.decode("utf-8", "surrogateescape")
    return out


def write_layer(upper: Path, out: BinaryIO) -> None:
    """Write the changes in `upper` to `out` as an uncompressed OCI layer tar."""
    links: dict[tuple[int, int], str] = {}
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(upper):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, upper)
            for name in sorted(dirnames + filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.normpath(os.path.join(rel_dir, name))
                _add(tar, full, rel, os.lstat(full), links)


def _add(tar: tarfile.TarFile, full: str, rel: str, st: os.stat_result, links: dict[tuple[int, int], str]) -> None:
    if is_whiteout(st):
        parent, _, name = rel.rpartition("/")
        wh = _info(f"{parent}/{WHITEOUT_PREFIX}{name}" if parent else f"{WHITEOUT_PREFIX}{name}", st)
        wh.mode = 0o644
        tar.addfile(wh)
        return
    info = _info(rel, st)
    info.pax_headers = _xattrs(full)
    if stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        if is_opaque(full):
            tar.addfile(_info(f"{rel}/{OPAQUE}", st))
        return
    key = (st.st_dev, st.st_ino)
    if st.st_nlink > 1 and key in links and not stat.S_ISDIR(st.st_mode):
        info.type, info.linkname = tarfile.LNKTYPE, links[key]
        tar.addfile(info)
        return
    links[key] = rel
    if stat.S_ISREG(st.st_mode):
        info.size = st.st_size
        with open(full, "rb") as f:
            tar.addfile(info, f)
    elif stat.S_ISLNK(st.st_mode):
        info.type, info.linkname = tarfile.SYMTYPE, os.readlink(full)
        tar.addfile(info)
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        info.type = tarfile.CHRTYPE if stat.S_ISCHR(st.st_mode) else tarfile.BLKTYPE
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
        tar.addfile(info)
    elif stat.S_ISFIFO(st.st_mode):
        info.type = tarfile.FIFOTYPE
        tar.addfile(info)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_config(base: dict, diff_id: str, created_by: str, *, comment: str = "", author: str = "",
               change_list: Iterable[str] = ()) -> ImageConfig:
    obj = copy.deepcopy(base)
    when = now()
    obj["created"] = when
    obj.setdefault("rootfs", {"type": "layers", "diff_ids": []})["diff_ids"].append(diff_id)
    entry = {"created": when, "created_by": created_by}
    if comment:
        entry["comment"] = comment
    if author:
        entry["author"] = obj["author"] = author
    obj.setdefault("history", []).append(entry)
    obj["config"] = change_rules.apply(obj.get("config") or {}, change_list)
    return ImageConfig.build(obj)


def commit(service: ImageService, image: Image, upper: Path, name: str | None = None, *, message: str = "",
           author: str = "", change_list: Iterable[str] = ()) -> Image:
    """A new image: `image` plus the changes in `upper`, named `name` when given."""
    with tempfile.TemporaryFile(dir=service.store.root / "ingest") as tmp:
        write_layer(upper, tmp)  # type: ignore[arg-type]
        tmp.seek(0)
        diff_id, size = service.store.add_file(tmp)  # type: ignore[arg-type]
    docker = image.manifest.media_type == mediatypes.DOCKER_MANIFEST
    layer = Descriptor(mediatypes.DOCKER_LAYER if docker else mediatypes.OCI_LAYER, diff_id, size)
    config = new_config(image.config.obj, diff_id, "pycompose commit", comment=message, author=author,
                        change_list=change_list)
    manifest = service.add_manifest(config, [*image.manifest.layers, layer], image.manifest.media_type)
    return service.register(manifest.digest, name)


def layer_bytes(upper: Path) -> bytes:
    """The layer tar of `upper` in memory (tests, small diffs)."""
    buf = io.BytesIO()
    write_layer(upper, buf)
    return buf.getvalue()
