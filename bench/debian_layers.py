"""A debootstrap'd Debian split into five gzip layers: the image the pull and unpack benchmarks move.

    layers = debian_layers()      # [bytes, ...]: usr/lib, usr/share, the rest of usr, var, the rest

The root filesystem is made once with `debootstrap --variant=minbase bookworm` from the
host's Debian mirror (apt's own source: no other address) and cached, with the layers,
under /var/tmp/pycompose-bench-debian; delete that directory to start again. Layers are
tarred by GNU tar with numeric owners, so ownership, modes, hard links, symlinks and the
device nodes debootstrap makes are all in them, as in an image a real build would push.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CACHE = Path("/var/tmp/pycompose-bench-debian")
MIRROR = "http://deb.debian.org/debian"
SUITE = "bookworm"


def _rootfs() -> Path:
    rootfs = CACHE / "rootfs"
    if (CACHE / "rootfs.done").exists():
        return rootfs
    if shutil.which("debootstrap") is None:
        raise SystemExit("debian_layers: debootstrap is missing (apt-get install -y debootstrap)")
    shutil.rmtree(rootfs, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"debian_layers: debootstrap {SUITE} into {rootfs} (once; about half a minute)", flush=True)
    subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(rootfs), MIRROR], check=True,
                   stdout=subprocess.DEVNULL)
    (CACHE / "rootfs.done").touch()
    return rootfs


def _groups(rootfs: Path) -> list[list[str]]:
    """Five path groups covering the whole tree, each one layer."""
    usr_rest = sorted(f"usr/{n}" for n in os.listdir(rootfs / "usr") if n not in ("lib", "share"))
    top_rest = sorted(n for n in os.listdir(rootfs) if n not in ("usr", "var"))
    return [["usr/lib"], ["usr/share"], usr_rest, ["var"], top_rest]


def debian_layers() -> list[bytes]:
    """The five layers (gzip, level 6), made once and cached."""
    rootfs = _rootfs()
    layers = []
    for n, paths in enumerate(_groups(rootfs)):
        path = CACHE / f"layer{n}.tar.gz"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            subprocess.run(["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs),
                            "-czf", str(tmp), *paths], check=True)
            os.rename(tmp, path)
        layers.append(path.read_bytes())
    return layers


if __name__ == "__main__":
    sizes = [len(layer) for layer in debian_layers()]
    print(f"{len(sizes)} layers, {sum(sizes) / 1e6:.1f} MB compressed: {[round(s / 1e6, 1) for s in sizes]}")
