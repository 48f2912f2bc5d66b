"""Helpers for tests of the image side (shipped with the package, like httpx's fake transport).

`layer_tar` builds a tar layer from a compact spec; `busybox_rootfs_tar` makes a
real root filesystem from Debian's busybox-static; `state_root` is a temporary
state root whose path contains "pycompose" (so the session leak check sees any mount
left under it), unmounted and removed on exit.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from engine.images.snapshots.mounts import unmount


def entry(name: str, data: bytes | None = None, *, kind: bytes = tarfile.REGTYPE, mode: int = 0o644,
          uid: int = 0, gid: int = 0, mtime: int = 1_700_000_000, linkname: str = "",
          xattrs: dict[str, bytes] | None = None, dev: tuple[int, int] = (0, 0)) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.uid, info.gid, info.mtime, info.linkname = kind, mode, uid, gid, mtime, linkname
    info.devmajor, info.devminor = dev
    if kind == tarfile.DIRTYPE and mode == 0o644:
        info.mode = 0o755
    if xattrs:
        info.pax_headers = {f"SCHILY.xattr.{k}": v.decode("utf-8", "surrogateescape") for k, v in xattrs.items()}
    payload = data or b""
    info.size = len(payload) if kind in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    return info, payload


def layer_tar(*entries: tuple[tarfile.TarInfo, bytes] | str, compress: str = "") -> bytes:
    """A tar of `entries`: (TarInfo, data) pairs, or strings: `dir/` a directory, `name=text` a file."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:" + compress, format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            if isinstance(e, str):
                e = entry(e, kind=tarfile.DIRTYPE) if e.endswith("/") else entry(e.split("=")[0],
                                                                                  e.partition("=")[2].encode())
            info, data = e
            tar.addfile(info, io.BytesIO(data) if info.size else None)
    return buf.getvalue()


def busybox_rootfs(dest: Path) -> Path:
    """A root filesystem at `dest`: Debian's static busybox with its applets as symlinks."""
    busybox = shutil.which("busybox")
    if busybox is None:
        raise RuntimeError("busybox is not installed (apt-get install -y busybox-static)")
    for sub in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "root"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy2(busybox, dest / "bin" / "busybox")
    subprocess.run(["chroot", str(dest), "/bin/busybox", "--install", "-s"], check=True, capture_output=True)
    (dest / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n")
    (dest / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    os.chmod(dest / "tmp", 0o1777)
    return dest


def tar_dir(src: Path, out: Path) -> Path:
    subprocess.run(["tar", "-C", str(src), "--numeric-owner", "--xattrs", "-cf", str(out), "."], check=True)
    return out


def import_busybox(state: Path, name: str = "busybox") -> None:
    """Import busybox_rootfs() as image `name` into the image store under the state root `state`."""
    from engine.images.archives.importer import import_rootfs
    from engine.images.images import ImageService

    scratch = Path(tempfile.mkdtemp(prefix="busybox-"))
    try:
        busybox_rootfs(scratch / "rootfs")
        with open(tar_dir(scratch / "rootfs", scratch / "rootfs.tar"), "rb") as f:
            import_rootfs(ImageService(state), f, name)
    finally:
        shutil.rmtree(scratch)


def mounts_under(root: Path) -> list[str]:
    prefix = str(root)
    found = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    return [m for m in found if m == prefix or m.startswith(prefix + "/")]


@contextlib.contextmanager
def state_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
    try:
        yield root
    finally:
        for target in sorted(mounts_under(root), key=len, reverse=True):
            unmount(target)
        shutil.rmtree(root, ignore_errors=True)
