"""A debootstrap'd Debian bookworm as an image: the Debian base of the builder's tests and bench/build_bench.py.

    import_debian(images, "debian:bookworm")      # into a pycompose image store: five gzip layers
    save_debian(images, "debian:bookworm", path)  # that image as a `docker save` archive (docker load, buildah)

The root filesystem and its five layers are bench/debian_layers.py's: debootstrap
--variant=minbase from Debian's mirror through apt's configured source (no other
address), made once and cached under /var/tmp/pycompose-bench-debian. A lock beside
that directory keeps two of our runs from making it at the same time. The image is
configured as Debian's official one is: PATH in its environment, `bash` its command.
"""

from __future__ import annotations

import fcntl
import io
import shutil
from pathlib import Path

from engine.images.images import Image, ImageService

LOCK = Path("/var/tmp/pycompose-bench-debian.lock")
HOW_TO_GET = "apt-get install -y debootstrap"
CHANGES = ("ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 'CMD ["bash"]')


class DebianUnavailable(RuntimeError):
    """debootstrap is missing, or it could not make the root filesystem."""


def debian_layers() -> list[bytes]:
    """The five gzip layers of the cached root filesystem, made first when missing (about a minute)."""
    if shutil.which("debootstrap") is None and not (Path("/var/tmp/pycompose-bench-debian") / "rootfs.done").exists():
        raise DebianUnavailable(f"debootstrap is not installed: {HOW_TO_GET}")
    from bench.debian_layers import debian_layers as layers

    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return layers()
        except (SystemExit, OSError) as err:
            raise DebianUnavailable(f"the Debian root filesystem could not be made: {err}") from err


def import_debian(images: ImageService, name: str = "debian:bookworm") -> Image:
    """The Debian base as image `name` in `images`, one layer per cached layer blob."""
    from engine.images import mediatypes
    from engine.images.archives.commit import new_config
    from engine.images.archives.importer import diff_id_of
    from engine.images.manifests import Descriptor, base_config

    obj = base_config()
    descriptors = []
    blobs = debian_layers()
    for n, blob in enumerate(blobs):
        digest, size = images.store.add_file(io.BytesIO(blob))
        _, diff_id = diff_id_of(images, digest)
        last = n == len(blobs) - 1
        config = new_config(obj, diff_id, f"debootstrap --variant=minbase bookworm (layer {n + 1})",
                            change_list=CHANGES if last else ())
        obj = config.obj
        descriptors.append(Descriptor(mediatypes.OCI_LAYER_GZIP, digest, size))
    manifest = images.add_manifest(config, descriptors)
    return images.register(manifest.digest, name)


def save_debian(images: ImageService, name: str, path: Path) -> Path:
    """Image `name` of `images` as a `docker save` archive at `path`."""
    from engine.images.archives.docker import save

    save(images, [name], path)
    return path
